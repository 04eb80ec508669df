"""Two-factor authentication pages (SPEC P6): setting up an authenticator app or codes by e-mail, the
recovery codes, "ask me at every login", removing a factor, the step-up page and the login's second step.

Every change to an account that already has a second factor needs the factor first (in this session):
the password alone must not be enough to undo or replace it.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import accounts, bp, site
from blueprints.portal import two_factor as tf
from blueprints.portal.auth_views import safe_next
from blueprints.portal.two_factor_forms import AppCodeForm, AtLoginForm, CodeForm, RemoveFactorForm
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import hx_redirect, render
from models import Association, SecondFactor
from models import permissions as perms


def _user():
    return current_user._get_current_object()


def _back() -> str | None:
    """Where the member was going when asked for a second factor (same site only)."""
    return safe_next(request.args.get("next"))


def _here_with(endpoint: str, **values) -> str:
    """An address on these pages that keeps where the member was going, and why they are here."""
    return url_for(endpoint, next=_back(), why=request.args.get("why") or None, **values)


def _give_it_first(after: str | None = None):
    """A redirect to the step-up page when this account has a second factor the session has not given."""
    if tf.passed() or not tf.has_factor(current_user):
        return None
    return hx_redirect(url_for("portal.two_factor_verify", next=after or request.full_path.rstrip("?")))


def _guarded_here() -> list[str]:
    """What the member may do here that the association asks a second factor for."""
    return [str(perms.DESCRIPTIONS[p]) for p in tf.OFFERED if g.association.requires_second_factor(p) and _can(p)]


def _can(permission: str) -> bool:
    return g.membership is not None and g.membership.can(permission)


@bp.route("/account/two-factor")
@requires()
def two_factor():
    """The member's second factors, recovery codes and "ask at every login" (also the set-up page a step-up
    sends a member without a factor to)."""
    user = _user()
    kinds = {factor.kind: factor for factor in tf.factors(user)}
    return render(
        "portal/two_factor/overview.html",
        app=kinds.get(SecondFactor.TOTP),
        email=kinds.get(SecondFactor.EMAIL),
        codes_left=tf.recovery_codes_left(user),
        at_login_form=AtLoginForm(ask=user.second_factor_at_login, formdata=None),
        reason=tf.why(request.args.get("why"), g.association),
        back=_back(),
        guarded=_guarded_here(),
        here_with=_here_with,
    )


def _done_setting_up(kind_done: str):
    """After a first factor is confirmed: the recovery codes (shown once) if the member has none, then on
    to where they were going."""
    user = _user()
    tf.mark_passed(user)  # the code just typed proved the factor: this session has given it
    if tf.recovery_codes_left(user) == 0:
        codes = tf.new_recovery_codes(user, g.association)
        return render("portal/two_factor/recovery_codes.html", codes=codes, back=_back(), first=True)
    flash(kind_done, "success")
    return redirect(_back() or url_for("portal.two_factor"))


@bp.route("/account/two-factor/app", methods=["GET", "POST"])
@requires()
def two_factor_app():
    """Set up an authenticator app: scan the QR code (or type the secret), then type its first code."""
    user = _user()
    stepping_up = _give_it_first(url_for("portal.two_factor"))
    if stepping_up is not None:
        return stepping_up
    factor = tf.totp_being_set_up(user)
    if factor.confirmed_at is not None:
        flash(_("Your authenticator app is already set up. Remove it first to set up another one."), "info")
        return redirect(url_for("portal.two_factor"))
    if request.method == "GET":
        factor = tf.fresh_totp_secret(factor)
    form = AppCodeForm()
    status = 200
    if form.validate_on_submit():
        outcome = tf.confirm_totp(user, factor, form.code.data, g.association)
        if outcome.passed:
            return _done_setting_up(_("Your authenticator app is set up."))
        status = _refuse(form, outcome)
    elif form.errors:
        status = 422
    return render(
        "portal/two_factor/app.html",
        form=form,
        qr=tf.qr_svg(user, factor, g.association),
        secret=tf.secret_in_groups(factor.secret),
        here_with=_here_with,
        status=status,
    )


def _refuse(form, outcome: tf.Check) -> int:
    """Put the reason a code was refused on its field; the status to answer with."""
    if outcome is tf.Check.THROTTLED:
        form.code.errors.append(tf.throttled_message())
        return 429
    form.code.errors.append(_("This code is not right, or it was used already. Please check it and try again."))
    return 422


@bp.route("/account/two-factor/email", methods=["GET", "POST"])
@requires()
def two_factor_email():
    """Choose codes by e-mail: we send a code, and typing it back confirms the address gets our mail."""
    user = _user()
    stepping_up = _give_it_first(url_for("portal.two_factor"))
    if stepping_up is not None:
        return stepping_up
    factor = tf.email_being_set_up(user)
    if factor.confirmed_at is not None:
        flash(_("Codes by e-mail are already on."), "info")
        return redirect(url_for("portal.two_factor"))
    if request.method == "POST" and "send" in request.form:
        return _send_code(factor, _here_with("portal.two_factor_email"))
    form = AppCodeForm()
    status = 200
    if form.validate_on_submit():
        outcome = tf.confirm_email(user, factor, form.code.data, g.association)
        if outcome.passed:
            return _done_setting_up(_("Codes by e-mail are on."))
        status = _refuse(form, outcome)
    elif form.errors:
        status = 422
    return render(
        "portal/two_factor/email.html",
        form=form,
        send_form=ConfirmForm(formdata=None),
        code_sent=factor.code_expires_at is not None,
        here_with=_here_with,
        status=status,
    )


def _send_code(factor: SecondFactor, back_to: str, association: Association | None = None):
    """Mail a code (the "send me a code" button) and show the page again."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = factor.user
    if tf.send_email_code(user, factor, association or g.get("association")):
        flash(_("We have sent a code to %(email)s. It works for 10 minutes.", email=user.email), "success")
    else:
        flash(_("We sent you a code less than a minute ago: please look for it in your mail."), "info")
    return redirect(back_to)


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@requires()
def two_factor_recovery():
    """How many recovery codes are left; new ones (shown once) replace them all."""
    user = _user()
    if not tf.has_factor(user):
        return redirect(url_for("portal.two_factor"))
    stepping_up = _give_it_first(url_for("portal.two_factor_recovery"))
    if stepping_up is not None:
        return stepping_up
    form = ConfirmForm()
    if form.validate_on_submit():
        codes = tf.new_recovery_codes(user, g.association)
        return render("portal/two_factor/recovery_codes.html", codes=codes, back=None, first=False)
    return render(
        "portal/two_factor/recovery.html", form=form, codes_left=tf.recovery_codes_left(user),
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@bp.route("/account/two-factor/at-login", methods=["POST"])
@requires()
def two_factor_at_login():
    """Switch "ask me at every login" on or off."""
    user = _user()
    if not tf.has_factor(user):
        flash(_("Set up a second factor first."), "error")
        return redirect(url_for("portal.two_factor"))
    stepping_up = _give_it_first(url_for("portal.two_factor"))
    if stepping_up is not None:
        return stepping_up
    form = AtLoginForm()
    if not form.validate_on_submit():
        abort(400)
    tf.ask_at_login(user, bool(form.ask.data), g.association)
    if form.ask.data:
        flash(_("From now on we ask for your second factor at every login."), "success")
    else:
        flash(_("We ask for your second factor only when something needs it."), "success")
    return redirect(url_for("portal.two_factor"))


@bp.route("/account/two-factor/<kind>/remove", methods=["GET", "POST"])
@requires()
def two_factor_remove(kind: str):
    """Remove the authenticator app or codes by e-mail, with the password."""
    user = _user()
    factor = tf.factor_of(user, kind) if kind in SecondFactor.KINDS else None
    if factor is None:
        abort(404)
    stepping_up = _give_it_first(url_for("portal.two_factor_remove", kind=kind))
    if stepping_up is not None:
        return stepping_up
    form = RemoveFactorForm()
    if form.validate_on_submit() and _password_ok(form):
        tf.remove(user, factor, g.association)
        flash(_("The second factor is removed."), "success")
        return redirect(url_for("portal.two_factor"))
    status = 429 if form.current.errors == [accounts.throttled_message()] else (422 if form.errors else 200)
    return render("portal/two_factor/remove.html", form=form, factor=factor, last=len(tf.confirmed(user)) <= 1,
                  status=status)  # fmt: skip


def _password_ok(form: RemoveFactorForm) -> bool:
    result, _user_found = accounts.check_password_login(current_user.email, form.current.data)
    if result is accounts.LoginResult.THROTTLED:
        form.current.errors.append(accounts.throttled_message())
        return False
    if result is not accounts.LoginResult.OK:
        form.current.errors.append(_("That is not your current password."))
        return False
    return True


# --- giving the second factor ----------------------------------------------------------------------


def _code_page(template: str, user, form: CodeForm, status: int, **context):
    kinds = {factor.kind for factor in tf.confirmed(user)}
    return render(
        template,
        form=form,
        send_form=ConfirmForm(formdata=None),
        has_app=SecondFactor.TOTP in kinds,
        has_email=SecondFactor.EMAIL in kinds,
        status=status,
        **context,
    )


@bp.route("/account/two-factor/verify", methods=["GET", "POST"])
@requires()
def two_factor_verify():
    """Give the second factor for this session (the step-up): a code from the app, a mailed code or a
    recovery code. A member without a factor is led to set one up."""
    user = _user()
    if not tf.has_factor(user):
        return redirect(_here_with("portal.two_factor"))
    back = _back() or url_for("portal.home")
    if tf.passed() and request.method == "GET":
        return redirect(back)
    if request.method == "POST" and "send" in request.form:
        email = tf.factor_of(user, SecondFactor.EMAIL)
        if email is None or email.confirmed_at is None:
            abort(404)
        return _send_code(email, _here_with("portal.two_factor_verify"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        outcome = tf.check_code(user, form.code.data, g.association)
        if outcome.passed:
            tf.mark_passed(user)
            _warn_if_recovery_codes_run_low(user, outcome)
            return redirect(back)
        status = _refuse(form, outcome)
    elif form.errors:
        status = 422
    reason = tf.why(request.args.get("why"), g.association)
    return _code_page("portal/two_factor/verify.html", user, form, status, reason=reason, back=back)


def _warn_if_recovery_codes_run_low(user, outcome: tf.Check) -> None:
    if outcome is not tf.Check.RECOVERY:
        return
    left = tf.recovery_codes_left(user)
    flash(
        _(
            "You used a recovery code; %(left)d are left. If you lost your phone, remove the app in"
            " Two-factor authentication and set it up again.",
            left=left,
        ),
        "warning",
    )


@site.route("/login/second-factor", methods=["GET", "POST"])
def login_second_factor():
    """The second step of a login, for members who chose to be asked at every login."""
    held = accounts.held_login()
    if held is None:
        flash(_("Please log in again: the few minutes for the code are over."), "info")
        return redirect(url_for("site.login"))
    user, data = held
    association = Association.get_or_none(Association.slug == data["portal"]) if data.get("portal") else None
    g.association = association  # the portal's name, logo and language, as on its login page
    if request.method == "POST" and "send" in request.form:
        email = tf.factor_of(user, SecondFactor.EMAIL)
        if email is None or email.confirmed_at is None:
            abort(404)
        return _send_code(email, url_for("site.login_second_factor"), association)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        outcome = tf.check_code(user, form.code.data, association)
        if outcome.passed:
            accounts.start_session(user)  # a new session only now, and it has given the second factor
            tf.mark_passed(user)
            audit("account.login", actor=user, association=association, target=user.email, second_factor=outcome.value)
            _warn_if_recovery_codes_run_low(user, outcome)
            home = url_for("portal.home", slug=association.slug) if association else url_for("site.index")
            return redirect(safe_next(data.get("next")) or home)
        status = _refuse(form, outcome)
    elif form.errors:
        status = 422
    return _code_page("portal/two_factor/login.html", user, form, status, association=association)
