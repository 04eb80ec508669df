"""Bankgirot's BgMax file (Bankgiro Inbetalningar, the Swedish bankgiro's incoming payments).

Per Bankgirot's technical manual: ISO 8859-1 text, records of 80 characters, each starting with its
transaction code (TK). A file is a start record (TK01, layout "BGMAX" version 01), then one section per
deposit to the account: an opening record (TK05: the receiving bankgiro number, the currency), payments
(TK20) and deductions (TK21, a credit note the payer subtracted: shown, never booked), each followed by
its extra references (TK22 plus, TK23 minus), information text (TK25), the payer's name (TK26), address
(TK27, TK28) and organisation number (TK29), and a deposit record (TK15: the payment day, the deposit's
amount and number of payments); last the end record (TK70) with the file's counts, which must agree.

A payment's reference code says what its reference is: 2 an OCR number Bankgirot checked, 3 several
references (in the payment record and its TK22/TK23 records), 4 a reference that is not OCR-checked,
5 a wrong one, 0 and 1 none. The bank's own id of a payment is its BGC serial number, with the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blueprints.billing.bank.statement import (
    CREDIT,
    DEBIT,
    BankFileError,
    Entry,
    Statement,
    clean,
    compact_date,
)
from core.text import lazy_gettext as _l

ENCODING = "iso-8859-1"
WIDTH = 80


def looks_like(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf").startswith(b"01BGMAX")


@dataclass
class _Section:
    line: int
    bankgiro: str
    currency: str
    entries: list[Entry] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "20" or "21", beside each entry
    serials: list[str] = field(default_factory=list)
    extra_refs: list[list[str]] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)


def parse(data: bytes) -> Statement:
    lines = _lines(data)
    statement = Statement(format="bgmax", version="BgMax 01")
    counts = {"20": 0, "21": 0, "22": 0, "15": 0}
    section: _Section | None = None
    accounts: list[str] = []
    ended = False
    for number, record in lines:
        where = f"line {number}"
        code = record[:2]
        if ended:
            raise BankFileError(_l("Nothing may follow the end record (70)."), where)
        if number == 1:
            _start(record, where)
            continue
        if code == "05":
            if section is not None:
                raise BankFileError(_l("A new section starts before the deposit record (15) of the last."), where)
            section = _open(record, number, where)
            if section.bankgiro not in accounts:
                accounts.append(section.bankgiro)
        elif code in ("20", "21", "22", "23", "25", "26", "27", "28", "29"):
            if section is None:
                raise BankFileError(_l("A payment record stands outside a section (05 … 15)."), where)
            _payment_part(section, code, record, where)
            if code in ("20", "21", "22", "23"):
                counts["22" if code == "23" else code] += 1
        elif code == "15":
            if section is None:
                raise BankFileError(_l("A deposit record (15) stands outside a section."), where)
            statement.entries.extend(_close(section, record, where))
            counts["15"] += 1
            section = None
        elif code == "70":
            if section is not None:
                raise BankFileError(_l("The file ends before the deposit record (15) of its last section."), where)
            _end(record, counts, where)
            ended = True
        else:
            raise BankFileError(_l("“%(code)s” is not a BgMax record type.", code=code), where)
    if not ended:
        raise BankFileError(_l("The end record (70) is missing."), f"line {len(lines) + 1}")
    statement.account = ", ".join(accounts)[:40]  # for display only
    return statement.finish()


def _lines(data: bytes) -> list[tuple[int, str]]:
    text = data.decode(ENCODING)
    found = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        if len(line) > WIDTH and line[WIDTH:].strip():
            raise BankFileError(
                _l("A BgMax record is at most %(width)d characters long.", width=WIDTH), f"line {number}"
            )
        found.append((number, line[:WIDTH].ljust(WIDTH)))
    if not found:
        raise BankFileError(_l("The file is empty."), "line 1")
    return found


def _digits(record: str, start: int, end: int, where: str, name: str) -> str:
    """Positions start..end (1-based, inclusive, as the manual counts them), which must be digits."""
    value = record[start - 1 : end]
    if not value.isdigit() or not value.isascii():
        raise BankFileError(
            _l("Positions %(start)d–%(end)d (%(name)s) must be digits.", start=start, end=end, name=name), where
        )
    return value


def _start(record: str, where: str) -> None:
    if record[:2] != "01" or record[2:22].strip() != "BGMAX":
        raise BankFileError(_l("A BgMax file starts with its start record (01BGMAX)."), where)
    if record[22:24] != "01":
        raise BankFileError(
            _l("Only BgMax version 01 is read; this file says %(version)s.", version=record[22:24]), where
        )


def _open(record: str, number: int, where: str) -> _Section:
    bankgiro = _digits(record, 3, 12, where, "bankgiro").lstrip("0")
    currency = record[22:25].strip() or "SEK"
    return _Section(line=number, bankgiro=bankgiro, currency=currency)


def _payment_part(section: _Section, code: str, record: str, where: str) -> None:
    if code in ("20", "21"):
        sender = _digits(record, 3, 12, where, "bankgiro").lstrip("0")
        amount = int(_digits(record, 38, 55, where, "amount"))
        reference_code = _digits(record, 56, 56, where, "reference code")
        serial = _digits(record, 58, 69, where, "BGC serial number")
        field_text = record[12:37].strip()
        # Code 3: several references, space-separated; 2, 4 and 5: one (code 4's may hold spaces).
        references = field_text.split() if reference_code == "3" else [field_text] if field_text else []
        if reference_code in ("0", "1"):
            references = []
        section.entries.append(
            Entry(
                kind=CREDIT if code == "20" else DEBIT,
                booked_on=None,  # the deposit record (15) names the day
                amount=amount,
                currency=section.currency,
                payer_account=sender,
                where=where,
            )
        )
        section.kinds.append(code)
        section.serials.append(serial)
        section.extra_refs.append(references)
        section.notes.append([])
        return
    if not section.entries:
        raise BankFileError(_l("This record belongs to a payment (20 or 21), and none comes before it."), where)
    entry = section.entries[-1]
    if code in ("22", "23"):
        section.extra_refs[-1] += record[12:37].split()
    elif code == "25":
        section.notes[-1].append(record[2:52].strip())
    elif code == "26":
        entry.payer_name = clean(f"{record[2:37]} {record[37:72]}", 200)


def _close(section: _Section, record: str, where: str) -> list[Entry]:
    """The deposit record: the payment day for the section's payments, and the sums they must make."""
    day = compact_date(_digits(record, 38, 45, where, "payment day"), "%Y%m%d", where)
    deposit = int(_digits(record, 51, 68, where, "deposit amount"))
    count = int(_digits(record, 72, 79, where, "number of payments"))
    paid = sum(e.amount for e, k in zip(section.entries, section.kinds, strict=True) if k == "20")
    deducted = sum(e.amount for e, k in zip(section.entries, section.kinds, strict=True) if k == "21")
    if count != len(section.entries):
        raise BankFileError(
            _l("The deposit record counts %(count)d payments; its section has %(found)d.", count=count,
               found=len(section.entries)),
            where,
        )  # fmt: skip
    if deposit != paid - deducted:
        raise BankFileError(_l("The deposit's amount is not its payments less its deductions."), where)
    for entry, kind, serial, references, notes in zip(
        section.entries, section.kinds, section.serials, section.extra_refs, section.notes, strict=True
    ):
        entry.booked_on = day
        entry.reference = references[0] if references else ""
        extra = [f"+ {ref}" for ref in references[1:]]
        entry.message = clean(" ".join([*notes, *extra]), 1000)
        entry.bank_ref = f"{day:%Y%m%d}:{kind}:{serial}"
        entry.account = section.bankgiro  # its key is of this bankgiro, whatever else the file holds
    return section.entries


def _end(record: str, counts: dict[str, int], where: str) -> None:
    wanted = {
        "20": int(_digits(record, 3, 10, where, "payment records")),
        "21": int(_digits(record, 11, 18, where, "deduction records")),
        "22": int(_digits(record, 19, 26, where, "extra reference records")),
        "15": int(_digits(record, 27, 34, where, "deposit records")),
    }
    if wanted != counts:
        raise BankFileError(_l("The end record's counts do not match the records in the file."), where)
