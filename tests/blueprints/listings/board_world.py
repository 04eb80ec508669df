"""A small world for the board's listing pages (helper E's tests).

Association alpha (SEK), on 2 March 2027 (the clock is frozen): North House with units N1 (empty), N2 (a tenant
lives there) and N3 (archived); South House with S1 (empty). board@ keeps the listings, tenant@ is a tenant.
Association beta has its own empty unit B1."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from PIL import Image

from models.register import Person, Unit
from tests.factories.register import make_building, make_resident, make_unit

TODAY = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def listing_world(app, alpha, make_association, make_user, frozen_clock):
    frozen_clock.set(TODAY)
    board = make_user(alpha, "board@alpha.example", "board")
    tenant = make_user(alpha, "tenant@alpha.example", "tenant")
    north, south = make_building(alpha, "North House"), make_building(alpha, "South House")
    free = make_unit(alpha, "N1", building=north, rooms=2)
    let = make_unit(alpha, "N2", building=north)
    archived = make_unit(alpha, "N3", building=north, archived_at=dt.datetime(2027, 1, 1))
    south_unit = make_unit(alpha, "S1", building=south)
    make_resident(let, Person.get(Person.user == tenant), start_date=dt.date(2026, 1, 1))
    beta = make_association("beta")
    beta_unit = make_unit(beta, "B1")
    return SimpleNamespace(
        alpha=alpha, beta=beta, board=board, tenant=tenant, north=north, south=south, free=free, let=let,
        archived=Unit.get_by_id(archived.id), south_unit=south_unit, beta_unit=beta_unit, clock=frozen_clock,
        today=TODAY.date(),
    )  # fmt: skip


@pytest.fixture
def board(client, login, listing_world):
    login(client, "board@alpha.example")
    return client


def vacancy_fields(**fields) -> dict:
    """A complete vacancy form, as a browser posts it."""
    data = {
        "move_in": "2027-04-01", "ends_on": "", "rent": "6 500", "deposit": "19500", "housing_type": "family",
        "waiting_months": "6", "rooms": "3", "area": "72,5", "floor": "2", "accessibility": ["step_free", "lift"],
        "schemes": ["students"], "lift": "y", "description_en": "Bright home by the park.",
    }  # fmt: skip
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def jpeg_with_gps(size=(40, 30)) -> bytes:
    """A JPEG whose EXIF holds a GPS position and a camera serial, as a phone writes them."""
    picture = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {2: (59.0, 19.0, 48.0), 1: "N"}  # GPSInfo
    exif[0xA431] = "CAMERA-SERIAL-12345"  # BodySerialNumber
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()
