"""The fault lists and the report page's rows: a constant number of queries however many reports (F4).

Every query starts from FaultReport.visible_to(), the privacy rule (F5):
a list never shows a report its viewer could not open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import peewee as pw

from blueprints.faults import workflow
from core import clock
from core.text import fold
from models import Association, Membership, User
from models import permissions as perms
from models.db import first_or_404
from models.faults import FaultAttachment, FaultEvent, FaultReport
from models.register import Building, Unit

R = FaultReport
PAGE = 50
TABS = ("open", "closed", "all", "mine")
NOBODY = "none"  # the assignee filter's value for unassigned reports

# The user a report is assigned to, and the one who reported it: two joins on the same table.
Assignee = User.alias("assignee")
Reporter = User.alias("reporter")
EventActor = User.alias("actor")
EventAssignee = User.alias("event_assignee")
UnitBuilding = Building.alias("unit_building")


@dataclass
class Filters:
    """What the list is narrowed to; read from the query string."""

    tab: str = "open"
    building: int | None = None
    category: str = ""
    severity: str = ""
    assignee: str = ""  # a user id, NOBODY, or "" for anyone
    q: str = ""  # words the title must hold, whatever their case and accents
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        tab = args.get("tab", "open")
        category = args.get("category", "")
        severity = args.get("severity", "")
        assignee = args.get("assignee", "")
        return cls(
            tab=tab if tab in TABS else "open",
            building=args.get("building", type=int),
            category=category if category in R.CATEGORIES else "",
            severity=severity if severity in R.SEVERITIES else "",
            assignee=assignee if assignee == NOBODY or assignee.isdigit() else "",
            q=args.get("q", "").strip()[:100],
            page=max(1, min(args.get("page", 1, type=int) or 1, 10_000)),
        )

    def args(self, **changes) -> dict:
        """The query string for url_for: only what differs from the defaults."""
        values = {
            "tab": self.tab if self.tab != "open" else None,
            "building": self.building,
            "category": self.category or None,
            "severity": self.severity or None,
            "assignee": self.assignee or None,
            "q": self.q or None,
            "page": None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}

    @property
    def narrowed(self) -> bool:
        return bool(self.building or self.category or self.severity or self.assignee or self.q)


@dataclass
class ReportList:
    rows: list[FaultReport]
    page: int
    more: bool
    now: dt.datetime


def _with_places(query: pw.ModelSelect) -> pw.ModelSelect:
    """Join what a row shows: the unit and its building, the building, the assignee.

    Each lands on its own attribute (place_unit, place_building, assigned_to),
    None where the report has none.
    """
    return (
        query.join_from(R, Unit, pw.JOIN.LEFT_OUTER, on=(R.unit == Unit.id), attr="place_unit")
        .join_from(Unit, UnitBuilding, pw.JOIN.LEFT_OUTER, on=(Unit.building == UnitBuilding.id), attr="building")
        .join_from(R, Building, pw.JOIN.LEFT_OUTER, on=(R.building == Building.id), attr="place_building")
        .join_from(R, Assignee, pw.JOIN.LEFT_OUTER, on=(R.assignee == Assignee.id), attr="assigned_to")
    )


LIST_COLUMNS = (
    R.id,
    R.kind,
    R.place,
    R.unit,
    R.building,
    R.area,
    R.responsible,
    R.category,
    R.severity,
    R.title,
    R.status,
    R.deadline_at,
    R.created_at,
    R.assignee,
    R.reporter,
    Unit.id,
    Unit.number,
    Unit.kind,
    Unit.building,
    UnitBuilding.id,
    UnitBuilding.name,
    Building.id,
    Building.name,
    Assignee.id,
    Assignee.name,
    Assignee.email,
)


def report_list(association: Association, membership: Membership, filters: Filters, now: dt.datetime) -> ReportList:
    """One page of the reports this member may see: overdue first, then newest (one query).

    The page's ids are chosen in a subquery that sorts only narrow rows; the
    places and the assignee are joined for those 51 rows alone, not for every
    report that is sorted (10,000 reports: 5 ms instead of 20 on a deep page).
    """
    overdue_first = pw.Case(None, ((workflow.overdue_expression(now), 0),), 1)
    order = (overdue_first, R.created_at.desc(), R.id.desc())
    chosen = R.visible_to(membership).select(R.id)
    conditions = _conditions(filters, membership)
    if conditions:
        chosen = chosen.where(*conditions)
    page_ids = chosen.order_by(*order).limit(PAGE + 1).offset((filters.page - 1) * PAGE)
    query = _with_places(R.select(*LIST_COLUMNS)).where(R.id.in_(page_ids)).order_by(*order)
    rows = list(query)
    return ReportList(rows=rows[:PAGE], page=filters.page, more=len(rows) > PAGE, now=now)


def _conditions(filters: Filters, membership: Membership) -> list[pw.Expression]:
    conditions = []
    if filters.tab == "open":
        conditions.append(R.status.in_(R.OPEN_STATUSES))
    elif filters.tab == "closed":
        conditions.append(R.status.in_(R.CLOSED_STATUSES))
    elif filters.tab == "mine":
        conditions.append(R.reporter == membership.user_id)
    if filters.building:
        in_building = Unit.select(Unit.id).where(Unit.building == filters.building)
        conditions.append((R.building == filters.building) | R.unit.in_(in_building))
    if filters.category:
        conditions.append(R.category == filters.category)
    if filters.severity:
        conditions.append(R.severity == filters.severity)
    if filters.assignee == NOBODY:
        conditions.append(R.assignee.is_null())
    elif filters.assignee:
        conditions.append(R.assignee == int(filters.assignee))
    for word in fold(filters.q).split()[:5]:
        conditions.append(R.search_title.contains(word))
    return conditions


def place_parts(report: FaultReport) -> dict:
    """What a report is about, as parts the templates put into words: the unit's name ("Flat 12"), area, building name."""
    unit = report.__dict__.get("place_unit")
    building = report.__dict__.get("place_building")
    if building is None and unit is not None:
        building = unit.__rel__.get("building")
    return {
        "unit": unit.title if unit is not None else "",
        "area": report.area,
        "building": building.name if building is not None else "",
    }


# --- one report -----------------------------------------------------------------------------


def visible_report(membership: Membership, report_id: int) -> FaultReport:
    """The report if this member may see it, with its place, assignee and reporter (one query); else 404."""
    query = _with_places(R.visible_to(membership).select(R, Unit, UnitBuilding, Building, Assignee, Reporter))
    query = query.join_from(R, Reporter, pw.JOIN.LEFT_OUTER, on=(R.reporter == Reporter.id), attr="reported_by")
    report = first_or_404(query.where(R.id == report_id))
    report.association = membership.association  # already loaded: no query when the services read it
    return report


@dataclass
class History:
    events: list[FaultEvent]
    # event id (None: the report itself) -> its attachments, photos first
    attachments: dict[int | None, list[FaultAttachment]] = field(default_factory=dict)


def history(report: FaultReport) -> History:
    """The report's events with who did them, and every attachment grouped by event: two queries."""
    events = list(
        FaultEvent.select(FaultEvent, EventActor, EventAssignee)
        .join_from(FaultEvent, EventActor, pw.JOIN.LEFT_OUTER, on=(FaultEvent.actor == EventActor.id), attr="who")
        .join_from(
            FaultEvent, EventAssignee, pw.JOIN.LEFT_OUTER, on=(FaultEvent.assignee == EventAssignee.id), attr="whom"
        )
        .where(FaultEvent.report == report.id)
        .order_by(FaultEvent.created_at, FaultEvent.id)
    )
    grouped: dict[int | None, list[FaultAttachment]] = defaultdict(list)
    rows = (
        FaultAttachment.select()
        .where(FaultAttachment.report == report.id)
        .order_by(FaultAttachment.is_image.desc(), FaultAttachment.id)
    )
    for attachment in rows:
        grouped[attachment.event_id].append(attachment)
    # Attachments sent with the report are on its "created" event or on no event at all.
    created = next((e.id for e in events if e.kind == FaultEvent.CREATED), None)
    if created is not None and created in grouped:
        grouped[None] = grouped.get(None, []) + grouped.pop(created)
    return History(events=events, attachments=dict(grouped))


# --- counts for the menu ------------------------------------------------------------------------


def handled_by(membership: Membership) -> pw.Expression | None:
    """The reports this member handles (faults for resolvers, requests for the responsible roles)."""
    granted = membership.role.permission_set
    rule = None
    if perms.FAULTS_RESOLVE in granted:
        rule = R.kind == R.FAULT
    for responsible, permission in workflow.RESPONSIBLE_PERMISSION.items():
        if permission in granted:
            part = (R.kind == R.REQUEST) & (R.responsible == responsible)
            rule = part if rule is None else rule | part
    return rule


def open_to_handle(association: Association, membership: Membership) -> int:
    """How many open reports this resolver can handle: one COUNT."""
    rule = handled_by(membership)
    if rule is None:
        return 0
    return FaultReport.of(association).where(R.status.in_(R.OPEN_STATUSES) & rule).count()


def new_and_overdue(association: Association, membership: Membership) -> tuple[int, int]:
    """(new reports, open reports past their deadline) among those this member handles: one query."""
    rule = handled_by(membership)
    if rule is None:
        return 0, 0
    overdue = workflow.overdue_expression(clock.utcnow_naive())
    new_count = pw.fn.SUM(pw.Case(None, ((R.status == R.NEW, 1),), 0))
    overdue_count = pw.fn.SUM(pw.Case(None, ((overdue, 1),), 0))
    row = (
        FaultReport.of(association)
        .select(new_count.alias("new"), overdue_count.alias("overdue"))
        .where(R.status.in_(R.OPEN_STATUSES) & rule)
        .dicts()
        .get()
    )
    return int(row["new"] or 0), int(row["overdue"] or 0)


def place_choices(association: Association, membership: Membership, *, any_place: bool):
    """The objects a fault can be about: (units, buildings) — the member's own, or every one for handlers."""
    today = association.today()
    units = Unit.active(association).select(Unit, Building).join(Building)
    if not any_place:
        units = units.where(Unit.id.in_(Unit.ids_held_by(membership.person_id, today)))
    units = list(units.order_by(*Unit.natural_order()))
    if any_place:
        buildings = list(Building.of(association).order_by(Building.name))
    else:
        seen = {}
        for unit in units:
            seen.setdefault(unit.building.id, unit.building)
        buildings = list(seen.values())
    return units, buildings
