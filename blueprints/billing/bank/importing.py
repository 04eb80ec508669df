"""Bank files from upload to booking, and the queue of credits that matched no invoice (issue 13 item 4).

Upload: the bytes are checked (size, format told from content) and read in full before anything is kept;
a file Porch cannot read is refused with the line or element that is wrong, and nothing is stored. The same
bytes twice (sha256) are refused, naming the earlier upload. A readable file is kept under a made-up name
under bank/<association id>/ in the storage (core.storage) with a BankFile row in state "preview"; a CSV whose header no mapping
knows waits there for the board's column mapping.

Preview: the file is read again and matched (matching.py) against the invoices and the transactions booked
before, with the same look-up booking makes (a query per thousand entries); nothing is written. Entries already booked from an earlier file
(the same key: the bank's own reference, or a hash of date, amount, reference and payer) are duplicates.

Booking is one transaction: the file is claimed (preview → booked, so two clicks book once), the entries are
matched again, matched credits become receipts spent as allocation.receive spends them (the named invoice
first, then the payer's oldest, the rest as credit; booking.py does it in bulk) and every entry but the
duplicates becomes a BankTransaction: booked, suggested or unmatched (both wait in the queue), or not booked
(debits, reversals, another currency). A credit booked from the queue goes through allocation.receive.

The queue: the board assigns a waiting credit to an invoice or a person, confirms a suggestion, or ignores
it with a reason; each is done once (the state changes in SQL only from waiting), and records who and when.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import peewee as pw
from flask import current_app

from blueprints.billing import allocation
from blueprints.billing.bank import booking, csvfile
from blueprints.billing.bank.matching import (
    DUPLICATE,
    MATCHED,
    NOT_BOOKED,
    SUGGESTED,
    UNMATCHED,
    Matcher,
    Outcome,
)
from blueprints.billing.bank.reading import Unmapped, read
from blueprints.billing.bank.statement import Statement
from core import clock
from core.audit import audit
from core.storage import FileHandle, key, storage
from core.text import lazy_gettext as _l
from models.billing import BankFile, BankMapping, BankTransaction, BillingSettings, Invoice, Receipt
from models.db import transaction
from models.portal import Association, User
from models.register import Person

MAX_BYTES = 15 * 1024 * 1024  # a year of 10,000 camt.053 entries is about 12 MB
FOLDER = "bank"
STORED_NAME = re.compile(r"^bank-[0-9a-f]{32}\.dat$")
WAITING = (BankTransaction.UNMATCHED, BankTransaction.SUGGESTED)
REASON_MAX = 200


class BankImportError(ValueError):
    """An import or queue action the rules refuse; `message` is shown to the board."""

    def __init__(self, message, earlier: BankFile | None = None):
        super().__init__(str(message))
        self.message = message
        self.earlier = earlier


# --- the stored bytes ----------------------------------------------------------------------------


def _file(association_id: int, stored_name: str) -> FileHandle:
    return storage().file(key(FOLDER, int(association_id), stored_name))


def stored_path(bank_file: BankFile) -> FileHandle | None:
    """The file's stored bytes, or None (a name we did not make, or the bytes are gone)."""
    if not STORED_NAME.match(bank_file.stored_name or ""):
        return None
    path = _file(bank_file.association_id, bank_file.stored_name)
    return path if path.is_file() else None


def _store(association_id: int, data: bytes) -> str:
    name = f"bank-{secrets.token_hex(16)}.dat"
    storage().put(key(FOLDER, int(association_id), name), data)
    return name


def _read_stored(bank_file: BankFile) -> bytes:
    path = stored_path(bank_file)
    if path is None:
        raise BankImportError(_l("The file's content is no longer kept; discard it and upload it again."))
    return path.read_bytes()


# --- reading ---------------------------------------------------------------------------------------


def mappings_of(association: Association | int) -> Callable[[str], dict | None]:
    """Look-up of the association's remembered CSV mappings by header fingerprint."""

    def found(key: str) -> dict | None:
        row = BankMapping.get_or_none((BankMapping.association == association) & (BankMapping.header_key == key))
        return json.loads(row.mapping) if row is not None else None

    return found


def read_data(association: Association, data: bytes) -> Statement | Unmapped:
    return read(data, language=association.locale, currency=association.currency, mapping_for=mappings_of(association))


def read_file(bank_file: BankFile, association: Association) -> Statement | Unmapped:
    return read_data(association, _read_stored(bank_file))


def csv_table(bank_file: BankFile, association: Association, encoding: str = "", delimiter: str = ""):
    """The stored CSV as a table, decoded as the board chose (or guessed), for the mapping page."""
    encodings = (encoding,) if encoding else csvfile.encodings_for(association.locale)
    return csvfile.read_table(_read_stored(bank_file), encodings, delimiter)


def header_key_of(bank_file: BankFile, association: Association) -> str:
    """The fingerprint the mapping is remembered by: the header as first decoded (see reading.read)."""
    return csv_table(bank_file, association).key


# --- matching in bulk ----------------------------------------------------------------------------


def seen_before(association: Association | int, statement: Statement) -> dict[str, int]:
    """Keys of the statement's entries already booked from earlier files, with that file's id.

    Every key is looked up itself (a query per thousand), by the preview and by booking alike, so what the
    preview says is what booking does: an entry the bank re-dated is still found, whatever its day, and
    the table's unique key never refuses a row halfway through a booking."""
    if not statement.entries:
        return {}
    ordered, found = sorted({entry.key for entry in statement.entries}), {}
    scope = BankTransaction.select(BankTransaction.key, BankTransaction.file).where(
        BankTransaction.association == association
    )
    for start in range(0, len(ordered), 1000):
        found.update(scope.where(BankTransaction.key.in_(ordered[start : start + 1000])).tuples())
    return found


def match_all(association: Association, statement: Statement) -> list[Outcome]:
    """Every entry's outcome: duplicate, matched, suggested, unmatched or not booked."""
    return _match(association, statement)[0]


def _match(association: Association, statement: Statement) -> tuple[list[Outcome], Matcher]:
    seen = seen_before(association, statement)
    matcher = Matcher(association, BillingSettings.for_association(association))
    return [matcher.match(entry, seen.get(entry.key)) for entry in statement.entries], matcher


@dataclass
class Totals:
    count: int = 0
    amount: int = 0


@dataclass
class Summary:
    """What a file comes to, by outcome: how many entries and how much money."""

    by_state: dict[str, Totals] = field(default_factory=dict)
    credits: Totals = field(default_factory=Totals)
    debits: Totals = field(default_factory=Totals)

    def of(self, state: str) -> Totals:
        return self.by_state.get(state, Totals())


def summarize(outcomes: list[Outcome]) -> Summary:
    summary = Summary()
    for outcome in outcomes:
        totals = summary.by_state.setdefault(outcome.state, Totals())
        totals.count += 1
        totals.amount += outcome.entry.amount
        side = summary.credits if outcome.entry.kind == BankTransaction.CREDIT else summary.debits
        side.count += 1
        side.amount += outcome.entry.amount
    return summary


@dataclass
class Preview:
    statement: Statement
    outcomes: list[Outcome]
    summary: Summary


class PreviewCache:
    """(file, what its outcomes depend on) -> its preview, per app, the few most recent kept.

    Reading and matching a year's statement of 10,000 entries takes seconds; the board turns its pages and
    filters. The outcomes change only with the invoices and payments (each change raises the association's
    billing revision), the transactions booked before (a new one has a higher id) and, for a CSV, its
    mapping: a preview computed with all of them the same is still right."""

    KEPT = 4

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, Preview] = OrderedDict()

    @classmethod
    def of_app(cls) -> PreviewCache:
        return current_app.extensions.setdefault("porch.bank_previews", cls())

    def get(self, key: tuple) -> Preview | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple, found: Preview) -> None:
        with self.lock:
            self.entries[key] = found
            while len(self.entries) > self.KEPT:
                self.entries.popitem(last=False)


def _preview_key(bank_file: BankFile, association: Association) -> tuple:
    newest = BankTransaction.select(pw.fn.MAX(BankTransaction.id)).where(BankTransaction.association == association)
    mapped = None
    if bank_file.format == BankFile.CSV:
        mapped = (
            BankMapping.select(pw.fn.MAX(BankMapping.updated_at)).where(BankMapping.association == association).scalar()
        )
    return (bank_file.id, bank_file.sha256, bank_file.stored_name, BillingSettings.revision_of(association),
            newest.scalar(), mapped)  # fmt: skip


def preview(bank_file: BankFile, association: Association) -> Preview | Unmapped:
    """What booking the file would do, entry by entry; nothing is written."""
    key = _preview_key(bank_file, association)
    cache = PreviewCache.of_app()
    found = cache.get(key)
    if found is not None:
        return found
    read_back = read_file(bank_file, association)
    if isinstance(read_back, Unmapped):
        return read_back
    outcomes = match_all(association, read_back)
    found = Preview(read_back, outcomes, summarize(outcomes))
    cache.put(key, found)
    return found


# --- upload --------------------------------------------------------------------------------------


def upload(association: Association, user: User | None, name: str, data: bytes) -> BankFile:
    """Check, read and keep an uploaded bank file as a preview. Raises BankFileError or BankImportError;
    then nothing is stored."""
    if not data:
        raise BankImportError(_l("%(name)s is empty.", name=name))
    if len(data) > MAX_BYTES:
        raise BankImportError(_l("%(name)s is larger than %(size)s MB.", name=name, size=MAX_BYTES // 1024 // 1024))
    digest = hashlib.sha256(data).hexdigest()
    earlier = BankFile.get_or_none((BankFile.association == association) & (BankFile.sha256 == digest))
    if earlier is not None and earlier.state != BankFile.DISCARDED:
        raise BankImportError(_l("This file was uploaded before."), earlier)
    read_back = read_data(association, data)  # raises BankFileError: nothing is stored yet
    values = dict(
        original_name=name[:200],
        created_by=user.id if user is not None else None,
        created_at=clock.utcnow_naive(),
        booked_at=None,
        state=BankFile.PREVIEW,
    )
    if isinstance(read_back, Unmapped):
        values.update(format=BankFile.CSV, version="", account="", first_day=None, last_day=None,
                      transaction_count=len(read_back.table.rows), booked_count=0, duplicate_count=0)  # fmt: skip
    else:
        outcomes = match_all(association, read_back)
        values.update(
            format=read_back.format,
            version=read_back.version[:20],
            account=read_back.account[:40],
            first_day=read_back.first_day,
            last_day=read_back.last_day,
            transaction_count=len(outcomes),
            booked_count=0,
            duplicate_count=sum(1 for o in outcomes if o.state == DUPLICATE),
        )
    stored_name = _store(association.id, data)
    try:
        with transaction():
            if earlier is not None:  # discarded before: the same row takes the file again
                BankFile.update(stored_name=stored_name, **values).where(BankFile.id == earlier.id).execute()
                bank_file = BankFile.get_by_id(earlier.id)
            else:
                bank_file = BankFile.create(association=association, sha256=digest, stored_name=stored_name, **values)
            audit("billing.bank_file_uploaded", actor=user, association=association, target=f"bank_file:{bank_file.id}",
                  format=bank_file.format, entries=bank_file.transaction_count)  # fmt: skip
    except BaseException:
        _file(association.id, stored_name).unlink(missing_ok=True)
        raise
    if not isinstance(read_back, Unmapped):  # the preview the board opens next is this one
        PreviewCache.of_app().put(
            _preview_key(bank_file, association), Preview(read_back, outcomes, summarize(outcomes))
        )
    return bank_file


def save_mapping(association: Association, header_key: str, mapping: dict) -> None:
    """Remember a CSV mapping for the bank whose files have this header."""
    text = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
    bank = (mapping.get("bank") or "")[:120]
    updated = (
        BankMapping.update(mapping=text, bank=bank, updated_at=clock.utcnow_naive())
        .where((BankMapping.association == association) & (BankMapping.header_key == header_key))
        .execute()
    )
    if not updated:
        BankMapping.create(association=association, header_key=header_key, bank=bank, mapping=text)


def refresh_counts(bank_file: BankFile, association: Association, statement: Statement) -> None:
    """A CSV read through its new mapping: its period, account and counts as the preview shows them."""
    outcomes = match_all(association, statement)
    BankFile.update(
        version=statement.version[:20],
        account=statement.account[:40],
        first_day=statement.first_day,
        last_day=statement.last_day,
        transaction_count=len(outcomes),
        duplicate_count=sum(1 for o in outcomes if o.state == DUPLICATE),
    ).where(BankFile.id == bank_file.id).execute()


# --- booking and discarding ------------------------------------------------------------------------


@dataclass
class Booked:
    booked: int
    waiting: int
    not_booked: int
    duplicates: int
    amount: int


def book(bank_file: BankFile, association: Association, user: User | None) -> Booked:
    """Book the file, once: receipts for matched credits, the rest kept as its transactions."""
    read_back = read_file(bank_file, association)
    if isinstance(read_back, Unmapped):
        raise BankImportError(_l("Say which column holds what before booking this file."))
    now = clock.utcnow_naive()
    with transaction():
        claimed = (
            BankFile.update(state=BankFile.BOOKED, booked_at=now)
            .where((BankFile.id == bank_file.id) & (BankFile.state == BankFile.PREVIEW))
            .execute()
        )
        if not claimed:
            raise BankImportError(_l("This file is booked or discarded already."))
        outcomes, matcher = _match(association, read_back)
        fresh = [o for o in outcomes if o.state != DUPLICATE]
        credits = [_credit(o) for o in fresh if o.state == MATCHED]
        try:
            receipt_ids = iter(
                booking.book_credits(association, matcher.by_id, credits, bank_file_id=bank_file.id, user=user)
            )
        except booking.BookingConflictError as conflict:
            raise BankImportError(conflict.message) from None
        rows = []
        for outcome in fresh:
            booked = outcome.state == MATCHED
            state = BankTransaction.BOOKED if booked else outcome.state
            rows.append(_transaction_row(association, bank_file, outcome, state, next(receipt_ids) if booked else None))
        result = Booked(
            booked=len(credits),
            waiting=sum(1 for o in fresh if o.state in (SUGGESTED, UNMATCHED)),
            not_booked=sum(1 for o in fresh if o.state == NOT_BOOKED),
            duplicates=len(outcomes) - len(fresh),
            amount=sum(credit.amount for credit in credits),
        )
        booking.insert_many(BankTransaction, rows)
        BankFile.update(
            transaction_count=len(outcomes), booked_count=result.booked, duplicate_count=result.duplicates
        ).where(BankFile.id == bank_file.id).execute()
        audit("billing.bank_file_booked", actor=user, association=association, target=f"bank_file:{bank_file.id}",
              booked=result.booked, waiting=result.waiting, duplicates=result.duplicates)  # fmt: skip
    return result


def _credit(outcome: Outcome) -> booking.Credit:
    entry = outcome.entry
    return booking.Credit(
        person_id=outcome.invoice.recipient_id,
        amount=entry.amount,
        received_on=entry.booked_on,
        first=outcome.invoice,
        reference=entry.reference,
        note=entry.message or entry.payer_name,
    )


def _transaction_row(association, bank_file, outcome: Outcome, state: str, receipt_id: int | None) -> dict:
    entry = outcome.entry
    return dict(
        association=association.id,
        file=bank_file.id,
        key=entry.key,
        kind=entry.kind,
        booked_on=entry.booked_on,
        value_on=entry.value_on,
        amount=entry.amount,
        currency=entry.currency,
        reference=entry.reference[:140],
        message=entry.message,
        payer_name=entry.payer_name[:200],
        payer_account=entry.payer_account[:40],
        state=state,
        invoice=outcome.invoice.id if outcome.invoice else None,
        person=outcome.person_id,
        receipt=receipt_id,
        ignore_reason="",
        handled_by=None,
        handled_at=None,
    )


def discard(bank_file: BankFile, association: Association, user: User | None) -> None:
    """Drop a previewed file: nothing of it was booked; its bytes go, the row stays to say so."""
    with transaction():
        discarded = (
            BankFile.update(state=BankFile.DISCARDED)
            .where((BankFile.id == bank_file.id) & (BankFile.state == BankFile.PREVIEW))
            .execute()
        )
        if not discarded:
            raise BankImportError(_l("Only a file not booked yet can be discarded."))
        audit("billing.bank_file_discarded", actor=user, association=association, target=f"bank_file:{bank_file.id}")
    path = stored_path(bank_file)
    if path is not None:
        path.unlink(missing_ok=True)


# --- the queue -------------------------------------------------------------------------------------


def waiting(association: Association | int) -> pw.ModelSelect:
    """Credits waiting for the board, oldest first."""
    return (
        BankTransaction.select()
        .where((BankTransaction.association == association) & BankTransaction.state.in_(WAITING))
        .order_by(BankTransaction.booked_on, BankTransaction.id)
    )


def waiting_count(association: Association | int) -> int:
    return waiting(association).order_by().count()


def assign(
    tx: BankTransaction,
    association: Association,
    user: User | None,
    *,
    invoice: Invoice | None = None,
    person: Person | None = None,
) -> Receipt:
    """Book a waiting credit for an invoice (its recipient pays it, the rest as allocation does) or for a
    person (their oldest invoices, the rest as credit)."""
    if invoice is not None:
        if invoice.kind != Invoice.INVOICE:
            raise BankImportError(_l("A credit note is not paid: choose an invoice."))
        person = Person.get_by_id(invoice.recipient_id)
    if person is None or person.association_id != association.id:
        raise BankImportError(_l("Choose an invoice or a person."))
    person.association = association
    try:
        return _assign(tx, association, user, invoice, person)
    except allocation.AllocationError as error:  # the invoice or a payment changed meanwhile: nothing was kept
        raise BankImportError(error.message) from None


def _assign(tx, association, user, invoice: Invoice | None, person: Person) -> Receipt:
    now = clock.utcnow_naive()
    with transaction():
        claimed = (
            BankTransaction.update(
                state=BankTransaction.BOOKED,
                invoice=invoice.id if invoice is not None else None,
                person=person.id,
                handled_by=user.id if user is not None else None,
                handled_at=now,
            )
            .where((BankTransaction.id == tx.id) & BankTransaction.state.in_(WAITING))
            .execute()
        )
        if not claimed:
            raise BankImportError(_l("This payment has been dealt with already."))
        receipt = allocation.receive(
            person,
            tx.amount,
            tx.booked_on,
            first=invoice,
            reference=tx.reference,
            note=(tx.message or tx.payer_name)[:200],
            source=Receipt.BANK_FILE,
            bank_file=tx.file_id,
            user=user,
        )
        BankTransaction.update(receipt=receipt.id).where(BankTransaction.id == tx.id).execute()
        BankFile.update(booked_count=BankFile.booked_count + 1).where(BankFile.id == tx.file_id).execute()
        audit("billing.bank_payment_assigned", actor=user, association=association, target=f"bank_transaction:{tx.id}",
              invoice=invoice.number if invoice is not None else None, person=person.id, amount=tx.amount)  # fmt: skip
    return receipt


def confirm(tx: BankTransaction, association: Association, user: User | None) -> Receipt:
    """Book a suggestion as suggested."""
    if tx.state != BankTransaction.SUGGESTED or tx.invoice_id is None:
        raise BankImportError(_l("This payment has no suggestion to confirm."))
    invoice = Invoice.get_or_none((Invoice.id == tx.invoice_id) & (Invoice.association == association))
    if invoice is None:
        raise BankImportError(_l("The suggested invoice no longer exists; assign the payment yourself."))
    return assign(tx, association, user, invoice=invoice)


def ignore(tx: BankTransaction, association: Association, user: User | None, reason: str) -> None:
    """Take a waiting credit out of the queue without booking it, saying why (a refund, someone else's money)."""
    reason = (reason or "").strip()
    if not reason:
        raise BankImportError(_l("Say why this payment is not booked."))
    if len(reason) > REASON_MAX:
        raise BankImportError(_l("The reason can be at most %(max)d characters.", max=REASON_MAX))
    with transaction():
        changed = (
            BankTransaction.update(
                state=BankTransaction.IGNORED,
                ignore_reason=reason,
                handled_by=user.id if user is not None else None,
                handled_at=clock.utcnow_naive(),
            )
            .where((BankTransaction.id == tx.id) & BankTransaction.state.in_(WAITING))
            .execute()
        )
        if not changed:
            raise BankImportError(_l("This payment has been dealt with already."))
        audit("billing.bank_payment_ignored", actor=user, association=association, target=f"bank_transaction:{tx.id}",
              reason=reason, amount=tx.amount)  # fmt: skip
