"""Ways in for people without an account (SPEC P3, P4): the invitation page, the public request for access,
and the board's answers to those requests."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import bp, invitations, registrations
from blueprints.portal.forms import InvitationForm, RegistrationForm, RejectForm
from blueprints.portal.invitations import PeopleError
from core.access import requires_any
from core.forms import ConfirmForm
from core.rendering import render
from core.security import client_ip
from models import RegistrationRequest, Token, User
from models import permissions as perms

PAGE = 50
# Answering requests for access is account work: the board's register.manage, or accounts.manage.
ACCOUNT_ADMIN = (perms.REGISTER_MANAGE, perms.ACCOUNTS_MANAGE)


# --- The invitation page (P3) -------------------------------------------------------


def _invitation_token(raw: str) -> Token:
    token = Token.find_valid(Token.INVITE, raw)
    if token is None or token.association_id != g.association.id or token.user.state == User.DISABLED:
        abort(410)
    return token


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Accept an invitation: the GDPR text, a password twice and consent; then signed in."""
    found = _invitation_token(token)
    if found.user.state == User.ACTIVE:
        # Activated meanwhile (e.g. through sign-up): the password is theirs already.
        flash(_("Your account is already active. Log in with your password."), "info")
        return redirect(url_for("portal.login", slug=g.association.slug, email=found.user.email))
    form = InvitationForm()
    if form.validate_on_submit():
        if invitations.accept_invitation(found, form.password.data, g.association.gdpr_text) is None:
            abort(410)
        flash(_("Welcome to %(name)s. Your account is ready.", name=g.association.name), "success")
        return redirect(url_for("portal.home", slug=g.association.slug))
    return render("portal/invitation.html", form=form, email=found.user.email, status=422 if form.errors else 200)


# --- The public registration form (P4) ----------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
def request_access():
    """Ask the board for access (seed 004 §4.13); a honeypot and throttling keep robots out."""
    form = RegistrationForm()
    if form.validate_on_submit():
        if form.website.data:
            # A robot filled the hidden field: it sees success, nothing is stored.
            return render("portal/request_access_sent.html", email=form.email.data)
        ip = client_ip()
        email = User.normalize_email(form.email.data)
        if registrations.is_throttled(ip, email):
            return render("portal/request_access.html", form=form, throttled=True, status=429)
        registrations.submit(
            g.association,
            name=form.name.data,
            email=email,
            unit_number=form.unit_number.data or "",
            message=form.message.data or "",
            ip=ip,
        )
        return render("portal/request_access_sent.html", email=email)
    return render("portal/request_access.html", form=form, throttled=False, status=422 if form.errors else 200)


# --- Registration requests (P4) ------------------------------------------------------


@bp.route("/admin/registrations")
@requires_any(*ACCOUNT_ADMIN)
def registrations_list():
    """Pending requests for access, oldest first, each answered with one click."""
    before = request.args.get("after", type=int)
    rows = registrations.pending(g.association)
    if before:
        rows = rows.where(RegistrationRequest.id > before)
    rows = list(rows.limit(PAGE + 1))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render(
        "portal/registrations.html",
        rows=rows,
        form=ConfirmForm(),
        next_after=rows[-1].id if more else None,
    )


@bp.route("/admin/registrations/<int:request_id>/approve", methods=["POST"])
@requires_any(*ACCOUNT_ADMIN)
def registration_approve(request_id: int):
    """Approve: copy the data onto the person, create the account and send the invitation."""
    found = RegistrationRequest.get_visible(g.membership, request_id)
    try:
        person = registrations.approve(found, g.association, current_user)
    except PeopleError as error:
        flash(error.message, "error")
    else:
        flash(
            _(
                "%(name)s is approved; the invitation is on its way to %(email)s.",
                name=person.full_name,
                email=found.email,
            ),
            "success",
        )
    return redirect(url_for("portal.registrations_list"))


@bp.route("/admin/registrations/<int:request_id>/reject", methods=["GET", "POST"])
@requires_any(*ACCOUNT_ADMIN)
def registration_reject(request_id: int):
    """Reject with a reason, which is mailed to the applicant."""
    found = RegistrationRequest.get_visible(g.membership, request_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            registrations.reject(found, g.association, form.reason.data, current_user)
        except PeopleError as error:
            flash(error.message, "error")
        else:
            flash(_("The request from %(email)s is rejected; they have been told why.", email=found.email), "success")
        return redirect(url_for("portal.registrations_list"))
    return render("portal/reject.html", form=form, found=found, status=422 if form.errors else 200)
