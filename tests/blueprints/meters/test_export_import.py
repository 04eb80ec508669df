"""A window's export (CSV with formula-looking cells made inert, XLSX read back with openpyxl) and the import
of a reading company's file: CSV and XLSX, columns remembered by the header line, every error with its row
and column and nothing stored, readings far from the usual flagged, another association's meter refused as unknown."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from models import AuditLog
from models.meters import Meter, Reading, ReadingImportMapping
from tests.blueprints.meters.period_world import furnish, november, words
from tests.factories.meters import make_meter
from tests.factories.register import make_unit

HOSTILE = "=cmd|' /C calc'!A0"
CSV_HEADER = "Zählernummer;Stand;Wohnung;Ablesedatum"


@pytest.fixture
def board(login_as, frozen_clock, alpha):
    frozen_clock.set(dt.datetime(2026, 12, 2, 9, 0))
    return login_as("board")


@pytest.fixture
def world(alpha):
    furnish(alpha, 3)
    return november(alpha)


def upload(client, window, data: bytes, name: str):
    path = f"/alpha/meters/windows/{window.id}/import"
    token = client.csrf(path)
    return client.post(path, data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def csv_file(*rows: str) -> bytes:
    return ("\n".join([CSV_HEADER, *rows]) + "\n").encode("utf-8")


GOOD = ("CW-1;33,5;1;30.11.2026", "HW-1;11;1;30.11.2026", "CW-2;32,9;2;30.11.2026", "HW-2;10,9;2;30.11.2026",
        "CW-3;33;3;30.11.2026", "HW-3;11,1;3;30.11.2026")  # fmt: skip
MAPPING = {"source": "Techem", "serial": "Zählernummer", "value": "Stand", "unit": "Wohnung", "building": "",
           "read_on": "Ablesedatum", "decimal": ","}  # fmt: skip


def map_columns(client, response) -> str:
    """Follow the upload to the columns page and save the mapping; the preview's address."""
    assert response.status_code == 302 and "/columns" in response.location, response.get_data(as_text=True)[:500]
    page = client.get(response.location)
    assert page.status_code == 200 and "Which column holds what?" in words(page)
    saved = client.submit(response.location, MAPPING)
    assert saved.status_code == 302
    return saved.location


def test_the_csv_export_makes_a_hostile_serial_inert(client, board, alpha, world):
    unit = make_unit(alpha, "9")
    make_meter(unit, serial=HOSTILE, installed_on=dt.date(2026, 1, 1))
    body = client.get(f"/alpha/meters/windows/{world.id}/export.csv").get_data(as_text=True)
    assert "'" + HOSTILE in body.replace('""', '"')
    assert "\n" + HOSTILE not in body and "," + HOSTILE not in body


def test_the_xlsx_export_opens_and_has_a_row_per_meter(client, board, world):
    response = client.get(f"/alpha/meters/windows/{world.id}/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Building", "Unit", "Meter", "Serial number")
    assert len(rows) == 1 + 6
    first = rows[1]
    assert first[:5] == ("House A", "1", "Cold water", "CW-1", "m³") and first[5] == 30 and first[8] == "Missing"


def test_a_valid_csv_is_previewed_then_imported_in_full(client, board, world):
    preview_path = map_columns(client, upload(client, world, csv_file(*GOOD), "techem.csv"))
    preview = client.get(preview_path)
    assert preview.status_code == 200
    page = words(preview)
    assert "Ready to import 6" in page and "With errors 0" in page
    assert Reading.select().where(Reading.window == world.id).count() == 0  # a preview writes nothing
    done = client.submit(f"{preview_path}/apply", {}, form_page=preview_path)
    assert done.status_code == 302
    imported = {r.meter.serial: r for r in Reading.select().where(Reading.window == world.id)}
    assert len(imported) == 6 and imported["CW-1"].value == Decimal("33.500")
    assert {r.source for r in imported.values()} == {Reading.IMPORTED}
    assert AuditLog.get(AuditLog.action == "meters.readings_imported").target == f"window:{world.id}"
    assert client.get(preview_path).status_code == 302  # the kept file is gone: upload again


def test_a_valid_xlsx_is_imported(client, board, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Meter number", "Reading", "Unit"])
    for line in GOOD:
        serial, value, unit, _day = line.split(";")
        sheet.append([serial, float(value.replace(",", ".")), int(unit)])
    out = io.BytesIO()
    book.save(out)
    response = upload(client, world, out.getvalue(), "delivery.xlsx")
    assert "/columns" in response.location
    saved = client.submit(response.location, {"serial": "Meter number", "value": "Reading", "unit": "Unit",
                                              "decimal": "."})  # fmt: skip
    assert saved.status_code == 302
    assert client.submit(f"{saved.location}/apply", {}, form_page=saved.location).status_code == 302
    hot = Reading.get(Reading.meter == Meter.get(Meter.serial == "HW-3").id, Reading.window == world.id)
    assert hot.value == Decimal("11.100") and hot.source == Reading.IMPORTED


def test_one_bad_row_stores_nothing_and_names_its_row_and_column(client, board, world, make_association):
    beta = make_association("beta")
    make_meter(make_unit(beta, "1"), serial="BETA-1")
    rows = (*GOOD[:4], "NOPE-7;12;3;30.11.2026", "BETA-1;5;1;30.11.2026", "CW-3;abc;3;30.11.2026",
            "CW-1;34;1;30.11.2026", "HW-3;-2;3;30.11.2026")  # fmt: skip
    preview_path = map_columns(client, upload(client, world, csv_file(*rows), "bad.csv"))
    page = words(client.get(preview_path))
    assert "Row 6, column “Zählernummer”: No meter has the serial number NOPE-7." in page
    # Another association's meter is not named as such: that a serial exists elsewhere is not told.
    assert "Row 7, column “Zählernummer”: No meter has the serial number BETA-1." in page
    assert "Row 8, column “Stand”: “abc” is not a number." in page
    assert "Row 9, column “Zählernummer”: The same meter as row 2." in page
    assert "Row 10, column “Stand”: A meter reading cannot be negative." in page
    assert "Import the readings" not in page
    refused = client.submit(f"{preview_path}/apply", {}, form_page=preview_path)
    assert refused.status_code == 422 and "nothing was imported" in words(refused)
    assert Reading.select().where(Reading.window == world.id).count() == 0


def test_a_unit_that_is_not_the_meters_is_an_error(client, board, world):
    preview_path = map_columns(client, upload(client, world, csv_file("CW-1;33,5;2;30.11.2026"), "u.csv"))
    assert "Row 2, column “Wohnung”: Meter CW-1 is in unit 1, not 2." in words(client.get(preview_path))


def test_the_second_file_with_the_same_header_goes_straight_to_the_preview(client, board, world):
    map_columns(client, upload(client, world, csv_file(*GOOD[:2]), "october.csv"))
    assert ReadingImportMapping.select().count() == 1
    again = upload(client, world, csv_file(*GOOD), "november.csv")
    assert again.status_code == 302 and "/columns" not in again.location
    page = client.get(again.location)
    assert "Ready to import 6" in words(page) and "Techem" in words(page)
    columns = client.get(f"{again.location}/columns").get_data(as_text=True)
    assert '<option selected value="Stand">' in columns  # the remembered mapping, prefilled


def test_a_reading_far_from_the_usual_use_is_flagged(client, board, world):
    rows = ("CW-1;45;1;30.11.2026", "HW-1;11;1;30.11.2026", "CW-2;29;2;30.11.2026")
    preview_path = map_columns(client, upload(client, world, csv_file(*rows), "odd.csv"))
    page = words(client.get(preview_path))
    assert "far from the unit's average" in page and "lower than the previous reading" in page
    assert client.submit(f"{preview_path}/apply", {}, form_page=preview_path).status_code == 302
    flags = {r.meter.serial: r.flag for r in Reading.select().where(Reading.window == world.id)}
    assert flags == {"CW-1": Reading.DEVIATES, "HW-1": "", "CW-2": Reading.LOWER}
    assert "far from the unit's average" in words(client.get(f"/alpha/meters/windows/{world.id}?show=flagged"))


def test_a_file_that_is_not_a_table_is_refused_and_nothing_is_kept(client, board, world, app):
    response = upload(client, world, b"just one line\n", "x.csv")
    assert response.status_code == 422 and "Nothing was stored." in words(response)
    assert not list((app.config["UPLOAD_DIR"]).glob("meter-imports/*/*.dat"))


def test_a_made_up_file_name_is_not_found(client, board, world):
    assert client.get(f"/alpha/meters/windows/{world.id}/import/../../etc").status_code == 404
    assert client.get(f"/alpha/meters/windows/{world.id}/import/{'0' * 31}g").status_code == 404
