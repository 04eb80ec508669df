"""Access matrix entries for the meter register and the residents' readings (helper A's routes).

In world() unit M1 of Meter House is owned by the member and rented by the tenant; it has a cold water
meter and the association has a window open today (its period ends on a day no other module uses), in
which the tenant handed in a reading with a photo. So the tenant and the member may open the hand-in
form (an empty post is refused: 422) and the photo; the board and the administrator hold no home there,
so the form is a 404 for them, but they see the photo and keep the register and the corrections.
"""

import datetime as dt
import secrets

from models import Person
from models.meters import Meter, Reading, ReadingWindow
from models.register import Building, Ownership, Residency, Unit
from tests.access.common import BOARD_UP, LOGIN, holders_of, members
from tests.access.faults import _write_when_the_app_runs

PERIOD_END = dt.date(1999, 12, 31)  # unique per association: a day no other module's window uses


def residents_only(status=200):
    """The unit's owner and tenant; the board and the administrator hold no home there (404)."""
    expected = members(status)
    for role in BOARD_UP:
        expected[role] = 404
    return expected


MATRIX = {
    ("meters.meters", "GET"): holders_of(BOARD_UP),
    ("meters.new_meter", "GET"): holders_of(BOARD_UP),
    ("meters.new_meter", "POST"): holders_of(BOARD_UP, 422),
    ("meters.edit_meter", "GET"): holders_of(BOARD_UP),
    ("meters.edit_meter", "POST"): holders_of(BOARD_UP, 422),
    ("meters.replace_meter", "GET"): holders_of(BOARD_UP),
    ("meters.replace_meter", "POST"): holders_of(BOARD_UP, 422),
    ("meters.correct_reading", "GET"): holders_of(BOARD_UP),
    ("meters.correct_reading", "POST"): holders_of(BOARD_UP, 422),
    ("meters.mine", "GET"): members(),
    ("meters.hand_in", "GET"): residents_only(),
    ("meters.hand_in", "POST"): residents_only(422),
    ("meters.reading_photo", "GET"): members(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Unit M1 with a cold water meter, an open window and the tenant's reading with its photo."""
    building = Building.create(association=alpha, name="Meter House")
    unit = Unit.create(association=alpha, building=building, number="M1", share_numerator=1, share_denominator=1)
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    tenant = Person.get((Person.user == users["tenant"]) & (Person.association == alpha))
    Ownership.create(unit=unit, person=member, share_numerator=1, share_denominator=1, is_main=True)
    Residency.create(unit=unit, person=tenant, role=Residency.TENANT)
    meter = Meter.create(
        association=alpha, building=building, unit=unit, kind=Meter.COLD_WATER, serial="CW-M1", measure="m³",
        installed_on=dt.date(1999, 1, 1),
    )  # fmt: skip
    Reading.create(meter=meter, read_on=dt.date(1999, 1, 1), value=0, source=Reading.INSTALLED)
    today = alpha.today()
    window = ReadingWindow.create(
        association=alpha, period_start=dt.date(1999, 12, 1), period_end=PERIOD_END,
        opens_on=today - dt.timedelta(days=2), closes_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    photo = f"meter-{secrets.token_hex(16)}-4x4.jpg"
    _write_when_the_app_runs(alpha.id, photo, b"\xff\xd8\xff\xe0 a stored photo", folder="meters")
    reading = Reading.create(
        meter=meter, window=window, read_on=PERIOD_END, value=12, source=Reading.RESIDENT, photo=photo,
        entered_by=users["tenant"],
    )  # fmt: skip
    return {
        "meter_id": meter.id,
        "hand_in_unit_id": unit.id,
        "hand_in_window_id": window.id,
        "reading_id": reading.id,
    }
