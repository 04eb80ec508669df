"""The home page's "My units" panel (P9): the user's units, the share and the co-owners."""

from __future__ import annotations

import datetime as dt

from models import Person
from models.register import Residency, Unit


def test_my_units_lists_owned_and_rented_units_with_co_owners(
    client, alpha, make_user, login, make_unit, make_owner, make_resident, make_person
):
    user = make_user(alpha, "owner@example.com", "member")
    me = Person.get(Person.user == user)
    flat = make_unit(alpha, "12", share=(6542, 100000))
    make_owner(flat, me, share=(1, 2))
    make_owner(flat, make_person(alpha, given_name="Olle", surname="Berg"), share=(1, 2), is_main=False)
    garage = make_unit(alpha, "G3", share=(100, 100000), kind=Unit.GARAGE)
    make_resident(garage, me, role=Residency.TENANT)
    sold = make_unit(alpha, "99")
    make_owner(sold, me, started_on=dt.date(2000, 1, 1), ended_on=dt.date(2020, 1, 1))
    make_unit(alpha, "77")

    login(client, "owner@example.com")
    page = client.get("/alpha/").get_data(as_text=True)
    assert "My units" in page
    assert f'href="/alpha/units/{flat.id}"' in page and "6542/100000" in page and "you own 1/2" in page
    assert "co-owners: Olle Berg" in page
    assert f'href="/alpha/units/{garage.id}"' in page and "you live here" in page
    # Each unit named by its kind; a tenant is not shown the owners' share (issue 17, items 8 and 9).
    assert "Flat 12" in page and "Garage G3" in page and "Apartment" not in page
    assert "100/100000" not in page
    assert "Flat 99" not in page and "Flat 77" not in page


def test_no_panel_without_units(client, login_as):
    login_as("member")
    assert "My units" not in client.get("/alpha/").get_data(as_text=True)
