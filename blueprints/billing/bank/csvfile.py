"""A bank's own CSV export, read through a column mapping the board makes once per bank.

Every bank writes its CSV differently, so the board says which column holds what (the date, the amount or
separate credit and debit columns, the reference, the message, the payer's name and account, the bank's
own id of the row), how dates are written and which decimal sign amounts use. The mapping is remembered
by the file's header line (BankMapping.header_key): the next file from the same bank is read at once.

The text is read as UTF-8 first; failing that, as Windows-1250 in a Czech association and ISO 8859-1
elsewhere (Windows-1250 reads nearly any bytes, so it cannot simply be tried first: a Swedish "å" would
become "ĺ"). The board can choose the encoding on the mapping page when the guess is wrong. The delimiter
(; , tab or |) is sniffed from the first lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass

from blueprints.billing.bank.statement import CREDIT, DEBIT, BankFileError, Entry, Statement, clean, minor_units
from core.csv import sniff_delimiter
from core.text import fold
from core.text import lazy_gettext as _l

ENCODINGS = ("utf-8", "cp1250", "iso-8859-1")  # what the board may choose on the mapping page
DELIMITERS = ";,\t|"
DATE_FORMATS = (
    ("%Y-%m-%d", "2026-03-31"),
    ("%d.%m.%Y", "31.03.2026"),
    ("%d.%m.%y", "31.03.26"),
    ("%d/%m/%Y", "31/03/2026"),
    ("%m/%d/%Y", "03/31/2026"),
    ("%d-%m-%Y", "31-03-2026"),
    ("%Y%m%d", "20260331"),
)
DECIMALS = (",", ".")
# What a mapping names: the field and whether it is a column of the file.
COLUMNS = ("booked_on", "amount", "credit", "debit", "reference", "message", "payer_name", "payer_account",
           "bank_ref", "currency")  # fmt: skip
# Words headers use for each column (folded: lower case, no accents), to fill in a first mapping.
HINTS = {
    "booked_on": ("bokforingsdag", "bokforingsdatum", "transaktionsdag", "datum", "date", "kuupaev", "zauctovani"),
    "amount": ("belopp", "amount", "castka", "summa", "objem"),
    "reference": ("ocr", "referens", "reference", "viitenumber", "variabilni", "vs"),
    "message": ("meddelande", "message", "zprava", "selgitus", "beskrivning", "popis", "text"),
    "payer_name": ("avsandare", "betalare", "payer", "maksja", "nazev protiuctu", "protistrana", "namn", "name"),
    "payer_account": ("protiucet", "avsandarkonto", "counterparty account", "konto"),
    "bank_ref": ("arhiveerimistunnus", "id pohybu", "transaction id", "verifikation", "kvittonummer"),
}
# A currency column is named exactly so: "Valutadag" is the value date, not the currency.
CURRENCY_NAMES = ("valuta", "currency", "mena", "ccy", "waehrung")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_NUMBER = re.compile(r"^\(?([+-]?)([\d .,'\u00a0\u202f]+?)(-?)\)?$")


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    encoding: str
    delimiter: str

    @property
    def key(self) -> str:
        """The header's fingerprint: the same bank's next export has the same one."""
        return header_key(self.header)


def header_key(header: list[str]) -> str:
    return hashlib.sha256("\x1f".join(fold(name).strip() for name in header).encode()).hexdigest()


def encodings_for(language: str) -> tuple[str, ...]:
    """The order to try: UTF-8, then the legacy code page the association's country uses."""
    return ("utf-8", "cp1250", "iso-8859-1") if language.startswith("cs") else ("utf-8", "iso-8859-1")


def read_table(data: bytes, encodings: tuple[str, ...], delimiter: str = "") -> Table:
    """The file as a header and rows; refused if it is not text in those encodings or not a table."""
    text, encoding = _decode(data, encodings)
    delimiter = delimiter or _sniff(text)
    rows = [(number, cells) for number, cells in _records(text, delimiter) if any(cell.strip() for cell in cells)]
    if not rows:
        raise BankFileError(_l("The file is empty."), "line 1")
    width = Counter(len(cells) for _number, cells in rows).most_common(1)[0][0]
    if width < 2:
        raise BankFileError(_l("This is not a bank file Porch reads: no columns were found."), "line 1")
    start = next(i for i, (_number, cells) in enumerate(rows) if len(cells) == width)
    header = [clean(name, 100) for name in rows[start][1]]
    if len(set(header)) != len(header) or not all(header):
        raise BankFileError(_l("Every column needs a name of its own in the header line."), f"line {rows[start][0]}")
    body = rows[start + 1 :]
    if not body:
        raise BankFileError(_l("The file has a header line and no rows."), f"line {rows[start][0]}")
    return Table(header=header, rows=body, encoding=encoding, delimiter=delimiter)


def _decode(data: bytes, encodings: tuple[str, ...]) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise BankFileError(_l("This is not a bank file Porch reads."), "line 1")
    for encoding in encodings:
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding
        except UnicodeDecodeError:
            continue
    raise BankFileError(_l("The file is not text in a known encoding."), "line 1")


def _sniff(text: str) -> str:
    return sniff_delimiter(text, DELIMITERS)


def _records(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise BankFileError(
            _l("The CSV cannot be read (%(reason)s).", reason=str(error)), f"line {reader.line_num}"
        ) from None


# --- mapping -----------------------------------------------------------------------------------


def guess(table: Table, language: str) -> dict:
    """A first mapping from the header's words and the first rows, for the board to correct."""
    mapping: dict = {name: "" for name in COLUMNS}
    folded = {name: fold(name) for name in table.header}
    taken = set()
    for column, words in HINTS.items():
        for word in words:
            found = next((n for n, f in folded.items() if word in f and n not in taken), None)
            if found:
                mapping[column] = found
                taken.add(found)
                break
    mapping["currency"] = next((n for n, f in folded.items() if f.strip() in CURRENCY_NAMES and n not in taken), "")
    mapping["date_format"] = _guess_date_format(table, mapping["booked_on"])
    mapping["decimal"] = "." if language.startswith("en") else ","
    mapping["encoding"] = table.encoding
    mapping["delimiter"] = table.delimiter
    mapping["bank"] = ""
    return mapping


def _guess_date_format(table: Table, column: str) -> str:
    if not column:
        return DATE_FORMATS[0][0]
    index = table.header.index(column)
    values = [cells[index].strip().split(" ")[0] for _n, cells in table.rows[:20] if index < len(cells)]
    for pattern, _example in DATE_FORMATS:
        if values and all(_date_or_none(value, pattern) for value in values if value):
            return pattern
    return DATE_FORMATS[0][0]


def _date_or_none(text: str, pattern: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, pattern).date()
    except ValueError:
        return None


def problems(mapping: dict, header: list[str]) -> dict[str, str]:
    """What is wrong with a mapping, by field: every column named must exist, a date and an amount are needed."""
    found = {}
    for column in COLUMNS:
        if mapping.get(column) and mapping[column] not in header:
            found[column] = str(_l("The file has no column “%(name)s”.", name=mapping[column]))
    if not mapping.get("booked_on"):
        found["booked_on"] = str(_l("Choose the column with the booking date."))
    if not mapping.get("amount") and not (mapping.get("credit") or mapping.get("debit")):
        found["amount"] = str(_l("Choose the amount column, or the credit and debit columns."))
    if mapping.get("amount") and (mapping.get("credit") or mapping.get("debit")):
        found["amount"] = str(_l("Choose either one amount column or credit and debit columns, not both."))
    if mapping.get("date_format") not in {pattern for pattern, _example in DATE_FORMATS}:
        found["date_format"] = str(_l("Choose how dates are written."))
    if mapping.get("decimal") not in DECIMALS:
        found["decimal"] = str(_l("Choose the decimal sign."))
    return found


# --- reading rows ---------------------------------------------------------------------------------


def parse(table: Table, mapping: dict, currency: str) -> Statement:
    """The rows as entries, read by the mapping (which problems() found nothing wrong with)."""
    statement = Statement(format="csv", version=clean(mapping.get("bank", ""), 20))
    index = {name: i for i, name in enumerate(table.header)}

    def cell(cells: list[str], column: str) -> str:
        name = mapping.get(column) or ""
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    for number, cells in table.rows:
        where = f"line {number}"
        day_text = cell(cells, "booked_on").split(" ")[0].split("T")[0]
        row_currency = (cell(cells, "currency") or currency).upper()
        if not _CURRENCY.match(row_currency):
            raise BankFileError(_l("“%(text)s” is not a currency code.", text=row_currency[:20]), where)
        kind, amount = _amount(cell, cells, mapping, row_currency, where)
        if not day_text and amount is None:
            continue  # a total or a note between the rows
        if amount is None:
            raise BankFileError(_l("The row has a date and no amount."), where)
        booked_on = _date_or_none(day_text, mapping["date_format"])
        if booked_on is None:
            raise BankFileError(_l("“%(text)s” is not a date written as chosen.", text=day_text[:20]), where)
        statement.entries.append(
            Entry(
                kind=kind,
                booked_on=booked_on,
                amount=amount,
                currency=row_currency,
                reference=clean(cell(cells, "reference"), 140),
                message=clean(cell(cells, "message"), 1000),
                payer_name=clean(cell(cells, "payer_name"), 200),
                payer_account=clean(cell(cells, "payer_account"), 40).replace(" ", ""),
                bank_ref=clean(cell(cells, "bank_ref"), 60),
                where=where,
            )
        )
    if not statement.entries:
        raise BankFileError(_l("No row has a date and an amount."), f"line {table.rows[-1][0]}")
    return statement.finish()


def _amount(cell, cells, mapping: dict, currency: str, where: str) -> tuple[str, int | None]:
    """(kind, minor units) of a row: one signed amount column, or credit and debit columns."""
    if mapping.get("amount"):
        signed = _signed(cell(cells, "amount"), mapping["decimal"], currency, where)
        if signed is None:
            return CREDIT, None
        return (CREDIT, signed) if signed >= 0 else (DEBIT, -signed)
    credit = _signed(cell(cells, "credit"), mapping["decimal"], currency, where)
    debit = _signed(cell(cells, "debit"), mapping["decimal"], currency, where)
    if credit:
        return CREDIT, abs(credit)
    if debit:
        return DEBIT, abs(debit)
    return CREDIT, 0 if credit is not None or debit is not None else None


def _signed(text: str, decimal: str, currency: str, where: str) -> int | None:
    """ "-1 234,50", "1.234,50", "(12.00)" or "12,00-" as signed minor units; None for an empty cell."""
    text = re.sub(r"[^\d+\-.,()' \u00a0\u202f]", "", text or "").strip()
    if not text:
        return None
    match = _NUMBER.match(text)
    if not match or not any(ch.isdigit() for ch in match.group(2)):
        raise BankFileError(_l("“%(text)s” is not an amount.", text=text[:40]), where)
    group = "." if decimal == "," else ","
    whole, _sign, fraction = re.sub(r"[ '\u00a0\u202f]", "", match.group(2)).partition(decimal)
    parts = whole.split(group)
    # Thousands come in threes: "12.50" read with a decimal comma is a wrong choice, not 1 250.
    if decimal in fraction or group in fraction or (len(parts) > 1 and any(len(p) != 3 for p in parts[1:])):
        raise BankFileError(_l("“%(text)s” is not an amount with the decimal sign chosen.", text=text[:40]), where)
    digits = "".join(parts) + (f".{fraction}" if fraction else "")
    negative = match.group(1) == "-" or match.group(3) == "-" or text.startswith("(")
    units = minor_units(digits, currency, where)
    return -units if negative else units
