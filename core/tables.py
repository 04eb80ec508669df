"""A spreadsheet's rows (CSV or XLSX, as [(line number, cells)]) as a table: its header line and the rows
under it, checked the same way for every import that reads one (meter readings, the register and books)."""

from __future__ import annotations

from collections.abc import Callable

from core.text import lazy_gettext as _l

Rows = list[tuple[int, list]]


class TableFileError(ValueError):
    """A file Porch cannot read as a table, or an import its rules refuse; `message` is shown to the board,
    `where` names the line."""

    def __init__(self, message, where: str = ""):
        super().__init__(str(message))
        self.message = message
        self.where = where


def header_and_rows(rows: Rows, max_rows: int, text: Callable[[object], str]):
    """(header, rows below it), blank lines left out; TableFileError(message, line) for a file that is no table:
    empty, a header naming fewer than two columns or one twice, no rows, or more than `max_rows`."""
    rows = [(number, cells) for number, cells in rows if any(text(cell) for cell in cells)]
    if not rows:
        raise TableFileError(_l("The file is empty."), "1")
    (first, header_cells), body = rows[0], rows[1:]
    header = [text(cell)[:100] for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    if len(header) < 2:
        raise TableFileError(_l("The first line should name the columns; it names fewer than two."), str(first))
    if len(set(header)) != len(header) or not all(header):
        raise TableFileError(_l("Every column needs a name of its own in the header line."), str(first))
    if not body:
        raise TableFileError(_l("The file has a header line and no rows."), str(first))
    if len(body) > max_rows:
        raise TableFileError(_l("The file has more than %(num)d rows.", num=max_rows), str(body[max_rows][0]))
    return header, body
