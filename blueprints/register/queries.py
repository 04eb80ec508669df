"""The register's lists: a constant number of queries however many units there are (R6, P9)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import peewee as pw
from flask import abort

from blueprints.register.ownership import format_fraction, format_share
from core.text import fold
from models import Association, Membership, Person, User
from models import permissions as perms
from models.db import PreparedSelect, like, like_pattern, loaded
from models.register import Building, Ownership, Residency, Unit, UnitFileEntry, VotingProxy

PAGE = 50


@dataclass
class UnitPage:
    units: list[Unit]
    matching: int
    page: int
    owners: dict[int, list[Ownership]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE))


# Only what the list shows: building every row's model costs more than the database's answer.
LIST_COLUMNS = (
    Unit.id,
    Unit.number,
    Unit.kind,
    Unit.area,
    Unit.share_numerator,
    Unit.share_denominator,
    Unit.building,
    Building.name,
)


def search_units(association: Association, q: str, on: dt.date, *, by_owner: bool, columns=None) -> pw.ModelSelect:
    """Active units whose number (or, when the viewer may see owners, a current owner's name) matches q."""
    units = Unit.active(association).select(*(columns or (Unit, Building))).join(Building)
    q = (q or "").strip()
    if q:
        units = units.where(_matches(like_pattern(q), *_name_words(q), on=on, by_owner=by_owner))
    return units


def _name_words(q: str) -> tuple[str, ...]:
    """The words of a search as patterns for a folded name (Person.search_name): "cerny" finds Černý."""
    return tuple(like_pattern(word) for word in fold(q).split()[:5])


def _matches(pattern, *words, on, by_owner: bool) -> pw.Expression:
    """The unit's number contains the text of `pattern` (see like()), or a current owner's name holds every
    one of `words` (patterns from _name_words; either may be PreparedSelect markers)."""
    matches = like(Unit.number, pattern)
    if by_owner and words:
        named = like(Person.search_name, words[0])
        for word in words[1:]:
            named &= like(Person.search_name, word)
        owners = Ownership.select(Ownership.unit).join(Person).where(Ownership.current(on) & named)
        matches |= Unit.id.in_(owners)
    return matches


def unit_page(
    association: Association, q: str, page: int, on: dt.date, *, with_owners: bool, active_units: int
) -> UnitPage:
    """One page of the unit list, with each unit's current owners when the viewer may see them: one query.

    `active_units` is the whole list's length (shares_total counts it); a search counts its matches
    in the same query, before the page is cut (COUNT(*) OVER ()).
    """
    page = max(1, page)
    q = (q or "").strip()
    words = _name_words(q)
    values = (association.id, on.isoformat(), like_pattern(q), PAGE, (page - 1) * PAGE, *words)
    rows = _UNIT_PAGE(*values, searching=bool(q), with_owners=with_owners, words=len(words))
    units, owners = _units_and_owners(rows)
    if q:
        matching = rows[0]["matching"] if rows else None
        if matching is None:  # past the last page, or no match
            matching = search_units(association, q, on, by_owner=with_owners).count()
    else:
        matching = active_units
    if not units and matching:  # past the last page: show the last one
        page = -(-matching // PAGE)
        return unit_page(association, q, page, on, with_owners=with_owners, active_units=active_units)
    return UnitPage(units=units, matching=matching, page=page, owners=owners)


def _unit_page_query(association, on, pattern, limit, offset, *name_words, searching: bool, with_owners: bool, words):
    # The page's units are chosen in a subquery that sorts only their ids; their columns, building
    # and current owners are joined for those 50 alone (several rows for a unit with co-owners).
    chosen = Unit.active(association).select(Unit.id).join(Building)
    if searching:
        matching = pw.fn.COUNT(pw.SQL("*")).over().alias("matching")
        chosen = chosen.select_extend(matching).where(_matches(pattern, *name_words, on=on, by_owner=with_owners))
    chosen = chosen.order_by(*Unit.natural_order(), Unit.id).limit(limit).offset(offset).alias("chosen")
    columns = [*LIST_COLUMNS]
    if searching:
        columns.append(chosen.c.matching)
    order = [*Unit.natural_order(), Unit.id]
    query = Unit.select(*columns).join(chosen, on=(Unit.id == chosen.c.id)).join_from(Unit, Building)
    if with_owners:
        columns += [Ownership.person.alias("owner_id"), Person.given_name, Person.surname]
        query = (
            query.select(*columns)
            .join_from(Unit, Ownership, pw.JOIN.LEFT_OUTER, on=(Ownership.unit == Unit.id) & Ownership.current(on))
            .join_from(Ownership, Person, pw.JOIN.LEFT_OUTER)
        )
        order += [Ownership.is_main.desc(), Person.sort_key, Person.surname, Person.given_name]
    return query.order_by(*order).dicts()


# Every unit list page: built once per shape (see PreparedSelect).
_UNIT_PAGE = PreparedSelect(_unit_page_query)


def _units_and_owners(rows: list[dict]) -> tuple[list[Unit], dict[int, list[Ownership]]]:
    """The page's units in order, and their owners by unit id (each with .person), from the joined rows."""
    units: dict[int, Unit] = {}
    owners: dict[int, list[Ownership]] = defaultdict(list)
    for row in rows:
        unit = units.get(row["id"])
        shown = tuple(value for name, value in row.items() if name != "matching")
        if unit is not None:
            unit.listed_values += shown  # another co-owner
        else:
            unit = units[row["id"]] = loaded(
                Unit,
                id=row["id"],
                number=row["number"],
                kind=row["kind"],
                area=row["area"],
                share_numerator=row["share_numerator"],
                share_denominator=row["share_denominator"],
            )
            unit.building = loaded(Building, id=row["building"], name=row["name"])
            unit.listed_values = shown  # everything its list row shows: the key its rendered row is kept by
        if row.get("owner_id") is not None:
            owner = loaded(Ownership, unit=unit.id, person=row["owner_id"])
            owner.person = loaded(Person, id=row["owner_id"], given_name=row["given_name"], surname=row["surname"])
            owners[unit.id].append(owner)
    return list(units.values()), owners


def owners_of(units: list[Unit], on: dt.date) -> dict[int, list[Ownership]]:
    """Current owners of these units by unit id, main owner first: one query."""
    owners: dict[int, list[Ownership]] = defaultdict(list)
    if not units:
        return owners
    rows = (
        Ownership.select(
            Ownership.id,
            Ownership.unit,
            Ownership.person,
            Ownership.share_numerator,
            Ownership.share_denominator,
            Ownership.is_main,
            Person.id,
            Person.given_name,
            Person.surname,
        )
        .join(Person)
        .where(Ownership.unit.in_([u.id for u in units]) & Ownership.current(on))
        .order_by(Ownership.is_main.desc(), *Person.name_order())
    )
    for row in rows:
        owners[row.unit_id].append(row)
    return owners


def all_units(association: Association) -> list[Unit]:
    """Every active unit in list order (the CSV export)."""
    return list(Unit.active(association).select(Unit, Building).join(Building).order_by(*Unit.natural_order()))


UNITS_CSV_COLUMNS = ("building", "unit", "kind", "rooms", "floor", "area_m2", "share", "owners", "main_owner")


def units_csv_rows(association: Association, on: dt.date) -> Iterator[list]:
    """Every active unit with its share and owners on `on`: rows of UNITS_CSV_COLUMNS (two queries)."""
    units = all_units(association)
    owners = owners_of(units, on)
    for unit in units:
        rows = owners.get(unit.id, [])
        main = next((o.person.full_name for o in rows if o.is_main), "")
        names = "; ".join(f"{o.person.full_name} ({format_fraction(o.share)})" for o in rows)
        yield [
            unit.building.name,
            unit.number,
            unit.kind,
            unit.rooms,
            unit.floor,
            unit.area,
            format_share(unit.share_numerator, unit.share_denominator),
            names,
            main,
        ]


# --- one unit's page ------------------------------------------------------------------------

FILE_PAGE = 50  # entries of the unit file per page


def visible_unit(membership: Membership, unit_id: int) -> Unit:
    """The unit with its building if the member may open its page (Unit.visible_to), else 404."""
    association = membership.association
    found = _VISIBLE_UNIT(
        association.id,
        membership.person_id,
        association.today().isoformat(),
        unit_id,
        granted=membership.role.permission_set & {perms.REGISTER_MANAGE},
        has_person=membership.person_id is not None,
    )
    if not found:
        abort(404)
    return found[0]


def _visible_unit_query(association, person, today, unit_id, *, granted, has_person) -> pw.ModelSelect:
    query = Unit.of(association).select(Unit, Building).join(Building).where(Unit.id == unit_id)
    rule = Unit.seen_by(granted, person if has_person else None, today)
    return query if rule is None else query.where(rule)


def file_entries(unit: Unit, before: int | None = None) -> tuple[list[UnitFileEntry], int | None]:
    """A page of the unit file, newest first, from below entry `before`; and where the next page starts."""
    rows = _FILE_ENTRIES(unit.id, before or 0, FILE_PAGE + 1, older=bool(before))
    more = rows[FILE_PAGE - 1].id if len(rows) > FILE_PAGE else None
    return rows[:FILE_PAGE], more


def _file_entries_query(unit, before, limit, *, older) -> pw.ModelSelect:
    entries = (
        UnitFileEntry.select(UnitFileEntry, User.id, User.name, User.email)
        .join(User, pw.JOIN.LEFT_OUTER, on=(UnitFileEntry.author == User.id))
        .where(UnitFileEntry.unit == unit)
        .order_by(UnitFileEntry.happened_on.desc(), UnitFileEntry.id.desc())
    )
    if older:
        entries = entries.where(UnitFileEntry.id < before)
    return entries.limit(limit)


def proxy_of(unit: Unit, on: dt.date) -> VotingProxy | None:
    """Who votes for the unit on `on`, with their register entry."""
    found = _PROXY(unit.id, on.isoformat())
    return found[0] if found else None


def _proxy_query(unit, on) -> pw.ModelSelect:
    in_force = (VotingProxy.start_date.is_null() | (VotingProxy.start_date <= on)) & (
        VotingProxy.end_date.is_null() | (VotingProxy.end_date >= on)
    )
    return VotingProxy.select(VotingProxy, Person).join(Person).where((VotingProxy.unit == unit) & in_force).limit(1)


def residents_of(unit: Unit, on: dt.date) -> list[Residency]:
    """The unit's residents on `on`, with their register entries, by name."""
    return _RESIDENTS(unit.id, on.isoformat())


def _residents_query(unit, on) -> pw.ModelSelect:
    return (
        Residency.select(Residency, Person)
        .join(Person)
        .where((Residency.unit == unit) & Residency.current(on))
        .order_by(*Person.name_order())
    )


# Each unit page (a resident's most visited after the home page): built once (see PreparedSelect).
_VISIBLE_UNIT = PreparedSelect(_visible_unit_query)
_FILE_ENTRIES = PreparedSelect(_file_entries_query)
_PROXY = PreparedSelect(_proxy_query)
_RESIDENTS = PreparedSelect(_residents_query)


# --- the home page's units -------------------------------------------------------------------


@dataclass
class MyUnit:
    unit: Unit
    mine: Ownership | None  # the person's own ownership, None for a resident who owns no part
    co_owners: list[Person]  # the other current owners, shown to owners only


def my_units(membership: Membership | None, association: Association) -> list[MyUnit]:
    """The units the member's person currently owns or lives in, with co-owners: one query (P9)."""
    person_id = membership.person_id if membership is not None else None
    if person_id is None:
        return []
    rows = _MY_UNITS(association.id, person_id, association.today().isoformat())
    units: dict[int, tuple[Unit, list[dict]]] = {}
    for row in rows:
        if row["id"] not in units:
            unit = loaded(
                Unit,
                id=row["id"],
                number=row["number"],
                kind=row["kind"],
                share_numerator=row["share_numerator"],
                share_denominator=row["share_denominator"],
            )
            unit.building = loaded(Building, name=row["building_name"])
            units[row["id"]] = (unit, [])
        if row["owner_id"] is not None:
            units[row["id"]][1].append(row)
    return [_my_unit(unit, owners, person_id) for unit, owners in units.values()]


def _my_units_query(association_id, person_id, on) -> pw.ModelSelect:
    owned = Ownership.select(Ownership.unit).where((Ownership.person == person_id) & Ownership.current(on))
    lived = Residency.select(Residency.unit).where((Residency.person == person_id) & Residency.current(on))
    return (
        Unit.select(
            Unit.id,
            Unit.number,
            Unit.kind,
            Unit.share_numerator,
            Unit.share_denominator,
            Building.name.alias("building_name"),
            Ownership.person.alias("owner_id"),
            Ownership.share_numerator.alias("owner_numerator"),
            Ownership.share_denominator.alias("owner_denominator"),
            Person.given_name,
            Person.surname,
        )
        .join(Building)
        .switch(Unit)
        # Every current owner of each unit comes along: a unit is a few rows, not one query more.
        .join(Ownership, pw.JOIN.LEFT_OUTER, on=(Ownership.unit == Unit.id) & Ownership.current(on))
        .join(Person, pw.JOIN.LEFT_OUTER, on=(Ownership.person == Person.id))
        .where(
            (Unit.association == association_id)
            & Unit.archived_at.is_null()
            & (Unit.id.in_(owned) | Unit.id.in_(lived))
        )
        .order_by(*Unit.natural_order(), Ownership.is_main.desc(), *Person.name_order())
        .dicts()
    )


# Runs on every home page: built once (see PreparedSelect).
_MY_UNITS = PreparedSelect(_my_units_query)


def _my_unit(unit: Unit, owners: list[dict], person_id: int) -> MyUnit:
    own = next((o for o in owners if o["owner_id"] == person_id), None)
    mine = None
    if own is not None:
        mine = loaded(Ownership, share_numerator=own["owner_numerator"], share_denominator=own["owner_denominator"])
    others = [
        loaded(Person, given_name=o["given_name"], surname=o["surname"]) for o in owners if o["owner_id"] != person_id
    ]
    return MyUnit(unit=unit, mine=mine, co_owners=others if own is not None else [])
