"""Portal pages: the association list, a portal's login and sign-up, home, my account."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from blueprints.exchange.reports import reports_for
from blueprints.portal import accounts, bp, site, two_factor
from blueprints.portal.auth_views import login_page, safe_next
from blueprints.portal.forms import EmailChangeForm, PasswordForm, ProfileForm, SignupForm
from blueprints.register.queries import my_units
from core import home as home_panels
from core import nav
from core.access import current_memberships, requires, user_memberships
from core.audit import audit
from core.rendering import render
from core.text import LANGUAGE_COOKIE
from models import Association, Person, User
from models.db import transaction

YEAR_SECONDS = 365 * 24 * 3600


@site.route("/")
def index():
    """Send people to their association, or let them choose one."""
    if current_user.is_authenticated:
        memberships = current_memberships()
        if len(memberships) == 1:
            return redirect(url_for("portal.home", slug=memberships[0].association.slug))
        return render_template("portal/index.html", memberships=memberships, lapsed=_lapsed())
    only = list(Association.select(Association.slug).limit(2))
    if len(only) == 1:
        return redirect(url_for("portal.home", slug=only[0].slug))
    return redirect(url_for("site.login"))


@site.route("/language/<language>")
def switch_language(language: str):
    """The visible language switch on the login and public pages: remembered for a year in a cookie
    (a signed-in user's own choice, in My account, still comes first)."""
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")) or url_for("site.index"))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=YEAR_SECONDS, samesite="Lax", httponly=True,
                        secure=request.is_secure)  # fmt: skip
    return response


def _lapsed():
    current = {m.id for m in current_memberships()}
    return [m for m in user_memberships() if m.id not in current]


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in on the portal's own page, with its name and logo."""
    if current_user.is_authenticated and g.membership is not None and request.method == "GET":
        return redirect(url_for("portal.home"))
    return login_page(g.association)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an account with an e-mail address the register holds (seed 000, "Skapa konto")."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            outcome = accounts.sign_up(g.association, form.email.data, form.password.data, g.association.gdpr_text)
        except accounts.SignupError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            if outcome.second_step:  # the account asks for its second factor at every login
                return redirect(url_for("site.login_second_factor"))
            if outcome.signed_in:
                flash(_("Welcome to %(name)s.", name=g.association.name), "success")
                return redirect(url_for("portal.home"))
            return render("portal/signup_sent.html", association=g.association, email=outcome.user.email)
    return render("portal/signup.html", form=form, association=g.association, status=422 if form.errors else 200)


@bp.route("/")
@requires()
def home():
    """The association's home page: the welcome text, my units and the domains' panels (P9)."""
    return render(
        "portal/home.html",
        my_units=my_units(g.membership, g.association),
        board_tools=bool(nav.board_places()),
        panels=home_panels.rows(g.membership) if g.membership is not None else {},
    )


@bp.route("/menu")
@requires()
def menu():
    """Every place this member may go, board pages included: the phone's "Menu" tab."""
    return render("portal/menu.html")


@bp.route("/tab-bar")
@requires()
def tab_bar():
    """The tab bar alone, with fresh counts: it fetches itself after an in-place change (nav.COUNTS_CHANGED).
    It is marked for the page it sits on, whose address htmx sends along."""
    g.page_endpoint = _endpoint_of(request.headers.get("HX-Current-URL", ""))  # counts as that page would
    return nav.rendered("_tab_bar.html", g.page_endpoint)


def _endpoint_of(url: str) -> str | None:
    """The endpoint of one of this site's addresses, or None."""
    path = urlparse(url).path
    if request.script_root and path.startswith(request.script_root):
        path = path[len(request.script_root) :]
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(path)
    except HTTPException:
        return None
    return endpoint


def _account_forms(**forms):
    user = current_user
    defaults = {
        "profile": ProfileForm(obj=user, formdata=None) if "profile" not in forms else forms["profile"],
        "password_form": forms.get("password_form") or PasswordForm(formdata=None),
        "email_form": forms.get("email_form") or EmailChangeForm(formdata=None),
        # "Order a report" is offered only when there is one this member may order.
        "reports_offered": bool(reports_for(g.association, g.membership)),
    }
    if "profile" not in forms:
        defaults["profile"].ui_language.data = user.ui_language or ""
        _phones_from_the_register(defaults["profile"], user)
    return defaults


PHONES = ("phone_home", "phone_mobile", "phone_work")


def _phones_from_the_register(form: ProfileForm, user: User) -> None:
    """Show the phones the register holds for this person (the board may have entered or corrected them),
    the account's own where the register has none."""
    person = (
        Person.select(Person.phone_home, Person.phone_mobile, Person.phone_work)
        .where((Person.user == user) & (Person.association == g.association))
        .first()
    )
    for name in PHONES:
        form[name].data = (getattr(person, name) if person is not None else "") or getattr(user, name) or ""


@bp.route("/account", methods=["GET", "POST"])
@requires()
def account():
    """My account: name, phones, language (seed 000, "Mitt konto")."""
    form = ProfileForm()
    if request.method == "POST":
        if form.validate_on_submit():
            _save_profile(current_user, form)
            # Say it in the language just chosen, not the one the request started in.
            current_user.ui_language = form.ui_language.data or None
            refresh()
            flash(_("Your details are saved."), "success")
            return redirect(url_for("portal.account"))
        return render("portal/account.html", **_account_forms(profile=form), status=422)
    return render("portal/account.html", **_account_forms())


def _save_profile(user: User, form: ProfileForm) -> None:
    phones = {name: form[name].data or "" for name in PHONES}
    with transaction():
        User.update(name=form.name.data.strip(), ui_language=form.ui_language.data or None, **phones).where(
            User.id == user.id
        ).execute()
        # Contact details are one set per person (seed 002): keep the register in step.
        Person.update(**phones).where(Person.user == user).execute()
        audit("account.profile_changed", actor=user, association=g.association, target=user.email)


def _current_password_ok(form) -> bool:
    result, _user = accounts.check_password_login(current_user.email, form.current.data)
    if result is accounts.LoginResult.THROTTLED:
        form.current.errors.append(accounts.throttled_message())
        return False
    if result is not accounts.LoginResult.OK:
        form.current.errors.append(_("That is not your current password."))
        return False
    return True


@bp.route("/account/password", methods=["GET", "POST"])
@requires()
def account_password():
    """Change the password; other browsers are signed out."""
    form = PasswordForm()
    if request.method == "GET":
        return redirect(url_for("portal.account") + "#password")
    if form.validate_on_submit() and _current_password_ok(form):
        accounts.change_password(current_user._get_current_object(), g.association, form.password.data)
        flash(_("Your password is changed. Other devices have been signed out."), "success")
        return redirect(url_for("portal.account"))
    return render("portal/account.html", **_account_forms(password_form=form), status=422)


@bp.route("/account/email", methods=["GET", "POST"])
@requires()
def account_email():
    """Change the e-mail address; it takes effect when the new address confirms."""
    form = EmailChangeForm()
    if request.method == "GET":
        return redirect(url_for("portal.account") + "#email")
    if two_factor.has_factor(current_user) and not two_factor.passed():
        # Codes by e-mail go to this address: with the password alone it must not be moved elsewhere.
        return redirect(url_for("portal.two_factor_verify", next=url_for("portal.account") + "#email"))
    if form.validate_on_submit() and _current_password_ok(form):
        new_email = User.normalize_email(form.new_email.data)
        if User.by_email(new_email) is not None:
            form.new_email.errors.append(_("Another account already uses this address."))
        else:
            accounts.request_email_change(current_user._get_current_object(), g.association, new_email)
            flash(
                _(
                    "We have sent a confirmation link to %(email)s. Your address changes when you open it.",
                    email=new_email,
                ),
                "success",
            )
            return redirect(url_for("portal.account"))
    return render("portal/account.html", **_account_forms(email_form=form), status=422)
