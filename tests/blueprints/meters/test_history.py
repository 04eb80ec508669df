"""A unit's and a meter's history: an SVG bar chart drawn on the server (title, axis labels, estimates
hatched and said in words) with the same numbers in a table; the unit's residents and the board see it,
anyone else gets a 404 (URL and htmx)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models import Person
from models.meters import Reading
from tests.blueprints.meters.period_world import NOVEMBER, furnish, november, words
from tests.factories.meters import make_reading
from tests.factories.register import make_owner

HX = {"HX-Request": "true"}


@pytest.fixture
def homes(alpha, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 2, 9, 0))
    units = furnish(alpha, 2)
    window = november(alpha)
    make_reading(units[0].meters[0], "33.5", NOVEMBER, window)
    make_reading(units[0].meters[1], "10.9", NOVEMBER, window, source=Reading.ESTIMATE)
    return units


@pytest.fixture
def owner(homes, login_as, alpha):
    user = login_as("member")
    make_owner(homes[0], Person.get(Person.user == user.id))
    return user


def test_the_chart_and_the_table_carry_the_same_numbers(client, owner, homes):
    response = client.get(f"/alpha/meters/units/{homes[0].id}/history")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<svg class="meter-chart"') == 2 and 'role="img"' in page
    assert "<title" in page and "Use per period: Cold water CW-1" in page
    assert "<script" not in page.split("<main", 1)[1]
    # Eleven periods of use per meter: bars with titles naming the period and the use.
    assert "<title>Nov 2026: 3.5</title>" in page and "<title>Nov 2026: 0.9 (estimated)</title>" in page
    assert "url(#chart-" in page  # the estimate is hatched, not only coloured
    text = words(response)
    assert "Nov 2026 33.5 3.5 Handed in" in text and "Oct 2026 30 3 By the board" in text
    assert "Nov 2026 10.9 0.9 Estimated" in text
    assert re.search(r"<text[^>]*>Nov 2026</text>", page)  # the newest period is labelled under its bar


def test_one_meter_alone(client, owner, homes):
    meter = homes[0].meters[1]
    response = client.get(f"/alpha/meters/{meter.id}/history")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('<svg class="meter-chart"') == 1
    assert "History of Hot water HW-1" in words(response)


def test_another_units_history_is_not_found(client, owner, homes):
    other = homes[1]
    for path in (f"/alpha/meters/units/{other.id}/history", f"/alpha/meters/{other.meters[0].id}/history"):
        assert client.get(path).status_code == 404
        assert client.get(path, headers=HX).status_code == 404


def test_the_board_sees_every_units_history_and_htmx_gets_the_part(client, login_as, homes):
    login_as("board")
    response = client.get(f"/alpha/meters/units/{homes[1].id}/history", headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "CW-2" in words(response)
