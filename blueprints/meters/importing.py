"""Readings delivered by a reading company (M4): a CSV or XLSX file read through a column mapping the board
makes once per company, a preview of every row, and nothing stored unless the whole file is valid.

Upload: the bytes (at most MAX_BYTES, read capped) are checked to be a table Porch reads, then kept under a
made-up name under meter-imports/<association id>/ in the storage (core.storage) until they are imported (or a day has passed).
The pages between the steps carry only that name; every value is read again from the kept bytes.

Mapping: which column holds the meter's serial number and the reading, and optionally the unit's number,
the building and the day read; whether numbers use a decimal comma or point. It is remembered by the
file's header line (ReadingImportMapping.header_key): the company's next file goes straight to the preview.

Preview and import: each row is matched to the association's meter in use on the window's last day by its
serial number. A row is refused with its line and column when its serial is unknown or another
association's, the meter is not in use then, the unit or building named is not the meter's, the reading is
not a number or is negative, or the meter came in an earlier row. A reading lower than the previous one is
flagged LOWER, one far from the meter's usual use DEVIATES (readings.deviates). Importing writes every row
in one transaction, as readings of source IMPORTED (a meter's earlier reading this window is corrected,
its old value kept).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from blueprints.meters import readings
from core import clock
from core.audit import audit
from core.csv import sniff_delimiter
from core.storage import key, storage
from core.tables import TableFileError as ImportFileError
from core.tables import header_and_rows
from core.text import fold
from core.text import lazy_gettext as _l
from core.xlsx import UnreadableSpreadsheetError, read_rows
from models.db import transaction
from models.meters import Meter, Reading, ReadingImportMapping, ReadingWindow, as_decimal
from models.portal import Association, User
from models.register import Building, Unit, unit_title

MAX_BYTES = 5 * 1024 * 1024  # 20,000 rows of a reading company's CSV are about 1 MB
MAX_ROWS = 20_000
FOLDER = "meter-imports"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 3600
CHUNK = 500  # ids per IN (…): well inside every database's limit on parameters
COLUMNS = ("serial", "value", "unit", "building", "read_on")
DECIMALS = (",", ".")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y", "%Y%m%d")
# Words headers use for each column (folded), to fill in a first mapping.
HINTS = {
    "serial": ("serial", "zahlernummer", "meter number", "meter no", "mataren", "matarnummer", "vyrobni cislo",
               "cislo meridla", "meridlo", "arvesti number", "seerianumber", "number"),
    "value": ("reading", "stand", "stav", "matarstallning", "stallning", "value", "lugem", "naidu"),
    "unit": ("unit", "apartment", "flat", "lagenhet", "byt", "korter", "wohnung"),
    "building": ("building", "house", "hus", "dum", "maja", "address", "adresa"),
    "read_on": ("date", "datum", "read on", "kuupaev"),
}  # fmt: skip
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


# --- the kept bytes -----------------------------------------------------------------------------------


def _folder(association_id: int) -> str:
    return key(FOLDER, int(association_id))


def _key(association_id: int, token: str) -> str | None:
    return key(_folder(association_id), f"{token}.dat") if TOKEN.match(token or "") else None


def keep(association_id: int, data: bytes) -> str:
    """Keep an uploaded file's bytes; its made-up name for the pages that follow. Files older than a day
    (uploads never imported) are removed on the way."""
    store = storage()
    for old in store.keys(_folder(association_id), older_than=KEEP_SECONDS):
        if old.endswith(".dat"):
            store.delete(old)
    token = secrets.token_hex(16)
    store.put(key(_folder(association_id), f"{token}.dat"), data)
    return token


def kept(association_id: int, token: str) -> bytes | None:
    """The bytes kept under this name for the association, or None (gone, or a name we did not make)."""
    found = _key(association_id, token)
    try:
        return storage().read(found) if found is not None else None
    except FileNotFoundError:
        return None


def forget(association_id: int, token: str) -> None:
    found = _key(association_id, token)
    if found is not None:
        storage().delete(found)


# --- reading the table -----------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (line or row number, cells: text, or numbers from a spreadsheet)
    kind: str  # "csv" or "xlsx"

    @property
    def key(self) -> str:
        """The header's fingerprint: the same company's next file has the same one."""
        return header_key(self.header)


def header_key(header: list[str]) -> str:
    return hashlib.sha256("\x1f".join(fold(name).strip() for name in header).encode()).hexdigest()


def read_table(data: bytes, language: str) -> Table:
    """The file as a header line and rows: an XLSX workbook's first sheet, else CSV text."""
    if data[:4] == b"PK\x03\x04":
        return _table(_xlsx_rows(data), "xlsx")
    return _table(_csv_rows(data, language), "csv")


def _table(rows: list[tuple[int, list]], kind: str) -> Table:
    header, body = header_and_rows(rows, MAX_ROWS, _text)
    return Table(header=header, rows=body, kind=kind)


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    return str(cell).strip()


def _csv_rows(data: bytes, language: str) -> list[tuple[int, list]]:
    if b"\x00" in data[:4096]:
        raise ImportFileError(_l("This is neither a CSV nor an XLSX file."), "1")
    encodings = ("utf-8", "cp1250") if language.startswith("cs") else ("utf-8", "iso-8859-1")
    for encoding in encodings:
        try:
            text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover (ISO 8859-1 and Windows-1250 read nearly any bytes)
        raise ImportFileError(_l("The file is not text in a known encoding."), "1")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise ImportFileError(
            _l("The CSV cannot be read (%(reason)s).", reason=str(error)), str(reader.line_num)
        ) from None
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    try:
        rows = read_rows(data, max_rows=MAX_ROWS + 1)
    except UnreadableSpreadsheetError:
        raise ImportFileError(_l("The spreadsheet cannot be read; save it again as XLSX or CSV."), "1") from None
    return list(enumerate(rows, start=1))


# --- the mapping ---------------------------------------------------------------------------------


def guess(table: Table, language: str) -> dict:
    """A first mapping from the header's words, for the board to correct."""
    mapping: dict = dict.fromkeys(COLUMNS, "")
    folded = {name: fold(name) for name in table.header}
    taken: set[str] = set()
    for column, words in HINTS.items():
        for word in words:
            found = next((n for n, f in folded.items() if word in f and n not in taken), None)
            if found:
                mapping[column] = found
                taken.add(found)
                break
    mapping["decimal"] = "." if language.startswith("en") else ","
    mapping["source"] = ""
    return mapping


def problems(mapping: dict, header: list[str]) -> dict[str, str]:
    """What is wrong with a mapping, by field: the serial and the reading are needed, columns must exist and
    differ."""
    found = {}
    for column in COLUMNS:
        if mapping.get(column) and mapping[column] not in header:
            found[column] = str(_l("The file has no column “%(name)s”.", name=mapping[column]))
    if not mapping.get("serial"):
        found["serial"] = str(_l("Choose the column with the meters' serial numbers."))
    if not mapping.get("value"):
        found["value"] = str(_l("Choose the column with the readings."))
    chosen = [mapping[c] for c in COLUMNS if mapping.get(c)]
    for column in COLUMNS:
        if mapping.get(column) and chosen.count(mapping[column]) > 1 and column not in found:
            found[column] = str(_l("Each column can hold one thing only."))
    if mapping.get("decimal") not in DECIMALS:
        found["decimal"] = str(_l("Choose the decimal sign."))
    return found


def saved_mapping(association: Association, key: str) -> dict | None:
    row = ReadingImportMapping.get_or_none(
        (ReadingImportMapping.association == association) & (ReadingImportMapping.header_key == key)
    )
    return json.loads(row.mapping) if row is not None else None


def save_mapping(association: Association, key: str, mapping: dict) -> None:
    """Remember the mapping for the company whose files have this header."""
    text = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
    source = (mapping.get("source") or "")[:120]
    updated = (
        ReadingImportMapping.update(mapping=text, source=source, updated_at=clock.utcnow_naive())
        .where((ReadingImportMapping.association == association) & (ReadingImportMapping.header_key == key))
        .execute()
    )
    if not updated:
        ReadingImportMapping.create(association=association, header_key=key, source=source, mapping=text)


# --- rows ------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One row of the file and what importing it would do."""

    line: int
    serial: str
    text_value: str
    value: Decimal | None = None
    meter: Meter | None = None
    unit_title: str = ""
    previous: Decimal | None = None
    use: Decimal | None = None
    replaces: Decimal | None = None
    flag: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column name, what is wrong)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Preview:
    rows: list[Row]

    @property
    def errors(self) -> list[tuple[Row, str, str]]:
        return [(row, column, message) for row in self.rows for column, message in row.errors]

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

    def count(self, what: str) -> int:
        if what == "flagged":
            return sum(1 for row in self.rows if row.ok and row.flag)
        if what == "replaced":
            return sum(1 for row in self.rows if row.ok and row.replaces is not None)
        return sum(1 for row in self.rows if (row.ok if what == "ok" else not row.ok))


def number(text, decimal: str) -> Decimal | None:
    """A reading as the file writes it: a spreadsheet's number, or text with the chosen decimal sign and
    any thousands separators; None when it is not a number."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return Decimal(str(text))
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", str(text or ""))
    group = "." if decimal == "," else ","
    cleaned = cleaned.replace(group, "").replace(decimal, ".")
    if not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover (the pattern lets only numbers through)
        return None


def _day(text) -> dt.date | None:
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    value = str(text or "").strip().split(" ")[0].split("T")[0]
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def preview(window: ReadingWindow, table: Table, mapping: dict) -> Preview:
    """Every row with its meter, its reading, the use since the previous one, its flag or its errors.
    Nothing is written. A fixed number of queries per CHUNK rows."""
    index = {name: i for i, name in enumerate(table.header)}

    def cell(cells: list, column: str):
        position = index.get(mapping.get(column) or "")
        return cells[position] if position is not None and position < len(cells) else None

    rows: list[Row] = []
    for line, cells in table.rows:
        rows.append(
            Row(line=line, serial=_text(cell(cells, "serial"))[:60], text_value=_text(cell(cells, "value"))[:40])
        )
        row = rows[-1]
        if not row.serial:
            row.errors.append((mapping["serial"], str(_l("No serial number."))))
        raw = cell(cells, "value")
        row.value = number(raw, mapping["decimal"]) if _text(raw) else None
        if row.value is None:
            row.errors.append((mapping["value"], str(_l("“%(text)s” is not a number.", text=row.text_value))
                               if row.text_value else str(_l("No reading."))))  # fmt: skip
        elif row.value < 0:
            row.errors.append((mapping["value"], str(_l("A meter reading cannot be negative."))))
        elif row.value.as_tuple().exponent < -3 or row.value >= Decimal("1e12"):
            row.errors.append((mapping["value"], str(_l("“%(text)s” has more digits than a reading keeps.",
                                                          text=row.text_value))))  # fmt: skip
        if mapping.get("read_on") and _text(cell(cells, "read_on")) and _day(cell(cells, "read_on")) is None:
            row.errors.append((mapping["read_on"], str(_l("“%(text)s” is not a date.",
                                                           text=_text(cell(cells, "read_on"))[:20]))))  # fmt: skip
    _match_meters(window, rows, table, mapping, cell)
    _judge(window, rows)
    return Preview(rows)


def _match_meters(window: ReadingWindow, rows: list[Row], table: Table, mapping: dict, cell) -> None:
    """Each row's meter by serial: the association's meter in use on the window's last day."""
    serials = sorted({row.serial for row in rows if row.serial})
    ours: dict[str, list[Meter]] = {}
    for part in _chunks(serials):
        for meter in (
            Meter.select(Meter, Unit.number, Unit.kind.alias("unit_kind"), Building.name)
            .join(Unit, on=(Meter.unit == Unit.id))
            .switch(Meter)
            .join(Building, on=(Meter.building == Building.id))
            .where((Meter.association == window.association_id) & Meter.serial.in_(part))
            .objects()
        ):
            ours.setdefault(meter.serial, []).append(meter)
    first_line: dict[str, int] = {}
    cells_of = dict(table.rows)
    for row in rows:
        if not row.serial:
            continue
        column = mapping["serial"]
        if row.serial in first_line:
            row.errors.append((column, str(_l("The same meter as row %(line)d.", line=first_line[row.serial]))))
            continue
        first_line[row.serial] = row.line
        candidates = ours.get(row.serial, [])
        if not candidates:
            # Another association's meter is "no meter" too: whether a serial exists elsewhere is not ours to say.
            message = _l("No meter has the serial number %(serial)s.", serial=row.serial)
            row.errors.append((column, str(message)))
            continue
        in_use = [m for m in candidates if m.in_use(window.period_end)]
        if not in_use:
            row.errors.append((column, str(_l("Meter %(serial)s is not in use on %(day)s.", serial=row.serial,
                                               day=window.period_end.isoformat()))))  # fmt: skip
            continue
        meter = in_use[0]
        row.meter = meter
        row.unit_title = unit_title(meter.unit_kind, meter.number)
        _check_place(row, meter, cells_of[row.line], mapping, cell)


def _check_place(row: Row, meter: Meter, cells: list, mapping: dict, cell) -> None:
    """The unit and building the file names, when it names them, must be the meter's."""
    unit = _text(cell(cells, "unit"))
    if mapping.get("unit") and unit and fold(unit) != fold(meter.number):
        row.errors.append((mapping["unit"], str(_l("Meter %(serial)s is in unit %(ours)s, not %(theirs)s.",
                                                   serial=row.serial, ours=meter.number, theirs=unit[:20]))))  # fmt: skip
    building = _text(cell(cells, "building"))
    if mapping.get("building") and building and fold(building) != fold(meter.name):
        row.errors.append((mapping["building"], str(_l("Meter %(serial)s is in %(ours)s, not %(theirs)s.",
                                                       serial=row.serial, ours=meter.name, theirs=building[:60]))))  # fmt: skip


def _judge(window: ReadingWindow, rows: list[Row]) -> None:
    """The previous reading, the use, what an earlier reading this window would be replaced by, and the flag."""
    matched = [row for row in rows if row.meter is not None and row.value is not None]
    states = {}
    for part in _chunks([row.meter for row in matched]):
        states.update({state.meter.id: state for state in readings.states(part, window)})
    for row in matched:
        state = states[row.meter.id]
        if state.previous is not None:
            row.previous = as_decimal(state.previous.value)
            row.use = row.value - row.previous
        if state.current is not None:
            row.replaces = as_decimal(state.current.value)
        if readings.judge(state, row.value, window.period_end) == Reading.LOWER:
            row.flag = Reading.LOWER
        elif readings.deviates(state, row.value, window.period_end):
            row.flag = Reading.DEVIATES


def apply(window: ReadingWindow, table: Table, mapping: dict, user: User | None) -> int:
    """Import every row in one transaction, or nothing: refused when any row is wrong or the period is
    locked. How many readings were written."""
    if window.is_locked:
        raise ImportFileError(_l("The period is locked: unlock it to import readings."))
    with transaction():
        # Read again inside the transaction: what the board saw may have changed since the preview.
        result = preview(window, table, mapping)
        if not result.valid:
            raise ImportFileError(_l("The file has errors: nothing was imported."))
        states = {}
        for part in _chunks([row.meter for row in result.rows]):
            states.update({state.meter.id: state for state in readings.states(part, window)})
        for row in result.rows:
            readings.store(states[row.meter.id], window, row.value.quantize(Decimal("0.001")), source=Reading.IMPORTED,
                           user=user, flag=row.flag)  # fmt: skip
        audit("meters.readings_imported", actor=user, association=window.association, target=f"window:{window.id}",
              count=len(result.rows), source=mapping.get("source", ""))  # fmt: skip
    return len(result.rows)
