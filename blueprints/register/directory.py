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

from core.text import fold
from models import Association, Membership, Ownership, Person, Residency, Unit, User
from models.db import PreparedSelect, like, like_pattern, loaded

PAGE = 50

NONE = "none"
# Account states as the board reads them (P3); "disabled" also covers an account
# whose access to this association was ended while it lives on elsewhere.
ACCOUNT_STATES = (NONE, User.INVITED, User.UNCONFIRMED, User.ACTIVE, User.DISABLED)


def account_state(person: Person, today: dt.date) -> str:
    """none, invited, unconfirmed, active or disabled, for this association."""
    membership = getattr(person, "membership", None)
    user = person.user
    return _account_state(user.state if user else None, membership.valid_to if membership else None, today)


def _account_state(user_state: str | None, valid_to: dt.date | None, today: dt.date) -> str:
    # "disabled" also covers an account whose access to this association ended (P3).
    if user_state is None:
        return NONE
    if user_state == User.DISABLED or (valid_to is not None and valid_to < today):
        return User.DISABLED
    return user_state


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
    numbers: list[str] = field(default_factory=list)  # instead of units, where a list shows only these

    @property
    def unit_numbers(self) -> str:
        numbers = self.numbers or [link.unit.number for link in self.units]
        if len(numbers) == 1:  # most people: no sorting to do
            return numbers[0]
        return ", ".join(sorted(set(numbers), key=_natural))


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


# --- search (R6) -------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """A search's words (at most five) as its SQL binds them: each word's LIKE pattern, its folded pattern
    (names are compared without regard to case and accents: "cerny" finds Černý), then a pattern of its
    digits when it has three or more (phone numbers are compared by digits too)."""

    values: tuple[str, ...]
    with_digits: tuple[bool, ...]  # per word: whether a digits pattern follows (the query's shape)

    @classmethod
    def of(cls, q: str) -> Search:
        values, with_digits = [], []
        for term in q.split()[:5]:
            # LOWER on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for ASCII.
            values.append(like_pattern(term.lower()))
            values.append(like_pattern(fold(term)))
            digits = re.sub(r"\D", "", term)
            if len(digits) >= 3:
                values.append(like_pattern(digits))
            with_digits.append(len(digits) >= 3)
        return cls(tuple(values), tuple(with_digits))


def search_condition(association, today, values, with_digits: tuple[bool, ...]) -> pw.Expression | None:
    """Every word must match a name, an e-mail, a phone or a unit number (R6): `values` and `with_digits`
    as in a Search (the values may be PreparedSelect markers bound to them)."""
    condition = None
    values = iter(values)
    for has_digits in with_digits:
        pattern, folded = next(values), next(values)
        owners, residents = _unit_people(association, today, pattern)
        matches = Person.id.in_(owners) | Person.id.in_(residents) | like(Person.search_name, folded)
        for column in (Person.email, *PHONES):
            matches |= like(pw.fn.LOWER(column), pattern)
        if has_digits:
            # "0701234567" finds "070-123 45 67": compare digits only.
            digits = next(values)
            for phone in PHONES:
                matches |= like(_digits_only(phone), digits)
        condition = matches if condition is None else condition & matches
    return condition


PHONES = (Person.phone_mobile, Person.phone_home, Person.phone_work)


def _unit_people(association, today, number_pattern) -> tuple[pw.ModelSelect, ...]:
    in_units = (Unit.association == association) & like(pw.fn.LOWER(Unit.number), number_pattern)
    owners = Ownership.select(Ownership.person).join(Unit).where(in_units & Ownership.current(today))
    residents = Residency.select(Residency.person).join(Unit).where(in_units & Residency.current(today))
    return owners, residents


def _digits_only(column) -> pw.Expression:
    stripped = column
    for char in (" ", "-", "+", "(", ")", ".", "/"):
        stripped = pw.fn.REPLACE(stripped, char, "")
    return stripped


# --- the person picker of the owners' forms -------------------------------------------

PICKER_LIMIT = 50


def picker_people(association: Association, q: str) -> list[Person]:
    """The people a person picker offers for `q`: each word in the name (accents aside) or the e-mail,
    by name, at most PICKER_LIMIT + 1 (the extra one says there are more)."""
    query = Person.of(association).select(Person.id, Person.given_name, Person.surname, Person.email)
    for word in q.split()[:5]:
        query = query.where(
            like(Person.search_name, like_pattern(fold(word)))
            | like(pw.fn.LOWER(Person.email), like_pattern(word.lower()))
        )
    return list(query.order_by(*Person.name_order()).limit(PICKER_LIMIT + 1))


# --- the board's list of people -------------------------------------------------------


def people_page(association: Association, today: dt.date, q: str = "", page: int = 1) -> tuple[list[Row], bool]:
    """One page of the register in the language's name order, and whether another page follows (two queries)."""
    search = Search.of(q)
    values = (association.id, today.isoformat(), PAGE + 1, (page - 1) * PAGE, *search.values)
    found = _PEOPLE_PAGE(*values, with_digits=search.with_digits)
    rows = [
        Row(
            person=loaded(
                Person,
                id=p["id"],
                given_name=p["given_name"],
                surname=p["surname"],
                user=p["user"],
                email_bounced_at=p["email_bounced_at"],
            ),
            state=_account_state(p["user_state"], p["valid_to"], today),
        )
        for p in found[:PAGE]
    ]
    attach_unit_numbers(rows, today)
    return rows, len(found) > PAGE


def _people_page_query(association, today, limit, offset, *search, with_digits) -> pw.ModelSelect:
    # Only what the list shows: the names, whether mail to the address bounced, and the account's state here.
    columns = (
        Person.id,
        Person.given_name,
        Person.surname,
        Person.user,
        Person.email_bounced_at,
        User.state.alias("user_state"),
    )
    query = (
        Person.of(association)
        .select(*columns, Membership.valid_to)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Person.user == User.id))
        .switch(Person)
        .join(
            Membership,
            pw.JOIN.LEFT_OUTER,
            on=((Membership.user == Person.user) & (Membership.association == association)),
        )
        .dicts()
    )
    if with_digits:
        query = query.where(search_condition(association, today, search, with_digits))
    return query.order_by(*Person.name_order()).limit(limit).offset(offset)


# Every page of the list and each keystroke of its search: built once per shape (see PreparedSelect).
_PEOPLE_PAGE = PreparedSelect(_people_page_query)


def attach_units(rows: list[Row], today: dt.date) -> None:
    """Fill each row's current units, owned first, then lived in, each by number: one query."""
    by_person = {row.person.id: row for row in rows}
    if not by_person:
        return
    for link in _UNIT_LINKS(today.isoformat(), *by_person, people_count=len(by_person)):
        unit = loaded(
            Unit,
            id=link["unit"],
            number=link["number"],
            kind=link["kind"],
            share_numerator=link["share_numerator"],
            share_denominator=link["share_denominator"],
        )
        if link["owns"]:
            fields = ("share_numerator", "share_denominator", "is_main")
            ownership = loaded(Ownership, unit=unit.id, person=link["person"], **{f: link[f"own_{f}"] for f in fields})
            by_person[link["person"]].units.append(UnitLink(unit=unit, ownership=ownership))
        else:
            residency = loaded(Residency, unit=unit.id, person=link["person"], role=link["role"])
            by_person[link["person"]].units.append(UnitLink(unit=unit, residency=residency))


def _unit_links_query(today, *people, people_count) -> pw.SelectQuery:
    unit_columns = (Unit.id.alias("unit"), Unit.number, Unit.kind, Unit.share_numerator, Unit.share_denominator)
    owned = (
        Ownership.select(
            pw.Value(1).alias("owns"),
            Ownership.person.alias("person"),
            *unit_columns,
            Ownership.share_numerator.alias("own_share_numerator"),
            Ownership.share_denominator.alias("own_share_denominator"),
            Ownership.is_main.alias("own_is_main"),
            pw.Value(None).alias("role"),
        )
        .join(Unit)
        .where(Ownership.person.in_(people) & Ownership.current(today))
    )
    nothing = pw.Value(None)
    lived = (
        Residency.select(pw.Value(0), Residency.person, *unit_columns, nothing, nothing, nothing, Residency.role)
        .join(Unit)
        .where(Residency.person.in_(people) & Residency.current(today))
    )
    return owned.union_all(lived).order_by(pw.SQL("owns DESC"), pw.SQL("number")).dicts()


# The person page's units: built once (see PreparedSelect).
_UNIT_LINKS = PreparedSelect(_unit_links_query)


def attach_unit_numbers(rows: list[Row], today: dt.date) -> None:
    """Fill each row's numbers of the units the person owns or lives in today (all a list shows): one query."""
    by_person = {row.person.id: row for row in rows}
    if not by_person:
        return
    if len(by_person) <= PAGE:  # a page of a list: one SQL text per page length, kept
        found = _UNIT_NUMBERS(today.isoformat(), *by_person, people_count=len(by_person))
    else:  # the whole register (the CSV): built for this once
        found = _unit_numbers_query(today.isoformat(), *by_person, people_count=len(by_person))
    for person, number in found:
        by_person[person].numbers.append(number)


def _unit_numbers_query(today, *people, people_count) -> pw.SelectQuery:
    # people_count: one SQL text per number of people (each is a marker).
    owned = (
        Ownership.select(Ownership.person, Unit.number)
        .join(Unit)
        .where(Ownership.person.in_(people) & Ownership.current(today))
    )
    lived = (
        Residency.select(Residency.person, Unit.number)
        .join(Unit)
        .where(Residency.person.in_(people) & Residency.current(today))
    )
    return owned.union_all(lived).tuples()


# A page of the board's lists (people, residents' accounts): built once per page length.
_UNIT_NUMBERS = PreparedSelect(_unit_numbers_query)


def person_row(association: Association, person_id: int, today: dt.date) -> Row:
    """One person of this association with account state and units (404 outside it)."""
    person = with_account(Person.of(association), association).where(Person.id == person_id).first()
    if person is None:
        abort(404)
    row = Row(person=person, state=account_state(person, today))
    attach_units([row], today)
    return row


# --- the member list (R6) --------------------------------------------------------------


def members_page(association: Association, today: dt.date, page: int = 1, q: str = "") -> tuple[list[Row], bool]:
    """The member list (R6): today's owners in the language's name order, with their units and shares (one
    query); `q` narrows it to owners whose name or unit number holds every word."""
    rows: dict[int, Row] = {}
    words = q.split()[:5]
    searched = [pattern for word in words for pattern in (like_pattern(word.lower()), like_pattern(fold(word)))]
    values = (association.id, today.isoformat(), PAGE + 1, (page - 1) * PAGE, *searched)
    for found in _MEMBERS_PAGE(*values, words=len(words)):
        row = rows.get(found["id"])
        if row is None:
            person = loaded(Person, **{name: found[name] for name in _MEMBER_FIELDS})
            row = rows[found["id"]] = Row(person=person, state="")
        unit = loaded(
            Unit,
            id=found["unit"],
            number=found["number"],
            kind=found["kind"],
            share_numerator=found["unit_numerator"],
            share_denominator=found["unit_denominator"],
        )
        ownership = loaded(
            Ownership,
            unit=unit.id,
            person=person.id,
            share_numerator=found["share_numerator"],
            share_denominator=found["share_denominator"],
        )
        row.units.append(UnitLink(unit=unit, ownership=ownership))
    people = list(rows.values())
    return people[:PAGE], len(people) > PAGE


_MEMBER_COLUMNS = (Person.id, Person.given_name, Person.surname, Person.personal_id, Person.email, *PHONES)
_MEMBER_FIELDS = tuple(column.name for column in _MEMBER_COLUMNS)


def _members_page_query(association, today, limit, offset, *searched, words) -> pw.ModelSelect:
    # The page's people are chosen in a subquery, walking the register by name and asking of each
    # whether they own a unit today (EXISTS): the first page stops after 51 people, where a list of
    # every owner would read all the units first. Their units are then joined for those alone.
    owned_today = Ownership.current(today) & Unit.archived_at.is_null()
    owns = (
        Ownership.select(Ownership.id)
        .join(Unit)
        .where((Ownership.person == Person.id) & (Unit.association == association) & owned_today)
    )
    chosen = (
        Person.of(association)
        .select(Person.id)
        .where(pw.fn.EXISTS(owns))
        .order_by(*Person.name_order())
        .limit(limit)
        .offset(offset)
    )
    for number, folded in zip(searched[0::2], searched[1::2], strict=True):  # `words` pairs of patterns
        owners_of_unit = _unit_people(association, today, number)[0]
        chosen = chosen.where(like(Person.search_name, folded) | Person.id.in_(owners_of_unit))
    columns = (
        *_MEMBER_COLUMNS,
        *(Ownership.unit, Ownership.share_numerator, Ownership.share_denominator),
        *(Unit.number, Unit.kind, Unit.share_numerator.alias("unit_numerator")),
        Unit.share_denominator.alias("unit_denominator"),
    )
    return (
        Person.select(*columns)
        .join(Ownership, on=(Ownership.person == Person.id))
        .join(Unit, on=(Ownership.unit == Unit.id))
        .where(Person.id.in_(chosen) & owned_today)
        .order_by(*Person.name_order(), Unit.number)
        .dicts()
    )


# Every page of the member list: built once (see PreparedSelect).
_MEMBERS_PAGE = PreparedSelect(_members_page_query)


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
    attach_unit_numbers(rows, today)
    for row in rows:
        p = row.person
        values = [getattr(p, name) for name in CSV_COLUMNS[:11]]
        values += [int(p.invoice_by_email), int(p.invoice_by_paper), p.invoice_language or "", row.state]
        values.append(row.unit_numbers)
        yield values
