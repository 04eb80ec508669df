"""ISO 20022 bank-to-customer statements (camt.053) and debit/credit notifications (camt.054).

Read with the standard library's expat-based ElementTree, hardened: a document type declaration is refused
as it starts, so no entity is ever declared, let alone expanded (the "billion laughs" and external-entity
attacks need one), and nothing is fetched from anywhere. The elements read are the same in every version
from .001.02 on; where versions differ, both spellings are read:

- the entry's status: <Sts>BOOK</Sts> (.02, .04) or <Sts><Cd>BOOK</Cd></Sts> (.08);
- a transaction's amount: <TxDtls><Amt> (.04 on) or <AmtDtls><TxAmt><Amt> (.02);
- a party's name: <Dbtr><Nm> (.02, .04) or <Dbtr><Pty><Nm> (.08).

An entry (Ntry) with several transactions (TxDtls, a batch booking) becomes one entry per transaction,
whose amounts must add up to the entry's. Entries not booked yet (status PDNG or INFO) are left out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from blueprints.billing.bank.statement import (
    CREDIT,
    DEBIT,
    REVERSAL,
    BankFileError,
    Entry,
    Statement,
    clean,
    iso_date,
    minor_units,
)
from core.text import lazy_gettext as _l

_ROOT = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.(\d{2})\}Document$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MESSAGE_MAX = 1000


class _DoctypeRefusedError(Exception):
    pass


class _NoDoctype(ET.TreeBuilder):
    """Builds the tree, and stops at a document type declaration before any of its entities is declared."""

    def doctype(self, name, pubid, system):
        raise _DoctypeRefusedError()


def looks_like(data: bytes) -> bool:
    """An XML document (after a byte order mark and white space)."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def parse(data: bytes) -> Statement:
    root = _root(data)
    match = _ROOT.match(root.tag)
    if not match:
        name = root.tag.rsplit("}", 1)[-1]
        raise BankFileError(_l("This XML file is not an ISO 20022 camt.053 or camt.054 message."), f"/{name}")
    number, version = match.groups()
    reader = _Reader(root.tag[: root.tag.index("}") + 1])
    message_name, report_name = ("BkToCstmrStmt", "Stmt") if number == "053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    message = reader.required(root, message_name, "/Document")
    statement = Statement(format=f"camt{number}", version=f"camt.{number}.001.{version}")
    reports = message.findall(reader.ns + report_name)
    if not reports:
        raise BankFileError(_l("The message holds no %(name)s.", name=report_name), f"/Document/{message_name}")
    accounts = []
    for index, report in enumerate(reports, 1):
        path = f"/Document/{message_name}/{report_name}[{index}]"
        account = reader.account(reader.required(report, "Acct", path), f"{path}/Acct")
        if account not in accounts:
            accounts.append(account)
        reader.period(report, path, statement)
        before = len(statement.entries)
        for position, entry in enumerate(reader.all(report, "Ntry"), 1):
            reader.entries(entry, f"{path}/Ntry[{position}]", statement)
        for made in statement.entries[before:]:  # keyed by its own account, not the file's list of them
            made.account = account
    statement.account = ", ".join(accounts)[:40]  # for display only
    return statement.finish()


def _root(data: bytes) -> ET.Element:
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(data)
        return parser.close()
    except _DoctypeRefusedError:
        raise BankFileError(
            _l("The file declares a document type (DTD). Bank statements never do, and Porch does not read one."),
            "line 1",
        ) from None
    except ET.ParseError as error:
        line, column = error.position
        raise BankFileError(
            _l("The XML is not well formed (%(reason)s).", reason=str(error).split(":")[0]),
            f"line {line}, column {column}",
        ) from None


class _Reader:
    """Finds elements in the message's namespace and names the path of what is wrong."""

    def __init__(self, ns: str):
        self.ns = ns
        self._steps: dict[str, tuple[str, ...]] = {}

    def all(self, element: ET.Element, path: str) -> list[ET.Element]:
        """Every element at `path` ("RltdPties/Dbtr/Nm") below `element`, in document order. One step at a time
        in C (Element.findall of a tag): the general path language would be ten times slower, per entry."""
        steps = self._steps.get(path)
        if steps is None:
            steps = self._steps[path] = tuple(self.ns + step for step in path.split("/"))
        found = [element]
        for tag in steps:
            found = [child for parent in found for child in parent.findall(tag)]
            if not found:
                break
        return found

    def find(self, element: ET.Element, path: str) -> ET.Element | None:
        found = self.all(element, path)
        return found[0] if found else None

    def text(self, element: ET.Element, path: str) -> str:
        found = self.find(element, path)
        return (found.text or "").strip() if found is not None else ""

    def texts(self, element: ET.Element, path: str) -> list[str]:
        return [(found.text or "").strip() for found in self.all(element, path) if (found.text or "").strip()]

    def required(self, element: ET.Element, name: str, path: str) -> ET.Element:
        found = self.find(element, name)
        if found is None:
            raise BankFileError(_l("The element %(name)s is missing.", name=name.rsplit("/", 1)[-1]), f"{path}/{name}")
        return found

    # --- the statement -------------------------------------------------------------------------

    def account(self, account: ET.Element, path: str) -> str:
        number = self.text(account, "Id/IBAN") or self.text(account, "Id/Othr/Id")
        if not number:
            raise BankFileError(_l("The account has no IBAN or other number."), f"{path}/Id")
        return clean(number, 40).replace(" ", "")

    def period(self, report: ET.Element, path: str, statement: Statement) -> None:
        start, end = self.text(report, "FrToDt/FrDtTm"), self.text(report, "FrToDt/ToDtTm")
        if start and end:
            first, last = iso_date(start, f"{path}/FrToDt/FrDtTm"), iso_date(end, f"{path}/FrToDt/ToDtTm")
            statement.first_day = min(filter(None, [statement.first_day, first]))
            statement.last_day = max(filter(None, [statement.last_day, last]))

    # --- entries -------------------------------------------------------------------------------

    def entries(self, entry: ET.Element, path: str, statement: Statement) -> None:
        status = self.text(entry, "Sts/Cd") or self.text(entry, "Sts") or "BOOK"
        if status != "BOOK":  # pending or information only: the bank reports it again once booked
            statement.left_out += 1
            return
        currency, amount = self.amount(self.required(entry, "Amt", path), f"{path}/Amt")
        direction = self.direction(entry, path, required=True)
        reversal = self.text(entry, "RvslInd").lower() in ("true", "1")
        booked_on = self.day(entry, "BookgDt", path) or self.day(entry, "ValDt", path)
        if booked_on is None:
            raise BankFileError(_l("The element %(name)s is missing.", name="BookgDt"), f"{path}/BookgDt")
        common = dict(booked_on=booked_on, value_on=self.day(entry, "ValDt", path), currency=currency)
        # The bank's own reference of the entry. Never NtryRef: many banks number the entries of each
        # statement 1, 2, 3…, so it names another payment in next month's statement.
        entry_ref = self.text(entry, "AcctSvcrRef")
        details = [
            (f"{path}/NtryDtls[{i}]/TxDtls[{j}]", tx)
            for i, block in enumerate(entry.findall(self.ns + "NtryDtls"), 1)
            for j, tx in enumerate(block.findall(self.ns + "TxDtls"), 1)
        ]
        if len(details) <= 1:
            tx_path, tx = details[0] if details else (path, None)
            kind = REVERSAL if reversal else _kind(direction)
            bank_ref = entry_ref or self.tx_ref(tx, booked_on, amount)
            statement.entries.append(
                self.entry(tx, tx_path, kind, direction, amount=amount, bank_ref=bank_ref, fallback=entry, **common)
            )
            return
        self.batch(details, path, statement, entry, direction, reversal, amount, entry_ref, common)

    def batch(self, details, path, statement, entry, direction, reversal, amount, entry_ref, common) -> None:
        """A batch booking: one entry per transaction, which must add up to the booked amount."""
        signed_total = 0
        made = []
        for position, (tx_path, tx) in enumerate(details, 1):
            tx_currency, tx_amount = self.tx_amount(tx, tx_path)
            if tx_currency != common["currency"]:
                raise BankFileError(
                    _l(
                        "The transaction is in %(tx)s, its entry in %(entry)s.",
                        tx=tx_currency,
                        entry=common["currency"],
                    ),
                    f"{tx_path}/Amt",
                )
            tx_direction = self.direction(tx, tx_path, required=False) or direction
            signed_total += tx_amount if tx_direction == direction else -tx_amount
            own_ref = self.text(tx, "Refs/AcctSvcrRef")
            bank_ref = (
                own_ref
                or (f"{entry_ref}/{position}" if entry_ref else "")
                or self.tx_ref(tx, common["booked_on"], tx_amount)
            )
            kind = REVERSAL if reversal else _kind(tx_direction)
            made.append(self.entry(tx, tx_path, kind, tx_direction, amount=tx_amount, bank_ref=bank_ref, **common))
        if signed_total != amount:
            raise BankFileError(
                _l("The batch's transactions do not add up to the amount of its entry."), f"{path}/NtryDtls"
            )
        statement.entries.extend(made)

    def entry(self, tx, path, kind, direction, *, amount, bank_ref, fallback=None, **common) -> Entry:
        """The entry of one transaction's details (or of an entry that has none)."""
        if tx is None:
            note = self.text(fallback, "AddtlNtryInf") if fallback is not None else ""
            return Entry(kind=kind, amount=amount, bank_ref=bank_ref, message=clean(note, MESSAGE_MAX), where=path,
                         **common)  # fmt: skip
        references = self.texts(tx, "RmtInf/Strd/CdtrRefInf/Ref")
        words = self.texts(tx, "RmtInf/Ustrd")
        end_to_end = self.text(tx, "Refs/EndToEndId")
        if end_to_end and end_to_end.upper() != "NOTPROVIDED":
            words.append(end_to_end)  # Czech banks carry the variable symbol here ("/VS/1234/SS//KS/0308")
        words += references[1:]  # a payment naming several invoices: the others are read from the message
        if not words:
            words = self.texts(tx, "AddtlTxInf") or (
                self.texts(fallback, "AddtlNtryInf") if fallback is not None else []
            )
        # The other side: who paid money in, who was paid money out; a reversal names its original's.
        paid_in = (direction == "CRDT") != (kind == REVERSAL)
        party, account = ("Dbtr", "DbtrAcct") if paid_in else ("Cdtr", "CdtrAcct")
        name = (
            self.text(tx, f"RltdPties/{party}/Nm")
            or self.text(tx, f"RltdPties/{party}/Pty/Nm")
            or self.text(tx, f"RltdPties/Ultmt{party}/Nm")
            or self.text(tx, f"RltdPties/Ultmt{party}/Pty/Nm")
        )
        number = self.text(tx, f"RltdPties/{account}/Id/IBAN") or self.text(tx, f"RltdPties/{account}/Id/Othr/Id")
        return Entry(
            kind=kind,
            amount=amount,
            bank_ref=bank_ref[:60],
            reference=clean(references[0] if references else "", 140),
            message=clean(" ".join(words), MESSAGE_MAX),
            payer_name=clean(name, 200),
            payer_account=clean(number, 40).replace(" ", ""),
            where=path,
            **common,
        )

    def tx_ref(self, tx: ET.Element | None, booked_on, amount: int) -> str:
        """A transaction's own id for its key when the entry has no AcctSvcrRef: the bank's (Refs/AcctSvcrRef),
        else the sender's TxId or EndToEndId with the day and amount (the sender's ids are not unique over
        time: they are made unique by what they come with); "" when there is none, and the key is a hash."""
        if tx is None:
            return ""
        own = self.text(tx, "Refs/AcctSvcrRef")
        if own:
            return own
        for name in ("Refs/TxId", "Refs/EndToEndId"):
            sent = self.text(tx, name)
            if sent and sent.upper() != "NOTPROVIDED":
                return f"id:{booked_on:%Y%m%d}:{amount}:{sent}"
        return ""

    def amount(self, element: ET.Element, path: str) -> tuple[str, int]:
        currency = (element.get("Ccy") or "").strip()
        if not _CURRENCY.match(currency):
            raise BankFileError(_l("The amount has no currency (Ccy)."), f"{path}/@Ccy")
        return currency, minor_units(element.text or "", currency, path)

    def tx_amount(self, tx: ET.Element, path: str) -> tuple[str, int]:
        for name in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
            found = self.find(tx, name)
            if found is not None:
                return self.amount(found, f"{path}/{name}")
        raise BankFileError(_l("A transaction of a batch has no amount."), f"{path}/Amt")

    def direction(self, element: ET.Element, path: str, *, required: bool) -> str:
        value = self.text(element, "CdtDbtInd")
        if value in ("CRDT", "DBIT"):
            return value
        if value or required:
            raise BankFileError(_l("CdtDbtInd must be CRDT or DBIT."), f"{path}/CdtDbtInd")
        return ""

    def day(self, entry: ET.Element, name: str, path: str):
        for form in ("Dt", "DtTm"):
            text = self.text(entry, f"{name}/{form}")
            if text:
                return iso_date(text, f"{path}/{name}/{form}")
        return None


def _kind(direction: str) -> str:
    return CREDIT if direction == "CRDT" else DEBIT
