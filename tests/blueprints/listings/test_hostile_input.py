"""What a stranger or a board member types that Porch must not choke on: NUL bytes (PostgreSQL refuses
them), control characters in a feed, digits that are not 0–9, and the install-wide day."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from models.listings import VacancyText
from tests.blueprints.listings.public_world import world


@pytest.fixture
def homes(app):
    return world()


def test_a_nul_byte_in_a_query_or_a_form_is_refused_before_any_view(client, homes):
    assert client.get("/homes?region=%00").status_code == 400
    assert client.get("/alpha/homes?municipality=a%00b").status_code == 400
    assert client.get("/homes.json?association=%00").status_code == 400
    assert client.post("/alpha/login", data={"email": "a\x00@b.example", "password": "x"}).status_code == 400
    assert client.get("/alpha/homes?municipality=Odense").status_code == 200


def test_a_control_character_in_a_description_does_not_break_the_atom_feed(client, homes):
    VacancyText.update(description="Sunny\x0b flat\x01 by the park").execute()
    feed = ET.fromstring(client.get("/homes.atom").data)  # well-formed XML
    summaries = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}summary")]
    assert any("Sunny flat by the park" in (text or "") for text in summaries)


def test_the_install_wide_pages_drop_a_home_once_its_association_has_passed_its_last_day(app, client, frozen_clock):
    """An association on UTC+14 is the first to reach tomorrow: its ended home leaves /homes and the feeds
    at its own midnight, not at midnight UTC."""
    frozen_clock.set(dt.datetime(2027, 3, 2, 11, 0, tzinfo=dt.UTC))  # already 3 March in Kiribati
    made = world(timezone="Pacific/Kiritimati")
    ended = made.homes["small"]
    ended.ends_on = dt.date(2027, 3, 2)
    ended.save()
    assert f"/alpha/homes/{ended.id}" not in client.get("/homes").get_data(as_text=True)
    assert f'/alpha/homes/{ended.id}"' not in client.get("/homes.json").get_data(as_text=True)
    assert client.get(f"/alpha/homes/{ended.id}").status_code == 404
