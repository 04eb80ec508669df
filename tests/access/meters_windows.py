"""Access matrix entries for the board's reading windows, the period view, its export and import, and the
meter history pages (issue 14, M2–M4).

The windows, the period view, export and import need meters.manage (the board and the administrator);
members and tenants get 403, beta's board 403. The history pages are for the board and for members who may
hand in readings for the unit (meters.submit): in world() the member owns the history unit, the tenant
holds nothing there and gets 404, like an id that does not exist.

world(): `window_id`, alpha's open November window; `window_meter_id`, a meter of it without a reading;
`history_unit_id` and `history_meter_id`, the member's unit and its meter; `fmt` "csv"; `import_token`, a
reading company's CSV kept for alpha (written once the first request tells which app's UPLOAD_DIR that is)
whose columns alpha has saved. Empty posts: a window without days and a reading without a value are refused
(422); locking and accepting estimates ask for a confirmation first (200); unlocking a window that is not
locked goes back to it (302); the kept file is imported (302).
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from flask import appcontext_pushed

from blueprints.meters import importing
from models import Person
from models.meters import Meter, Reading, ReadingImportMapping, ReadingWindow
from models.register import Building, Ownership, Unit
from tests.access.common import ACTORS, BOARD_UP, LOGIN, holders_of


def managers(status=200):
    return holders_of(BOARD_UP, status)


def unit_people(status=200):
    """The board and the member who owns the unit; the tenant, who holds nothing there, gets 404."""
    return {"anonymous": LOGIN, "outsider": 403, **dict.fromkeys(ACTORS[1:5], status), "tenant": 404}


MATRIX = {
    ("meters.windows", "GET"): managers(),
    ("meters.new_window", "POST"): managers(422),
    ("meters.edit_window", "GET"): managers(),
    ("meters.edit_window", "POST"): managers(422),
    ("meters.window", "GET"): managers(),
    ("meters.lock_window", "POST"): managers(200),  # the confirmation
    ("meters.unlock_window", "POST"): managers(302),  # not locked: back to the window
    ("meters.accept_estimates", "POST"): managers(200),  # the confirmation, saying how many
    ("meters.enter_reading", "POST"): managers(422),
    ("meters.export_window", "GET"): managers(),
    ("meters.import_upload", "GET"): managers(),
    ("meters.import_upload", "POST"): managers(422),  # no file chosen
    ("meters.import_mapping", "GET"): managers(),
    ("meters.import_mapping", "POST"): managers(422),  # no columns chosen
    ("meters.import_preview", "GET"): managers(),
    ("meters.import_apply", "POST"): managers(302),
    ("meters.unit_history", "GET"): unit_people(),
    ("meters.meter_history", "GET"): unit_people(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())

CSV = b"Serial;Reading\nWIN-1;12,5\n"


def world(alpha, beta, users) -> dict:
    building = Building.create(association=alpha, name="Meter house")
    unit = Unit.create(association=alpha, building=building, number="M1")
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    Ownership.create(unit=unit, person=member, is_main=True)
    meter = Meter.create(association=alpha, building=building, unit=unit, kind=Meter.COLD_WATER, serial="WIN-1",
                         measure="m³", installed_on=dt.date(2025, 12, 31))  # fmt: skip
    Reading.create(meter=meter, read_on=dt.date(2025, 12, 31), value=Decimal(0), source=Reading.INSTALLED)
    Reading.create(meter=meter, read_on=dt.date(2026, 10, 31), value=Decimal(10), source=Reading.BOARD)
    window = ReadingWindow.create(association=alpha, period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30),
                                  opens_on=dt.date(2026, 11, 25), closes_on=dt.date(2026, 12, 5))  # fmt: skip
    table = importing.Table(header=["Serial", "Reading"], rows=[], kind="csv")
    ReadingImportMapping.create(association=alpha, header_key=table.key, mapping=json.dumps(
        {"serial": "Serial", "value": "Reading", "unit": "", "building": "", "read_on": "", "decimal": ",",
         "source": ""}))  # fmt: skip
    token = "0123456789abcdef0123456789abcdef"
    _write_when_the_app_runs(alpha.id, token, CSV)
    return {"window_id": window.id, "window_meter_id": meter.id, "history_unit_id": unit.id,
            "history_meter_id": meter.id, "fmt": "csv", "import_token": token}  # fmt: skip


def _write_when_the_app_runs(association_id: int, token: str, body: bytes) -> None:
    """Keep the file where the app keeps uploaded reading files, once the first request tells which app that
    is (world() runs outside an application context; see billing_bank.py)."""

    def write(app, **_extra):
        appcontext_pushed.disconnect(write)
        directory = Path(app.config["UPLOAD_DIR"]) / importing.FOLDER / str(association_id)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{token}.dat").write_bytes(body)

    appcontext_pushed.connect(write, weak=False)
