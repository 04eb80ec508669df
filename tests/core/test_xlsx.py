"""The one XLSX writer (core/xlsx.py): text made inert by the CSV writer's rule, numbers and dates as such,
a bold header row kept in view; read back with openpyxl as a spreadsheet would open it."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.csv import cell as csv_cell
from core.xlsx import xlsx_bytes

HOSTILE = ['=HYPERLINK("http://evil","x")', "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1", "\r=1+1"]


def read(body: bytes):
    sheet = load_workbook(io.BytesIO(body)).active
    return sheet, [list(row) for row in sheet.iter_rows()]


@pytest.mark.parametrize("typed", HOSTILE)
def test_formula_like_text_is_stored_as_text_exactly_as_the_csv_writer_makes_it(typed):
    sheet, rows = read(xlsx_bytes(["value"], [[typed]]))
    stored = rows[1][0]
    assert csv_cell(typed) == "'" + typed
    # XML reads a carriage return back as a line feed: the text is the same line, still inert.
    assert stored.data_type == "s" and stored.value == csv_cell(typed).replace("\r", "\n")


def test_phone_numbers_and_names_keep_their_text_and_numbers_stay_numbers():
    body = xlsx_bytes(
        ["=header", "amount", "count", "day", "note"],
        [
            ["+46 70 123 45 67", Decimal("12.50"), 3, dt.date(2026, 12, 1), None],
            ["Öberg", Decimal("-1234.05"), 0, None, "x\x01y"],
        ],
    )
    sheet, rows = read(body)
    assert [c.value for c in rows[0]] == ["'=header", "amount", "count", "day", "note"]
    assert all(c.font.b for c in rows[0])
    assert (rows[1][0].value, rows[1][0].data_type) == ("+46 70 123 45 67", "s")
    assert (rows[1][1].value, rows[1][1].data_type, rows[1][1].number_format) == (12.5, "n", "0.00")
    assert (rows[1][2].value, rows[1][2].data_type) == (3, "n")
    assert rows[1][3].value == dt.datetime(2026, 12, 1) and rows[1][3].is_date
    assert rows[1][4].value is None
    assert (rows[2][0].value, rows[2][1].value, rows[2][4].value) == ("Öberg", -1234.05, "xy")  # no control characters


def test_the_header_row_and_the_first_columns_stay_in_view():
    sheet, _rows = read(xlsx_bytes(["a", "b", "c"], [[1, 2, 3]], sheet_title="Debts: 2026/12", frozen_columns=2))
    assert sheet.freeze_panes == "C2" and sheet.title == "Debts  2026 12"


def test_an_uploaded_sheet_claiming_thousands_of_columns_is_read_to_its_real_width(tmp_path):
    import io
    import zipfile

    from openpyxl import Workbook

    from core.xlsx import MAX_COLUMNS, UnreadableSpreadsheetError, read_rows

    book = Workbook()
    sheet = book.active
    sheet.append(["Serial", "Reading"])
    sheet.append(["CW-1", 12.5])
    buffer = io.BytesIO()
    book.save(buffer)
    # Claim the sheet is A1:XFD3 (16,384 columns wide), as a crafted file would.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD3" />')
                assert b"XFD3" in data
            target.writestr(item, data)
    rows = read_rows(crafted.getvalue(), max_rows=10)
    assert rows[:2] == [["Serial", "Reading"], ["CW-1", 12.5]]
    assert all(len(row) <= MAX_COLUMNS for row in rows)
    with pytest.raises(UnreadableSpreadsheetError):
        read_rows(b"not a zip", max_rows=10)
