"""Bank files written from a list of simple entries, as banks send them: for the demo's year of bank files
and the bench (tests write their sample files out literally, where the published layouts are the point).

    entries = [BankEntry(dt.date(2026, 3, 2), 416700, reference="10013", name="Mari Maasikas")]
    data = camt053(entries, iban="EE382200221020145685", currency="EUR")            # .001.08
    data = camt053(entries, iban="EE382200221020145685", currency="EUR", version="02")
    data = bgmax(entries, bankgiro="5050-1055", account="58410000010098")
    data = gpc(entries, account="19-2000145399", name="SVJ Na Kopci")

Amounts are positive minor units; `kind` is "credit" (money in), "debit" (money out) or "reversal" (a credit
sent back). A tuple (day, amount, reference, name, message, kind) works as an entry too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

CREDIT, DEBIT, REVERSAL = "credit", "debit", "reversal"


@dataclass(frozen=True)
class BankEntry:
    day: dt.date
    amount: int  # minor units, > 0
    reference: str = ""
    name: str = ""
    message: str = ""
    kind: str = CREDIT
    account: str = ""  # the other side's account (IBAN, bankgiro, Czech number/bank)
    bank_ref: str = ""  # the bank's id of the entry; made up from the day and position when empty


def _entries(entries: Iterable) -> list[BankEntry]:
    made = [entry if isinstance(entry, BankEntry) else BankEntry(*entry) for entry in entries]
    for entry in made:
        if entry.amount <= 0 or entry.kind not in (CREDIT, DEBIT, REVERSAL):
            raise ValueError(f"an entry needs a positive amount and a known kind: {entry!r}")
    return sorted(made, key=lambda e: e.day)


def _bank_refs(entries: list[BankEntry]) -> list[str]:
    count: dict[dt.date, int] = {}
    refs = []
    for entry in entries:
        count[entry.day] = count.get(entry.day, 0) + 1
        refs.append(entry.bank_ref or f"{entry.day:%Y%m%d}{count[entry.day]:06d}")
    return refs


# --- ISO 20022 camt.053 ------------------------------------------------------------------------------


def camt053(
    entries: Iterable,
    *,
    iban: str,
    currency: str,
    version: str = "08",
    opening: int = 0,
    created: dt.datetime | None = None,
    statement_id: str = "",
) -> bytes:
    """A bank-to-customer statement (camt.053.001.08 or .001.02) of the entries, opening balance `opening`."""
    if version not in ("02", "08"):
        raise ValueError("camt.053 is written in version 02 or 08")
    items = _entries(entries)
    first = items[0].day if items else dt.date.today()
    last = items[-1].day if items else first
    created = created or dt.datetime.combine(last, dt.time(23, 0))
    closing = opening + sum(e.amount if _is_in(e) else -e.amount for e in items)
    ident = statement_id or f"STMT-{first:%Y%m%d}-{last:%Y%m%d}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">',
        f"<BkToCstmrStmt><GrpHdr><MsgId>{escape(ident)}</MsgId><CreDtTm>{created:%Y-%m-%dT%H:%M:%S}</CreDtTm></GrpHdr>",
        f"<Stmt><Id>{escape(ident)}</Id><CreDtTm>{created:%Y-%m-%dT%H:%M:%S}</CreDtTm>",
        f"<FrToDt><FrDtTm>{first:%Y-%m-%d}T00:00:00</FrDtTm><ToDtTm>{last:%Y-%m-%d}T23:59:59</ToDtTm></FrToDt>",
        f"<Acct><Id><IBAN>{escape(iban.replace(' ', ''))}</IBAN></Id><Ccy>{currency}</Ccy></Acct>",
        _balance("OPBD", opening, currency, first),
        _balance("CLBD", closing, currency, last),
    ]
    for entry, ref in zip(items, _bank_refs(items), strict=True):
        parts.append(_camt_entry(entry, ref, currency, version))
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode("utf-8")


def _is_in(entry: BankEntry) -> bool:
    return entry.kind == CREDIT


def _amount(minor_units: int, currency: str) -> str:
    digits = 0 if currency in ("JPY", "ISK") else 2
    return f"{Decimal(minor_units).scaleb(-digits):.{digits}f}"


def _balance(code: str, amount: int, currency: str, day: dt.date) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">{_amount(abs(amount), currency)}'
        f"</Amt><CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{day:%Y-%m-%d}</Dt></Dt></Bal>"
    )


def _camt_entry(entry: BankEntry, ref: str, currency: str, version: str) -> str:
    direction = "CRDT" if entry.kind == CREDIT else "DBIT"
    amount = f'<Amt Ccy="{currency}">{_amount(entry.amount, currency)}</Amt>'
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version == "08" else "<Sts>BOOK</Sts>"
    family = "RCDT" if entry.kind != DEBIT else "ICDT"
    reversal = "<RvslInd>true</RvslInd>" if entry.kind == REVERSAL else ""
    # Who paid in (or, for money out, who was paid): Dbtr/Cdtr, with a Pty level from version 08 on.
    party, account = ("Dbtr", "DbtrAcct") if entry.kind != DEBIT else ("Cdtr", "CdtrAcct")
    name = escape(entry.name)
    named = (
        f"<{party}><Pty><Nm>{name}</Nm></Pty></{party}>" if version == "08" else f"<{party}><Nm>{name}</Nm></{party}>"
    )
    other = ""
    if entry.account:
        key = "IBAN" if re.match(r"^[A-Z]{2}\d{2}", entry.account) else "Othr><Id"
        close = "IBAN" if key == "IBAN" else "Id></Othr"
        other = f"<{account}><Id><{key}>{escape(entry.account)}</{close}></Id></{account}>"
    parties = f"<RltdPties>{named if entry.name else ''}{other}</RltdPties>" if (entry.name or other) else ""
    remittance = ""
    if entry.reference or entry.message:
        structured = (
            f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{escape(entry.reference)}</Ref>"
            "</CdtrRefInf></Strd>"
            if entry.reference
            else ""
        )
        free = f"<Ustrd>{escape(entry.message[:140])}</Ustrd>" if entry.message else ""
        remittance = f"<RmtInf>{free}{structured}</RmtInf>"
    tx_amount = (
        f"{amount}<CdtDbtInd>{direction}</CdtDbtInd>"
        if version == "08"
        else f"<AmtDtls><TxAmt>{amount}</TxAmt></AmtDtls>"
    )
    details = (
        f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>{escape(ref)}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"{tx_amount}{parties}{remittance}</TxDtls></NtryDtls>"
    )
    return (
        f"<Ntry><NtryRef>{escape(ref)}</NtryRef>{amount}<CdtDbtInd>{direction}</CdtDbtInd>{reversal}{status}"
        f"<BookgDt><Dt>{entry.day:%Y-%m-%d}</Dt></BookgDt><ValDt><Dt>{entry.day:%Y-%m-%d}</Dt></ValDt>"
        f"<AcctSvcrRef>{escape(ref)}</AcctSvcrRef>"
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"{details}</Ntry>"
    )


# --- Bankgirot BgMax -----------------------------------------------------------------------------------


def bgmax(entries: Iterable, *, bankgiro: str, account: str = "", created: dt.datetime | None = None) -> bytes:
    """A BgMax file: one section (deposit) per day; credits as payments (TK20, an OCR reference when it is
    digits), debits and reversals as deductions (TK21); the name in TK26, the message in TK25 records."""
    items = _entries(entries)
    created = created or dt.datetime.combine(items[-1].day if items else dt.date.today(), dt.time(6, 0))
    receiving = re.sub(r"\D", "", bankgiro).zfill(10)
    lines = [_fixed("01" + "BGMAX".ljust(20) + "01" + f"{created:%Y%m%d%H%M%S}000000" + "P")]
    counts = {"20": 0, "21": 0, "15": 0}
    serial = 0
    days = sorted({entry.day for entry in items})
    for number, day in enumerate(days, 1):
        lines.append(_fixed("05" + receiving + " " * 10 + "SEK"))
        total = 0
        section = [entry for entry in items if entry.day == day]
        for entry in section:
            serial += 1
            code = "20" if entry.kind == CREDIT else "21"
            counts[code] += 1
            total += entry.amount if code == "20" else -entry.amount
            reference = entry.reference.replace(" ", "")
            if reference.isdigit():
                ref_field, ref_code = reference.rjust(25), "2"
            elif reference:
                ref_field, ref_code = reference[:25].ljust(25), "4"
            else:
                ref_field, ref_code = " " * 25, "1"
            sender = re.sub(r"\D", "", entry.account).zfill(10)[-10:]
            record = f"{code}{sender}{ref_field}{entry.amount:018d}{ref_code}1{serial:012d}0"
            lines.append(_fixed(record + ("0" if code == "21" else "")))
            for start in range(0, min(len(entry.message), 150), 50):
                lines.append(_fixed("25" + entry.message[start : start + 50]))
            if entry.name:
                lines.append(_fixed("26" + entry.name[:35].ljust(35)))
        if total < 0:
            raise ValueError(f"the deductions of {day} exceed its payments: a deposit cannot be negative")
        counts["15"] += 1
        deposit_account = re.sub(r"\D", "", account).zfill(35)[-35:]
        lines.append(_fixed(f"15{deposit_account}{day:%Y%m%d}{number:05d}{total:018d}SEK{len(section):08d}"))
    lines.append(_fixed(f"70{counts['20']:08d}{counts['21']:08d}{0:08d}{counts['15']:08d}"))
    return ("\r\n".join(lines) + "\r\n").encode("iso-8859-1", errors="replace")


def _fixed(record: str, width: int = 80) -> str:
    return record[:width].ljust(width)


# --- Czech ABO/GPC ----------------------------------------------------------------------------------


def gpc(
    entries: Iterable, *, account: str, name: str = "", number: int = 1, opening: int = 0, currency: str = "CZK"
) -> bytes:
    """A GPC statement: its header (074) and one item (075) per entry, the reference as the variable symbol
    (when it is digits), the message in a 078 record; Windows-1250, 128-character records."""
    items = _entries(entries)
    first = items[0].day if items else dt.date.today()
    last = items[-1].day if items else first
    debits = sum(e.amount for e in items if e.kind != CREDIT)
    credits = sum(e.amount for e in items if e.kind == CREDIT)
    closing = opening + credits - debits
    currency_code = {"CZK": "0203", "EUR": "0978"}.get(currency, "0203")
    header = (
        f"074{_gpc_account(account)}{name[:20].ljust(20)}{first - dt.timedelta(days=1):%d%m%y}"
        f"{abs(opening):014d}{'+' if opening >= 0 else '-'}{abs(closing):014d}{'+' if closing >= 0 else '-'}"
        f"{debits:014d}0{credits:014d}0{number % 1000:03d}{last:%d%m%y}" + " " * 14
    )
    lines = [_fixed(header, 128)]
    for entry, ref in zip(items, _bank_refs(items), strict=True):
        code = {CREDIT: "2", DEBIT: "1", REVERSAL: "5"}[entry.kind]
        symbol = entry.reference if entry.reference.isdigit() and len(entry.reference) <= 10 else ""
        counter, bank = _gpc_counter(entry.account)
        document = re.sub(r"\D", "", ref)[-13:].zfill(13)
        lines.append(
            _fixed(
                f"075{_gpc_account(account)}{counter}{document}{entry.amount:012d}{code}{symbol.zfill(10)}"
                f"00{bank}0000{'0' * 10}{entry.day:%d%m%y}{entry.name[:20].ljust(20)}0{currency_code}{entry.day:%d%m%y}",
                128,
            )
        )
        if entry.message:
            lines.append(_fixed(f"078{entry.message[:35].ljust(35)}{entry.message[35:70].ljust(35)}", 128))
    return ("\r\n".join(lines) + "\r\n").encode("cp1250", errors="replace")


def _gpc_account(account: str) -> str:
    """ "19-2000145399/0800" -> "0000192000145399" (prefix to 6 digits, number to 10)."""
    number = account.split("/")[0]
    prefix, _dash, main = number.rpartition("-")
    return re.sub(r"\D", "", prefix).zfill(6) + re.sub(r"\D", "", main).zfill(10)


def _gpc_counter(account: str) -> tuple[str, str]:
    if not account or "/" not in account:
        return "0" * 16, "0000"
    number, bank = account.split("/", 1)
    return _gpc_account(number), re.sub(r"\D", "", bank).zfill(4)[-4:]
