"""What every bank file reads into: one uniform statement of entries, whatever the format.

A parser returns a Statement or raises BankFileError naming the line (fixed-width and CSV files) or the
element path (XML) that is wrong; it never stores anything. Amounts are integers of minor units and always
positive: `kind` says which way the money went (credit in, debit out, reversal of an earlier booking).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from blueprints.billing import money
from core.text import lazy_gettext as _l
from models.billing import BankTransaction

CREDIT, DEBIT, REVERSAL = BankTransaction.CREDIT, BankTransaction.DEBIT, BankTransaction.REVERSAL
KEY_MAX = 100  # BankTransaction.key


class BankFileError(ValueError):
    """A file Porch does not read; `message` says why, `where` the line or element it concerns."""

    def __init__(self, message, where: str = ""):
        super().__init__(f"{where}: {message}" if where else str(message))
        self.message = message
        self.where = where


@dataclass
class Entry:
    """One movement on the account as the bank reported it."""

    kind: str
    booked_on: dt.date
    amount: int  # minor units, > 0
    currency: str
    value_on: dt.date | None = None
    reference: str = ""  # the structured reference as sent (OCR, RF, variable symbol…)
    message: str = ""  # free text from the payer, and what else the file says about the payment
    payer_name: str = ""  # the counterparty: who paid a credit, who was paid a debit
    payer_account: str = ""
    bank_ref: str = ""  # the bank's own id of the entry, when the file gives one
    account: str = ""  # the account of its own statement (Stmt, bankgiro section, GPC header); else the file's
    where: str = ""  # its line or element path, for messages
    key: str = ""  # set by assign_keys()


@dataclass
class Statement:
    format: str
    version: str = ""
    account: str = ""
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    entries: list[Entry] = field(default_factory=list)
    left_out: int = 0  # entries the file lists but has not booked (pending, information only)

    def finish(self) -> Statement:
        """Fill the period from the entries where the file gave none, and give every entry its key.
        An entry of no amount moved no money: it is left out."""
        self.left_out += sum(1 for entry in self.entries if entry.amount == 0)
        self.entries = [entry for entry in self.entries if entry.amount > 0]
        for entry in self.entries:
            entry.account = entry.account or self.account
        days = [entry.booked_on for entry in self.entries]
        if days:
            self.first_day = self.first_day or min(days)
            self.last_day = self.last_day or max(days)
        assign_keys(self)
        return self


# --- keys --------------------------------------------------------------------------------------


def assign_keys(statement: Statement) -> None:
    """Each entry's key: the bank's own reference for it or, lacking one, a hash of what identifies it; a
    second entry with the same key in one file gets its ordinal, so equal payments on one day stay two.
    Both are of the entry's own account, never the file's list of accounts: an entry has one key whether
    its account's statement comes alone or with other accounts'."""
    seen: dict[str, int] = {}
    for entry in statement.entries:
        base = _bank_key(statement, entry) if entry.bank_ref else _hash_key(statement, entry)
        count = seen.get(base, 0) + 1
        seen[base] = count
        entry.key = base if count == 1 else f"{base}#{count}"


def _bank_key(statement: Statement, entry: Entry) -> str:
    # camt.053 and camt.054 of one account carry the same reference for one entry: one family, one key.
    family = "iso" if statement.format in ("camt053", "camt054") else statement.format
    key = f"{family}:{entry.account}:{entry.bank_ref}"
    if len(key) > KEY_MAX - 8:  # room for "#n"; a very long reference is hashed, still stable
        key = f"{family}:{hashlib.sha256(key.encode()).hexdigest()[:60]}"
    return key


def _hash_key(statement: Statement, entry: Entry) -> str:
    identity = "\x1f".join(
        [
            entry.account,
            entry.booked_on.isoformat(),
            entry.kind,
            str(entry.amount),
            entry.currency,
            entry.reference,
            entry.payer_name,
            entry.payer_account,
        ]
    )
    return "h:" + hashlib.sha256(identity.encode()).hexdigest()[:60]


# --- reading values ------------------------------------------------------------------------------


def minor_units(text: str, currency: str, where: str) -> int:
    """A positive decimal amount ("1234.50") as minor units of `currency`; more decimals than it has are refused."""
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        raise BankFileError(_l("“%(text)s” is not an amount.", text=(text or "")[:40]), where) from None
    if not value.is_finite() or value < 0:
        raise BankFileError(_l("“%(text)s” is not an amount.", text=(text or "")[:40]), where)
    digits = money.exponent(currency) if len(currency) == 3 else 2
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise BankFileError(
            _l("The amount %(text)s has more decimals than %(currency)s has.", text=text, currency=currency), where
        )
    units = int(scaled)
    if units > money.MAX_MINOR_UNITS:
        raise BankFileError(_l("The amount %(text)s is too large.", text=text), where)
    return units


def iso_date(text: str, where: str) -> dt.date:
    """2026-03-31, or a date and time (2026-03-31T10:00:00+01:00) read as the day it names."""
    text = (text or "").strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise BankFileError(_l("“%(text)s” is not a date.", text=text[:40]), where) from None


def compact_date(text: str, pattern: str, where: str) -> dt.date:
    """A fixed-width date such as 20260331 (%Y%m%d) or 310326 (%d%m%y)."""
    try:
        return dt.datetime.strptime(text, pattern).date()
    except ValueError:
        raise BankFileError(_l("“%(text)s” is not a date.", text=text[:20]), where) from None


def clean(text: str | None, limit: int) -> str:
    """Text from a file as kept: control characters gone, spaces collapsed, cut to the column's length."""
    words = "".join(ch if ch.isprintable() else " " for ch in (text or "")).split()
    return " ".join(words)[:limit]
