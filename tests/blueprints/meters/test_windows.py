"""The board's reading windows: the list and its defaults, refusals for bad days and a second window for the
same period, changing the days, and locking and unlocking with a confirmation, audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models import AuditLog
from models.meters import ReadingWindow
from tests.blueprints.meters.period_world import furnish, november, words

WINDOWS = "/alpha/meters/windows"


@pytest.fixture
def board(login_as, frozen_clock, alpha):
    frozen_clock.set(dt.datetime(2026, 11, 10, 9, 0))
    return login_as("board")


def window_form(**changes) -> dict:
    values = {"period_start": "2026-11-01", "period_end": "2026-11-30", "opens_on": "2026-11-25",
              "closes_on": "2026-12-05"}  # fmt: skip
    values.update(changes)
    return values


def test_the_empty_list_offers_the_current_month_with_the_usual_days(client, board):
    response = client.get(WINDOWS)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No reading window yet" in words(response)
    for name, value in window_form().items():
        assert re.search(f'name="{name}"[^>]* type="date" value="{value}"', page), name


def test_a_window_is_opened_and_listed_with_its_state_and_units(client, board, alpha):
    furnish(alpha, 3)
    response = client.submit(WINDOWS, window_form())
    assert response.status_code == 302
    window = ReadingWindow.get()
    assert (window.opens_on, window.closes_on, window.created_by_id) == (
        dt.date(2026, 11, 25),
        dt.date(2026, 12, 5),
        board.id,
    )
    assert AuditLog.get(AuditLog.action == "meters.window_opened").target == f"window:{window.id}"
    listed = words(client.get(WINDOWS))
    assert "Upcoming" in listed and "0 of 3" in listed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_on": "2026-11-20"}, "The window cannot close before it opens."),
        ({"period_end": "2026-10-31"}, "The period cannot end before it starts."),
        ({"opens_on": ""}, "Give the first day residents hand in."),
    ],
)
def test_bad_days_are_refused_with_a_message(client, board, changes, message):
    response = client.submit(WINDOWS, window_form(**changes))
    assert response.status_code == 422
    assert message in words(response)
    assert ReadingWindow.select().count() == 0


def test_a_second_window_for_the_same_period_end_is_refused(client, board, alpha):
    november(alpha)
    response = client.submit(WINDOWS, window_form(period_start="2026-11-15"))
    assert response.status_code == 422
    assert "There is a window for a period ending on this day already." in words(response)
    assert ReadingWindow.select().count() == 1


def test_the_days_change_until_the_period_is_locked(client, board, alpha):
    window = november(alpha)
    path = f"/alpha/meters/windows/{window.id}/edit"
    assert client.submit(path, {"opens_on": "2026-11-26", "closes_on": "2026-11-20"}).status_code == 422
    assert client.submit(path, {"opens_on": "2026-11-26", "closes_on": "2026-12-07"}).status_code == 302
    assert ReadingWindow.get_by_id(window.id).closes_on == dt.date(2026, 12, 7)
    ReadingWindow.update(locked_at=dt.datetime(2026, 12, 8)).execute()
    response = client.submit(path, {"opens_on": "2026-11-26", "closes_on": "2026-12-09"})
    assert response.status_code == 409
    assert ReadingWindow.get_by_id(window.id).closes_on == dt.date(2026, 12, 7)


def test_locking_asks_first_then_locks_audited_and_the_period_view_says_so(client, board, alpha):
    furnish(alpha, 1)
    window = november(alpha)
    view = f"/alpha/meters/windows/{window.id}"
    asked = client.submit(f"{view}/lock", {}, form_page=view)
    assert asked.status_code == 200 and "Lock the period" in words(asked)
    assert ReadingWindow.get_by_id(window.id).locked_at is None  # only asked

    response = client.submit(f"{view}/lock", {"confirmed": "yes"}, form_page=view)
    assert response.status_code == 302
    locked = ReadingWindow.get_by_id(window.id)
    assert locked.locked_at is not None and locked.locked_by_id == board.id
    assert AuditLog.get(AuditLog.action == "meters.window_locked").actor_id == board.id
    page = words(client.get(view))
    assert "The period is locked" in page and "Locked" in page
    assert "Locked" in words(client.get(WINDOWS))

    assert client.submit(f"{view}/unlock", {"confirmed": "yes"}, form_page=view).status_code == 302
    assert ReadingWindow.get_by_id(window.id).locked_at is None
    assert AuditLog.get(AuditLog.action == "meters.window_unlocked").target == f"window:{window.id}"


def test_another_associations_window_is_not_found(client, board, make_association):
    beta = make_association("beta")
    theirs = november(beta)
    assert client.get(f"/alpha/meters/windows/{theirs.id}").status_code == 404
    assert client.get(f"/alpha/meters/windows/{theirs.id}", headers={"HX-Request": "true"}).status_code == 404


def test_residents_may_not_open_the_windows(client, login_as, alpha):
    login_as("member")
    assert client.get(WINDOWS).status_code == 403
