"""Buildings and units (R1): bad input is refused with a message, deleting history is refused, shares add up."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction

import pytest

from models import Person
from models.register import Building, Unit


@pytest.fixture
def board(login_as):
    return login_as("board")


def unit_form(building, **overrides) -> dict:
    data = {"building": str(building.id), "number": "12", "kind": "flat", "share": "6542/100000", "rooms": "3"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("0", "A share must be more than 0."),
        ("0/100", "A share must be more than 0."),
        ("3/2", "A share cannot be more than 1, the whole."),
        ("1/0", "The number below the line cannot be 0."),
        ("0,065", "Write the share as a fraction, like 6542/100000 or 1/2."),
        ("", "Give the unit's share, like 6542/100000."),
    ],
)
def test_a_bad_share_gets_a_clear_message_and_nothing_is_saved(client, alpha, board, make_building, share, message):
    building = make_building(alpha)
    response = client.submit("/alpha/units/new", unit_form(building, share=share, number="7B"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="7B"' in page  # what was typed is kept
    assert Unit.select().count() == 0


def test_a_unit_is_created_with_its_share_as_typed(client, alpha, board, make_building):
    building = make_building(alpha)
    data = unit_form(building, area="64.5", floor="2", accessibility=["lift", "step_free"], equipment="Dishwasher")
    response = client.submit("/alpha/units/new", data)
    assert response.status_code == 302
    unit = Unit.get()
    assert (unit.share_numerator, unit.share_denominator) == (6542, 100000)
    assert unit.share == Fraction(6542, 100000)
    assert unit.accessibility_set == {"lift", "step_free"}
    page = client.get(response.location).get_data(as_text=True)
    assert "6542/100000" in page and "Step-free entrance" in page and "64.5" in page and "Dishwasher" in page


def test_the_same_number_twice_in_a_building_is_refused(client, alpha, board, make_unit):
    unit = make_unit(alpha, "12")
    response = client.submit("/alpha/units/new", unit_form(unit.building))
    assert response.status_code == 422
    assert "This building already has a unit with this number." in response.get_data(as_text=True)
    assert Unit.select().count() == 1


def test_the_share_total_is_flagged_unless_exactly_one(client, alpha, board, make_unit):
    for number in ("1", "2", "3"):
        make_unit(alpha, number, share=(1, 3))
    page = client.get("/alpha/units").get_data(as_text=True)
    assert "Shares add up to 1" in page and "should add up to exactly 1" not in page
    make_unit(alpha, "4", share=(1, 100000))
    page = client.get("/alpha/units").get_data(as_text=True)
    assert "They add up to 100001/100000." in page


def test_deleting_a_unit_with_history_is_refused_and_it_can_be_archived(
    client, alpha, board, make_unit, make_person, make_owner
):
    unit = make_unit(alpha, "12", share=(1, 2))
    make_unit(alpha, "13", share=(1, 2))
    make_owner(unit, make_person(alpha))
    confirm = client.get(f"/alpha/units/{unit.id}/delete").get_data(as_text=True)
    assert "cannot be deleted because it has history" in confirm and "Archive the unit" in confirm
    response = client.submit(f"/alpha/units/{unit.id}/delete", {})
    assert response.status_code == 409
    assert Unit.get_by_id(unit.id).archived_at is None

    response = client.submit(f"/alpha/units/{unit.id}/archive", {}, form_page=f"/alpha/units/{unit.id}/delete")
    assert response.status_code == 302
    assert Unit.get_by_id(unit.id).archived_at is not None
    page = client.get("/alpha/units").get_data(as_text=True)
    assert ">12<" not in page and ">13<" in page
    assert "Shares add up to 1/2" in page


def test_a_unit_without_history_is_deleted_after_confirmation(client, alpha, board, make_unit):
    unit = make_unit(alpha, "12")
    assert "Delete the unit" in client.get(f"/alpha/units/{unit.id}/delete").get_data(as_text=True)
    assert Unit.select().count() == 1  # asking does not delete
    assert client.submit(f"/alpha/units/{unit.id}/delete", {}).status_code == 302
    assert Unit.select().count() == 0


def test_buildings_are_created_and_one_with_units_is_not_deleted(client, alpha, board, make_unit):
    response = client.submit("/alpha/buildings/new", {"name": ""})
    assert response.status_code == 422 and "Give the building a name." in response.get_data(as_text=True)
    response = client.submit(
        "/alpha/buildings/new",
        {"name": "Storgatan 5", "street": "Storgatan 5", "postcode": "118 20", "municipality": "Stockholm"},
    )
    assert response.status_code == 302
    building = Building.get(Building.name == "Storgatan 5")
    assert building.address == "Storgatan 5, 118 20 Stockholm"
    make_unit(alpha, "1", building=building)
    response = client.submit(f"/alpha/buildings/{building.id}/delete", {})
    assert response.status_code == 409
    assert "The building cannot be deleted: 1 unit is in it." in response.get_data(as_text=True)
    assert Building.select().where(Building.id == building.id).exists()


def test_csv_export_neutralises_names_typed_as_formulas(
    client, alpha, board, make_unit, make_building, make_person, make_owner
):
    building = make_building(alpha, name='=HYPERLINK("http://evil","House")')
    unit = make_unit(alpha, "7", building=building)
    make_owner(unit, make_person(alpha, given_name="@SUM(1)", surname="+cmd"))
    rows = list(
        csv.DictReader(io.StringIO(client.get("/alpha/units/export.csv").get_data(as_text=True).lstrip("\ufeff")))
    )
    (row,) = [r for r in rows if r["unit"] == "7"]
    assert row["building"] == '\'=HYPERLINK("http://evil","House")'
    assert row["owners"].startswith("'@SUM(1) +cmd") and row["main_owner"] == "'@SUM(1) +cmd"


def test_csv_export_lists_units_with_shares_and_owners(client, alpha, board, make_unit, make_person, make_owner):
    unit = make_unit(alpha, "12", share=(6542, 100000))
    make_owner(unit, make_person(alpha, given_name="Anna", surname="Berg"), share=(1, 2))
    make_owner(unit, make_person(alpha, given_name="Olle", surname="Berg"), share=(1, 2), is_main=False)
    ended = make_person(alpha, given_name="Old", surname="Owner")
    make_owner(unit, ended, started_on=dt.date(2000, 1, 1), ended_on=dt.date(2001, 1, 1), is_main=False)
    response = client.get("/alpha/units/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        {
            "building": "House A",
            "unit": "12",
            "kind": "flat",
            "rooms": "",
            "floor": "",
            "area_m2": "",
            "share": "6542/100000",
            "owners": "Anna Berg (1/2); Olle Berg (1/2)",
            "main_owner": "Anna Berg",
        }
    ]
    assert Person.select().count() >= 3


def test_unit_list_tab_switched_off_is_404_for_members_but_not_the_board(client, new_client, alpha, make_user, login):
    alpha.tabs = "contact members"
    alpha.save()
    make_user(alpha, "member@example.com", "member")
    make_user(alpha, "board@example.com", "board")
    login(client, "member@example.com")
    assert client.get("/alpha/units").status_code == 404
    assert 'href="/alpha/units"' not in client.get("/alpha/").get_data(as_text=True)
    board = new_client()
    login(board, "board@example.com")
    assert board.get("/alpha/units").status_code == 200


def test_area_takes_a_decimal_comma(client, alpha, board, make_building):
    building = make_building(alpha)
    response = client.submit("/alpha/units/new", unit_form(building, area="64,5"))
    assert response.status_code == 302
    assert Unit.get().area == Decimal("64.5")


def test_a_unit_row_drawn_before_shows_what_changed_since(
    client, new_client, alpha, board, make_unit, make_person, make_owner, make_user, login
):
    """The rendered rows are kept (core.rendering.cached_row): every change a row shows must still reach it."""
    unit = make_unit(alpha, "12", share=(1, 4))
    anna = make_person(alpha, given_name="Anna", surname="Berg")
    make_owner(unit, anna)

    def row() -> str:
        page = client.get("/alpha/units").get_data(as_text=True)
        return page[page.index('<ul class="rows units">') :]

    assert "Anna Berg" in row() and "1/4" in row()
    make_owner(unit, make_person(alpha, given_name="Olle", surname="<Berg>"), is_main=False)
    assert "Anna Berg, Olle &lt;Berg&gt;" in row()
    anna.given_name = "Annika"
    anna.save()
    Unit.update(share_numerator=1, share_denominator=3).where(Unit.id == unit.id).execute()
    assert "Annika Berg" in row() and "1/3" in row()
    # The board ticks units for the vacancy listings; a member, who may not, gets the same unit's row without.
    tick = f'name="unit" value="{unit.id}"'
    assert tick in row()
    make_user(alpha, "member@example.com", "member")
    member = new_client()
    login(member, "member@example.com")
    page = member.get("/alpha/units").get_data(as_text=True)
    assert "Annika Berg" in page and tick not in page
