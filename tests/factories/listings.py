"""Vacancies and the seeker's routes."""

from __future__ import annotations

import datetime as dt

from models.listings import SeekerRoute, Vacancy, VacancyText
from models.register import Unit


def make_vacancy(unit: Unit, rent: int = 650_000, move_in: dt.date = dt.date(2027, 1, 1), **fields) -> Vacancy:
    """A family home listed from `move_in`, with an English description."""
    description = fields.pop("description", "A bright home near the park.")
    vacancy = Vacancy.create(association=unit.association_id, unit=unit, rent=rent, move_in=move_in, **fields)
    VacancyText.create(vacancy=vacancy, language="en", description=description)
    return vacancy


def make_route(association, kind: str = SeekerRoute.FORM, **fields) -> SeekerRoute:
    defaults = {"email": "letting@example.org"} if kind == SeekerRoute.FORM else {}
    defaults.update(fields)
    return SeekerRoute.create(association=association, kind=kind, **defaults)


def make_applicant(association, name: str = "Ada Applicant", seniority_on: dt.date = dt.date(2020, 1, 1), **fields):
    """A confirmed, active applicant on the waiting list wishing family homes (each field overridable)."""
    from models.listings import Applicant

    values = {
        "email": f"{name.split()[0].lower()}-{Applicant.select().count() + 1}@applicant.example",
        "birth_date": dt.date(1990, 5, 17),
        "housing_types": Vacancy.FAMILY,
        "status": Applicant.ACTIVE,
        "pseudonym": f"A-{Applicant.select().count() + 1:06d}",
    }
    values.update(fields)
    return Applicant.create(association=association, name=name, seniority_on=seniority_on, **values)
