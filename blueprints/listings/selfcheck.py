"""The board's self-check (L5): every data problem a seeker would meet, each with where to fix it, as
DanmarkBolig's guide asks a landlord to check its own listings (seed 001).

Read in two queries however many homes: the vacancies not ended (with unit, department, whether someone lives
there and how many photos), and the association's routes. Route checks come from the job
(jobs/listing_checks.py), never from loading this page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from blueprints.listings import vacancies
from models.listings import SeekerRoute, Vacancy, VacancyPhoto
from models.register import Building, Unit

KINDS = ("let", "no_rent", "no_accessibility", "no_route", "route_failed", "no_photo")
SHOWN_PER_KIND = 100  # a long list of one kind says enough; the count tells the rest


@dataclass
class Found:
    """The problems of one kind: the rows to show and how many there are in all."""

    kind: str
    rows: list = field(default_factory=list)
    total: int = 0

    def add(self, row) -> None:
        self.total += 1
        if len(self.rows) < SHOWN_PER_KIND:
            self.rows.append(row)


@dataclass(frozen=True)
class MissingRoute:
    building: Building
    housing_type: str
    homes: int


def live_vacancies(association, today: dt.date) -> list[Vacancy]:
    """The vacancies not ended on `today` of active units, each with .unit, .unit.building, .is_let and
    .photo_count: one query."""
    photos = (
        VacancyPhoto.select(pw.fn.COUNT(VacancyPhoto.id)).where(VacancyPhoto.vacancy == Vacancy.id).alias("photo_count")
    )
    is_let = pw.Case(None, [(Unit.id.in_(vacancies.lived_in(today)), 1)], 0).alias("is_let")
    return list(
        Vacancy.of(association)
        .select(Vacancy, Unit, Building, is_let, photos)
        .join(Unit)
        .join(Building)
        .where(Vacancy.listed_on(today) & Unit.archived_at.is_null())
        .order_by(*Unit.natural_order(), Vacancy.move_in, Vacancy.id)
    )


def problems(association, today: dt.date) -> dict[str, Found]:
    """Every problem found, by kind (KINDS order); a kind without problems has total 0."""
    found = {kind: Found(kind) for kind in KINDS}
    routes = list(
        SeekerRoute.of(association)
        .select(SeekerRoute, Building)
        .join(Building, pw.JOIN.LEFT_OUTER)
        .order_by(SeekerRoute.id)
    )
    missing: dict[tuple[int, str], list] = {}
    for vacancy in live_vacancies(association, today):
        if vacancy.is_let:
            found["let"].add(vacancy)
            continue  # not listed: the rest would not reach a seeker
        if vacancy.rent <= 0 or vacancy.move_in is None:
            found["no_rent"].add(vacancy)
        if not vacancy.unit.accessibility.strip():
            found["no_accessibility"].add(vacancy)
        if not vacancy.photo_count:
            found["no_photo"].add(vacancy)
        if vacancies.route_for(routes, vacancy.unit.building_id, vacancy.housing_type) is None:
            key = (vacancy.unit.building_id, vacancy.housing_type)
            missing.setdefault(key, [vacancy.unit.building, 0])[1] += 1
    for (_building_id, housing_type), (building, homes) in missing.items():
        found["no_route"].add(MissingRoute(building, housing_type, homes))
    for route in routes:
        if route.kind == SeekerRoute.WEBSITE and route.check_status:
            found["route_failed"].add(route)
    return found


def problem_count(found: dict[str, Found]) -> int:
    return sum(kind.total for kind in found.values())
