"""The rules of the register: shares, owners, changes of owner, and who may see a unit (SPEC R1, R3–R5).

Views turn form input into the plain values these functions take and show a
RegisterError's message on the form. Every write here runs in one
transaction, so a refused change saves nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

import peewee as pw

from blueprints.portal.invitations import PeopleError
from blueprints.portal.invitations import invite as send_invitation
from core import text
from core.audit import audit
from core.text import lazy_gettext as _l
from models import Association, Person, User
from models.db import PreparedSelect, transaction
from models.register import Ownership, Residency, Unit, UnitFileEntry

SHARE_PATTERN = re.compile(r"(\d{1,15})(?:/(\d{1,15}))?")
MAX_OWNER_TERM = 2**31 - 1  # Ownership's share columns are 32-bit integers


class RegisterError(Exception):
    """A rule of the register was broken; `message` (translatable) goes on the form, next to `field`."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- shares --------------------------------------------------------------------------


def parse_share_terms(text: str | None) -> tuple[int, int]:
    """'6542/100000' -> (6542, 100000), kept as typed; '1' -> (1, 1). Refuses 0, above 1 and anything else."""
    raw = (text or "").replace(" ", "").replace("\u2044", "/")
    match = SHARE_PATTERN.fullmatch(raw)
    if not match:
        raise RegisterError(_l("Write the share as a fraction, like 6542/100000 or 1/2."))
    numerator, denominator = int(match[1]), int(match[2] or 1)
    if denominator == 0:
        raise RegisterError(_l("The number below the line cannot be 0."))
    if numerator == 0:
        raise RegisterError(_l("A share must be more than 0."))
    if numerator > denominator:
        raise RegisterError(_l("A share cannot be more than 1, the whole."))
    return numerator, denominator


def parse_share(text: str | None) -> Fraction:
    """A share typed as a fraction, exact: 0 < share ≤ 1 (RegisterError otherwise)."""
    return Fraction(*parse_share_terms(text))


def format_share(numerator: int, denominator: int) -> str:
    return str(numerator) if denominator == 1 else f"{numerator}/{denominator}"


def format_fraction(value: Fraction) -> str:
    return format_share(value.numerator, value.denominator)


def shares_total(association: Association) -> tuple[Fraction, int]:
    """The exact sum of the active units' shares, and how many units there are: one grouped query."""
    total, count = Fraction(0), 0
    for denominator, numerators, units in _SHARES(association.id):
        total += Fraction(int(numerators or 0), denominator or 1)
        count += units
    return total, count


def _shares_query(association) -> pw.ModelSelect:
    return (
        Unit.active(association)
        .select(Unit.share_denominator, pw.fn.SUM(Unit.share_numerator), pw.fn.COUNT(Unit.id))
        .group_by(Unit.share_denominator)
        .tuples()
    )


# The unit list's heading, on every page of it: built once (see PreparedSelect).
_SHARES = PreparedSelect(_shares_query)


# --- owners ----------------------------------------------------------------------------


@dataclass
class OwnerChoice:
    """One owner as chosen on a form: a person from the register, or a new one by name and e-mail."""

    person: Person | None
    share: Fraction
    is_main: bool = False
    new_name: str = ""
    new_email: str = ""

    def key(self):
        return ("person", self.person.id) if self.person is not None else ("new", self.new_name.lower())


def check_owners(owners: list[OwnerChoice]) -> None:
    """Owners' shares of the unit add up to exactly 1, and exactly one of them is the main owner."""
    if not owners:
        raise RegisterError(_l("Choose at least one owner."), "owners")
    keys = [owner.key() for owner in owners]
    if len(set(keys)) != len(keys):
        raise RegisterError(_l("The same person is listed twice."), "owners")
    total = sum((owner.share for owner in owners), Fraction(0))
    if total != 1:
        raise RegisterError(
            _l(
                "The owners' shares add up to %(total)s, not 1. Change them so that they add up to exactly 1.",
                total=format_fraction(total),
            ),
            "owners",
        )
    if len(owners) == 1 and not owners[0].is_main:
        owners[0].is_main = True  # a sole owner is the main owner
    if sum(1 for owner in owners if owner.is_main) != 1:
        raise RegisterError(
            _l("Mark exactly one of the owners as the main owner: the unit's invoices go to that person."), "owners"
        )
    for owner in owners:
        if owner.share.numerator > MAX_OWNER_TERM or owner.share.denominator > MAX_OWNER_TERM:
            raise RegisterError(_l("Use a simpler fraction for the owner's share, like 1/2."), "owners")


def current_ownerships(unit: Unit, on: dt.date) -> list[Ownership]:
    """The unit's owners on `on`, with their register entries: the main owner first, then by name."""
    return _CURRENT_OWNERSHIPS(unit.id, on.isoformat())


def _current_ownerships_query(unit, on) -> pw.ModelSelect:
    return (
        Ownership.select(Ownership, Person)
        .join(Person)
        .where((Ownership.unit == unit) & Ownership.current(on))
        .order_by(Ownership.is_main.desc(), *Person.name_order())
    )


# On every unit page: built once (see PreparedSelect).
_CURRENT_OWNERSHIPS = PreparedSelect(_current_ownerships_query)


def owners_and_scheduled(unit: Unit, on: dt.date) -> tuple[list[Ownership], list[Ownership]]:
    """The unit's owners on `on` (as current_ownerships), and the owners a change of owner dated later
    brings in, by date (the board enters a sale before it happens): one query, for the unit page."""
    current, scheduled = [], []
    for ownership in _OWNERS_AND_SCHEDULED(unit.id, on.isoformat()):
        (current if ownership.is_current(on) else scheduled).append(ownership)
    scheduled.sort(key=lambda ownership: ownership.started_on)  # stable: the main owner first on each day
    return current, scheduled


def _owners_and_scheduled_query(unit, on) -> pw.ModelSelect:
    return (
        Ownership.select(Ownership, Person)
        .join(Person)
        .where((Ownership.unit == unit) & (Ownership.current(on) | (Ownership.started_on > on)))
        .order_by(Ownership.is_main.desc(), *Person.name_order())
    )


_OWNERS_AND_SCHEDULED = PreparedSelect(_owners_and_scheduled_query)


def set_owners(unit: Unit, owners: list[OwnerChoice], on: dt.date, actor: User) -> None:
    """Correct the unit's current owners (seed 004 §4.7); people who are no longer owners end on `on`."""
    check_owners(owners)
    with transaction():
        current = {o.person_id: o for o in current_ownerships(unit, on)}
        kept = set()
        for choice in owners:
            person = _person_for(unit.association, choice, "member")
            existing = current.get(person.id)
            fields = dict(
                share_numerator=choice.share.numerator,
                share_denominator=choice.share.denominator,
                is_main=choice.is_main,
            )
            if existing is not None:
                Ownership.update(**fields).where(Ownership.id == existing.id).execute()
                kept.add(existing.id)
            else:
                Ownership.create(unit=unit, person=person, started_on=on, **fields)
        for ownership in current.values():
            if ownership.id not in kept:
                _end_ownership(ownership, on)
        audit("register.owners_edited", actor=actor, association=unit.association, target=f"unit {unit.number}")


def change_owner(unit: Unit, owners: list[OwnerChoice], on: dt.date, actor: User, note: str = "") -> None:
    """The guided change of owner (seed 004 §4.14): the old owners end on `on`, the new ones start on it.

    The old ownerships stay as the unit's history; the unit file records the change.
    """
    check_owners(owners)
    latest = (
        Ownership.select(Ownership.started_on)
        .where((Ownership.unit == unit) & Ownership.started_on.is_null(False))
        .order_by(Ownership.started_on.desc())
        .scalar()
    )
    if latest is not None and on <= latest:
        raise RegisterError(
            _l(
                "The last change of owner of this unit is dated %(date)s; a new change must come after that day.",
                date=text.date(latest),
            ),
            "date",
        )
    with transaction():
        previous = current_ownerships(unit, on)
        new_people = [_person_for(unit.association, choice, "member") for choice in owners]
        for ownership in previous:
            Ownership.update(ended_on=on).where(Ownership.id == ownership.id).execute()
        for choice, person in zip(owners, new_people, strict=True):
            Ownership.create(
                unit=unit,
                person=person,
                share_numerator=choice.share.numerator,
                share_denominator=choice.share.denominator,
                is_main=choice.is_main,
                started_on=on,
            )
        old_names = ", ".join(o.person.full_name for o in previous) or "—"
        new_names = ", ".join(p.full_name for p in new_people)
        summary = f"{old_names} → {new_names}" + (f"\n\n{note.strip()}" if note.strip() else "")
        UnitFileEntry.create(unit=unit, happened_on=on, kind=UnitFileEntry.OWNER_CHANGE, text=summary, author=actor)
        audit(
            "register.owner_changed",
            actor=actor,
            association=unit.association,
            target=f"unit {unit.number}",
            on=on.isoformat(),
        )


def _end_ownership(ownership: Ownership, on: dt.date) -> None:
    if ownership.started_on is not None and ownership.started_on >= on:
        # It never took effect: a correction made on the day it was entered.
        Ownership.delete().where(Ownership.id == ownership.id).execute()
    else:
        Ownership.update(ended_on=on).where(Ownership.id == ownership.id).execute()


def _person_for(association: Association, choice: OwnerChoice, role_key: str) -> Person:
    if choice.person is not None:
        return choice.person
    # Someone the register already holds under this address is the same person.
    known = Person.in_register(association, choice.new_email)
    if known is not None:
        return known
    return create_person(association, choice.new_name, choice.new_email, role_key)


def create_person(association: Association, name: str, email: str, role_key: str) -> Person:
    """A person typed on a form as "Given Surname"; the last word is the surname, for sorting (R2)."""
    given, _space, surname = name.strip().rpartition(" ")
    return Person.create(
        association=association,
        given_name=given.strip(),
        surname=surname.strip(),
        email=User.normalize_email(email),
        role=association.role(role_key),
    )


# --- residents --------------------------------------------------------------------------


def add_resident(
    unit: Unit,
    *,
    name: str,
    email: str,
    role: str,
    start: dt.date | None,
    end: dt.date | None,
    actor: User,
    invite: bool = False,
) -> Residency:
    """A household member, tenant or owner-resident added by the board or an owner (seed 002),
    invited to the portal when asked to (the invitation mail commits with the row)."""
    if role not in Residency.ROLES:
        raise RegisterError(_l("Choose a role."), "role")
    if invite and not email.strip():
        raise RegisterError(_l("Give an e-mail address to send the invitation to."), "email")
    if start and end and end < start:
        raise RegisterError(_l("The last day cannot be before the first day."), "end_date")
    with transaction():
        person = create_person(
            unit.association, name, email, "member" if role == Residency.OWNER_RESIDENT else "tenant"
        )
        residency = Residency.create(unit=unit, person=person, role=role, start_date=start, end_date=end)
        audit("register.resident_added", actor=actor, association=unit.association, target=f"unit {unit.number}")
        if invite:
            try:
                send_invitation(person, unit.association, actor)
            except PeopleError as error:
                raise RegisterError(error.message, "email") from error
    return residency


def end_residency(residency: Residency, last_day: dt.date, actor: User) -> None:
    """The resident's access ends after `last_day` without anyone acting then."""
    if residency.start_date and last_day < residency.start_date:
        raise RegisterError(_l("The last day cannot be before the first day."), "end_date")
    with transaction():
        Residency.update(end_date=last_day).where(Residency.id == residency.id).execute()
        audit(
            "register.resident_ended",
            actor=actor,
            association=residency.unit.association,
            target=f"unit {residency.unit.number}",
            last_day=last_day.isoformat(),
        )


# --- who may see a unit ---------------------------------------------------------------------

OWNER, RESIDENT = "owner", "resident"


def relation_to(unit: Unit, person_id: int | None, on: dt.date) -> str | None:
    """ "owner" or "resident" when the person currently owns or lives in the unit, else None (seed 002, 003)."""
    if person_id is None:
        return None
    owns = (
        Ownership.select(Ownership.id)
        .where((Ownership.unit == unit) & (Ownership.person == person_id) & Ownership.current(on))
        .exists()
    )
    if owns:
        return OWNER
    lives = (
        Residency.select(Residency.id)
        .where((Residency.unit == unit) & (Residency.person == person_id) & Residency.current(on))
        .exists()
    )
    return RESIDENT if lives else None
