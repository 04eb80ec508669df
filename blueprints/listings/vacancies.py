"""Which homes are vacant, and how a seeker reaches the landlord (L1, L2): the rules every listing page,
feed and the self-check share.

A vacancy is listed on a day when it has not ended, its unit is not archived, and nobody lives in the unit
then (a current Residency: the tenant and their household; in a landlord's register the residents are the
tenants). A vacancy whose unit has a tenant stays in the register but not on the public pages, and the
board's self-check names it.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from models.listings import SeekerRoute, Vacancy
from models.register import Residency, Unit


class VacancyRefusedError(ValueError):
    """A vacancy the board may not list: the unit is archived or has a tenant (the reason is the message)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def lived_in(day: dt.date) -> pw.SelectQuery:
    """The ids of the units someone lives in on `day` (a subquery)."""
    return Residency.select(Residency.unit).where(Residency.current(day))


def listed(day: dt.date) -> pw.Expression:
    """The rule a listed vacancy meets on `day`, on the vacancy alone (its copy of the unit's archived state;
    no join needed). Nobody living there is asked per vacancy (NOT EXISTS on the residency index of unit,
    start and end, answered from the index): NOT IN over every residency of a national register does not fit
    PostgreSQL's working memory and is checked row by row."""
    lived = Residency.select(Residency.id).where((Residency.unit == Vacancy.unit) & Residency.current(day))
    return Vacancy.listed_on(day) & (Vacancy.unit_archived == False) & ~pw.fn.EXISTS(lived)  # noqa: E712 (SQL)


def refusal(unit: Unit, day: dt.date) -> VacancyRefusedError | None:
    """Why this unit cannot be listed as vacant on `day`, or None."""
    if unit.archived_at is not None:
        return VacancyRefusedError("archived", "The unit is archived.")
    if Residency.select().where((Residency.unit == unit.id) & Residency.current(day)).exists():
        return VacancyRefusedError("let", "Someone lives in the unit: it is not vacant.")
    return None


def route_for(routes: list[SeekerRoute], building_id: int | None, housing_type: str) -> SeekerRoute | None:
    """The seeker's way on for a listing in `building_id` of `housing_type`, from the association's routes:
    the most specific that applies (department and type, department, type, the association's own)."""
    best, best_rank = None, -1
    for route in sorted(routes, key=lambda r: r.id):  # the same answer whatever order the database gave
        if route.building_id not in (None, building_id) or route.housing_type not in ("", housing_type):
            continue
        rank = (2 if route.building_id is not None else 0) + (1 if route.housing_type else 0)
        if rank > best_rank:
            best, best_rank = route, rank
    return best
