"""Which invoice a bank credit pays: by its reference, or as a suggestion by amount and payer's name.

1. The reference, in the association's standard (BillingSettings.reference_standard), is trusted only when
   its check digits are right: a Swedish OCR number by Luhn (and its length digit where the association
   uses one), an Estonian or Finnish number by 7-3-1, an RF reference by ISO 7064 mod 97-10. A Czech
   variable symbol has no check digit; it matches an invoice's reference as digits, leading zeros aside.
   The structured reference comes first, then references found in the payer's message: an RF reference,
   a run of digits with right check digits (at least four digits, so a day or a flat number is not taken
   for one), or for variable symbols one written after "VS" (or a message that is nothing but the number).
   The named invoice may be paid already: the money then goes to its recipient's other invoices or credit.
   A number in the message is only a suggestion the board confirms (a postcode, a year or a flat number
   passes a check digit one time in ten), unless the payer's name is like the invoice recipient's and
   the credit is no more than the invoice's open amount; an RF reference there (mod 97) is trusted.
2. Otherwise, as a suggestion the board confirms: an open invoice whose outstanding amount is exactly the
   credit's, to a recipient whose name is like the payer's (accents, case and word order aside).

Only credits in the association's currency are matched. Debits and reversals are shown, never booked.
Everything is looked up in dictionaries built from two queries per file, whatever its size.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from blueprints.billing import references
from blueprints.billing.bank.statement import CREDIT, DEBIT, Entry
from core.text import fold
from models.billing import BankTransaction, BillingSettings, Invoice
from models.portal import Association

# What an entry comes to (the first four are BankTransaction states; DUPLICATE is never stored).
MATCHED, SUGGESTED, UNMATCHED, NOT_BOOKED = (
    BankTransaction.MATCHED, BankTransaction.SUGGESTED, BankTransaction.UNMATCHED, BankTransaction.NOT_BOOKED,
)  # fmt: skip
DUPLICATE = "duplicate"
# Why, for the preview's words.
BY_REFERENCE, BY_MESSAGE, BY_AMOUNT_AND_NAME = "reference", "message", "amount_and_name"
NO_MATCH, IS_DEBIT, IS_REVERSAL, OTHER_CURRENCY, SEEN_BEFORE = "none", "debit", "reversal", "currency", "seen"

NAME_LIKENESS = 0.5  # share of the shorter name's words found in the other (or as alike by letters)
SPELLING_LIKENESS = 0.85  # "Svenson" for "Svensson": alike by letters
MIN_DIGITS_IN_TEXT = 4
_OPEN = Invoice.total - Invoice.paid_total - Invoice.credited_total
_RF_IN_TEXT = re.compile(r"RF\s?\d{2}(?:\s?[A-Z0-9]){1,21}")
_DIGIT_GROUPS = re.compile(r"\d+(?: \d+)*")
_VS_IN_TEXT = re.compile(r"\bVS\W{0,3}(\d{1,10})\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class InvoiceInfo:
    """What matching and the preview need of an invoice, read once per file."""

    id: int
    number: int
    reference: str
    recipient_id: int
    recipient_name: str
    issue_date: dt.date
    due_date: dt.date
    outstanding: int


@dataclass
class Outcome:
    entry: Entry
    state: str
    why: str
    invoice: InvoiceInfo | None = None
    seen_in: int | None = None  # the earlier bank file that holds a duplicate

    @property
    def person_id(self) -> int | None:
        return self.invoice.recipient_id if self.invoice is not None else None


class Matcher:
    """Matches entries against the association's invoices, loaded in bulk when it is made."""

    def __init__(self, association: Association, settings: BillingSettings):
        self.currency = association.currency
        self.standard = settings.reference_standard
        self.length_digit = settings.ocr_length_digit
        self.by_reference: dict[str, InvoiceInfo] = {}
        self.by_amount: dict[int, list[InvoiceInfo]] = {}
        self.by_id: dict[int, InvoiceInfo] = {}
        self._load(association)

    def _load(self, association: Association) -> None:
        """One query: every invoice with a reference to be named by, and every open one to be suggested."""
        rows = (
            Invoice.select(
                Invoice.id,
                Invoice.number,
                Invoice.reference,
                Invoice.recipient,
                Invoice.recipient_name,
                Invoice.issue_date,
                Invoice.due_date,
                _OPEN.alias("open"),
            )  # fmt: skip
            .where(
                (Invoice.association == association)
                & (Invoice.kind == Invoice.INVOICE)
                & ((Invoice.reference != "") | (_OPEN > 0))
            )
            .order_by(Invoice.id)
            .tuples()
        )
        for row in rows:
            info = InvoiceInfo(*row[:7], outstanding=max(int(row[7] or 0), 0))
            self.by_id[info.id] = info
            if info.reference:
                self.by_reference.setdefault(self._index_key(info.reference), info)
            if info.outstanding > 0:
                self.by_amount.setdefault(info.outstanding, []).append(info)

    def _index_key(self, reference: str) -> str:
        text = references.normalize(reference)
        if self.standard == references.CZ_VS:
            return text.lstrip("0") or "0"
        return text

    # --- one entry -----------------------------------------------------------------------------

    def match(self, entry: Entry, seen_in: int | None = None) -> Outcome:
        if seen_in is not None:
            return Outcome(entry, DUPLICATE, SEEN_BEFORE, seen_in=seen_in)
        if entry.kind != CREDIT:
            return Outcome(entry, NOT_BOOKED, IS_DEBIT if entry.kind == DEBIT else IS_REVERSAL)
        if entry.currency != self.currency:
            return Outcome(entry, NOT_BOOKED, OTHER_CURRENCY)
        invoice = self.named(entry.reference)
        if invoice is not None:
            return Outcome(entry, MATCHED, BY_REFERENCE, invoice)
        from_message = None
        for candidate in self.candidates(entry.message):
            invoice = self.named(candidate)
            if invoice is not None and self.trusted_in_message(entry, invoice):
                return Outcome(entry, MATCHED, BY_MESSAGE, invoice)
            from_message = from_message or invoice
        suggested = self.suggest(entry)  # the same amount and a like name say more than a number in the text
        if suggested is not None:
            return Outcome(entry, SUGGESTED, BY_AMOUNT_AND_NAME, suggested)
        if from_message is not None:
            return Outcome(entry, SUGGESTED, BY_MESSAGE, from_message)
        return Outcome(entry, UNMATCHED, NO_MATCH)

    def trusted_in_message(self, entry: Entry, invoice: InvoiceInfo) -> bool:
        """Whether a reference read from the payer's message may book the credit without the board: an RF
        reference (a mod-97 check passes one number in 97), or a payer named like the recipient paying no
        more than the invoice's open amount. Anything else is the board's to confirm."""
        if self.standard == references.RF:
            return True
        alike = likeness(entry.payer_name, invoice.recipient_name) >= NAME_LIKENESS
        return alike and entry.amount <= invoice.outstanding

    def named(self, text: str) -> InvoiceInfo | None:
        """The invoice a reference names, if it is valid in the association's standard."""
        reference = references.normalize(text)
        if not reference:
            return None
        if self.standard == references.CZ_VS:
            digits = re.sub(r"^/?VS\W?", "", reference)
            valid = digits.isdigit() and len(digits) <= 10
            return self.by_reference.get(digits.lstrip("0") or "0") if valid else None
        if self.standard == references.FREE:
            return self.by_reference.get(reference)
        if not references.validate(self.standard, reference, length_digit=self.length_digit):
            return None
        return self.by_reference.get(reference) or self.by_reference.get(reference.lstrip("0"))

    def candidates(self, message: str) -> list[str]:
        """References a payer may have written into the message, in the order written."""
        text = message or ""
        if self.standard == references.RF:
            found = []
            for match in _RF_IN_TEXT.finditer(text.upper()):
                compact = match.group().replace(" ", "")
                # The pattern may run on into the next word: the longest prefix that is a valid reference.
                ends = range(len(compact), 4, -1)
                valid = next((compact[:end] for end in ends if references.validate(references.RF, compact[:end])), None)
                if valid:
                    found.append(valid)
            return found
        if self.standard == references.CZ_VS:
            found = [match.group(1) for match in _VS_IN_TEXT.finditer(text)]
            stripped = text.strip()
            return found + ([stripped] if stripped.isdigit() and len(stripped) <= 10 else [])
        if self.standard == references.FREE:
            return [text] if text.strip() else []
        found = []
        for match in _DIGIT_GROUPS.finditer(text):
            group = match.group()
            for candidate in (group.replace(" ", ""), *group.split(" ")):
                if len(candidate) >= MIN_DIGITS_IN_TEXT and candidate not in found:
                    found.append(candidate)
        return found

    def suggest(self, entry: Entry) -> InvoiceInfo | None:
        """An open invoice of exactly this amount to someone named like the payer (best name, then oldest)."""
        if not entry.payer_name:
            return None
        best, best_key = None, None
        for invoice in self.by_amount.get(entry.amount, ()):
            score = likeness(entry.payer_name, invoice.recipient_name)
            if score < NAME_LIKENESS:
                continue
            key = (-score, invoice.due_date, invoice.id)
            if best_key is None or key < best_key:
                best, best_key = invoice, key
        return best


def likeness(payer: str, recipient: str) -> float:
    """How alike two names are, 0 to 1: the share of the shorter name's words found in the other ("NOVAK JAN"
    and "Jan Novák" are 1.0), or, for spelling differences, how alike their letters are in word order."""
    a, b = _words(payer), _words(recipient)
    if not a or not b:
        return 0.0
    shared = len(a & b) / min(len(a), len(b))
    if shared >= NAME_LIKENESS:
        return shared
    letters = SequenceMatcher(None, " ".join(sorted(a)), " ".join(sorted(b)))
    # The quick upper bounds first: most names are nothing alike, and ratio() is the slow part.
    if letters.real_quick_ratio() < SPELLING_LIKENESS or letters.quick_ratio() < SPELLING_LIKENESS:
        return shared
    ratio = letters.ratio()
    return max(shared, ratio if ratio >= SPELLING_LIKENESS else 0.0)


@lru_cache(maxsize=65536)
def _words(name: str) -> frozenset[str]:
    """A name's words as compared: folded (no accents, lower case), initials left out."""
    return frozenset(word for word in _WORD.findall(fold(name)) if len(word) > 1)
