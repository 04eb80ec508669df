"""Mail about fault reports (F3): on a new report, on assignment, on close.

Every mail goes through the outbox (call inside transaction()), once per
recipient, in the recipient's language, with a link to the report. Nobody is
mailed about a report they cannot see: each recipient is checked against the
same visibility rule the pages use.
"""

from __future__ import annotations

from blueprints.faults import workflow
from core.mail import external_url, mail_language, queue_mail
from models import Membership, User
from models.faults import FaultEvent, FaultReport


def new_report(report: FaultReport) -> int:
    """Tell the assignee, or every handler when there is none. Returns the number of mails."""
    recipients = [report.assignee] if report.assignee_id else workflow.handlers(report.association, report)
    # The reporter knows already (a board member reporting a fault themselves).
    return _send("fault_new", report, recipients, skip=report.reporter_id)


def closed(report: FaultReport, actor: User | None = None) -> int:
    """Tell the reporter and everyone who commented that the report is resolved or rejected."""
    events = list(
        FaultEvent.select(FaultEvent.actor, FaultEvent.kind, FaultEvent.text)
        .where(FaultEvent.report == report)
        .order_by(FaultEvent.created_at, FaultEvent.id)
    )
    closing = next((e for e in reversed(events) if e.kind == FaultEvent.STATUS), None)
    closer_id = actor.id if actor is not None else (closing.actor_id if closing else None)
    commenter_ids = [e.actor_id for e in events if e.kind == FaultEvent.COMMENT and e.actor_id]
    ids = [report.reporter_id, *commenter_ids]
    users = {u.id: u for u in User.select().where(User.id.in_([i for i in ids if i]))}
    recipients = [users[i] for i in ids if i in users]
    return _send("fault_closed", report, recipients, skip=closer_id, note=closing.text if closing else "")


def assigned(report: FaultReport, actor: User | None = None) -> int:
    """Tell the new assignee (unless they assigned it to themselves)."""
    if not report.assignee_id:
        return 0
    return _send("fault_assigned", report, [report.assignee], skip=actor.id if actor is not None else None)


# --- inside --------------------------------------------------------------------------------


def _send(kind: str, report: FaultReport, recipients, *, skip: int | None = None, **context) -> int:
    association = report.association
    link = external_url("faults.report_page", slug=association.slug, report_id=report.id)
    seen: set[int] = set()
    sent = 0
    for user in recipients:
        if user is None or user.id in seen or user.id == skip:
            continue
        seen.add(user.id)
        if not user.is_active or not can_see(report, user):
            continue
        queue_mail(
            kind,
            user.email,
            language=mail_language(user, association),
            association=association,
            user=user,
            report=report,
            link=link,
            status_label=workflow.STATUS_LABELS.get(report.status, report.status),
            severity_label=workflow.SEVERITY_LABELS.get(report.severity, report.severity),
            where=workflow.where_label(report),
            **context,
        )
        sent += 1
    return sent


def can_see(report: FaultReport, user: User) -> bool:
    """Whether the user, with their current membership of the report's association, may see it."""
    membership = Membership.current(user, report.association)
    if membership is None:
        return False
    return FaultReport.visible_to(membership).where(FaultReport.id == report.id).exists()
