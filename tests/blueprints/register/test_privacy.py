"""Residents see exactly their own unit (R5, R6, seed 003): by URL, by htmx partial, across associations."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Person
from models.register import Residency, Unit

HTMX = {"HX-Request": "true"}


def person(user) -> Person:
    return Person.get(Person.user == user)


@pytest.fixture
def two_units(alpha, make_unit):
    return make_unit(alpha, "A1", share=(1, 2)), make_unit(alpha, "B2", share=(1, 2))


def test_a_member_sees_the_unit_list_without_contact_data(client, alpha, login_as, two_units, make_person, make_owner):
    owner = make_person(
        alpha, given_name="Anna", surname="Berg", email="anna@example.com", phone_mobile="+46 70 111 22 33"
    )
    make_owner(two_units[1], owner)
    login_as("member")
    page = client.get("/alpha/units").get_data(as_text=True)
    assert "A1" in page and "B2" in page and "1/2" in page
    assert "Anna Berg" in page  # members may see owners (ownership.view) ...
    assert "anna@example.com" not in page and "111 22 33" not in page  # ... but not how to reach them
    assert "/units/export.csv" not in page
    assert client.get("/alpha/units/export.csv").status_code == 403


def test_a_tenant_of_one_unit_cannot_open_another_unit_or_its_file(client, alpha, login_as, two_units, make_resident):
    mine, theirs = two_units
    tenant = login_as("tenant")
    make_resident(mine, person(tenant))
    assert client.get(f"/alpha/units/{mine.id}").status_code == 200
    assert client.get(f"/alpha/units/{mine.id}/file").status_code == 200
    assert client.get(f"/alpha/units/{mine.id}/file", headers=HTMX).status_code == 200
    # Another member's unit is a 404, as if it did not exist: a 403 would tell an outsider the id is real.
    for path in (f"/alpha/units/{theirs.id}", f"/alpha/units/{theirs.id}/file"):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers=HTMX).status_code == 404, path
    assert client.get("/alpha/units").status_code == 403  # tenants have no unit list


def test_the_unit_file_is_shown_to_the_household_but_not_to_the_neighbour(
    client, alpha, login_as, two_units, make_resident, make_person, make_owner, new_client, login, make_user
):
    from models.register import UnitFileEntry

    mine, theirs = two_units
    UnitFileEntry.create(unit=mine, happened_on=dt.date(2026, 1, 10), kind="repair", text="Bathroom fan replaced")
    household = make_user(alpha, "kid@example.com", "tenant")
    make_resident(mine, person(household), role=Residency.HOUSEHOLD)
    neighbour = make_user(alpha, "neighbour@example.com", "member")
    make_owner(theirs, person(neighbour))

    login(client, "kid@example.com")
    assert "Bathroom fan replaced" in client.get(f"/alpha/units/{mine.id}/file", headers=HTMX).get_data(as_text=True)
    other = new_client()
    login(other, "neighbour@example.com")
    assert other.get(f"/alpha/units/{mine.id}/file", headers=HTMX).status_code == 404
    assert "Bathroom fan replaced" not in other.get(f"/alpha/units/{theirs.id}").get_data(as_text=True)


def test_a_board_member_of_another_association_cannot_reach_this_register(
    client, alpha, make_association, make_user, login, two_units
):
    beta = make_association("beta")
    make_user(beta, "board@beta.example", "board")
    login(client, "board@beta.example")
    unit = two_units[0]
    for path in ("/alpha/units", f"/alpha/units/{unit.id}", f"/alpha/units/{unit.id}/file", "/alpha/buildings"):
        assert client.get(path).status_code == 403, path
    # Through their own association's address alpha's rows do not exist.
    for path in (f"/beta/units/{unit.id}", f"/beta/units/{unit.id}/history", f"/beta/units/{unit.id}/edit"):
        assert client.get(path).status_code == 404, path
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/beta/units/{unit.id}/archive").status_code == 404
    assert Unit.get_by_id(unit.id).archived_at is None


def test_a_tenant_only_views_and_an_owner_adds_a_household_member(
    client, alpha, two_units, make_user, make_resident, make_owner, login, new_client
):
    unit = two_units[0]
    tenant = make_user(alpha, "t@example.com", "tenant")
    make_resident(unit, person(tenant))
    owner = make_user(alpha, "o@example.com", "member")
    make_owner(unit, person(owner))

    login(client, "t@example.com")
    page = client.get(f"/alpha/units/{unit.id}").get_data(as_text=True)
    assert "Add a resident" not in page
    assert client.get(f"/alpha/units/{unit.id}/residents/new").status_code == 403
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/alpha/units/{unit.id}/residents/count", data={"resident_count": "9"}).status_code == 403
    client.application.config["WTF_CSRF_ENABLED"] = True

    owner_client = new_client()
    login(owner_client, "o@example.com")
    response = owner_client.submit(
        f"/alpha/units/{unit.id}/residents/new",
        {"name": "Lisa Berg", "email": "lisa@example.com", "role": "household", "start_date": "2026-01-01"},
    )
    assert response.status_code == 302
    lisa = Residency.select().join(Person).where(Person.email == "lisa@example.com").get()
    assert (lisa.role, lisa.start_date, lisa.end_date) == ("household", dt.date(2026, 1, 1), None)
    response = owner_client.submit(
        f"/alpha/units/{unit.id}/residents/count", {"resident_count": "3"}, form_page=f"/alpha/units/{unit.id}"
    )
    assert response.status_code == 302
    assert Unit.get_by_id(unit.id).resident_count == 3
    response = owner_client.submit(
        f"/alpha/units/{unit.id}/residents/count", {"resident_count": "-1"}, form_page=f"/alpha/units/{unit.id}"
    )
    assert response.status_code == 422 and "Give a number from 0 to 50." in response.get_data(as_text=True)
    assert Unit.get_by_id(unit.id).resident_count == 3
