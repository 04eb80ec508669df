"""The fault lists and the report page's rows: a constant number of queries however many reports (F4).

Every query starts from FaultReport.visible_to(), the privacy rule (F5):
a list never shows a report its viewer could not open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import peewee as pw

from blueprints.faults import workflow
from core import clock
from core.text import fold
from models import Association, Membership, User
from models import permissions as perms
from models.db import PreparedSelect, first_or_404, like, like_pattern, loaded
from models.faults import RESPONSIBLE_PERMISSION, FaultAttachment, FaultEvent, FaultReport
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

    def shape(self) -> dict:
        """Which filters are set (the list's SQL text follows them, not their values)."""
        return dict(
            tab=self.tab,
            by_building=bool(self.building),
            by_category=bool(self.category),
            by_severity=bool(self.severity),
            by_assignee="someone" if self.assignee.isdigit() else self.assignee,
            words=len(self.words()),
        )

    def words(self) -> tuple[str, ...]:
        """The title's search words as LIKE patterns on its folded copy, whatever their case and accents."""
        return tuple(like_pattern(word) for word in fold(self.q).split()[:5])


@dataclass
class ListedReport:
    """A row of a fault list: the database's values for it, as the driver gave them, and whether it is overdue
    now. Together with its link they are all the row shows, and so the key its rendered row is kept by
    (core.rendering.RenderedRows); the report itself is made only for a row that is rendered anew."""

    values: tuple  # LIST_COLUMNS, in order
    late: bool

    @property
    def id(self) -> int:
        return self.values[0]

    @cached_property
    def report(self) -> FaultReport:
        return _listed(dict(zip(_LIST_NAMES, map(_as_python, _CONVERTERS, self.values), strict=True)))


@dataclass
class ReportList:
    rows: list[ListedReport]
    page: int
    more: bool


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


# A list row's own columns, then what its joins bring, named apart (see _listed).
REPORT_COLUMNS = (
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
)
LIST_COLUMNS = (
    *REPORT_COLUMNS,
    Unit.number.alias("unit_number"),
    Unit.kind.alias("unit_kind"),
    UnitBuilding.id.alias("unit_building_id"),
    UnitBuilding.name.alias("unit_building_name"),
    Building.name.alias("building_name"),
    Assignee.name.alias("assignee_name"),
    Assignee.email.alias("assignee_email"),
)
_REPORT_FIELDS = tuple(column.name for column in REPORT_COLUMNS)
_LIST_NAMES = tuple(getattr(column, "_alias", None) or column.name for column in LIST_COLUMNS)
# What peewee would convert (the stored times); the other columns are the driver's strings and numbers.
_CONVERTERS = tuple(
    column.python_value if isinstance(column, pw.DateTimeField | pw.DateField) else None for column in LIST_COLUMNS
)


def _as_python(convert, value):
    return value if convert is None or value is None else convert(value)


def _listed(row: dict) -> FaultReport:
    """A list row as _with_places() joins it (place_unit with its building, place_building, assigned_to),
    made by hand: peewee makes each joined model of each row itself, three times the cost."""
    report = loaded(R, **{name: row[name] for name in _REPORT_FIELDS})
    report.place_unit = report.place_building = report.assigned_to = None
    if row["unit"] is not None:
        report.place_unit = loaded(Unit, id=row["unit"], number=row["unit_number"], kind=row["unit_kind"])
        if row["unit_building_id"] is not None:
            report.place_unit.building = loaded(Building, id=row["unit_building_id"], name=row["unit_building_name"])
    if row["building"] is not None:
        report.place_building = loaded(Building, id=row["building"], name=row["building_name"])
    if row["assignee"] is not None:
        report.assigned_to = loaded(User, id=row["assignee"], name=row["assignee_name"], email=row["assignee_email"])
    return report


def report_list(association: Association, membership: Membership, filters: Filters, now: dt.datetime) -> ReportList:
    """One page of the reports this member may see: overdue first, then newest (one query).

    The page's ids are chosen in a subquery that sorts only narrow rows; the
    places and the assignee are joined for those 51 rows alone, not for every
    report that is sorted (10,000 reports: 5 ms instead of 20 on a deep page).
    The SQL is built once per shape of the query (see PreparedSelect): the
    visibility rule's and the filter's, not their values.
    """
    viewer = (association.id, membership.user_id, membership.person_id, association.today().isoformat())
    wanted = (filters.building, filters.category, filters.severity, _assignee_id(filters.assignee))
    rows = _REPORT_PAGE.raw(
        *viewer,
        *wanted,
        now,
        PAGE + 1,
        (filters.page - 1) * PAGE,
        *filters.words(),
        granted=membership.role.permission_set & VISIBILITY_PERMISSIONS,
        has_person=membership.person_id is not None,
        **filters.shape(),
    )
    listed = [ListedReport(values=row[:-1], late=row[-1] == 0) for row in rows[:PAGE]]
    return ReportList(rows=listed, page=filters.page, more=len(rows) > PAGE)


# The permissions FaultReport.seen_by reads: a role's others do not change the list's SQL.
VISIBILITY_PERMISSIONS = frozenset({perms.FAULTS_RESOLVE, *RESPONSIBLE_PERMISSION.values()})


def _assignee_id(assignee: str) -> int | None:
    return int(assignee) if assignee.isdigit() else None


def _report_page_query(
    association, user, person, today, building, category, severity, assignee, now, limit, offset, *title_words,
    granted, has_person, tab, by_building, by_category, by_severity, by_assignee, words,
) -> pw.ModelSelect:  # fmt: skip
    overdue_first = pw.Case(None, ((workflow.overdue_expression(now), 0),), 1)
    order = (overdue_first, R.created_at.desc(), R.id.desc())
    rule = R.seen_by(granted, user, person if has_person else None, today)
    chosen = R.of(association).select(R.id).where(rule)
    if tab == "open":
        chosen = chosen.where(R.status.in_(R.OPEN_STATUSES))
    elif tab == "closed":
        chosen = chosen.where(R.status.in_(R.CLOSED_STATUSES))
    elif tab == "mine":
        chosen = chosen.where(R.reporter == user)
    if by_building:
        in_building = Unit.select(Unit.id).where(Unit.building == building)
        chosen = chosen.where((R.building == building) | R.unit.in_(in_building))
    if by_category:
        chosen = chosen.where(R.category == category)
    if by_severity:
        chosen = chosen.where(R.severity == severity)
    if by_assignee == NOBODY:
        chosen = chosen.where(R.assignee.is_null())
    elif by_assignee:
        chosen = chosen.where(R.assignee == assignee)
    for word in title_words:  # `words` of them
        chosen = chosen.where(like(R.search_title, word))
    page_ids = chosen.order_by(*order).limit(limit).offset(offset)
    listed = _with_places(R.select(*LIST_COLUMNS, overdue_first)).where(R.id.in_(page_ids))
    return listed.order_by(*order)


# Every fault list page: built once per shape (see PreparedSelect).
_REPORT_PAGE = PreparedSelect(_report_page_query)


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


def handled_by(granted: frozenset[str]) -> pw.Expression | None:
    """The reports a role granting `granted` handles (faults for resolvers, requests for the responsible roles)."""
    rule = None
    if perms.FAULTS_RESOLVE in granted:
        rule = R.kind == R.FAULT
    for responsible, permission in RESPONSIBLE_PERMISSION.items():
        if permission in granted:
            part = (R.kind == R.REQUEST) & (R.responsible == responsible)
            rule = part if rule is None else rule | part
    return rule


def open_to_handle(association: Association, membership: Membership) -> int:
    """How many open reports this resolver can handle: one COUNT (the badge on the pages resolvers start from)."""
    granted = membership.role.permission_set & VISIBILITY_PERMISSIONS
    if handled_by(granted) is None:
        return 0
    return _OPEN_TO_HANDLE(association.id, granted=granted)[0][0]


def _open_to_handle_query(association, *, granted) -> pw.ModelSelect:
    rule = R.status.in_(R.OPEN_STATUSES) & handled_by(granted)
    return FaultReport.of(association).select(pw.fn.COUNT(R.id)).where(rule).tuples()


_OPEN_TO_HANDLE = PreparedSelect(_open_to_handle_query)


def new_and_overdue(association: Association, membership: Membership) -> tuple[int, int]:
    """(new reports, open reports past their deadline) among those this member handles: one query."""
    rule = handled_by(membership.role.permission_set & VISIBILITY_PERMISSIONS)
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


# --- the home page's panel (core/home.py) ----------------------------------------------------------

HOME_OPEN = 5


def home_values(membership: Membership) -> tuple | None:
    """The association and the member's account, when they report faults and the tab is on."""
    if perms.FAULTS_REPORT not in membership.role.permission_set or not membership.association.shows("faults"):
        return None
    return (membership.association_id, membership.user_id)


def home_my_open(association, user) -> pw.SelectQuery:
    """The member's own open reports, newest first: "my open faults" on the home page (P9)."""
    return (
        FaultReport.select(
            FaultReport.id,
            FaultReport.title,
            FaultReport.created_at.alias("at"),
            FaultReport.status.alias("detail"),
            pw.Value(None).alias("text"),
            pw.Value(None).alias("link_id"),
        )
        .where(
            (FaultReport.association == association)
            & (FaultReport.reporter == user)
            & FaultReport.status.in_(FaultReport.OPEN_STATUSES)
        )
        .order_by(FaultReport.created_at.desc(), FaultReport.id.desc())
        .limit(HOME_OPEN)
    )
