"""The member list (R6): names, units and shares for members; contacts and full ids only where allowed."""

import pytest

from models import Person


@pytest.fixture
def owners(alpha, make_person, make_unit, make_owner, make_resident):
    eva = make_person(
        alpha, given_name="Eva", surname="Lind", email="eva@example.com", phone_mobile="070-123 45 67",
        personal_id="19800101-1234",
    )  # fmt: skip
    olle = make_person(alpha, given_name="Olle", surname="Berg", email="olle@example.com")
    unit = make_unit(alpha, "12", share=(6542, 100000))
    make_owner(unit, eva, share=(1, 2), is_main=True)
    make_owner(unit, olle, share=(1, 2), is_main=False)
    tenant = make_person(alpha, given_name="Tina", surname="Tenant", email="tina@example.com")
    make_resident(make_unit(alpha, "14"), tenant)
    return eva


def test_a_member_sees_names_units_and_shares_without_contacts(client, login_as, owners):
    login_as("member")
    response = client.get("/alpha/members")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Lind Eva" in page and "Berg Olle" in page
    assert "Flat 12" in page and "6542/100000" in page and "1/2" in page
    assert "Tenant Tina" not in page  # tenants are not members
    assert "eva@example.com" not in page and "070-123 45 67" not in page
    # No part of the personal id, not even masked: "19800101-****" would still give the birth date (R2).
    assert "19800101" not in page and "****" not in page


def test_the_board_sees_contacts_and_full_ids(client, login_as, owners):
    login_as("board")
    page = client.get("/alpha/members").get_data(as_text=True)
    assert "eva@example.com" in page and "070-123 45 67" in page
    assert "19800101-1234" in page


def test_a_tenant_cannot_open_the_member_list(client, login_as, owners):
    login_as("tenant")
    assert client.get("/alpha/members").status_code == 403


def test_empty_member_list_says_so(client, login_as):
    login_as("member")
    assert "No unit has an owner in the register yet." in client.get("/alpha/members").get_data(as_text=True)


def test_ended_ownership_leaves_the_list(client, login_as, owners, frozen_clock):
    import datetime as dt

    from models import Ownership

    Ownership.update(ended_on=dt.date(2026, 3, 1)).where(Ownership.person == owners).execute()
    login_as("member")
    page = client.get("/alpha/members").get_data(as_text=True)
    assert "Lind Eva" not in page and "Berg Olle" in page
    assert Person.get_by_id(owners.id).surname == "Lind"  # the person stays in the register
