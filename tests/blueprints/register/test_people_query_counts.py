"""The people list and the member list cost the same number of queries however long they grow."""

import pytest


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"])


def add_households(alpha, make_person, make_unit, make_owner, make_resident, make_user, start, n):
    for i in range(start, start + n):
        owner = make_person(alpha, given_name="Owner", surname=f"Ow{i:03}", email=f"o{i}@example.com")
        unit = make_unit(alpha, f"{i}")
        make_owner(unit, owner, is_main=False)
        make_resident(unit, make_person(alpha, given_name="Tenant", surname=f"Te{i:03}", phone_mobile=f"070-{i:03}"))
        make_user(alpha, f"u{i}@example.com", "tenant")


@pytest.mark.parametrize(
    "path", ["/alpha/people", "/alpha/people?q=ow", "/alpha/members", "/alpha/people.csv", "/alpha/admin/registrations"]
)
def test_list_query_count_is_constant(
    client, alpha, login_as, make_person, make_unit, make_owner, make_resident, make_user, path
):
    login_as("board")
    add_households(alpha, make_person, make_unit, make_owner, make_resident, make_user, 1, 3)
    few = queries(client, path)
    add_households(alpha, make_person, make_unit, make_owner, make_resident, make_user, 100, 40)
    assert queries(client, path) == few
    assert few <= 5


def test_people_page_is_paginated(
    client, alpha, login_as, make_person, make_unit, make_owner, make_resident, make_user
):
    login_as("board")
    add_households(alpha, make_person, make_unit, make_owner, make_resident, make_user, 1, 30)
    first = client.get("/alpha/people").get_data(as_text=True)
    assert "Next page" in first and first.count('class="person-row"') == 50
    second = client.get("/alpha/people?page=2").get_data(as_text=True)
    assert "Previous page" in second and "Next page" not in second
    assert second.count('class="person-row"') == 30 * 3 + 1 - 50  # owners, tenants, users, the board


def test_person_details_need_a_fixed_number_of_queries(client, login_as, alpha, make_person):
    login_as("board")
    person = make_person(alpha, email="x@example.com")
    assert queries(client, f"/alpha/people/{person.id}", **{"HX-Request": "true"}) <= 6
