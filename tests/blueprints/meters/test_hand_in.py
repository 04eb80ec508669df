"""Residents hand in readings (M2): one form for a home's meters while the window is open, the previous
reading and a guide shown, a confirmation for a reading that looks wrong, photos, and refusals."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from models.meters import Reading, ReadingChange
from tests.blueprints.meters import hand_in_world
from tests.blueprints.meters.hand_in_world import hand_in_path

HTMX = {"HX-Request": "true"}

meter_world = hand_in_world.meter_world  # a fixture


def readings_of(meter) -> list[Reading]:
    return list(Reading.select().where((Reading.meter == meter) & Reading.window.is_null(False)))


def post(client, world, data, path=None, **kwargs):
    path = path or hand_in_path(world)
    return client.submit(path, data, form_page="/alpha/meters/", **kwargs)


@pytest.fixture
def tenant(client, login, meter_world):
    login(client, "tenant@alpha.example")
    return client


def test_the_page_shows_each_meter_with_its_previous_reading_and_a_guide(tenant, meter_world):
    page = tenant.get("/alpha/meters/").get_data(as_text=True)
    assert "Previous reading: 30.4 m³ on 31 Oct 2026. At the usual use it shows about 33.4 now." in page
    # 30.4 + 30 days × 0.1: shown as a guide, never sent unless typed
    assert 'placeholder="33.4"' in page and 'value=""' in page
    assert "HW-1" in page and f'name="reading-{meter_world.hot.id}"' in page
    assert f'name="reading-{meter_world.remote.id}"' not in page  # the reading company reads it
    assert f'name="reading-{meter_world.neighbours.id}"' not in page  # not their home


def test_two_readings_are_handed_in_with_a_comma_or_a_point(tenant, meter_world):
    w = meter_world
    response = post(tenant, w, {f"reading-{w.cold.id}": "33,5", f"reading-{w.hot.id}": "16.75"})
    assert response.status_code == 302 and response.location.endswith(f"/alpha/meters/#unit-{w.unit.id}")
    (cold,) = readings_of(w.cold)
    (hot,) = readings_of(w.hot)
    assert (cold.value, hot.value) == (Decimal("33.500"), Decimal("16.750"))
    assert cold.source == Reading.RESIDENT and cold.flag == "" and cold.read_on == w.window.period_end
    page = tenant.get("/alpha/meters/").get_data(as_text=True)
    assert "your readings are handed in" in page and "Handed in this period" in page and "33.5" in page


def test_leaving_a_meter_empty_stores_nothing_for_it(tenant, meter_world):
    w = meter_world
    assert post(tenant, w, {f"reading-{w.cold.id}": "33.1", f"reading-{w.hot.id}": ""}).status_code == 302
    assert len(readings_of(w.cold)) == 1 and readings_of(w.hot) == []
    assert post(tenant, w, {}).status_code == 422  # nothing typed at all


@pytest.mark.parametrize(
    ("typed", "flag", "words"),
    [("29,9", Reading.LOWER, "lower than the previous reading (30.4)"), ("45", Reading.HIGH, "more than three times")],
)
def test_a_reading_that_looks_wrong_is_stored_only_once_confirmed(tenant, meter_world, typed, flag, words):
    w = meter_world
    data = {f"reading-{w.cold.id}": typed, f"reading-{w.hot.id}": "16.7"}
    response = post(tenant, w, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert words in page and "Yes, this reading is right" in page and "Nothing is stored yet" in page
    assert readings_of(w.cold) == [] and readings_of(w.hot) == []  # neither, until confirmed
    value = str(Decimal(typed.replace(",", ".")).normalize())
    # Confirming one number and sending another asks again.
    changed = post(tenant, w, {**data, f"reading-{w.cold.id}": "44", f"confirm-{w.cold.id}": value})
    assert changed.status_code == 422 and readings_of(w.cold) == []
    response = post(tenant, w, {**data, f"confirm-{w.cold.id}": value})
    assert response.status_code == 302
    (cold,) = readings_of(w.cold)
    assert cold.value == Decimal(typed.replace(",", ".")) and cold.flag == flag
    assert readings_of(w.hot)[0].flag == ""


@pytest.mark.parametrize("typed", ["-3", "abc", "12..3", "1e5", "12,3456"])
def test_a_negative_or_not_numeric_reading_is_refused(tenant, meter_world, typed):
    w = meter_world
    response = post(tenant, w, {f"reading-{w.cold.id}": typed, f"reading-{w.hot.id}": "16.7"})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert readings_of(w.cold) == [] and readings_of(w.hot) == []


def test_a_remote_read_meter_is_refused(tenant, meter_world):
    w = meter_world
    response = post(tenant, w, {f"reading-{w.cold.id}": "33", f"reading-{w.remote.id}": "100"})
    assert response.status_code == 422 and "this form does not take" in response.get_data(as_text=True)
    assert readings_of(w.remote) == [] and readings_of(w.cold) == []


@pytest.mark.parametrize("day", [24, 6])  # the day before it opens (November), the day after it closes (December)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_refused_outside_the_window(tenant, meter_world, day, headers):
    import datetime as dt

    w = meter_world
    form_token = tenant.csrf("/alpha/meters/")
    w.clock.set(dt.datetime(2026, 11 if day == 24 else 12, day, 9, 0))
    data = {"csrf_token": form_token, f"reading-{w.cold.id}": "33"}
    response = tenant.post(hand_in_path(w), data=data, headers=headers)
    assert response.status_code == 403 and "Your readings are not stored" in response.get_data(as_text=True)
    assert readings_of(w.cold) == []
    assert "You cannot hand in readings now" in tenant.get("/alpha/meters/").get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_refused_for_a_home_not_theirs(tenant, meter_world, headers):
    w = meter_world
    token = tenant.csrf("/alpha/meters/")
    path = hand_in_path(w, unit=w.other)
    assert tenant.get(path, headers=headers).status_code == 404
    response = tenant.post(path, data={"csrf_token": token, f"reading-{w.neighbours.id}": "21"}, headers=headers)
    assert response.status_code == 404 and readings_of(w.neighbours) == []


def test_refused_for_a_tenant_of_another_association(client, login, meter_world):
    w = meter_world
    login(client, "beta-tenant@beta.example")
    token = client.csrf("/beta/meters/")
    data = {"csrf_token": token, f"reading-{w.cold.id}": "33"}
    assert client.post(hand_in_path(w), data=data).status_code == 403  # not a member of alpha
    # Through their own association's address, alpha's unit and window are unknown.
    beta_path = f"/beta/meters/units/{w.unit.id}/windows/{w.window.id}"
    assert client.post(beta_path, data=data).status_code == 404
    assert client.get(beta_path, headers=HTMX).status_code == 404
    assert readings_of(w.cold) == []


def test_residents_correct_their_readings_until_the_window_is_locked(tenant, meter_world):
    import datetime as dt

    w = meter_world
    assert post(tenant, w, {f"reading-{w.cold.id}": "33"}).status_code == 302
    page = tenant.get(hand_in_path(w)).get_data(as_text=True)
    assert f'name="reading-{w.cold.id}" type="text" inputmode="decimal" autocomplete="off" value="33"' in page, page
    assert post(tenant, w, {f"reading-{w.cold.id}": "33,2"}).status_code == 302
    (reading,) = readings_of(w.cold)
    assert reading.value == Decimal("33.2")
    (change,) = ReadingChange.select()
    assert (change.old_value, change.new_value, change.changed_by_id) == (
        Decimal("33"),
        Decimal("33.2"),
        w.users["tenant"].id,
    )
    w.window.locked_at = dt.datetime(2026, 12, 2, 8, 0)
    w.window.save()
    response = post(tenant, w, {f"reading-{w.cold.id}": "35"})
    assert response.status_code == 403 and "only the board can correct" in response.get_data(as_text=True)
    assert readings_of(w.cold)[0].value == Decimal("33.2") and ReadingChange.select().count() == 1


def test_htmx_swaps_the_form_in_place_with_what_is_handed_in(tenant, meter_world):
    w = meter_world
    response = post(tenant, w, {f"reading-{w.cold.id}": "33"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<div id="hand-in-{w.unit.id}"')
    assert "your readings are handed in" in body and "<html" not in body
    refused = post(tenant, w, {f"reading-{w.cold.id}": "20"}, headers=HTMX)
    assert refused.status_code == 422 and "Yes, this reading is right" in refused.get_data(as_text=True)


# --- photos -------------------------------------------------------------------------------------


def jpeg_with_exif() -> bytes:
    picture = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "Secret 1.0"  # Software
    data = io.BytesIO()
    picture.save(data, "JPEG", exif=exif.tobytes())
    assert b"SpyCam" in data.getvalue()
    return data.getvalue()


def test_a_photo_is_stored_re_encoded_without_exif_and_shown_only_to_the_unit_and_board(
    app, client, login, new_client, meter_world
):
    w = meter_world
    login(client, "tenant@alpha.example")
    data = {f"reading-{w.cold.id}": "33", f"photo-{w.cold.id}": (io.BytesIO(jpeg_with_exif()), "IMG 1.jpg")}
    response = post(client, w, data, content_type="multipart/form-data")
    assert response.status_code == 302
    (reading,) = readings_of(w.cold)
    assert reading.photo and reading.photo.startswith("meter-") and reading.photo.endswith(".jpg")
    stored = app.config["UPLOAD_DIR"] / str(w.alpha.id) / "meters" / reading.photo
    body = stored.read_bytes()
    assert b"SpyCam" not in body and b"Exif" not in body
    assert Image.open(io.BytesIO(body)).getexif() == {}
    path = f"/alpha/meters/readings/{reading.id}/photo"
    served = client.get(path)
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data == body
    for email, status in (("owner@alpha.example", 200), ("board@alpha.example", 200), ("neighbour@alpha.example", 404)):
        other = new_client()
        login(other, email)
        assert other.get(path).status_code == status, email


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_stored(app, tenant, meter_world):
    w = meter_world
    data = {
        f"reading-{w.cold.id}": "33",
        f"reading-{w.hot.id}": "16.7",
        f"photo-{w.cold.id}": (io.BytesIO(b"%PDF-1.4 not a photo"), "meter.jpg"),
    }
    response = post(tenant, w, data, content_type="multipart/form-data")
    assert response.status_code == 422 and "not a JPEG, PNG or WebP picture" in response.get_data(as_text=True)
    assert readings_of(w.cold) == [] and readings_of(w.hot) == []
    folder = app.config["UPLOAD_DIR"] / str(w.alpha.id) / "meters"
    assert not folder.exists() or not any(folder.iterdir())
