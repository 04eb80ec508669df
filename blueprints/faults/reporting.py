"""Making and changing fault reports (F1–F3): what the views call.

Each function checks its input, writes the report, its history event, the
attachments' rows and the mail it causes in one transaction, and raises
workflow.WorkflowError (with `field` naming the form field) when the input
is refused; nothing is then saved.
"""

from __future__ import annotations

import re

from blueprints.faults import attachments, notifications, workflow
from blueprints.faults.workflow import WorkflowError
from core import clock
from core.audit import audit
from core.text import lazy_gettext as _l
from models import Association, Building, Membership, Unit, User
from models import permissions as perms
from models.db import transaction
from models.faults import FaultEvent, FaultReport

R = FaultReport
TITLE_MAX = 200
DETAILS_MAX = 10_000
AREA_MAX = 120
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def report(
    association: Association,
    reporter: User,
    membership: Membership,
    *,
    kind: str,
    place: str = R.IN_UNIT,
    unit_id: int | None = None,
    building_id: int | None = None,
    area: str = "",
    responsible: str = "",
    category: str = "other",
    severity: str = R.NORMAL,
    title: str,
    details: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    files=(),
) -> FaultReport:
    """Check and save a new fault or request, store its files and tell whoever handles it."""
    granted = membership.role.permission_set
    if perms.FAULTS_REPORT not in granted and perms.FAULTS_RESOLVE not in granted:
        raise WorkflowError(_l("Your role cannot report faults."))
    fields = dict(
        title=_title(title),
        details=_limited(details, DETAILS_MAX, "details"),
        contact_phone=_limited(contact_phone, 40, "contact_phone"),
        contact_email=_email(contact_email),
        category=_choice(category or "other", R.CATEGORIES, "category", _l("Choose a category.")),
        severity=_choice(severity or R.NORMAL, R.SEVERITIES, "severity", _l("Choose how urgent it is.")),
    )
    if kind == R.FAULT:
        fields.update(_where(association, membership, place, unit_id, building_id, area))
    elif kind == R.REQUEST:
        fields.update(
            place=R.WHOLE_BUILDING,
            responsible=_choice(responsible, R.RESPONSIBLE, "responsible", _l("Choose who the request is for.")),
        )
    else:
        raise WorkflowError(_l("Choose a fault or a request."), field="kind")
    now = clock.utcnow_naive()
    with _Uploads() as uploads, transaction():
        new = FaultReport.create(
            association=association,
            kind=kind,
            reporter=reporter,
            reporter_person=membership.person_id,
            deadline_at=workflow.deadline_for(association, fields["severity"], now),
            created_at=now,
            updated_at=now,
            **fields,
        )
        event = FaultEvent.create(report=new, actor=reporter, kind=FaultEvent.CREATED, to_status=R.NEW, created_at=now)
        uploads.store(new, event, files, reporter)
        audit("faults.reported", actor=reporter, association=association, target=_target(new), kind=kind)
        notifications.new_report(new)
    return new


def change_status(report: FaultReport, to_status: str, actor: User, note: str = "", files=()) -> FaultEvent:
    """Move the report (resolve, reject, reopen, start work) with a note and attachments."""
    with _Uploads() as uploads, transaction():
        from_status = report.status
        event = workflow.change_status(report, to_status, actor, note)
        uploads.store(report, event, files, actor)
        audit(
            "faults.status_changed",
            actor=actor,
            association=report.association,
            target=_target(report),
            **{"from": from_status, "to": to_status},
        )
        if to_status in R.CLOSED_STATUSES:
            notifications.closed(report, actor=actor)
    return event


def assign(report: FaultReport, assignee_id: int | None, actor: User) -> FaultEvent:
    """Give the report to one of its handlers (None: to nobody) and tell them."""
    assignee = None
    if assignee_id is not None:
        assignee = next((u for u in workflow.handlers(report.association, report) if u.id == assignee_id), None)
        if assignee is None:
            raise WorkflowError(_l("Only someone who resolves reports can be assigned."), field="assignee")
    with transaction():
        event = workflow.assign(report, assignee, actor)
        audit(
            "faults.assigned",
            actor=actor,
            association=report.association,
            target=_target(report),
            assignee=assignee.email if assignee else "",
        )
        notifications.assigned(report, actor=actor)
    return event


def comment(report: FaultReport, actor: User, text: str, files=()) -> FaultEvent:
    """Add a comment; a photo alone is a comment too."""
    with _Uploads() as uploads, transaction():
        if not (text or "").strip() and any(attachments._is_chosen(f) for f in files or ()):
            event = workflow.record(report, actor, FaultEvent.COMMENT, text="")
        else:
            if len((text or "").strip()) > DETAILS_MAX:
                raise WorkflowError(_l("Keep the comment under %(count)s characters.", count=DETAILS_MAX), "text")
            try:
                event = workflow.comment(report, actor, text or "")
            except WorkflowError as error:
                error.field = error.field or "text"
                raise
        uploads.store(report, event, files, actor)
    return event


class _Uploads:
    """The files stored during one change: removed again if the change does not commit."""

    def __init__(self):
        self.report: FaultReport | None = None
        self.rows: list = []

    def store(self, report: FaultReport, event: FaultEvent, files, actor: User) -> None:
        self.report = report
        self.rows += attachments.store(report, event, files, actor)

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is not None and self.rows:
            attachments.discard(self.report, self.rows)


# --- checks --------------------------------------------------------------------------------


def _where(association, membership, place, unit_id, building_id, area) -> dict:
    """Where the fault is; a resident may only pick their own unit or building."""
    today = association.today()
    handler = perms.FAULTS_RESOLVE in membership.role.permission_set
    mine = Unit.ids_held_by(membership.person_id, today)
    if place == R.IN_UNIT:
        unit = _row(Unit, association, unit_id)
        if unit is None or unit.archived_at is not None:
            raise WorkflowError(_l("Choose the unit."), field="unit_id")
        if not handler and not Unit.select().where((Unit.id == unit.id) & Unit.id.in_(mine)).exists():
            raise WorkflowError(_l("You can report faults only in your own unit."), field="unit_id")
        return dict(place=place, unit=unit, building=unit.building_id, area="")
    if place in (R.COMMON_AREA, R.WHOLE_BUILDING):
        building = _row(Building, association, building_id)
        if building is None:
            raise WorkflowError(_l("Choose the building."), field="building_id")
        my_buildings = Unit.select(Unit.building).where(Unit.id.in_(mine))
        if (
            not handler
            and not Building.select().where((Building.id == building.id) & Building.id.in_(my_buildings)).exists()
        ):
            raise WorkflowError(_l("You can report faults only in your own building."), field="building_id")
        area = (area or "").strip()
        if place == R.COMMON_AREA and not area:
            raise WorkflowError(_l("Say which common area, e.g. the laundry room."), field="area")
        if len(area) > AREA_MAX:
            raise WorkflowError(_l("Keep it under %(count)s characters.", count=AREA_MAX), field="area")
        return dict(place=place, unit=None, building=building, area=area if place == R.COMMON_AREA else "")
    raise WorkflowError(_l("Choose where the fault is."), field="place")


def _row(model, association, row_id):
    try:
        row_id = int(row_id)
    except (TypeError, ValueError):
        return None
    return model.of(association).where(model.id == row_id).first()


def _title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise WorkflowError(_l("Describe the problem in a few words."), field="title")
    if len(title) > TITLE_MAX:
        raise WorkflowError(_l("Keep it under %(count)s characters.", count=TITLE_MAX), field="title")
    return title


def _limited(value: str | None, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise WorkflowError(_l("Keep it under %(count)s characters.", count=limit), field=field)
    return value


def _email(value: str | None) -> str:
    value = _limited(value, 254, "contact_email")
    if value and not EMAIL.match(value):
        raise WorkflowError(_l("This is not an e-mail address."), field="contact_email")
    return value


def _choice(value, allowed, field: str, message) -> str:
    if value not in allowed:
        raise WorkflowError(message, field=field)
    return value


def _target(report: FaultReport) -> str:
    return f"#{report.id} {report.title}"
