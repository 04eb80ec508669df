"""The feeds for portals and aggregators: JSON and Atom of the install's listed homes (or one
association's), cacheable, parsed as a machine would, with nothing but the homes' facts."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from tests.blueprints.listings.public_world import add_photo, world

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def homes(app):
    return world(), world("beta", name="Beta Homes")


def test_json_feed_lists_every_current_home(client, app, homes):
    alpha, beta = homes
    photo = add_photo(app, alpha.homes["senior"])
    response = client.get("/homes.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    items = {item["id"]: item for item in json.loads(response.get_data())["homes"]}
    listed = {v.id for w in homes for name, v in w.homes.items() if name != "let"}
    assert set(items) == listed
    senior = items[alpha.homes["senior"].id]
    assert senior == {
        **senior,
        "url": f"http://localhost/alpha/homes/{alpha.homes['senior'].id}",
        "association": {"slug": "alpha", "name": "Alpha Housing"},
        "address": "Sydvej 9",
        "municipality": "Odense",
        "region": "Syddanmark",
        "rooms": 2,
        "area": 60.0,
        "rent": 650_000,
        "deposit": 0,
        "currency": "SEK",
        "move_in": "2027-02-01",
        "housing_type": "senior",
        "accessibility": ["step_free", "lift", "wheelchair"],
        "schemes": ["seniors", "combined"],
        "waiting_months": 6,
        "photos": [f"http://localhost/alpha/homes/photos/{photo.id}"],
    }
    assert senior["updated"].endswith("Z")


def test_json_feed_of_one_association(client, homes):
    alpha, beta = homes
    items = json.loads(client.get("/homes.json?association=beta").get_data())["homes"]
    assert {item["association"]["slug"] for item in items} == {"beta"} and len(items) == 4
    assert json.loads(client.get("/homes.json?association=nobody").get_data())["homes"] == []


def test_atom_feed_parses_with_one_entry_per_home(client, homes):
    alpha, beta = homes
    response = client.get("/homes.atom?association=alpha")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    feed = ET.fromstring(response.get_data())
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    ids = {entry.find(f"{ATOM}id").text for entry in entries}
    assert f"http://localhost/alpha/homes/{alpha.homes['family'].id}" in ids
    senior = next(e for e in entries if e.find(f"{ATOM}id").text.endswith(f"/{alpha.homes['senior'].id}"))
    assert senior.find(f"{ATOM}title").text == "Senior home, 2 rooms, 60 m² – Sydvej 9, 5000 Odense"
    assert "6,500.00" in senior.find(f"{ATOM}summary").text
    updated = alpha.homes["senior"].updated_at.replace(microsecond=0).isoformat() + "Z"
    assert senior.find(f"{ATOM}updated").text == updated


def test_a_hostile_description_is_inert_in_the_feeds(client, homes):
    from models.listings import VacancyText

    alpha, _ = homes
    VacancyText.update(description="<script>x</script> & ]]>").where(
        VacancyText.vacancy == alpha.homes["small"].id
    ).execute()
    feed = ET.fromstring(client.get("/homes.atom").get_data())
    summaries = [e.find(f"{ATOM}summary").text for e in feed.findall(f"{ATOM}entry")]
    assert any("<script>x</script> & ]]>" in text for text in summaries)
    items = json.loads(client.get("/homes.json").get_data())["homes"]
    assert any(item["description"] == "<script>x</script> & ]]>" for item in items)
