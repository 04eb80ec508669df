"""The board's view of outgoing mail and the audit log."""

from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import bp
from core import clock
from core.access import requires
from core.audit import audit
from core.mail import send
from core.rendering import render
from core.text import lazy_gettext as _l
from models import AuditLog, OutboundEmail, User
from models import permissions as perms
from models.db import transaction

PAGE = 50

# What the board reads for each audit action; unknown actions show their code.
ACTION_LABELS = {
    "account.signup": _l("Created an account"),
    "account.joined": _l("Joined with an existing account"),
    "account.activated": _l("Activated the account"),
    "account.login": _l("Logged in"),
    "account.logout": _l("Logged out"),
    "account.reset_requested": _l("Asked for a password reset"),
    "account.password_reset": _l("Reset the password"),
    "account.password_changed": _l("Changed the password"),
    "account.email_change_requested": _l("Asked to change the e-mail address"),
    "account.email_changed": _l("Changed the e-mail address"),
    "account.profile_changed": _l("Changed contact details"),
    "account.second_factor_added": _l("Set up a second factor"),
    "account.second_factor_removed": _l("Removed a second factor"),
    "account.second_factor_at_login": _l("Changed when the second factor is asked"),
    "account.recovery_codes_made": _l("Made new recovery codes"),
    "account.recovery_code_used": _l("Used a recovery code"),
    "mail.retry": _l("Sent a failed mail again"),
    "register.building_created": _l("Added a building"),
    "register.building_edited": _l("Changed a building"),
    "register.building_deleted": _l("Deleted a building"),
    "register.unit_created": _l("Added a unit"),
    "register.unit_edited": _l("Changed a unit"),
    "register.unit_deleted": _l("Deleted a unit"),
    "register.unit_archived": _l("Archived a unit"),
    "register.owners_edited": _l("Changed a unit's owners"),
    "register.owner_changed": _l("Recorded a change of owner"),
    "register.proxy_set": _l("Set a unit's voting proxy"),
    "register.file_entry_added": _l("Added an entry to a unit file"),
    "register.resident_added": _l("Added a resident to a unit"),
    "register.resident_ended": _l("Set a resident's last day"),
    "register.resident_count": _l("Changed a unit's number of residents"),
    "account.invitation_accepted": _l("Accepted the invitation"),
    "people.created": _l("Added a person to the register"),
    "people.updated": _l("Changed a person's details"),
    "people.email_changed": _l("Changed a person's e-mail address"),
    "people.exported": _l("Downloaded the people register"),
    "people.invited": _l("Sent an invitation"),
    "people.invited_all": _l("Invited everyone without an account"),
    "people.registration_finished": _l("Finished a registration by hand"),
    "people.account_disabled": _l("Disabled an account"),
    "people.membership_ended": _l("Ended an account's access to this association"),
    "people.account_enabled": _l("Gave an account access again"),
    "people.role_assigned": _l("Changed a member's role"),
    "people.registration_approved": _l("Approved a request for access"),
    "people.registration_rejected": _l("Rejected a request for access"),
    "faults.reported": _l("Reported a fault or sent a request"),
    "faults.status_changed": _l("Changed the status of a fault report"),
    "faults.assigned": _l("Assigned a fault report"),
    "faults.deadlines_changed": _l("Changed the deadlines for answering fault reports"),
    "roles.created": _l("Created a role"),
    "roles.updated": _l("Changed a role"),
    "roles.deleted": _l("Deleted a role"),
    "settings.changed": _l("Changed the portal settings"),
    "settings.slug_changed": _l("Changed the portal's address"),
    "settings.logo_changed": _l("Uploaded a new logo"),
    "settings.logo_removed": _l("Removed the logo"),
    "settings.header_photo_changed": _l("Uploaded a new header photo"),
    "settings.header_photo_removed": _l("Removed the header photo"),
    "settings.image_uploaded": _l("Uploaded a picture for the welcome text"),
    "community.settings_changed": _l("Changed the rules for discussions"),
}


@bp.route("/admin/mail")
@requires(perms.MAIL_VIEW_OUTBOX)
def mail_outbox():
    """Every mail this association sent or is sending, with its state; refreshes while any is pending."""
    state = request.args.get("state", "")
    rows = OutboundEmail.of(g.association).order_by(OutboundEmail.id.desc())
    if state in OutboundEmail.STATES:
        rows = rows.where(OutboundEmail.status == state)
    before = request.args.get("before", type=int)
    if before:
        rows = rows.where(OutboundEmail.id < before)
    rows = list(rows.limit(PAGE))
    counts = dict(
        OutboundEmail.select(OutboundEmail.status, pw.fn.COUNT(OutboundEmail.id))
        .where(OutboundEmail.association == g.association)
        .group_by(OutboundEmail.status)
        .tuples()
    )
    pending = any(row.status in (OutboundEmail.QUEUED, OutboundEmail.SENDING) for row in rows)
    return render(
        "portal/mail.html",
        "portal/_mail_table.html",
        rows=rows,
        counts=counts,
        state=state,
        pending=pending,
        next_before=rows[-1].id if len(rows) == PAGE else None,
    )


@bp.route("/admin/mail/<int:mail_id>/retry", methods=["POST"])
@requires(perms.MAIL_VIEW_OUTBOX)
def mail_retry(mail_id: int):
    """Send a failed mail again now."""
    row = OutboundEmail.get_visible(g.membership, mail_id)
    if row.status != OutboundEmail.FAILED:
        flash(_("Only a failed mail can be sent again."), "error")
        return redirect(url_for("portal.mail_outbox"))
    with transaction():
        OutboundEmail.update(status=OutboundEmail.QUEUED, attempts=0, next_attempt_at=clock.utcnow_naive()).where(
            OutboundEmail.id == row.id
        ).execute()
        audit("mail.retry", actor=current_user, association=g.association, target=f"outbox {row.id}")
        send(row.id)
    flash(_("The mail to %(address)s is queued again.", address=row.to_address), "success")
    return redirect(url_for("portal.mail_outbox"))


@bp.route("/admin/audit")
@requires(perms.AUDIT_VIEW)
def audit_log():
    """Board and account actions in this association, newest first."""
    entries = (
        AuditLog.of(g.association)
        .select(AuditLog, User)
        .join(User, pw.JOIN.LEFT_OUTER, on=(AuditLog.actor == User.id))
        .order_by(AuditLog.id.desc())
    )
    before = request.args.get("before", type=int)
    if before:
        entries = entries.where(AuditLog.id < before)
    entries = list(entries.limit(PAGE))
    return render(
        "portal/audit.html",
        entries=entries,
        labels=ACTION_LABELS,
        next_before=entries[-1].id if len(entries) == PAGE else None,
    )
