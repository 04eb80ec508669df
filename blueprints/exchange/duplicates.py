"""Likely duplicate people, and merging two entries of one person (SPEC I1).

A register moved from spreadsheets often holds someone twice: once from the owners' list with a personal
id, once from the residents' list with another e-mail address. Two entries are listed as likely the same
person when their names are the same (case, accents and word order aside) and either their birth dates (read
from their personal ids, as the seeds' countries write them) or their postal addresses are the same, while
their e-mail addresses differ. Two different personal ids of different birth dates are two people.

Merging keeps one entry and moves everything that points at the other to it: every foreign key to Person
in every model (found from the peewee model graph, so models added later are covered), the other's account
link when the kept one has none, and the empty fields of the kept entry filled from the other. A row that
would then repeat one of the kept person's (the same contract party twice) is the same fact and goes.
History stays: ownerships, residencies, invoices (with the name they were sent to), payments, ballots.
The merge is audit-logged with what moved where.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from blueprints.exchange import values
from core.audit import audit
from core.text import fold
from core.text import lazy_gettext as _l
from models.db import transaction
from models.portal import Association, User
from models.register import Person

FILLED = ("personal_id", "email", "phone_mobile", "phone_home", "phone_work", "street", "postcode", "city", "country")


class MergeError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- birth dates from personal ids ---------------------------------------------------------------------------


def birth_date(personal_id: str, language: str, today: dt.date) -> dt.date | None:
    """The birth date a personal id holds: Czech rodné číslo (YYMMDD/NNNN), Swedish personnummer
    (YYYYMMDD-NNNN or YYMMDD-NNNN), Danish CPR (DDMMYY-NNNN), Estonian isikukood (GYYMMDDSSSC); None for a
    company id or anything else."""
    digits = "".join(ch for ch in personal_id if ch.isdigit())
    if language.startswith("et") or (len(digits) == 11 and digits[0] in "123456" and not language.startswith("cs")):
        if len(digits) == 11 and digits[0] in "123456":
            century = 1800 + 100 * ((int(digits[0]) - 1) // 2)
            return _day(century + int(digits[1:3]), int(digits[3:5]), int(digits[5:7]))
        return None
    if language.startswith("cs") and len(digits) in (9, 10):
        year, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
        month = month - 70 if month > 70 else month - 50 if month > 50 else month - 20 if month > 20 else month
        year += 1900 if len(digits) == 9 or year >= 54 else 2000
        return _day(year, month, day)
    if language.startswith("da") and len(digits) == 10:
        return _day(_century(int(digits[4:6]), today), int(digits[2:4]), int(digits[:2]))
    if len(digits) == 12 and digits[:2] in ("18", "19", "20"):
        day = int(digits[6:8])
        return _day(int(digits[:4]), int(digits[4:6]), day - 60 if day > 60 else day)
    if len(digits) == 10 and not language.startswith(("cs", "da")):
        day = int(digits[4:6])
        return _day(_century(int(digits[:2]), today), int(digits[2:4]), day - 60 if day > 60 else day)
    return None


def _century(year: int, today: dt.date) -> int:
    return 2000 + year if 2000 + year <= today.year else 1900 + year


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# --- likely duplicates -----------------------------------------------------------------------------------


@dataclass
class Pair:
    first: Person
    second: Person
    reason: str  # "birth_date" or "address"
    born: dt.date | None = None


REASONS = {"birth_date": _l("Same name and birth date"), "address": _l("Same name and address")}


def likely_duplicates(association: Association) -> list[Pair]:
    """Pairs of the register's entries that are likely one person (see the module's doc), by name."""
    groups: dict[str, list[Person]] = defaultdict(list)
    for person in Person.of(association).order_by(*Person.name_order()):
        groups[values.name_key(person.given_name, person.surname)].append(person)
    today, pairs = association.today(), []
    for group in groups.values():
        for index, first in enumerate(group):
            for second in group[index + 1 :]:
                pair = _pair(first, second, association.locale, today)
                if pair is not None:
                    pairs.append(pair)
    return pairs


def _address(person: Person) -> str:
    return fold(f"{person.street} {person.postcode}").replace(" ", "")


def _pair(first: Person, second: Person, language: str, today: dt.date) -> Pair | None:
    if values.email_key(first.email) == values.email_key(second.email) and first.email:
        return None  # the same address: the import already treats them as one; the board sees both in the list
    born = [birth_date(p.personal_id, language, today) for p in (first, second)]
    ids = [values.id_key(p.personal_id) for p in (first, second)]
    if ids[0] and ids[1] and ids[0] != ids[1] and born[0] != born[1]:
        return None  # two different people with the same name
    if born[0] and born[0] == born[1]:
        return Pair(first, second, "birth_date", born[0])
    if _address(first) and _address(first) == _address(second):
        return Pair(first, second, "address", born[0] or born[1])
    return None


# --- merging ---------------------------------------------------------------------------------------------------


def references_to_person() -> list[pw.ForeignKeyField]:
    """Every foreign key that points at a Person, in every model peewee knows (later models too)."""
    return sorted(Person._meta.backrefs, key=lambda fk: (fk.model._meta.table_name, fk.name))


def what_points_at(person: Person) -> dict[str, int]:
    """How many rows of each kind point at the person (for the confirmation page): {table: count}."""
    counts = {}
    for fk in references_to_person():
        count = fk.model.select().where(fk == person.id).count()
        if count:
            counts[fk.model._meta.table_name] = counts.get(fk.model._meta.table_name, 0) + count
    return counts


def merge(kept: Person, duplicate: Person, *, actor: User | None) -> dict[str, int]:
    """Move everything of `duplicate` to `kept` and remove the duplicate; {table: rows moved}."""
    if kept.id == duplicate.id or kept.association_id != duplicate.association_id:
        raise MergeError(_l("Choose two different people of this association."))
    if kept.user_id and duplicate.user_id and kept.user_id != duplicate.user_id:
        raise MergeError(_l("Both entries have an account of their own. Keep the entry with the account the "
                            "person uses, and disable the other account first."))  # fmt: skip
    moved: dict[str, int] = {}
    with transaction():
        for fk in references_to_person():
            _drop_repeats(fk, kept.id, duplicate.id)
            count = fk.model.update({fk: kept.id}).where(fk == duplicate.id).execute()
            if count:
                moved[fk.model._meta.table_name] = moved.get(fk.model._meta.table_name, 0) + count
        filled = {name: getattr(duplicate, name) for name in FILLED if not getattr(kept, name)
                  and getattr(duplicate, name)}  # fmt: skip
        if not kept.user_id and duplicate.user_id:
            filled["user"] = duplicate.user_id
        Person.update(user=None).where(Person.id == duplicate.id).execute()
        if filled:
            Person.update(**filled).where(Person.id == kept.id).execute()
        Person.delete().where(Person.id == duplicate.id).execute()
        audit(
            "exchange.people_merged",
            actor=actor,
            association=kept.association,
            target=f"person {kept.id}",
            kept=kept.id,
            merged=duplicate.id,
            merged_name=duplicate.full_name,
            merged_email=duplicate.email,
            moved=moved,
            filled=sorted(name for name in filled if name != "personal_id"),
        )
    return moved


def _drop_repeats(fk: pw.ForeignKeyField, kept_id: int, duplicate_id: int) -> None:
    """Rows of the duplicate that would repeat one of the kept person's under a unique index (the same
    contract's party twice) state the same fact: they go before the rest move."""
    model = fk.model
    for columns in _unique_sets(model):
        if fk.name not in columns:
            continue
        others = [model._meta.fields[name] for name in columns if name != fk.name]
        if not others:  # one row per person (settings of a kind): the kept person's stays
            if model.select().where(fk == kept_id).exists():
                model.delete().where(fk == duplicate_id).execute()
            continue
        Kept = model.alias()
        same = pw.Value(True)
        for field in others:
            same &= getattr(Kept, field.name) == field
        repeated = Kept.select(Kept.id).where((getattr(Kept, fk.name) == kept_id) & same)
        model.delete().where((fk == duplicate_id) & pw.fn.EXISTS(repeated)).execute()


def _unique_sets(model) -> list[tuple[str, ...]]:
    sets = [tuple(index[0]) for index in model._meta.indexes if isinstance(index, tuple) and index[1]]
    sets += [(field.name,) for field in model._meta.sorted_fields if field.unique]
    return sets
