"""Invoices reach everyone (SPEC P7, B3a): by e-mail with the PDF attached (people without an account
too, at the register's address, in their invoice language) and/or on paper in a print batch.

start() writes one InvoiceDelivery per way the recipient chose, in the transaction that creates the
invoices, and queues the mail job after the commit (jobs/invoices.py renders each PDF and writes its
mail). The mail job's outcome comes back through mail_settled(). What the board sees per invoice is
status(); what it can do is send_again() and make_print_batch(). Nothing is sent twice: every job
claims its row before it works on it, and a delivery that has its mail is never mailed again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw
from flask import current_app

from core import clock
from core.queue import enqueue
from core.storage import FileHandle, key, storage
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import Person
from models.billing import Invoice, InvoiceDelivery, InvoiceRun, PrintBatch
from models.db import transaction
from models.mail import OutboundEmail

D = InvoiceDelivery
MAIL_JOB = "jobs.invoices.mail_invoices"
BATCH_JOB = "jobs.invoices.make_print_batch"
# A delivery claimed by a job longer ago than this lost its worker: the sweep queues it again.
STALE = dt.timedelta(minutes=10)

LABELS = {
    D.QUEUED: _lp("delivery", "On its way"),
    D.RENDERING: _lp("delivery", "On its way"),
    D.MAILING: _lp("delivery", "On its way"),
    D.SENT: _l("Mailed"),
    D.FAILED: _lp("delivery", "Failed"),
    D.NO_ADDRESS: _l("No address"),
    D.TO_PRINT: _l("To print"),
    D.PRINTED: _l("In the print batch"),
}
CHANNEL_LABELS = {D.EMAIL: _l("E-mail"), D.PAPER: _l("Paper")}


def job_id(delivery_ids: list[int]) -> str:
    return f"invoice-mail-{delivery_ids[0]}-{len(delivery_ids)}"


# --- starting ------------------------------------------------------------------------------------


def ways_of(person: Person) -> list[str]:
    """The ways the person wants invoices; e-mail when they chose none (the register's default)."""
    ways = [D.EMAIL] if person.invoice_by_email else []
    if person.invoice_by_paper:
        ways.append(D.PAPER)
    return ways or [D.EMAIL]


def new_row(invoice: Invoice, person: Person, channel: str, now: dt.datetime) -> dict:
    """A delivery as it starts: queued (e-mail) or to print (paper), or "no address" when the register lacks it."""
    if channel == D.EMAIL:
        address = (person.email or "").strip()
        state = D.QUEUED if address else D.NO_ADDRESS
    else:
        address = ""
        state = D.TO_PRINT if invoice.recipient_address.strip() else D.NO_ADDRESS
    return {
        "invoice": invoice.id,
        "channel": channel,
        "state": state,
        "to_address": address,
        "created_at": now,
        "updated_at": now,
    }


def start(invoices: Iterable[Invoice]) -> None:
    """Send new invoices on their way, each by its recipient's choice. Call inside the transaction
    that creates them; the mail job is queued once it commits. Invoices that have deliveries are
    left alone (a run repeated, a second click)."""
    invoices = list(invoices)
    if not invoices:
        return
    ids = [invoice.id for invoice in invoices]
    started = {i for (i,) in D.select(D.invoice).where(D.invoice.in_(ids)).tuples()}
    invoices = [invoice for invoice in invoices if invoice.id not in started]
    people = {p.id: p for p in Person.select().where(Person.id.in_({i.recipient_id for i in invoices}))}
    now = clock.utcnow_naive()
    rows = [
        new_row(invoice, people[invoice.recipient_id], channel, now)
        for invoice in invoices
        for channel in ways_of(people[invoice.recipient_id])
    ]
    if not rows:
        return
    with transaction():
        for start_at in range(0, len(rows), 2000):
            D.insert_many(rows[start_at : start_at + 2000]).execute()
        queued = [
            delivery_id
            for (delivery_id,) in D.select(D.id)
            .where(D.invoice.in_([i.id for i in invoices]) & (D.state == D.QUEUED))
            .order_by(D.id)
            .tuples()
        ]
        if queued:
            enqueue(MAIL_JOB, queued, job_id=job_id(queued))


def start_run(run: InvoiceRun) -> None:
    """Send a run's new invoices on their way (see start)."""
    start(Invoice.select(Invoice.id, Invoice.recipient, Invoice.recipient_address).where(Invoice.run == run))


# --- the board's actions -------------------------------------------------------------------------


class DeliveryError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def send_again(delivery: InvoiceDelivery) -> None:
    """Try a failed or address-less delivery again with what the register says now."""
    if delivery.state not in (D.FAILED, D.NO_ADDRESS):
        raise DeliveryError(_l("Only a delivery that failed or had no address can be sent again."))
    invoice = delivery.invoice
    person = invoice.recipient
    with transaction():
        if delivery.channel == D.EMAIL:
            address = (person.email or "").strip()
            if not address:
                raise DeliveryError(_l("The register still has no e-mail address for %(name)s.", name=person.full_name))
            _move(delivery, D.QUEUED, to_address=address, email=None)
            enqueue(MAIL_JOB, [delivery.id], job_id=job_id([delivery.id]))
            return
        if not invoice.recipient_address.strip():
            # Never sent: the invoice may take the address the register holds now.
            from_register = postal_address_of(person)
            if not from_register:
                raise DeliveryError(_l("The register still has no postal address for %(name)s.", name=person.full_name))
            Invoice.update(recipient_address=from_register).where(Invoice.id == invoice.id).execute()
        _move(delivery, D.TO_PRINT, batch=None)


def send_again_failed(run: InvoiceRun) -> int:
    """Send every failed e-mail delivery of a run again; how many."""
    failed = list(
        D.select(D, Invoice, Person)
        .join(Invoice)
        .join(Person, on=(Invoice.recipient == Person.id))
        .where((Invoice.run == run) & (D.channel == D.EMAIL) & (D.state == D.FAILED))
    )
    for delivery in failed:
        send_again(delivery)
    return len(failed)


def postal_address_of(person: Person) -> str:
    return "\n".join(line for line in (person.street, f"{person.postcode} {person.city}".strip()) if line)


def _move(delivery: InvoiceDelivery, state: str, error: str = "", **fields) -> None:
    D.update(state=state, error=error[:500], updated_at=clock.utcnow_naive(), **fields).where(
        D.id == delivery.id
    ).execute()
    delivery.state, delivery.error = state, error


def make_print_batch(association, run: InvoiceRun | None, order: str, user) -> PrintBatch | None:
    """Gather the paper invoices waiting to be printed (a run's, or the single invoices') into one PDF,
    made by a job; None when nothing waits. A run's batch made again (in another order) takes the
    run's paper invoices again, printed or not."""
    waiting = _paper(association, run)
    if run is None:
        waiting = waiting.where(D.state == D.TO_PRINT)
    total = waiting.count()
    if not total:
        return None
    now = clock.utcnow_naive()
    with transaction():
        batch = PrintBatch.get_or_none(PrintBatch.run == run) if run is not None else None
        if batch is None:
            batch = PrintBatch.create(association=association, run=run, order=order, created_by=user, total=total)
        else:
            PrintBatch.update(
                order=order, state=PrintBatch.QUEUED, done=0, total=total, error="", created_by=user, updated_at=now
            ).where(PrintBatch.id == batch.id).execute()
        ids = [d.id for d in waiting.select(D.id)]
        D.update(batch=batch, updated_at=now).where(D.id.in_(ids)).execute()
        enqueue(BATCH_JOB, batch.id, job_id=f"print-batch-{batch.id}-{int(now.timestamp())}")
    return PrintBatch.get_by_id(batch.id)


def _paper(association, run: InvoiceRun | None) -> pw.ModelSelect:
    """Paper deliveries with an address: of the run, or of single invoices."""
    query = (
        D.select(D)
        .join(Invoice)
        .where((Invoice.association == association) & (D.channel == D.PAPER) & (D.state != D.NO_ADDRESS))
    )
    return query.where(Invoice.run == run) if run is not None else query.where(Invoice.run.is_null())


PRINT_DIR = "print"


def batch_file(stored: str) -> FileHandle:
    """A print batch's PDF (never outside print/ in the storage: a name, not a path)."""
    if "/" in str(stored):
        raise ValueError(f"print batch outside {PRINT_DIR}/: {stored!r}")
    return storage().file(key(PRINT_DIR, stored))


def waiting_to_print(association) -> int:
    """Single invoices (not of a run) waiting for a print batch."""
    return _paper(association, None).where(D.state == D.TO_PRINT).count()


# --- the mail job's side ---------------------------------------------------------------------------


def mail_settled(email_id: int, *, sent: bool) -> None:
    """The outbox row was sent, or gave up for good: the deliveries waiting on it move on."""
    if sent:
        D.update(state=D.SENT, error="", updated_at=clock.utcnow_naive()).where(D.email == email_id).execute()
        return
    mail = OutboundEmail.get_or_none(OutboundEmail.id == email_id)
    reason = mail.last_error if mail is not None else ""
    D.update(state=D.FAILED, error=reason[:500], updated_at=clock.utcnow_naive()).where(
        (D.email == email_id) & (D.state == D.MAILING)
    ).execute()


# --- what the board sees -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    delivery_id: int
    channel: str
    state: str
    error: str = ""

    @property
    def label(self) -> str:
        return str(LABELS[self.state])

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS[self.channel])

    @property
    def css(self) -> str:
        """The state's colour class: a word is always shown beside it."""
        if self.state in (D.QUEUED, D.RENDERING, D.MAILING):
            return "pending"
        return self.state

    @property
    def can_send_again(self) -> bool:
        return self.state in (D.FAILED, D.NO_ADDRESS)


def status(delivery: InvoiceDelivery, mail: OutboundEmail | None = None) -> Status:
    """A delivery as the board reads it. A mail that failed for good or went out without the mail job
    telling (an older row) is read from the outbox row itself."""
    if delivery.state == D.MAILING and mail is not None:
        if mail.status == OutboundEmail.SENT:
            return Status(delivery.id, delivery.channel, D.SENT)
        if mail.status == OutboundEmail.FAILED and mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            return Status(delivery.id, delivery.channel, D.FAILED, mail.last_error)
    return Status(delivery.id, delivery.channel, delivery.state, delivery.error)


def statuses_of(invoice_ids: list[int]) -> dict[int, list[Status]]:
    """Each invoice's deliveries, e-mail first: one query for a page of invoices."""
    found: dict[int, list[Status]] = {i: [] for i in invoice_ids}
    if not invoice_ids:
        return found
    rows = (
        D.select(D, OutboundEmail)
        .join(OutboundEmail, pw.JOIN.LEFT_OUTER, on=(D.email == OutboundEmail.id))
        .where(D.invoice.in_(invoice_ids))
        .order_by(D.invoice, D.channel)
    )
    for delivery in rows:
        mail = delivery.email if delivery.email_id is not None else None
        found[delivery.invoice_id].append(status(delivery, mail))
    return found


def counts_of(run: InvoiceRun) -> Counter:
    """(channel, state) -> how many of the run's deliveries: one grouped query."""
    rows = (
        D.select(D.channel, D.state, pw.fn.COUNT(D.id))
        .join(Invoice)
        .where(Invoice.run == run)
        .group_by(D.channel, D.state)
        .tuples()
    )
    return Counter({(channel, state): count for channel, state, count in rows})
