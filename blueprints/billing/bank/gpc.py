"""The Czech ABO/GPC statement ("formát GPC", as Czech banks export it for accounting programs).

Windows-1250 text in records of 128 characters, amounts in haléř, dates as DDMMYY. A statement starts with
its header (074: the account, old and new balance, the statement's number and day) followed by its items
(075), each:

    1–3 "075" · 4–19 account · 20–35 counter-account (prefix and number) · 36–48 document number (the bank's
    id of the item) · 49–60 amount · 61 accounting code · 62–71 variable symbol · 72–81 constant symbol
    (74–77 the counter-account's bank code, 78–81 the symbol) · 82–91 specific symbol · 92–97 value date ·
    98–117 the counterparty's name · 118 change code · 119–122 data type (a currency's ISO number at banks
    that put one there, e.g. 0203 for CZK) · 123–128 posting date.

The accounting code says which way: 1 a debit, 2 a credit, 4 a debit taken back (storno), 5 a credit taken
back; some banks write 3 for a storno too. Storno items are reversals: shown, never booked. The message
for the payee some banks add in records 078 and 079 after the item is read as its message; other extension
records (076) are passed over. A file may hold several statements, one header each.
"""

from __future__ import annotations

import datetime as dt

from blueprints.billing.bank.statement import (
    CREDIT,
    DEBIT,
    REVERSAL,
    BankFileError,
    Entry,
    Statement,
    clean,
    compact_date,
)
from core.text import lazy_gettext as _l

ENCODING = "cp1250"
WIDTH = 128
KINDS = {"1": DEBIT, "2": CREDIT, "3": REVERSAL, "4": REVERSAL, "5": REVERSAL}
# ISO 4217 numbers of the currencies a Czech account is kept in.
CURRENCIES = {"0203": "CZK", "0978": "EUR", "0840": "USD", "0826": "GBP", "0756": "CHF", "0985": "PLN"}


def looks_like(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf")
    return head.startswith(b"074") and head[3:19].isdigit()


def parse(data: bytes) -> Statement:
    statement = Statement(format="gpc", version="GPC")
    accounts: list[str] = []
    header_day: dt.date | None = None
    account = ""
    last: Entry | None = None
    for number, record in _lines(data):
        where = f"line {number}"
        code = record[:3]
        if code == "074":
            account, header_day = _header(record, where)
            if account not in accounts:
                accounts.append(account)
            last = None
        elif code == "075":
            if header_day is None:
                raise BankFileError(_l("An item (075) comes before its statement's header (074)."), where)
            last = _item(record, header_day, where)
            last.account = account  # its key is of its own statement's account, whatever else the file holds
            statement.entries.append(last)
        elif code in ("078", "079"):
            if last is None:
                raise BankFileError(_l("A message record (%(code)s) has no item (075) before it.", code=code), where)
            last.message = clean(f"{last.message} {record[3:38]} {record[38:73]}", 1000)
        elif code == "076":
            if last is None:
                raise BankFileError(_l("An extension record (076) has no item (075) before it."), where)
        else:
            raise BankFileError(_l("“%(code)s” is not a GPC record type.", code=code), where)
    if header_day is None:
        raise BankFileError(_l("The statement's header (074) is missing."), "line 1")
    statement.account = ", ".join(accounts)[:40]  # for display only
    return statement.finish()


def _lines(data: bytes) -> list[tuple[int, str]]:
    try:
        text = data.decode(ENCODING)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BankFileError(_l("The file is not Windows-1250 text, as GPC files are."), f"line {line}") from None
    found = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        if len(line) > WIDTH and line[WIDTH:].strip():
            raise BankFileError(_l("A GPC record is at most %(width)d characters long.", width=WIDTH), f"line {number}")
        found.append((number, line[:WIDTH].ljust(WIDTH)))
    return found


def _digits(record: str, start: int, end: int, where: str, name: str) -> str:
    """Positions start..end (1-based, inclusive, as the format's description counts them): digits only."""
    value = record[start - 1 : end]
    if not value.isdigit() or not value.isascii():
        raise BankFileError(
            _l("Positions %(start)d–%(end)d (%(name)s) must be digits.", start=start, end=end, name=name), where
        )
    return value


def _account(prefix: str, number: str, bank: str = "") -> str:
    """Czech account notation: 19-2000145399/0800 (no prefix or bank when there is none)."""
    prefix, number = prefix.lstrip("0"), number.lstrip("0")
    if not number:
        return ""
    text = f"{prefix}-{number}" if prefix else number
    return f"{text}/{bank}" if bank.strip("0") else text


def _header(record: str, where: str) -> tuple[str, dt.date]:
    account = _digits(record, 4, 19, where, "account")
    for start, name in ((46, "old balance"), (61, "new balance"), (76, "debits"), (91, "credits")):
        _digits(record, start, start + 13, where, name)
    day = compact_date(_digits(record, 109, 114, where, "statement day"), "%d%m%y", where)
    return _account(account[:6], account[6:]), day


def _item(record: str, header_day: dt.date, where: str) -> Entry:
    counter = _digits(record, 20, 35, where, "counter-account")
    document = record[35:48].strip()
    amount = int(_digits(record, 49, 60, where, "amount"))
    code = record[60]
    if code not in KINDS:
        raise BankFileError(
            _l("Position 61 (accounting code) must be 1, 2, 3, 4 or 5, not “%(code)s”.", code=code), where
        )
    symbol = _digits(record, 62, 71, where, "variable symbol").lstrip("0")
    constant = record[71:81]
    specific = record[81:91].strip().lstrip("0")
    value_text = record[91:97]
    posted_text = record[122:128]
    notes = []
    if constant[6:].strip("0 "):
        notes.append(f"KS {constant[6:]}")
    if specific:
        notes.append(f"SS {specific}")
    return Entry(
        kind=KINDS[code],
        booked_on=compact_date(posted_text, "%d%m%y", where) if posted_text.strip("0 ") else header_day,
        value_on=compact_date(value_text, "%d%m%y", where) if value_text.strip("0 ") else None,
        amount=amount,
        currency=CURRENCIES.get(record[118:122], "CZK"),
        reference=symbol,
        message=" ".join(notes),
        payer_name=clean(record[97:117], 200),
        payer_account=_account(counter[:6], counter[6:], constant[2:6]),
        bank_ref=document if document.strip("0") else "",
        where=where,
    )
