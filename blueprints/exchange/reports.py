"""The reports residents and the board order as PDF: tenant list, unit list, member list (SPEC I2, seed 000).

What a report shows follows the permissions of the person who ordered it, read
again when the job renders it; a report never shows more than the orderer could
see in the portal itself:

- The board, meaning holders of members.view_contacts, gets the full lists,
  contact details included.
- Tenant list: anyone else gets only the current residents of the units they
  themselves own or live in today, without phone numbers or e-mail addresses.
- Unit list: needs units.view (and the unit-list tab switched on, unless the
  orderer keeps the register). The main owner column appears only for holders
  of ownership.view.
- Member list: needs members.view (and the member-list tab switched on, unless
  the orderer keeps the register). It has contact details only for holders of
  members.view_contacts.

On top of that, ReportSettings says which reports may be ordered: the board
(holders of members.view_contacts) may order those in `board_reports`, everyone
else those in `resident_reports`. A report is offered only when both allow it.

A report covers the whole association or one building (the "object" of seed
000). Each report is built with a constant number of queries, however many
units it lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import peewee as pw

from blueprints.register.forms import KIND_LABELS, RESIDENT_ROLE_LABELS
from blueprints.register.ownership import format_fraction, format_share
from core.text import lazy_gettext as _l
from models import Association, Membership, Person
from models import permissions as perms
from models.exchange import ReportSettings
from models.register import Building, Ownership, Residency, Unit

TENANTS, UNITS, MEMBERS = "tenants", "units", "members"
# key -> label, in the order forms and the settings page list them (seed: Hyresgästlista,
# Lägenhetsförteckning, Medlemsförteckning).
REPORTS = {
    TENANTS: _l("Tenant list"),
    UNITS: _l("Unit list"),
    MEMBERS: _l("Member list"),
}
DESCRIPTIONS = {
    TENANTS: _l("Who lives in each unit today, and since when."),
    UNITS: _l("Every unit with its building, kind, rooms, area and share."),
    MEMBERS: _l("The owners of each unit with their shares."),
}
BUILDING_SCOPE = "building:"


class ReportError(Exception):
    """The report cannot be made for this orderer or scope; the message is for people."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- who is asking: the orderer's membership today (Membership.current) -------------------


def is_board(membership: Membership) -> bool:
    """The board, for reports: holders of members.view_contacts get the full lists."""
    return membership.can(perms.MEMBERS_VIEW_CONTACTS)


def visible_reports(association: Association, viewer: Membership) -> list[str]:
    """The reports this viewer's permissions allow, whatever the settings say."""
    keeps_register = viewer.can(perms.REGISTER_MANAGE)
    keys = [TENANTS]
    if viewer.can(perms.UNITS_VIEW) and (association.shows("units") or keeps_register):
        keys.append(UNITS)
    if viewer.can(perms.MEMBERS_VIEW) and (association.shows("members") or keeps_register):
        keys.append(MEMBERS)
    return keys


def allowed_keys(settings: ReportSettings, viewer: Membership) -> set[str]:
    """The report keys the settings open to this viewer: the board's set or the residents'."""
    chosen = settings.board_reports if is_board(viewer) else settings.resident_reports
    return set((chosen or "").split())


def offered_reports(association: Association, settings: ReportSettings, viewer: Membership) -> list[str]:
    """The reports this viewer may order: allowed by the settings and by their permissions."""
    allowed = allowed_keys(settings, viewer)
    return [key for key in visible_reports(association, viewer) if key in allowed]


def reports_for(association: Association, viewer: Membership) -> list[str]:
    """The reports this viewer may order today, the association's settings read (one query)."""
    return offered_reports(association, ReportSettings.read(association), viewer)


def clean_keys(keys) -> str:
    """Known report keys from a form, space-separated in the canonical order."""
    chosen = set(keys or ())
    return " ".join(key for key in REPORTS if key in chosen)


# --- scope -------------------------------------------------------------------------------


def scope_value(building: Building | None) -> str:
    return f"{BUILDING_SCOPE}{building.id}" if building is not None else ""


def parse_scope(association: Association, scope: str) -> Building | None:
    """ "" -> None (everything); "building:<id>" -> that building of this association; else ReportError."""
    scope = (scope or "").strip()
    if not scope:
        return None
    number = scope.removeprefix(BUILDING_SCOPE)
    # ASCII digits only, and few enough for a database id: "²" passes isdigit() and int() refuses it.
    if not scope.startswith(BUILDING_SCOPE) or not (number.isascii() and number.isdigit() and len(number) <= 18):
        raise ReportError(_l("Choose the whole association or one of its buildings."))
    building = Building.of(association).where(Building.id == int(number)).first()
    if building is None:
        raise ReportError(_l("That building is not in the register (any more). Choose another one."))
    return building


# --- the reports' rows -----------------------------------------------------------------


@dataclass
class TenantRow:
    building: str
    unit: str
    name: str
    role: str
    start_date: dt.date | None
    end_date: dt.date | None
    email: str = ""
    phones: list[str] = field(default_factory=list)


@dataclass
class UnitRow:
    building: str
    unit: str
    kind: str
    rooms: int | None
    area: Decimal | None
    share: str  # as the register writes it, "6542/100000"
    share_value: Fraction
    main_owner: str = ""


@dataclass
class OwnerLine:
    name: str
    part: str  # the person's part of the unit, "1/2"; "" for a sole owner
    is_main: bool
    email: str = ""
    phones: list[str] = field(default_factory=list)


@dataclass
class MemberRow:
    building: str
    unit: str
    share: str
    owners: list[OwnerLine] = field(default_factory=list)


@dataclass
class Report:
    """One report's content, ready for templates/pdf/report.html."""

    key: str
    association: Association
    building: Building | None
    made_on: dt.date
    board: bool  # full lists
    contacts: bool  # contact columns shown
    owners: bool  # unit list: main owner column shown
    own_units_only: bool  # tenant list limited to the orderer's units
    rows: list = field(default_factory=list)
    share_total: str = ""
    area_total: Decimal | None = None

    @property
    def title(self):
        return REPORTS[self.key]

    @property
    def filename(self) -> str:
        return f"{self.key}-{self.made_on.isoformat()}.pdf"


def _units_in(association: Association, building: Building | None) -> pw.Expression:
    condition = (Unit.association == association.id) & Unit.archived_at.is_null()
    if building is not None:
        condition &= Unit.building == building.id
    return condition


def _own_units(person_id: int | None, on: dt.date) -> pw.Expression:
    """Units the person owns or lives in on `on` (a subquery: no extra round trip)."""
    if person_id is None:
        return Unit.id.in_([])
    return Unit.id.in_(Unit.ids_held_by(person_id, on))


def _phones(row: dict) -> list[str]:
    return [p for p in (row["phone_mobile"], row["phone_home"], row["phone_work"]) if p]


def _name(row: dict) -> str:
    return f"{row['given_name']} {row['surname']}".strip()


def tenant_rows(
    association: Association, viewer: Membership, building: Building | None, on: dt.date
) -> list[TenantRow]:
    """Current residents, unit by unit: one query."""
    condition = _units_in(association, building) & Residency.current(on)
    if not is_board(viewer):
        condition &= _own_units(viewer.person_id, on)
    rows = (
        Residency.select(
            Residency.role,
            Residency.start_date,
            Residency.end_date,
            Person.given_name,
            Person.surname,
            Person.email,
            Person.phone_mobile,
            Person.phone_home,
            Person.phone_work,
            Unit.number,
            Building.name.alias("building_name"),
        )
        .join(Person)
        .switch(Residency)
        .join(Unit)
        .join(Building)
        .where(condition)
        .order_by(*Unit.natural_order(), *Person.name_order(), Residency.id)
        .dicts()
    )
    roles = {key: str(label) for key, label in RESIDENT_ROLE_LABELS.items()}
    return [
        TenantRow(
            building=row["building_name"],
            unit=row["number"],
            name=_name(row),
            role=roles.get(row["role"], row["role"]),
            start_date=row["start_date"],
            end_date=row["end_date"],
            email=row["email"] if is_board(viewer) else "",
            phones=_phones(row) if is_board(viewer) else [],
        )
        for row in rows
    ]


def unit_rows(
    association: Association, viewer: Membership, building: Building | None, on: dt.date, *, with_owner: bool
) -> list[UnitRow]:
    """Active units with, when the viewer may see ownership, their main owner: one query."""
    columns = [
        Unit.id,
        Unit.number,
        Unit.kind,
        Unit.rooms,
        Unit.area,
        Unit.share_numerator,
        Unit.share_denominator,
        Building.name.alias("building_name"),
    ]
    query = Unit.select(*columns).join(Building).switch(Unit)
    if with_owner:
        # The main owner comes along in the same query (LEFT JOIN: units without one stay).
        main = (Ownership.unit == Unit.id) & Ownership.is_main & Ownership.current(on)
        query = (
            query.select_extend(Person.given_name, Person.surname)
            .join(Ownership, pw.JOIN.LEFT_OUTER, on=main)
            .join(Person, pw.JOIN.LEFT_OUTER, on=(Ownership.person == Person.id))
        )
    query = query.where(_units_in(association, building)).order_by(*Unit.natural_order(), Unit.id)
    kinds = {key: str(label) for key, label in KIND_LABELS.items()}
    result: dict[int, UnitRow] = {}
    for row in query.dicts():
        if row["id"] in result:  # a second main owner (a register slip): name both
            if with_owner and row["surname"] is not None:
                result[row["id"]].main_owner += ", " + _name(row)
            continue
        result[row["id"]] = UnitRow(
            building=row["building_name"],
            unit=row["number"],
            kind=kinds.get(row["kind"], row["kind"]),
            rooms=row["rooms"],
            area=row["area"],
            share=format_share(row["share_numerator"], row["share_denominator"]),
            share_value=Fraction(row["share_numerator"], row["share_denominator"] or 1),
            main_owner=_name(row) if with_owner and row.get("surname") is not None else "",
        )
    return list(result.values())


def member_rows(
    association: Association, viewer: Membership, building: Building | None, on: dt.date, *, contacts: bool
) -> list[MemberRow]:
    """Units with their current owners and each owner's part, main owner first: one query."""
    rows = (
        Ownership.select(
            Ownership.share_numerator.alias("part_numerator"),
            Ownership.share_denominator.alias("part_denominator"),
            Ownership.is_main,
            Person.given_name,
            Person.surname,
            Person.email,
            Person.phone_mobile,
            Person.phone_home,
            Person.phone_work,
            Unit.id.alias("unit_id"),
            Unit.number,
            Unit.share_numerator,
            Unit.share_denominator,
            Building.name.alias("building_name"),
        )
        .join(Person)
        .switch(Ownership)
        .join(Unit)
        .join(Building)
        .where(_units_in(association, building) & Ownership.current(on))
        .order_by(*Unit.natural_order(), Unit.id, Ownership.is_main.desc(), *Person.name_order())
        .dicts()
    )
    units: dict[int, MemberRow] = {}
    for row in rows:
        unit = units.get(row["unit_id"])
        if unit is None:
            unit = units[row["unit_id"]] = MemberRow(
                building=row["building_name"],
                unit=row["number"],
                share=format_share(row["share_numerator"], row["share_denominator"]),
            )
        whole = row["part_numerator"] == row["part_denominator"]
        unit.owners.append(
            OwnerLine(
                name=_name(row),
                part="" if whole else format_share(row["part_numerator"], row["part_denominator"]),
                is_main=row["is_main"],
                email=row["email"] if contacts else "",
                phones=_phones(row) if contacts else [],
            )
        )
    return list(units.values())


def build(key: str, association: Association, viewer: Membership, building: Building | None = None) -> Report:
    """The report `key` as this viewer may see it today; ReportError if their permissions do not allow it."""
    if key not in REPORTS:
        raise ReportError(_l("There is no such report."))
    if key not in visible_reports(association, viewer):
        raise ReportError(_l("Your role does not let you see this report: %(report)s.", report=REPORTS[key]))
    today = association.today()
    report = Report(
        key=key,
        association=association,
        building=building,
        made_on=today,
        board=is_board(viewer),
        contacts=False,
        owners=False,
        own_units_only=False,
    )
    if key == TENANTS:
        report.contacts = is_board(viewer)
        report.own_units_only = not is_board(viewer)
        report.rows = tenant_rows(association, viewer, building, today)
    elif key == UNITS:
        report.owners = viewer.can(perms.OWNERSHIP_VIEW)
        report.rows = unit_rows(association, viewer, building, today, with_owner=report.owners)
        _add_totals(report)
    else:
        report.contacts = viewer.can(perms.MEMBERS_VIEW_CONTACTS)
        report.rows = member_rows(association, viewer, building, today, contacts=report.contacts)
    return report


def _add_totals(report: Report) -> None:
    """The unit list's sums: shares exactly (as fractions), area in m²."""
    report.share_total = format_fraction(sum((row.share_value for row in report.rows), Fraction(0)))
    areas = [row.area for row in report.rows if row.area is not None]
    report.area_total = sum(areas, Decimal(0)) if areas else None
