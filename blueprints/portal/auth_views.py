"""Log in, log out, activation, password reset and e-mail confirmation: the pages outside any association."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import accounts, site
from blueprints.portal.forms import ForgotForm, LoginForm, ResetForm
from core import clock
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import render
from models import Association, Membership, Token
from models.db import transaction


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: an open redirect would make our login a phishing tool."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def login_page(association: Association | None):
    """Shared by /login and /<slug>/login (the latter with the portal's name and logo)."""
    # ?email= pre-fills the address (the activation page sends people here with it).
    form = LoginForm(next=request.args.get("next", ""), email=request.args.get("email", ""))
    throttled = False
    if form.validate_on_submit():
        result, user = accounts.check_password_login(form.email.data, form.password.data)
        if result is accounts.LoginResult.OK and accounts.asks_second_factor_at_login(user):
            # The member chose to be asked at every login: no session until the code (two_factor_views).
            accounts.hold_login(user, safe_next(form.next.data) or _home_after_login(association), association)
            return redirect(url_for("site.login_second_factor"))
        if result is accounts.LoginResult.OK:
            accounts.start_session(user)
            audit("account.login", actor=user, association=association, target=user.email)
            return redirect(safe_next(form.next.data) or _home_after_login(association))
        if result is accounts.LoginResult.THROTTLED:
            throttled = True
            form.password.errors.append(accounts.throttled_message())
        elif result is accounts.LoginResult.UNCONFIRMED:
            _resend_activation(user, association)
            form.email.errors.append(
                _("Your account is not activated yet. We have mailed you the activation link again.")
            )
        elif result is accounts.LoginResult.DISABLED:
            form.email.errors.append(_("This account has been disabled. Please contact the board."))
        else:
            form.password.errors.append(_("The e-mail address or the password is wrong."))
    status = 429 if throttled else (422 if form.errors else 200)
    return render("portal/login.html", form=form, association=association, throttled=throttled, status=status)


def _home_after_login(association: Association | None) -> str:
    if association is not None:
        return url_for("portal.home", slug=association.slug)
    return url_for("site.index")


def _resend_activation(user, association: Association | None) -> None:
    recent = (
        Token.select()
        .where(
            (Token.user == user)
            & (Token.purpose == Token.ACTIVATE)
            & (Token.created_at > clock.utcnow_naive() - dt.timedelta(minutes=10))
        )
        .exists()
    )
    if recent:
        return
    if association is None:
        membership = Membership.select().where(Membership.user == user).first()
        association = membership.association if membership else None
    if association is not None:
        with transaction():
            accounts.send_activation(association, user)


@site.route("/login", methods=["GET", "POST"])
def login():
    """Log in to any association on this install."""
    return login_page(None)


@site.route("/logout", methods=["POST"])
def logout():
    """End this browser's session."""
    if current_user.is_authenticated:
        audit("account.logout", actor=current_user, target=current_user.email)
        accounts.end_session(current_user)
    flash(_("You are logged out."), "info")
    return redirect(url_for("site.login"))


def _portal(slug: str | None) -> Association | None:
    return Association.get_or_none(Association.slug == slug) if slug else None


@site.route("/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a password reset link."""
    association = _portal(request.args.get("portal"))
    form = ForgotForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        accounts.request_reset(form.email.data, association)
        return render("portal/forgot_sent.html", association=association, email=form.email.data)
    return render("portal/forgot.html", form=form, association=association, status=422 if form.errors else 200)


def _valid_token(purpose: str, raw: str) -> Token:
    token = Token.find_valid(purpose, raw)
    if token is None:
        abort(410)
    g.association = token.association
    return token


@site.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password from a mailed link."""
    found = _valid_token(Token.RESET, token)
    form = ResetForm()
    if form.validate_on_submit():
        if not accounts.reset_password(found, form.password.data):
            abort(410)
        if accounts.held_login() is not None:  # the member asks for the second factor at every login
            flash(_("Your new password is set. Give your second factor to log in."), "success")
            return redirect(url_for("site.login_second_factor"))
        flash(_("Your new password is set and you are logged in."), "success")
        return redirect(_home_after_login(found.association))
    return render("portal/reset.html", form=form, association=found.association, status=422 if form.errors else 200)


@site.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    """Confirm the e-mail address of a new account (a button: mail scanners follow links)."""
    found = _valid_token(Token.ACTIVATE, token)
    form = ConfirmForm()
    if form.validate_on_submit():
        if not accounts.activate(found):
            abort(410)
        flash(_("Your account is active. You can log in now."), "success")
        if found.association is not None:
            return redirect(url_for("portal.login", slug=found.association.slug, email=found.user.email))
        return redirect(url_for("site.login"))
    return render("portal/activate.html", form=form, token=found, association=found.association)


@site.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm a new e-mail address for an account."""
    found = _valid_token(Token.CHANGE_EMAIL, token)
    form = ConfirmForm()
    if form.validate_on_submit():
        if not accounts.confirm_email_change(found):
            flash(_("This address is already used by another account, or the link was used."), "error")
            abort(410)
        flash(_("Your e-mail address is now %(email)s.", email=found.new_email), "success")
        return redirect(_home_after_login(found.association))
    return render("portal/confirm_email.html", form=form, token=found, association=found.association)
