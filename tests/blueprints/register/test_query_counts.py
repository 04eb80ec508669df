"""The unit list, its search and the home page's "My units" cost the same queries however many units there are."""

from __future__ import annotations

import pytest

from models import Person
from models.register import Building, Ownership, Unit
from tests.factories.register import person_row


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return int(response.headers["X-Query-Count"])


def add_units(alpha, start: int, count: int) -> None:
    """`count` units, each with its own owner, in bulk."""
    building = Building.get_or_create(association=alpha, name="House A")[0]
    role = alpha.role("member")
    Person.insert_many(
        [person_row(alpha, "Owner", f"No{i}", role=role.id) for i in range(start, start + count)]
    ).execute()
    Unit.insert_many(
        [
            dict(association=alpha.id, building=building.id, number=str(i), share_numerator=1, share_denominator=1000)
            for i in range(start, start + count)
        ]
    ).execute()
    people = {p.surname: p.id for p in Person.of(alpha).where(Person.surname.startswith("No"))}
    units = {u.number: u.id for u in Unit.of(alpha)}
    Ownership.insert_many(
        [dict(unit=units[str(i)], person=people[f"No{i}"], is_main=True) for i in range(start, start + count)]
    ).execute()


@pytest.mark.parametrize(
    "path", ["/alpha/units", "/alpha/units?q=1", "/alpha/units?q=Owner+No1", "/alpha/units?page=2"]
)
def test_unit_list_and_search_queries_are_constant(client, alpha, login_as, path):
    login_as("board")
    add_units(alpha, 1, 55 if "page=2" in path else 5)  # page 2 needs more than 50 units
    few = queries(client, path)
    add_units(alpha, 56, 150)
    many = queries(client, path)
    assert many == few
    assert many <= 6
    assert queries(client, path, headers={"HX-Request": "true"}) == many


def test_search_filters_by_unit_number_and_owner_name(client, alpha, login_as):
    login_as("board")
    add_units(alpha, 1, 60)
    page = client.get("/alpha/units?q=No42", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert page.startswith('<div id="unit-list"') and ">42<" in page and ">41<" not in page
    page = client.get("/alpha/units?q=5").get_data(as_text=True)
    assert ">5<" in page and ">15<" in page and ">16<" not in page
    page = client.get("/alpha/units").get_data(as_text=True)
    assert "Page 1 of 2" in page and ">50<" in page and ">51<" not in page
    assert ">51<" in client.get("/alpha/units?page=2").get_data(as_text=True)


def test_home_page_my_units_costs_one_query(client, alpha, make_user, login, make_unit, make_owner):
    user = make_user(alpha, "owner@example.com", "member")
    login(client, "owner@example.com")
    # The session, its user and memberships, and the domains' panels in one query
    # (tests/blueprints/portal/test_query_counts.py).
    baseline = 2
    me = Person.get(Person.user == user)
    for number in range(1, 6):
        unit = make_unit(alpha, str(number))
        make_owner(unit, me, share=(1, 2))
        make_owner(
            unit,
            Person.create(association=alpha, given_name="Co", surname=f"Owner{number}"),
            share=(1, 2),
            is_main=False,
        )
    assert queries(client, "/alpha/") == baseline + 1
