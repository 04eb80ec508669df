"""The board's self-check (L5) finds each problem kind planted here, is clean once they are fixed, and costs
the same queries for 5 listed units as for 30."""

from __future__ import annotations

import datetime as dt

from models.listings import SeekerRoute, Vacancy, VacancyPhoto
from models.register import Unit
from tests.blueprints.billing.test_invoicing import count_queries
from tests.blueprints.listings import board_world
from tests.factories.listings import make_route, make_vacancy
from tests.factories.register import make_unit

listing_world, board = board_world.listing_world, board_world.board  # fixtures

HEADINGS = {
    "let": "Vacant but let: someone lives in the unit",
    "no_rent": "No rent or move-in day",
    "no_accessibility": "Accessibility not registered",
    "no_route": "No way on for seekers",
    "route_failed": "A website route answers with an error",
    "no_photo": "Listed without a photo",
}


def with_photo(vacancy):
    VacancyPhoto.create(vacancy=vacancy, stored_name="home-" + "0" * 32 + "-4x4.jpg", width=4, height=4)
    return vacancy


def test_each_planted_problem_is_found_and_the_page_is_clean_when_fixed(board, listing_world):
    w = listing_world
    Unit.update(accessibility="step_free").where(Unit.id.in_([w.free.id, w.let.id])).execute()
    good = with_photo(make_vacancy(w.free, move_in=dt.date(2027, 3, 1)))
    let = with_photo(make_vacancy(w.let, move_in=dt.date(2027, 3, 1)))  # someone lives there
    bare = make_vacancy(w.south_unit, rent=0, move_in=dt.date(2027, 3, 1), housing_type=Vacancy.YOUTH)
    general = make_route(w.alpha, SeekerRoute.FORM, housing_type=Vacancy.FAMILY)
    broken = make_route(
        w.alpha, SeekerRoute.WEBSITE, building=w.north, housing_type=Vacancy.SENIOR, url="https://gone.example/",
        check_status="HTTP 404", checked_at=dt.datetime(2027, 3, 1, 4, 0),
    )  # fmt: skip
    page = board.get("/alpha/board/selfcheck").get_data(as_text=True)
    for heading in HEADINGS.values():
        assert heading in page, heading
    section = {kind: page.split(HEADINGS[kind], 1)[1].split("</section>", 1)[0] for kind in HEADINGS}
    assert "Flat N2" in section["let"] and f"/alpha/board/vacancies/{let.id}/end" in section["let"]
    assert "Flat S1" in section["no_rent"] and "Flat N1" not in section["no_rent"]
    assert "Flat S1" in section["no_accessibility"] and "Flat N1" not in section["no_accessibility"]
    assert "South House" in section["no_route"] and "Youth home" in section["no_route"]
    assert "HTTP 404" in section["route_failed"] and f"/alpha/board/routes/{broken.id}" in section["route_failed"]
    assert "Flat S1" in section["no_photo"] and "Flat N1" not in section["no_photo"]
    assert "No problems found." not in page

    # Fix everything.
    Vacancy.update(ends_on=w.today - dt.timedelta(days=1)).where(Vacancy.id == let.id).execute()
    Vacancy.update(rent=500_000).where(Vacancy.id == bare.id).execute()
    Unit.update(accessibility="lift").where(Unit.id == w.south_unit.id).execute()
    with_photo(bare)
    SeekerRoute.update(housing_type="").where(SeekerRoute.id == general.id).execute()
    SeekerRoute.update(check_status="").where(SeekerRoute.id == broken.id).execute()
    page = board.get("/alpha/board/selfcheck").get_data(as_text=True)
    assert "No problems found." in page
    assert not any(heading in page for heading in HEADINGS.values())
    assert good.id  # still listed, with nothing wrong


def test_an_empty_association_has_no_problems(board, listing_world):
    assert "No problems found." in board.get("/alpha/board/selfcheck").get_data(as_text=True)


def test_the_self_check_costs_the_same_queries_for_5_and_30_units(board, listing_world):
    w = listing_world
    make_route(w.alpha, SeekerRoute.WEBSITE, url="https://x.example/", check_status="no answer",
               checked_at=dt.datetime(2027, 3, 1))  # fmt: skip

    def grow(start, count):
        for n in range(start, start + count):
            make_vacancy(make_unit(w.alpha, f"X{n}", building=w.south), rent=0, move_in=dt.date(2027, 3, 1))

    def visit():
        assert board.get("/alpha/board/selfcheck").status_code == 200

    grow(0, 5)
    few = count_queries(visit)
    grow(5, 25)
    many = count_queries(visit)
    assert few == many
