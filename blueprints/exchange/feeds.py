"""What the API hands out (SPEC I1): the register's units, people and ownership, paged by id, and the fault
reports new or changed since a cursor.

The fault feed pages by (updated_at, id) and only as far as SETTLE before now: a report written by a
transaction still open when the feed is read carries an updated_at from before its commit, so a feed that
went right up to now could step past it and never hand it out. Nothing Porch writes stays uncommitted
for seconds, so a feed that stops SETTLE short of now misses nothing and repeats nothing; the price is that
a change shows up in it a few seconds late.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw

from blueprints.exchange.api import bad_cursor, decode_cursor, encode_cursor
from core import clock
from models import Association, Building, FaultReport, Ownership, Person, Unit

SETTLE = dt.timedelta(seconds=5)


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    """Times as UTC with a Z (the database keeps them naive UTC), dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _page(query: pw.ModelSelect, model, limit: int) -> tuple[list, str | None]:
    """Rows after the cursor's id, by id; and the cursor of the next page (None on the last)."""
    after = decode_cursor(("after",))
    if after is not None:
        if type(after["after"]) is not int:
            raise bad_cursor()
        query = query.where(model.id > after["after"])
    rows = list(query.order_by(model.id).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor({"after": rows[-1].id}) if more else None


# --- the register ---------------------------------------------------------------------------------------


def unit_data(unit: Unit) -> dict:
    return {
        "id": unit.id,
        "building": unit.building.name,
        "number": unit.number,
        "kind": unit.kind,
        "rooms": unit.rooms,
        "floor": unit.floor,
        "area": None if unit.area is None else f"{Decimal(unit.area):.2f}",  # as PostgreSQL keeps it, on SQLite too
        "share": {"numerator": unit.share_numerator, "denominator": unit.share_denominator},
        "archived": unit.archived_at is not None,
    }


def units(association: Association, limit: int) -> tuple[list[dict], str | None]:
    query = Unit.select(Unit, Building).join(Building).where(Unit.association == association)
    rows, cursor = _page(query, Unit, limit)
    return [unit_data(u) for u in rows], cursor


def person_data(person: Person) -> dict:
    return {
        "id": person.id,
        "surname": person.surname,
        "given_name": person.given_name,
        "email": person.email,
        "personal_id": person.personal_id,
        "phone_mobile": person.phone_mobile,
        "phone_home": person.phone_home,
        "phone_work": person.phone_work,
        "street": person.street,
        "postcode": person.postcode,
        "city": person.city,
        "country": person.country,
    }


def people(association: Association, limit: int) -> tuple[list[dict], str | None]:
    rows, cursor = _page(Person.of(association), Person, limit)
    return [person_data(p) for p in rows], cursor


def ownership_data(row: Ownership) -> dict:
    person = row.person
    return {
        "id": row.id,
        "unit": {"id": row.unit.id, "building": row.unit.building.name, "number": row.unit.number},
        "person": {"id": person.id, "personal_id": person.personal_id, "email": person.email},
        "share": {"numerator": row.share_numerator, "denominator": row.share_denominator},
        "is_main": row.is_main,
        "started_on": _iso(row.started_on),
        "ended_on": _iso(row.ended_on),
    }


def ownership(association: Association, limit: int) -> tuple[list[dict], str | None]:
    query = (
        Ownership.select(Ownership, Unit, Building, Person)
        .join(Unit)
        .join(Building)
        .switch(Ownership)
        .join(Person)
        .where(Unit.association == association)
    )
    rows, cursor = _page(query, Ownership, limit)
    return [ownership_data(o) for o in rows], cursor


# --- fault reports --------------------------------------------------------------------------------------


def fault_data(report: FaultReport, units_by_id: dict, buildings_by_id: dict) -> dict:
    unit = units_by_id.get(report.unit_id)
    building = buildings_by_id.get(report.building_id)
    return {
        "id": report.id,
        "kind": report.kind,
        "place": report.place,
        "unit": None if unit is None else {"id": unit.id, "building": unit.building.name, "number": unit.number},
        "building": None if building is None else {"id": building.id, "name": building.name},
        "area": report.area,
        "responsible": report.responsible,
        "category": report.category,
        "severity": report.severity,
        "status": report.status,
        "title": report.title,
        "details": report.details,
        "contact_phone": report.contact_phone,
        "contact_email": report.contact_email,
        "created_at": _iso(report.created_at),
        "updated_at": _iso(report.updated_at),
        "deadline_at": _iso(report.deadline_at),
        "closed_at": _iso(report.closed_at),
    }


def _changed_after(cursor: dict | None) -> pw.Expression:
    if cursor is None or cursor["at"] == "":
        return pw.Value(True)
    try:
        at = dt.datetime.fromisoformat(cursor["at"])
    except (TypeError, ValueError):
        raise bad_cursor() from None
    report_id = cursor["id"]
    if type(report_id) is not int or at.tzinfo is not None:
        raise bad_cursor()
    R = FaultReport
    return (R.updated_at > at) | ((R.updated_at == at) & (R.id > report_id))


def fault_changes(association: Association, limit: int) -> tuple[list[dict], str, bool]:
    """Reports changed after the request's cursor, oldest change first; the cursor to ask with next time
    (also when nothing came: it is then the same one), and whether more are waiting already."""
    cursor = decode_cursor(("at", "id"))
    horizon = clock.utcnow_naive() - SETTLE
    R = FaultReport
    rows = list(
        R.of(association)
        .where((R.updated_at <= horizon) & _changed_after(cursor))
        .order_by(R.updated_at, R.id)
        .limit(limit + 1)
    )
    more = len(rows) > limit
    rows = rows[:limit]
    unit_ids = {r.unit_id for r in rows if r.unit_id}
    units_by_id = {u.id: u for u in Unit.select(Unit, Building).join(Building).where(Unit.id.in_(unit_ids))}
    building_ids = {r.building_id for r in rows if r.building_id}
    buildings_by_id = {b.id: b for b in Building.select().where(Building.id.in_(building_ids))}
    if rows:
        last = rows[-1]
        next_cursor = encode_cursor({"at": last.updated_at.isoformat(), "id": last.id})
    else:
        next_cursor = encode_cursor(cursor) if cursor is not None else encode_cursor({"at": "", "id": 0})
    return [fault_data(r, units_by_id, buildings_by_id) for r in rows], next_cursor, more
