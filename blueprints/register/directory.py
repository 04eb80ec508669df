"""Reading the people register: the board's list, the member list, account states, CSV (SPEC R2, R6, P3).

Every list here runs a fixed number of queries however many people it shows:
one for the page of people (with account and membership joined), one for
their units.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import peewee as pw
from flask import abort

from models import Association, Membership, Ownership, Person, Residency, Unit, User

PAGE = 50

NONE = "none"
# Account states as the board reads them (P3); "disabled" also covers an account
# whose access to this association was ended while it lives on elsewhere.
ACCOUNT_STATES = (NONE, User.INVITED, User.UNCONFIRMED, User.ACTIVE, User.DISABLED)


def account_state(person: Person, today: dt.date) -> str:
    """none, invited, unconfirmed, active or disabled, for this association."""
    user = person.user
    if user is None:
        return NONE
    if user.state == User.DISABLED:
        return User.DISABLED
    membership = getattr(person, "membership", None)
    if membership is not None and membership.valid_to is not None and membership.valid_to < today:
        return User.DISABLED
    return user.state


@dataclass
class UnitLink:
    """A unit a person owns or lives in today."""

    unit: Unit
    ownership: Ownership | None = None
    residency: Residency | None = None


@dataclass
class Row:
    person: Person
    state: str
    units: list[UnitLink] = field(default_factory=list)

    @property
    def unit_numbers(self) -> str:
        return ", ".join(sorted({link.unit.number for link in self.units}, key=_natural))


def _natural(text: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def with_account(query: pw.ModelSelect, association: Association) -> pw.ModelSelect:
    """Join each person's account and their membership here (LEFT: people without accounts stay)."""
    return (
        query.select_extend(User, Membership)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Person.user == User.id))
        .switch(Person)
        .join(
            Membership,
            pw.JOIN.LEFT_OUTER,
            on=((Membership.user == Person.user) & (Membership.association == association.id)),
            attr="membership",
        )
        .switch(Person)
    )


def _unit_people(association: Association, today: dt.date, number_term: str) -> tuple[pw.ModelSelect, ...]:
    owners = (
        Ownership.select(Ownership.person)
        .join(Unit)
        .where((Unit.association == association) & Ownership.current(today) & _contains(Unit.number, number_term))
    )
    residents = (
        Residency.select(Residency.person)
        .join(Unit)
        .where((Unit.association == association) & Residency.current(today) & _contains(Unit.number, number_term))
    )
    return owners, residents


def _contains(column, term: str) -> pw.Expression:
    # LOWER on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for ASCII.
    return pw.fn.LOWER(column).contains(term.lower())


def search_condition(association: Association, today: dt.date, q: str) -> pw.Expression | None:
    """Every word must match a name, an e-mail, a phone or a unit number (R6)."""
    condition = None
    for term in q.split()[:5]:
        owners, residents = _unit_people(association, today, term)
        digits = re.sub(r"\D", "", term)
        matches = (
            Person.named(term)
            | _contains(Person.email, term)
            | _contains(Person.phone_mobile, term)
            | _contains(Person.phone_home, term)
            | _contains(Person.phone_work, term)
            | Person.id.in_(owners)
            | Person.id.in_(residents)
        )
        if len(digits) >= 3:
            # "0701234567" finds "070-123 45 67": compare digits only.
            for phone in (Person.phone_mobile, Person.phone_home, Person.phone_work):
                matches |= _digits_only(phone).contains(digits)
        condition = matches if condition is None else condition & matches
    return condition


def _digits_only(column) -> pw.Expression:
    stripped = column
    for char in (" ", "-", "+", "(", ")", ".", "/"):
        stripped = pw.fn.REPLACE(stripped, char, "")
    return stripped


def people_page(association: Association, today: dt.date, q: str = "", page: int = 1) -> tuple[list[Row], bool]:
    """One page of the register, sorted "Surname Given", and whether another page follows."""
    query = with_account(Person.of(association), association)
    condition = search_condition(association, today, q) if q.strip() else None
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(*Person.name_order()).limit(PAGE + 1).offset((page - 1) * PAGE)
    people = list(query)
    more = len(people) > PAGE
    people = people[:PAGE]
    rows = [Row(person=p, state=account_state(p, today)) for p in people]
    attach_units(rows, today)
    return rows, more


def attach_units(rows: list[Row], today: dt.date) -> None:
    """Fill each row's current units: two queries for the whole page."""
    by_person = {row.person.id: row for row in rows}
    if not by_person:
        return
    ids = list(by_person)
    for ownership in (
        Ownership.select(Ownership, Unit)
        .join(Unit)
        .where(Ownership.person.in_(ids) & Ownership.current(today))
        .order_by(Unit.number)
    ):
        by_person[ownership.person_id].units.append(UnitLink(unit=ownership.unit, ownership=ownership))
    for residency in (
        Residency.select(Residency, Unit)
        .join(Unit)
        .where(Residency.person.in_(ids) & Residency.current(today))
        .order_by(Unit.number)
    ):
        by_person[residency.person_id].units.append(UnitLink(unit=residency.unit, residency=residency))


def person_row(association: Association, person_id: int, today: dt.date) -> Row:
    """One person of this association with account state and units (404 outside it)."""
    person = with_account(Person.of(association), association).where(Person.id == person_id).first()
    if person is None:
        abort(404)
    row = Row(person=person, state=account_state(person, today))
    attach_units([row], today)
    return row


def members_page(association: Association, today: dt.date, page: int = 1, q: str = "") -> tuple[list[Row], bool]:
    """The member list (R6): today's owners in the language's name order, with their units and shares;
    `q` narrows it to owners whose name or unit number holds every word."""
    owners = (
        Ownership.select(Ownership.person)
        .join(Unit)
        .where((Unit.association == association) & Ownership.current(today) & Unit.archived_at.is_null())
    )
    query = Person.of(association).where(Person.id.in_(owners))
    for term in q.split()[:5]:
        owners_of_unit = _unit_people(association, today, term)[0]
        query = query.where(Person.named(term) | Person.id.in_(owners_of_unit))
    people = list(query.order_by(*Person.name_order()).limit(PAGE + 1).offset((page - 1) * PAGE))
    more = len(people) > PAGE
    rows = [Row(person=p, state="") for p in people[:PAGE]]
    by_person = {row.person.id: row for row in rows}
    if by_person:
        for ownership in (
            Ownership.select(Ownership, Unit)
            .join(Unit)
            .where(Ownership.person.in_(list(by_person)) & Ownership.current(today) & Unit.archived_at.is_null())
            .order_by(Unit.number)
        ):
            by_person[ownership.person_id].units.append(UnitLink(unit=ownership.unit, ownership=ownership))
    return rows, more


# --- CSV export --------------------------------------------------------------------

CSV_COLUMNS = (
    "surname",
    "given_name",
    "email",
    "phone_mobile",
    "phone_home",
    "phone_work",
    "street",
    "postcode",
    "city",
    "country",
    "personal_id",
    "invoice_by_email",
    "invoice_by_paper",
    "invoice_language",
    "account",
    "units",
)


def people_csv_rows(association: Association, today: dt.date) -> Iterator[list]:
    """Every person with contacts, account state and units, for the board (R6): rows of CSV_COLUMNS."""
    people = list(with_account(Person.of(association), association).order_by(*Person.name_order()))
    rows = [Row(person=p, state=account_state(p, today)) for p in people]
    attach_units(rows, today)
    for row in rows:
        p = row.person
        values = [getattr(p, name) for name in CSV_COLUMNS[:11]]
        values += [int(p.invoice_by_email), int(p.invoice_by_paper), p.invoice_language or "", row.state]
        values.append(row.unit_numbers)
        yield values
