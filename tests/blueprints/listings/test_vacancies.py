"""The listing rules: a let unit is not listed, the end date removes a vacancy, archived units never show,
and the most specific route wins."""

import datetime as dt

from blueprints.listings import vacancies
from models.listings import SeekerRoute, Vacancy
from models.register import Unit
from tests.factories.listings import make_route, make_vacancy
from tests.factories.portal import make_association
from tests.factories.register import make_building, make_person, make_resident, make_unit


def listed_units(day):
    query = Vacancy.select(Unit.number).join(Unit).where(vacancies.listed(day)).order_by(Unit.number)
    return [number for (number,) in query.tuples()]


def test_a_let_unit_an_ended_vacancy_and_an_archived_unit_are_not_listed(app):
    association = make_association()
    free, let, ended, closed = (make_unit(association, n) for n in ("1", "2", "3", "4"))
    for unit in (free, let, closed):
        make_vacancy(unit)
    make_vacancy(ended, ends_on=dt.date(2026, 12, 31))
    make_resident(let, make_person(association), start_date=dt.date(2026, 1, 1))
    Unit.update(archived_at=dt.datetime(2026, 6, 1)).where(Unit.id == closed.id).execute()
    assert listed_units(dt.date(2026, 12, 31)) == ["1", "3"]
    assert listed_units(dt.date(2027, 1, 1)) == ["1"]
    assert vacancies.refusal(let, dt.date(2026, 12, 1)).code == "let"
    assert vacancies.refusal(Unit.get_by_id(closed.id), dt.date(2026, 12, 1)).code == "archived"
    assert vacancies.refusal(free, dt.date(2026, 12, 1)) is None


def test_the_most_specific_route_wins(app):
    association = make_association()
    north, south = make_building(association, "North"), make_building(association, "South")
    general = make_route(association, SeekerRoute.PHONE, phone="+45 70 00 00 00")
    youth = make_route(association, SeekerRoute.WEBSITE, housing_type=Vacancy.YOUTH, url="https://example.org/youth")
    department = make_route(association, SeekerRoute.FORM, building=north)
    routes = [general, youth, department]
    assert vacancies.route_for(routes, south.id, Vacancy.FAMILY) == general
    assert vacancies.route_for(routes, south.id, Vacancy.YOUTH) == youth
    assert vacancies.route_for(routes, north.id, Vacancy.YOUTH) == department
    assert vacancies.route_for([], north.id, Vacancy.YOUTH) is None
