"""The one XLSX writer every spreadsheet download goes through, beside core/csv.py.

Text cells are made inert by the CSV writer's own rule (core.csv.cell): what someone typed that starts
like a formula (=, +, -, @, a tab or a carriage return) gets a leading apostrophe and is stored as a
string, never as a formula. Numbers (int, Decimal, float) are written as numbers, so a spreadsheet sums
them; dates as dates. The first row is the header, in bold, and stays in view while scrolling (frozen
pane below it, and right of the first `frozen_columns` columns). Characters XML cannot hold (control
characters from a bank file, say) are left out rather than refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.csv import cell as inert_text

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def _cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, bool):
        value = int(value)
    if value is None:
        written = WriteOnlyCell(sheet, value=None)
    elif isinstance(value, int | float | Decimal):
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal) and value.as_tuple().exponent < 0:
            written.number_format = "0." + "0" * -value.as_tuple().exponent
    elif isinstance(value, dt.datetime):
        written = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        written.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        written = WriteOnlyCell(sheet, value=value)
        written.number_format = "yyyy-mm-dd"
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", inert_text(value))
        written = WriteOnlyCell(sheet, value=text)
        written.data_type = "s"  # a string whatever it looks like: never a formula
    if bold:
        written.font = Font(bold=True)
    return written


def xlsx_bytes(
    header: Iterable[str], rows: Iterable[Iterable], *, sheet_title: str = "Sheet1", frozen_columns: int = 0
) -> bytes:
    """A workbook of one sheet: the header row and the rows, every text cell made inert."""
    header = list(header)
    book = Workbook(write_only=True)
    title = _SHEET_TITLE.sub(" ", str(sheet_title)).strip()[:31] or "Sheet1"
    sheet = book.create_sheet(title)
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(str(name)) + 2))
    sheet.append([_cell(sheet, name, bold=True) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_download(
    filename: str, header: Iterable[str], rows: Iterable[Iterable], *, sheet_title: str = "Sheet1",
    frozen_columns: int = 0,
) -> Response:  # fmt: skip
    """An XLSX file to download, never cached."""
    body = xlsx_bytes(header, rows, sheet_title=sheet_title, frozen_columns=frozen_columns)
    return Response(
        body,
        mimetype=MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# What an uploaded workbook may unpack to, and how many columns a row is read with: a sheet says its own
# width, and openpyxl's streaming reader pads every row to it, so a 30 kB file claiming 16,384 columns
# would cost gigabytes.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_COLUMNS = 64


class UnreadableSpreadsheetError(ValueError):
    """The upload is not an XLSX workbook Porch reads (not a zip, damaged, or too large unpacked)."""


def read_rows(data: bytes, *, max_rows: int, formulas_as_text: bool = False) -> list[list]:
    """The first sheet's rows (at most `max_rows` + 1, each at most MAX_COLUMNS cells, without the empty
    cells at their end), streamed.

    Formulas are read as the values last saved with them, or with `formulas_as_text` as the text the cell
    holds; never evaluated."""
    from zipfile import BadZipFile, ZipFile

    from openpyxl import load_workbook

    try:
        with ZipFile(io.BytesIO(data)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise UnreadableSpreadsheetError("too large unpacked")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas_as_text)
    except (BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        raise UnreadableSpreadsheetError(str(error)) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the sheet's own claim of its size is not believed
        rows = []
        for cells in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            row = list(cells)
            while row and row[-1] is None:  # the reader pads each row to max_col: keep its real width
                row.pop()
            rows.append(row)
            if len(rows) > max_rows:
                break
        return rows
    except (KeyError, ValueError, OSError, IndexError) as error:
        raise UnreadableSpreadsheetError(str(error)) from None
    finally:
        book.close()
