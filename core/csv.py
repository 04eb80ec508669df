"""The one CSV writer every download goes through (DESIGN.md: Data).

What one person typed (a name, a street, a reference) lands in another's
spreadsheet: a cell that starts with =, +, -, @, a tab or a carriage return
would run there as a formula (CSV injection), so it gets a leading apostrophe,
which spreadsheets take as "this is text". Phone numbers and amounts (+46 70…,
-12.50) keep their sign: digits, spaces and ( ) - . / alone make no formula
that could reach outside the sheet.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from flask import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^[+\-][0-9 ()\-./]*$")


def cell(value) -> str:
    """One value as a cell a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _SIGNED_NUMBER.match(text):
        return "'" + text
    return text


def csv_text(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """The header and rows as CSV text, every cell made inert."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def csv_download(filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> Response:
    """A CSV file to download: UTF-8 with a BOM (spreadsheet programs then read names right), never cached."""
    return Response(
        "\ufeff" + csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# csv.Sniffer's patterns take time growing with the square of a line's length: a sample of a few kB
# is enough to tell the separator and keeps a crafted one-line file from holding a worker for minutes.
SNIFF_SAMPLE_CHARS = 8192


def sniff_delimiter(text: str, delimiters: str = ";,\t|") -> str:
    """The separator of uploaded CSV text, told from its first lines (at most SNIFF_SAMPLE_CHARS)."""
    sample = "\n".join(text[:SNIFF_SAMPLE_CHARS].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=delimiters).delimiter
    except csv.Error:
        return max(delimiters, key=sample.count)
