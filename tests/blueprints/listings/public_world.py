"""Homes for the public pages' tests: an association with two departments in two municipalities and vacant
homes of every kind the filters tell apart, plus the people who must never show."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from PIL import Image

from core import images
from models.listings import SeekerRoute, Vacancy, VacancyPhoto
from models.portal import Association
from models.register import Building, Unit
from tests.factories.listings import make_route, make_vacancy
from tests.factories.portal import make_association
from tests.factories.register import make_building, make_person, make_resident, make_unit

PHOTO_FOLDER = "listings"


@dataclass
class World:
    association: Association
    north: Building
    south: Building
    homes: dict[str, Vacancy] = field(default_factory=dict)


def home(association, building, number, *, rooms=3, area="72", accessibility="", **vacancy) -> Vacancy:
    unit = make_unit(association, number, building=building, rooms=rooms, area=area, accessibility=accessibility)
    return make_vacancy(unit, **vacancy)


def world(slug: str = "alpha", **association_fields) -> World:
    """Four listed homes in two municipalities of two regions, and one let home that must not show."""
    association = make_association(slug, **association_fields)
    north = make_building(
        association, "North", street="Nørregade 1", postcode="8000", municipality="Aarhus", region="Midtjylland"
    )
    south = make_building(
        association, "South", street="Sydvej 9", postcode="5000", municipality="Odense", region="Syddanmark"
    )
    made = World(association, north, south)
    made.homes["small"] = home(
        association,
        north,
        "1",
        rooms=1,
        area="35",
        rent=400_000,
        move_in=dt.date(2027, 1, 1),
        housing_type=Vacancy.YOUTH,
        schemes="students",
        waiting_months=2,
        accessibility="step_free",
    )
    made.homes["family"] = home(
        association,
        north,
        "2",
        rooms=4,
        area="95",
        rent=900_000,
        move_in=dt.date(2027, 3, 1),
        pets=True,
        waiting_months=24,
    )
    made.homes["senior"] = home(
        association,
        south,
        "3",
        rooms=2,
        area="60",
        rent=650_000,
        move_in=dt.date(2027, 2, 1),
        housing_type=Vacancy.SENIOR,
        accessibility="step_free wheelchair",
        lift=True,
        schemes="seniors combined",
        waiting_months=6,
    )
    made.homes["middle"] = home(
        association,
        south,
        "4",
        rooms=3,
        area="72",
        rent=700_000,
        move_in=dt.date(2027, 4, 1),
        waiting_months=12,
    )
    let = home(association, north, "5", rent=500_000, description="A let home, not shown.")
    tenant = make_person(association, "tenant.person@example.org", given_name="Tove", surname="Tenantsen")
    make_resident(let.unit, tenant, start_date=dt.date(2020, 1, 1))
    made.homes["let"] = let
    return made


def add_photo(app, vacancy: Vacancy, position: int = 0) -> VacancyPhoto:
    """A real stored photo of the vacancy, as the board's upload stores it."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    buffer.seek(0)
    with app.test_request_context():
        stored = images.store_image(
            buffer, vacancy.association, kind="home", max_size=(1600, 1600), folder=PHOTO_FOLDER
        )
    return VacancyPhoto.create(
        vacancy=vacancy, stored_name=stored.name, width=stored.width, height=stored.height, position=position
    )


def form_route(association, **fields) -> SeekerRoute:
    return make_route(association, SeekerRoute.FORM, **fields)


def archive(vacancy: Vacancy) -> None:
    Unit.update(archived_at=dt.datetime(2026, 1, 1)).where(Unit.id == vacancy.unit_id).execute()
