"""The board's view of outgoing mail and the audit log."""

from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import bp
from blueprints.portal.audit_labels import ACTION_LABELS
from core import clock
from core.access import requires
from core.audit import audit
from core.mail import send
from core.rendering import render
from models import AuditLog, OutboundEmail, User
from models import permissions as perms
from models.db import transaction

PAGE = 50


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
