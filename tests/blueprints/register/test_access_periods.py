"""Access from a residency ends after its last day with nobody acting (seed 002), in the association's time zone."""

from __future__ import annotations

import datetime as dt

from models import Person

HTMX = {"HX-Request": "true"}


def test_a_resident_is_refused_the_day_after_the_end_date(
    client, alpha, frozen_clock, make_user, make_unit, make_resident, login
):
    unit = make_unit(alpha, "12")
    user = make_user(alpha, "leaving@example.com", "tenant")
    # 2 March 2026 in Stockholm is the last day.
    frozen_clock.set(dt.datetime(2026, 3, 2, 12, 0))
    make_resident(unit, Person.get(Person.user == user), start_date=dt.date(2025, 3, 1), end_date=dt.date(2026, 3, 2))
    login(client, "leaving@example.com")
    paths = [f"/alpha/units/{unit.id}", f"/alpha/units/{unit.id}/file"]
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert f'href="/alpha/units/{unit.id}"' in client.get("/alpha/").get_data(as_text=True)

    # 23:30 UTC on 2 March is already 3 March in Stockholm.
    frozen_clock.set(dt.datetime(2026, 3, 2, 23, 30))
    for path in paths:
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers=HTMX).status_code == 404, path
    assert f'href="/alpha/units/{unit.id}"' not in client.get("/alpha/").get_data(as_text=True)


def test_a_resident_whose_start_date_has_not_come_sees_nothing_yet(
    client, alpha, frozen_clock, make_user, make_unit, make_resident, login
):
    unit = make_unit(alpha, "12")
    user = make_user(alpha, "moving-in@example.com", "tenant")
    make_resident(unit, Person.get(Person.user == user), start_date=dt.date(2026, 3, 10))
    login(client, "moving-in@example.com")
    assert client.get(f"/alpha/units/{unit.id}").status_code == 404
    frozen_clock.advance(dt.timedelta(days=8))
    assert client.get(f"/alpha/units/{unit.id}").status_code == 200


def test_the_board_sets_a_last_day_and_access_ends_after_it(
    client, alpha, frozen_clock, make_user, make_unit, make_resident, login, new_client, login_as
):
    unit = make_unit(alpha, "12")
    user = make_user(alpha, "tenant@example.com", "tenant")
    residency = make_resident(unit, Person.get(Person.user == user))
    board = new_client()
    login(board, make_user(alpha, "b@example.com", "board").email)
    response = board.submit(f"/alpha/units/{unit.id}/residents/{residency.id}/end", {"end_date": "2026-03-05"})
    assert response.status_code == 302
    login(client, "tenant@example.com")
    frozen_clock.set(dt.datetime(2026, 3, 5, 12, 0))
    assert client.get(f"/alpha/units/{unit.id}").status_code == 200
    frozen_clock.advance(dt.timedelta(days=1))
    assert client.get(f"/alpha/units/{unit.id}").status_code == 404
