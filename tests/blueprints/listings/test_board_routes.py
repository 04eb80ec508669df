"""The seeker's routes (L2 settings): validated by kind, one per department and housing type, removed after
confirmation, and the page shows which route each housing type and department gets."""

from __future__ import annotations

import pytest

from models import AuditLog
from models.listings import SeekerRoute
from tests.blueprints.listings import board_world
from tests.factories.listings import make_route

listing_world, board = board_world.listing_world, board_world.board  # fixtures


def add_route(client, **fields):
    data = {"building": "", "housing_type": "", "kind": "website", "url": "", "email": "", "phone": "", **fields}
    return client.submit("/alpha/board/routes", data)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "website", "url": ""}, "Give the address of your application page."),
        ({"kind": "website", "url": "javascript:alert(1)"}, "Give a web address starting with https://"),
        ({"kind": "website", "url": "ftp://example.org/apply"}, "Give a web address starting with https://"),
        ({"kind": "website", "url": "https://"}, "Give a web address starting with https://"),
        ({"kind": "form", "email": ""}, "Give the address the contact form is mailed to."),
        ({"kind": "form", "email": "not-an-address"}, "Enter a valid e-mail address"),
        ({"kind": "phone", "phone": ""}, "Give the phone number seekers call."),
        ({"kind": "phone", "phone": "call me maybe"}, "Give a phone number"),
        ({"kind": "sms", "phone": "+45 70 00 00 00"}, "Not a valid choice"),
    ],
)
def test_a_route_is_validated_by_its_kind(board, listing_world, fields, message):
    response = add_route(board, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert SeekerRoute.select().count() == 0


def test_valid_routes_are_stored_with_only_what_their_kind_uses(board, listing_world):
    w = listing_world
    assert add_route(board, kind="phone", phone="+45 70 00 00 00", url="https://stale.example").status_code == 302
    assert add_route(board, kind="form", housing_type="youth", email="youth@alpha.example").status_code == 302
    assert (
        add_route(board, kind="website", building=str(w.north.id), url="https://alpha.example/apply").status_code == 302
    )
    rows = {(r.building_id, r.housing_type): (r.kind, r.url, r.email, r.phone) for r in SeekerRoute.select()}
    assert rows == {
        (None, ""): ("phone", "", "", "+45 70 00 00 00"),
        (None, "youth"): ("form", "", "youth@alpha.example", ""),
        (w.north.id, ""): ("website", "https://alpha.example/apply", "", ""),
    }
    assert AuditLog.select().where(AuditLog.action == "listings.route_created").count() == 3


def test_one_route_per_department_and_type(board, listing_world):
    w = listing_world
    make_route(w.alpha, SeekerRoute.PHONE, phone="+45 70 00 00 00")
    make_route(w.alpha, SeekerRoute.PHONE, phone="+45 70 00 00 01", building=w.north, housing_type="senior")
    for fields in ({}, {"building": str(w.north.id), "housing_type": "senior"}):
        response = add_route(board, kind="form", email="x@alpha.example", **fields)
        assert response.status_code == 422
        assert "There is already a route for this department and housing type" in response.get_data(as_text=True)
    assert SeekerRoute.select().count() == 2


def test_a_foreign_department_is_refused(board, listing_world):
    from tests.factories.register import make_building

    foreign = make_building(listing_world.beta, "Beta House")
    response = add_route(board, kind="phone", phone="+45 70 00 00 00", building=str(foreign.id))
    assert response.status_code == 422 and SeekerRoute.select().count() == 0


def test_the_grid_shows_the_route_each_type_and_department_gets(board, listing_world):
    w = listing_world
    make_route(w.alpha, SeekerRoute.PHONE, phone="+45 11 11 11 11")
    make_route(w.alpha, SeekerRoute.WEBSITE, url="https://alpha.example/youth", housing_type="youth")
    make_route(w.alpha, SeekerRoute.FORM, email="north@alpha.example", building=w.north)
    page = board.get("/alpha/board/routes").get_data(as_text=True)
    grid = page.split("Which route a seeker gets", 1)[1].split("Add a route", 1)[0]
    north_row = grid.split("North House", 1)[1].split("</tr>", 1)[0]
    south_row = grid.split("South House", 1)[1].split("</tr>", 1)[0]
    assert north_row.count("north@alpha.example") == 3
    assert south_row.count("+45 11 11 11 11") == 2 and "https://alpha.example/youth" in south_row


def test_a_department_without_any_route_says_so(board, listing_world):
    page = board.get("/alpha/board/routes").get_data(as_text=True)
    assert "No way on" in page and "No route yet" in page


def test_changing_the_address_clears_the_last_check_and_removing_asks_first(board, listing_world):
    w = listing_world
    route = make_route(w.alpha, SeekerRoute.WEBSITE, url="https://old.example/", check_status="HTTP 404")
    SeekerRoute.update(checked_at=SeekerRoute.created_at).where(SeekerRoute.id == route.id).execute()
    data = {
        "building": "",
        "housing_type": "",
        "kind": "website",
        "url": "https://new.example/apply",
        "email": "",
        "phone": "",
    }
    assert board.submit(f"/alpha/board/routes/{route.id}", data).status_code == 302
    route = SeekerRoute.get_by_id(route.id)
    assert (route.url, route.checked_at, route.check_status) == ("https://new.example/apply", None, "")
    confirm = board.get(f"/alpha/board/routes/{route.id}/remove")
    assert confirm.status_code == 200 and "Remove this route?" in confirm.get_data(as_text=True)
    assert SeekerRoute.select().count() == 1
    assert board.submit(f"/alpha/board/routes/{route.id}/remove", {}).status_code == 302
    assert SeekerRoute.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "listings.route_removed").count() == 1


def test_another_associations_route_is_not_found(board, listing_world):
    foreign = make_route(listing_world.beta, SeekerRoute.PHONE, phone="+45 70 00 00 00")
    assert board.get(f"/alpha/board/routes/{foreign.id}").status_code == 404
    assert board.get(f"/alpha/board/routes/{foreign.id}/remove").status_code == 404


def test_hostile_route_text_is_inert(board, listing_world):
    hostile = "https://example.org/?q=<script>alert(1)</script>"
    assert add_route(board, kind="website", url=hostile).status_code == 302
    page = board.get("/alpha/board/routes").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
