"""The bulk edit from the unit list (seed 001, "masseredigering"): exactly the ticked units change (never
another association's), vacancy fields change only current vacancies, and the count says how many changed."""

from __future__ import annotations

import datetime as dt

from models import AuditLog
from models.listings import Vacancy
from models.register import Unit
from tests.blueprints.listings import board_world
from tests.factories.listings import make_vacancy

listing_world, board = board_world.listing_world, board_world.board  # fixtures


def bulk(client, units, change, number=""):
    data = {"unit": [str(u.id) for u in units], "change": change, "number": number}
    return client.submit("/alpha/board/units/bulk", data, form_page="/alpha/units")


def test_the_unit_list_offers_tick_boxes_and_the_bulk_form_to_the_board(board, listing_world):
    page = board.get("/alpha/units").get_data(as_text=True)
    assert 'form="unit-bulk"' in page and f'value="{listing_world.free.id}"' in page
    assert 'id="unit-bulk"' in page and "Add accessibility: Lift" in page


def test_adding_accessibility_changes_exactly_the_ticked_units(board, listing_world):
    w = listing_world
    Unit.update(accessibility="lift").where(Unit.id == w.south_unit.id).execute()
    response = bulk(board, [w.free, w.south_unit], "accessibility+:lift")
    assert response.status_code == 302
    assert "1 unit changed." in board.get(response.location).get_data(as_text=True)  # S1 had it already
    accessibility = {u.number: u.accessibility for u in Unit.select()}
    assert accessibility == {"N1": "lift", "N2": "", "N3": "", "S1": "lift", "B1": ""}
    response = bulk(board, [w.free, w.south_unit, w.let], "accessibility+:step_free")
    assert "3 units changed." in board.get(response.location).get_data(as_text=True)
    assert Unit.get_by_id(w.free.id).accessibility == "lift step_free"
    response = bulk(board, [w.free], "accessibility-:lift")
    assert Unit.get_by_id(w.free.id).accessibility == "step_free"
    assert AuditLog.select().where(AuditLog.action == "listings.bulk_edit").count() == 3


def test_a_foreign_unit_id_in_the_form_is_ignored(board, listing_world):
    w = listing_world
    response = bulk(board, [w.free, w.beta_unit], "rooms", "4")
    assert response.status_code == 302
    assert "1 unit changed." in board.get(response.location).get_data(as_text=True)
    assert Unit.get_by_id(w.free.id).rooms == 4 and Unit.get_by_id(w.beta_unit.id).rooms is None
    # Only a foreign unit: nothing of ours is ticked.
    response = bulk(board, [w.beta_unit], "rooms", "5")
    assert response.status_code == 422 and "No unit was ticked" in response.get_data(as_text=True)
    assert Unit.get_by_id(w.beta_unit.id).rooms is None


def test_vacancy_fields_change_only_the_current_vacancies_of_the_ticked_units(board, listing_world):
    w = listing_world
    current = make_vacancy(w.free, move_in=dt.date(2027, 3, 1), schemes="seniors")
    ended = make_vacancy(w.free, move_in=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30))
    untouched = make_vacancy(w.south_unit, move_in=dt.date(2027, 3, 1))
    foreign = make_vacancy(w.beta_unit, move_in=dt.date(2027, 3, 1))
    response = bulk(board, [w.free, w.beta_unit], "scheme+:students")
    assert "1 vacancy changed." in board.get(response.location).get_data(as_text=True)
    bulk(board, [w.free, w.beta_unit], "housing_type:youth")
    bulk(board, [w.free], "pets:1")
    bulk(board, [w.free], "waiting_months", "18")
    schemes = {v.id: (v.schemes, v.housing_type, v.pets, v.waiting_months) for v in Vacancy.select()}
    assert schemes[current.id] == ("seniors students", "youth", True, 18)
    for other in (ended, untouched, foreign):
        assert schemes[other.id] == ("", "family", False, None)
    bulk(board, [w.free], "scheme-:seniors")
    assert Vacancy.get_by_id(current.id).schemes == "students"


def test_a_number_change_needs_the_number_and_an_unknown_change_is_refused(board, listing_world):
    w = listing_world
    response = bulk(board, [w.free], "rooms", "")
    assert response.status_code == 422 and "Give the number to set." in response.get_data(as_text=True)
    response = bulk(board, [w.free], "archived_at:now")
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    assert Unit.get_by_id(w.free.id).rooms == 2


def test_a_member_without_the_permission_cannot_bulk_edit(client, login, listing_world):
    login(client, "tenant@alpha.example")
    assert 'id="unit-bulk"' not in client.get("/alpha/units").get_data(as_text=True)
    w = listing_world
    response = client.submit("/alpha/board/units/bulk", {"unit": [str(w.free.id)], "change": "rooms", "number": "9"},
                             form_page="/alpha/units")  # fmt: skip
    assert response.status_code == 403 and Unit.get_by_id(w.free.id).rooms == 2


def test_digits_that_are_not_0_to_9_are_not_unit_ids_or_numbers(board, listing_world):
    """str.isdigit takes "²", which int() refuses: such a tick or number is ignored, never a 500."""
    rooms_before = Unit.get_by_id(listing_world.free.id).rooms
    data = {"unit": ["²", str(listing_world.free.id)], "change": "rooms", "number": "²"}
    response = board.submit("/alpha/board/units/bulk", data, form_page="/alpha/units")
    assert response.status_code in (302, 422)
    assert Unit.get_by_id(listing_world.free.id).rooms == rooms_before
