"""The rules of a fault report: who sees it, how its status may move, when it is due (F2, F5).

Views and jobs call these; every change is a FaultEvent in the report's
history, written in the same transaction as the change and the mail it
causes (notifications.py).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import peewee as pw
from flask_babel.speaklater import LazyString

from core import clock
from core.text import lazy_gettext as _l
from models import Association, Membership, User
from models import permissions as perms
from models.faults import RESPONSIBLE_PERMISSION, FaultDeadline, FaultEvent, FaultReport
from models.register import unit_title

R = FaultReport

# status -> the statuses it may move to. Closing is resolving or rejecting; a
# closed report can be reopened, which makes it open again.
TRANSITIONS: dict[str, frozenset[str]] = {
    R.NEW: frozenset({R.IN_PROGRESS, R.RESOLVED, R.REJECTED}),
    R.IN_PROGRESS: frozenset({R.RESOLVED, R.REJECTED}),
    R.REOPENED: frozenset({R.IN_PROGRESS, R.RESOLVED, R.REJECTED}),
    R.RESOLVED: frozenset({R.REOPENED}),
    R.REJECTED: frozenset({R.REOPENED}),
}

# Until the board sets its own (FaultDeadline rows): severity -> (amount, unit).
DEFAULT_DEADLINES = {
    R.URGENT: (24, FaultDeadline.HOURS),
    R.NORMAL: (5, FaultDeadline.WORKING_DAYS),
    R.LOW: (10, FaultDeadline.WORKING_DAYS),
}


class WorkflowError(Exception):
    """A change the rules do not allow; `message` is shown to the user, next to form `field` if set."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- deadlines ---------------------------------------------------------------------------


def deadline_rules(association: Association) -> dict[str, tuple[int, str]]:
    """The association's deadline per severity: the board's, else the defaults."""
    rules = dict(DEFAULT_DEADLINES)
    for row in FaultDeadline.of(association):
        rules[row.severity] = (row.amount, row.unit)
    return rules


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days (Monday to Friday) after `start`, at the same local time."""
    moment = start
    counted = 0
    while counted < days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            counted += 1
    return moment


def deadline_for(association: Association, severity: str, reported_at: dt.datetime) -> dt.datetime:
    """When a report made at `reported_at` (naive UTC) must be answered, as naive UTC.

    Working days are counted in the association's time zone: a report made on
    Friday afternoon in Prague with one working day is due on Monday afternoon.
    Public holidays are not known and count as working days.
    """
    amount, unit = deadline_rules(association).get(severity, DEFAULT_DEADLINES[R.NORMAL])
    if unit == FaultDeadline.HOURS:
        return reported_at + dt.timedelta(hours=amount)
    zone = ZoneInfo(association.timezone)
    local = reported_at.replace(tzinfo=dt.UTC).astimezone(zone)
    due = add_working_days(local.replace(tzinfo=None), amount).replace(tzinfo=zone)
    return due.astimezone(dt.UTC).replace(tzinfo=None)


def is_overdue(report: FaultReport, now: dt.datetime | None = None) -> bool:
    """Open and past its deadline."""
    now = now or clock.utcnow_naive()
    return report.is_open and report.deadline_at is not None and report.deadline_at < now


def overdue_expression(now: dt.datetime) -> pw.Expression:
    return R.status.in_(R.OPEN_STATUSES) & R.deadline_at.is_null(False) & (R.deadline_at < now)


# --- who sees what (F5): FaultReport.visible_to -------------------------------------------


def can_handle(report: FaultReport, membership: Membership) -> bool:
    """May change status and assignee: a resolver for faults, the responsible role for requests."""
    granted = membership.role.permission_set
    if report.kind == R.REQUEST:
        return RESPONSIBLE_PERMISSION.get(report.responsible) in granted
    return perms.FAULTS_RESOLVE in granted


def handlers(association: Association, report: FaultReport | None = None) -> list[User]:
    """Users whose current role lets them handle the report (or, without one, resolve faults)."""
    permission = perms.FAULTS_RESOLVE
    if report is not None and report.kind == R.REQUEST:
        permission = RESPONSIBLE_PERMISSION[report.responsible]
    return Membership.holders_of(association, {permission})


# --- changes ---------------------------------------------------------------------------------


def record(report: FaultReport, actor: User | None, kind: str, **fields) -> FaultEvent:
    report.updated_at = clock.utcnow_naive()
    FaultReport.update(updated_at=report.updated_at).where(FaultReport.id == report.id).execute()
    return FaultEvent.create(report=report, actor=actor, kind=kind, **fields)


def change_status(report: FaultReport, to_status: str, actor: User, note: str = "") -> FaultEvent:
    """Move the report along TRANSITIONS, or refuse with a reason. Call inside transaction()."""
    if to_status not in TRANSITIONS.get(report.status, ()):
        raise WorkflowError(_l("A report that is %(from)s cannot become %(to)s.", **{
            "from": STATUS_LABELS[report.status], "to": STATUS_LABELS.get(to_status, to_status)}))  # fmt: skip
    if to_status == R.REJECTED and not note.strip():
        raise WorkflowError(_l("Say why the report is rejected."), field="note")
    from_status = report.status
    now = clock.utcnow_naive()
    report.status = to_status
    report.closed_at = now if to_status in R.CLOSED_STATUSES else None
    if report.responded_at is None and from_status == R.NEW:
        report.responded_at = now
    report.save()
    return record(report, actor, FaultEvent.STATUS, from_status=from_status, to_status=to_status, text=note.strip())


def assign(report: FaultReport, assignee: User | None, actor: User) -> FaultEvent:
    """Give the report to a handler (or to nobody). Call inside transaction()."""
    if assignee is not None and assignee.id not in {u.id for u in handlers(report.association, report)}:
        raise WorkflowError(_l("Only someone who resolves reports can be assigned."), field="assignee")
    report.assignee = assignee
    report.save()
    return record(report, actor, FaultEvent.ASSIGNED, assignee=assignee)


def comment(report: FaultReport, actor: User, text: str) -> FaultEvent:
    if not text.strip():
        raise WorkflowError(_l("Write a comment first."), field="text")
    return record(report, actor, FaultEvent.COMMENT, text=text.strip())


STATUS_LABELS = {
    R.NEW: _l("new"),
    R.IN_PROGRESS: _l("in progress"),
    R.RESOLVED: _l("resolved"),
    R.REJECTED: _l("rejected"),
    R.REOPENED: _l("reopened"),
}

SEVERITY_LABELS = {R.URGENT: _l("urgent"), R.NORMAL: _l("normal"), R.LOW: _l("can wait")}
RESPONSIBLE_LABELS = {R.ADMINISTRATION: _l("administration"), R.REPAIRS: _l("repairs"), R.ACCOUNTS: _l("accounts")}
KIND_LABELS = {R.FAULT: _l("fault"), R.REQUEST: _l("request")}
PLACE_LABELS = {
    R.IN_UNIT: _l("in my unit"),
    R.COMMON_AREA: _l("in a common area"),
    R.WHOLE_BUILDING: _l("the building"),
}
CATEGORY_LABELS = {
    "plumbing": _l("water and drains"),
    "electricity": _l("electricity"),
    "heating": _l("heating"),
    "ventilation": _l("ventilation"),
    "lift": _l("lift"),
    "doors_locks": _l("doors and locks"),
    "outdoor": _l("outdoors"),
    "other": _l("other"),
}


def where_label(report: FaultReport):
    """Where the fault is, or whom the request is for, in a few words (lazy: rendered in the reader's language)."""
    if report.kind == R.REQUEST:
        return _l("Request to %(whom)s", whom=RESPONSIBLE_LABELS.get(report.responsible, report.responsible))
    if report.place == R.IN_UNIT and report.unit_id:
        unit = report.unit
        return LazyString(unit_title, unit.kind, unit.number)  # named in the reader's language, as the rest
    building = report.building.name if report.building_id else ""
    if report.place == R.COMMON_AREA:
        return _l("%(area)s, %(building)s", area=report.area, building=building)
    return _l("Building %(building)s", building=building)
