"""The public search of vacant homes: each filter and several together, in the database (both backends),
as a plain GET and as an htmx swap, bad values noted and ignored, sorting, paging and a constant number of
queries however many homes match."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models.listings import Vacancy
from models.register import Building, Unit
from tests.blueprints.listings.public_world import add_photo, home, world
from tests.factories.register import make_building


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def found(client, query="", slug="alpha", **headers):
    """The listed homes' ids on the search page for `query`, in the order shown."""
    response = client.get(f"/{slug}/homes?{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    return [int(i) for i in re.findall(rf'href="/{slug}/homes/(\d+)"', html)], html


@pytest.fixture
def homes(app):
    return world()


def ids(homes, *names):
    return [homes.homes[name].id for name in names]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["small", "senior", "family", "middle"]),
        ("region=Syddanmark", ["senior", "middle"]),
        ("municipality=Aarhus", ["small", "family"]),
        ("rent_min=6500", ["senior", "family", "middle"]),
        ("rent_max=6500", ["small", "senior"]),
        ("rooms_min=3", ["family", "middle"]),
        ("rooms_max=2", ["small", "senior"]),
        ("area_min=70&area_max=80", ["middle"]),
        ("move_in_before=2027-02-15", ["small", "senior"]),
        ("type=youth&type=senior", ["small", "senior"]),
        ("access=step_free", ["small", "senior"]),
        ("access=step_free&access=wheelchair", ["senior"]),
        ("access=lift", ["senior"]),
        ("pets=1", ["family"]),
        ("scheme=students", ["small"]),
        ("scheme=students&scheme=seniors", ["small", "senior"]),
        ("wait_max=6", ["small", "senior"]),
        ("access=step_free&rooms_min=2&rent_max=7000&municipality=Odense", ["senior"]),
        ("region=Midtjylland&pets=1&wait_max=6", []),
    ],
)
def test_each_filter_and_combinations(client, homes, query, expected):
    shown, _ = found(client, query)
    assert shown == ids(homes, *expected)
    assert homes.homes["let"].id not in shown


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("rent", ["small", "senior", "middle", "family"]),
        ("area", ["family", "middle", "senior", "small"]),
        ("wait", ["small", "senior", "middle", "family"]),
        ("move_in", ["small", "senior", "family", "middle"]),
    ],
)
def test_sorting(client, homes, sort, expected):
    assert found(client, f"sort={sort}")[0] == ids(homes, *expected)


def test_the_page_works_without_javascript_and_htmx_swaps_only_the_results(client, homes):
    shown, page = found(client, "rooms_min=3")
    assert "<form" in page and 'method="get"' in page and 'hx-push-url="true"' in page
    assert "2 homes" in page
    part = client.get("/alpha/homes?rooms_min=3", headers={"HX-Request": "true"})
    html = part.get_data(as_text=True)
    assert part.status_code == 200 and "HX-Request" in part.headers["Vary"]
    assert html.lstrip().startswith('<div id="results">') and "<form" not in html and "2 homes" in html


def test_a_result_shows_the_home_in_words(client, homes):
    _, page = found(client, "scheme=seniors")
    assert "Sydvej 9, 5000 Odense" in page
    assert "Senior home, 2 rooms, 60 m²" in page
    assert "6,500.00" in page and "SEK" in page  # rent in the association's currency
    assert "Step-free entrance" in page and "Wheelchair accessible" in page and "Lift" in page
    assert "Flexible letting: Seniors" in page and "expected wait 6 months" in page


def test_bad_values_are_noted_and_ignored(client, homes):
    shown, page = found(client, "rent_max=cheap&rooms_min=-1&move_in_before=soon&type=castle&sort=price&page=x")
    assert shown == ids(homes, "small", "senior", "family", "middle")
    assert "Rent up to: “cheap” is not a number" in page
    assert "Move-in before: “soon” is not a date" in page
    assert "Housing type: “castle” is not a choice" in page
    assert "sorted by move-in date" in page
    huge = client.get("/alpha/homes?rent_max=99999999999999999999999&area_min=1e400&wait_max=NaN")
    assert huge.status_code == 200


def test_empty_state_hints_to_widen_the_search(client, homes):
    _, page = found(client, "rooms_min=9")
    assert "0 homes" in page and "Try a wider rent or area range" in page


def test_pages_of_twenty(client, app):
    made = world()
    for n in range(30):
        home(made.association, made.north, f"P{n}", move_in=dt.date(2028, 1, 1) + dt.timedelta(days=n))
    first, page = found(client)
    assert len(first) == 20 and "34 homes" in page and 'href="/alpha/homes?page=2"' in page
    second, _ = found(client, "page=2")
    assert len(second) == 14 and not set(first) & set(second)
    beyond, page = found(client, "page=9")
    assert beyond == [] and "34 homes" in page


def test_queries_do_not_grow_with_the_homes(client, app):
    made = world()

    def count(query=""):
        response = client.get(f"/alpha/homes?{query}")
        assert response.status_code == 200
        return int(response.headers["X-Query-Count"])

    def add(n):
        for i in range(n):
            vacancy = home(made.association, made.south, f"Q{Vacancy.select().count()}-{i}", accessibility="step_free")
            add_photo(app, vacancy)
            add_photo(app, vacancy, position=1)

    add(1)  # with the world's four: 5 vacancies
    few = (count(), count("access=step_free&rooms_min=1"), count("sort=rent"))
    add(35)  # 40
    many = (count(), count("access=step_free&rooms_min=1"), count("sort=rent"))
    assert few == many
    assert many[0] <= 8


def test_install_wide_search_covers_every_association(client, app):
    alpha = world("alpha")
    beta = world("beta", name="Beta Homes")
    response = client.get("/homes?rooms_min=4")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/alpha/homes/{alpha.homes["family"].id}"' in html
    assert f'href="/beta/homes/{beta.homes["family"].id}"' in html
    assert "Beta Homes" in html and "2 homes" in html
    only_beta = client.get("/homes?rooms_min=4&association=beta").get_data(as_text=True)
    assert "1 home" in only_beta and "/alpha/homes/" not in only_beta.split('id="results"')[1]


def test_an_association_page_shows_only_its_own_homes(client, app):
    world("alpha")
    beta = world("beta")
    shown, _ = found(client, "association=alpha", slug="beta")
    assert sorted(shown) == sorted(ids(beta, "small", "senior", "family", "middle"))


def test_a_change_in_the_register_changes_what_the_search_finds(client, alpha, login_as):
    """The search reads the vacancy's copies of its unit's and building's facts: the unit form, the bulk edit,
    the building form and archiving all reach them, and a vacancy saved from an old copy in memory cannot
    write stale facts back (the database keeps them, migration 0021)."""
    login_as("board")
    north = make_building(alpha, "North", municipality="Aarhus", region="Midtjylland")
    south = make_building(alpha, "South", municipality="Odense", region="Syddanmark")
    vacancy = home(alpha, north, "7", rooms=1, area="40", rent=500_000, move_in=dt.date(2027, 1, 1))
    stale = Vacancy.get_by_id(vacancy.id)
    assert found(client, "rooms_min=3")[0] == [] and found(client, "municipality=Aarhus")[0] == [vacancy.id]

    form = {"building": str(south.id), "number": "7", "kind": "flat", "share": "1/10", "rooms": "3", "area": "81,5"}
    response = client.submit(f"/alpha/units/{vacancy.unit_id}/edit", {**form, "accessibility": ["step_free"]})
    assert response.status_code == 302
    assert found(client, "rooms_min=3&area_min=80&access=step_free&region=Syddanmark")[0] == [vacancy.id]
    assert found(client, "municipality=Aarhus")[0] == []

    stale.save()  # an old copy of the vacancy written back: the unit's facts stay the unit's
    assert found(client, "rooms_min=3&municipality=Odense")[0] == [vacancy.id]

    data = {"unit": [str(vacancy.unit_id)], "change": "rooms", "number": "5"}
    assert client.submit("/alpha/board/units/bulk", data, form_page="/alpha/units").status_code == 302
    assert found(client, "rooms_min=5")[0] == [vacancy.id]

    building_form = {"name": "South", "street": "Sydvej 9", "postcode": "4000", "municipality": "Roskilde"}
    response = client.submit(f"/alpha/buildings/{south.id}/edit", {**building_form, "region": "Sjælland"})
    assert response.status_code == 302 and Building.get_by_id(south.id).municipality == "Roskilde"
    shown, html = found(client, "municipality=Roskilde&region=Sj%C3%A6lland")
    assert shown == [vacancy.id] and ">Roskilde</option>" in html and ">Odense</option>" not in html

    client.submit(f"/alpha/units/{vacancy.unit_id}/archive", {}, form_page=f"/alpha/units/{vacancy.unit_id}/delete")
    assert Unit.get_by_id(vacancy.unit_id).archived_at is not None
    assert found(client)[0] == [] and ">Roskilde</option>" not in found(client)[1]
