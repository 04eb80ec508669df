"""The bulk edit (seed 001, "masseredigering"): the board ticks units in the unit list and sets one thing for
all of them at once — an accessibility feature, rooms or floor on the units, or for their current vacancies
the housing type, lift, pets, a flexible-letting scheme or the expected wait.

Only the association's own active units are changed, whatever ids the form sends. Rows that would get the
value they already hold are not counted: the board reads how many really changed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from models.listings import Vacancy
from models.register import Unit

MAX_UNITS = 2000  # a whole association's units in one go; the form sends no more than a few pages


@dataclass(frozen=True)
class BulkResult:
    changed: int  # units or vacancies whose value changed
    on_vacancies: bool  # the change was to the units' current vacancies


def unit_ids(raw: list[str]) -> list[int]:
    """The ticked unit ids as whole numbers, each once (anything else a browser sends is dropped)."""
    seen: dict[int, None] = {}
    for value in raw[:MAX_UNITS]:
        if value.isascii() and value.isdigit():
            seen[int(value)] = None
    return list(seen)


def own_units(association, ids: list[int]) -> list[Unit]:
    """The association's active units among `ids` (another association's ids are ignored)."""
    if not ids:
        return []
    return list(Unit.active(association).where(Unit.id.in_(ids)).order_by(Unit.id))


def apply(association, units: list[Unit], change: str, number: int | None, today: dt.date) -> BulkResult:
    """Make `change` (a BulkForm choice) to these units or to their vacancies not ended by `today`."""
    key, _sep, value = change.partition(":")
    if key in ("accessibility+", "accessibility-"):
        return BulkResult(_set_words(Unit, Unit.accessibility, units, value, add=key.endswith("+")), False)
    if key in ("rooms", "floor"):
        return BulkResult(_set_value(Unit, getattr(Unit, key), units, number), False)
    vacancies = _current_vacancies(association, units, today)
    if key in ("scheme+", "scheme-"):
        return BulkResult(_set_words(Vacancy, Vacancy.schemes, vacancies, value, add=key.endswith("+")), True)
    if key == "housing_type":
        return BulkResult(_set_value(Vacancy, Vacancy.housing_type, vacancies, value), True)
    if key in ("lift", "pets"):
        return BulkResult(_set_value(Vacancy, getattr(Vacancy, key), vacancies, value == "1"), True)
    if key == "waiting_months":
        return BulkResult(_set_value(Vacancy, Vacancy.waiting_months, vacancies, number), True)
    raise ValueError(f"unknown bulk change {change!r}")


def _current_vacancies(association, units: list[Unit], today: dt.date) -> list[Vacancy]:
    if not units:
        return []
    return list(
        Vacancy.of(association)
        .where(Vacancy.unit.in_([u.id for u in units]) & Vacancy.listed_on(today))
        .order_by(Vacancy.id)
    )


def _set_value(model: type[pw.Model], field: pw.Field, rows: list, value) -> int:
    """One UPDATE for the rows whose value differs."""
    ids = [row.id for row in rows if getattr(row, field.name) != value]
    if ids:
        updates = {field: value}
        if model is Vacancy:
            updates[Vacancy.updated_at] = Vacancy.updated_at.default()
        model.update(updates).where(model.id.in_(ids)).execute()
    return len(ids)


def _set_words(model: type[pw.Model], field: pw.Field, rows: list, word: str, *, add: bool) -> int:
    """Add or remove one key in a space-separated field; one UPDATE per resulting value."""
    by_value: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        words = getattr(row, field.name).split()
        if add == (word in words):
            continue  # already there (or already gone)
        words = [*words, word] if add else [w for w in words if w != word]
        by_value[" ".join(words)].append(row.id)
    for value, ids in by_value.items():
        updates = {field: value}
        if model is Vacancy:
            updates[Vacancy.updated_at] = Vacancy.updated_at.default()
        model.update(updates).where(model.id.in_(ids)).execute()
    return sum(len(ids) for ids in by_value.values())
