"""Corrections (M2): residents correct their own readings while the window is open; after the board locks
the period only the board corrects, with a reason, and both the change and the audit log keep it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from models import AuditLog
from models.meters import Reading, ReadingChange
from tests.blueprints.meters import hand_in_world
from tests.blueprints.meters.hand_in_world import hand_in_path
from tests.factories.meters import make_reading

meter_world = hand_in_world.meter_world  # a fixture


@pytest.fixture
def handed_in(meter_world):
    """The tenant's cold water reading for November."""
    return make_reading(meter_world.cold, "33", None, window=meter_world.window, entered_by=meter_world.users["tenant"])


def lock(window):
    window.locked_at = dt.datetime(2026, 12, 6, 8, 0)
    window.save()


def test_the_board_corrects_an_open_windows_reading_and_the_change_is_kept(client, login, meter_world, handed_in):
    login(client, "board@alpha.example")
    path = f"/alpha/meters/readings/{handed_in.id}/correct"
    assert client.submit(path, {"value": "33,8", "reason": ""}).status_code == 302
    reading = Reading.get_by_id(handed_in.id)
    assert (reading.value, reading.source, reading.entered_by_id) == (
        Decimal("33.8"),
        Reading.BOARD,
        meter_world.users["board"].id,
    )
    (change,) = ReadingChange.select()
    assert (change.old_value, change.new_value) == (Decimal("33"), Decimal("33.8"))
    page = client.get(path).get_data(as_text=True)
    assert "Changes" in page and "33.8" in page and "Not corrected yet" not in page


def test_after_the_lock_the_board_corrects_only_with_a_reason_and_it_is_logged(client, login, meter_world, handed_in):
    lock(meter_world.window)
    login(client, "board@alpha.example")
    path = f"/alpha/meters/readings/{handed_in.id}/correct"
    refused = client.submit(path, {"value": "34", "reason": "  "})
    assert refused.status_code == 422 and "say why the reading is corrected" in refused.get_data(as_text=True)
    assert Reading.get_by_id(handed_in.id).value == Decimal("33") and ReadingChange.select().count() == 0
    assert client.submit(path, {"value": "34", "reason": "Photo shows 34 <b>"}).status_code == 302
    assert Reading.get_by_id(handed_in.id).value == Decimal("34")
    (change,) = ReadingChange.select()
    assert (change.reason, change.changed_by_id) == ("Photo shows 34 <b>", meter_world.users["board"].id)
    (logged,) = AuditLog.select().where(AuditLog.action == "meters.reading_corrected")
    assert json.loads(logged.detail)["reason"] == "Photo shows 34 <b>" and logged.target == f"reading:{handed_in.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Photo shows 34 &lt;b&gt;" in page and "Locked" in page


def test_after_the_lock_residents_cannot_correct(client, login, meter_world, handed_in):
    w = meter_world
    login(client, "tenant@alpha.example")
    token = client.csrf("/alpha/meters/")
    lock(w.window)
    response = client.post(hand_in_path(w), data={"csrf_token": token, f"reading-{w.cold.id}": "30"})
    assert response.status_code == 403
    assert Reading.get_by_id(handed_in.id).value == Decimal("33") and ReadingChange.select().count() == 0
    assert client.get(f"/alpha/meters/readings/{handed_in.id}/correct").status_code == 403  # the board's page
    assert "are locked" in client.get("/alpha/meters/").get_data(as_text=True)


def test_the_board_corrects_a_first_reading_too(client, login, meter_world):
    login(client, "board@alpha.example")
    first = Reading.get((Reading.meter == meter_world.cold) & (Reading.source == Reading.INSTALLED))
    path = f"/alpha/meters/readings/{first.id}/correct"
    assert client.submit(path, {"value": "0,5", "reason": "typo"}).status_code == 302
    assert Reading.get_by_id(first.id).value == Decimal("0.5")
    assert ReadingChange.get().reason == "typo"
    assert AuditLog.select().where(AuditLog.action == "meters.reading_corrected").count() == 1


def test_another_associations_reading_is_not_found(client, login, meter_world, handed_in, make_user):
    make_user(meter_world.beta, "beta-board@beta.example", "board")
    login(client, "beta-board@beta.example")
    assert client.get(f"/beta/meters/readings/{handed_in.id}/correct").status_code == 404
    assert client.get(f"/beta/meters/readings/{handed_in.id}/photo").status_code == 404
