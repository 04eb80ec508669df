"""The jobs that send invoices on their way (blueprints/billing/delivery.py): each e-mail delivery's PDF
and mail, and the print batch of the paper ones.

Each claims its row before it works (queued -> rendering; a print batch queued -> rendering), so a job
run twice, or a sweep racing a slow worker, sends nothing twice.
"""

from __future__ import annotations

import io
import logging
import secrets

import peewee as pw
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter

from blueprints.billing import delivery, invoice_pdf
from core import clock
from core.mail import queue_mail
from core.queue import enqueue
from core.storage import key, storage
from core.text import locale_for
from jobs import job_context
from models import Association, Person, Unit
from models.billing import Invoice, InvoiceDelivery, PrintBatch
from models.db import transaction
from models.register import Building

log = logging.getLogger(__name__)
D = InvoiceDelivery
PROGRESS_EVERY = 10  # invoices between two progress updates of a print batch


# --- e-mail ----------------------------------------------------------------------------------------


def mail_invoices(delivery_ids: list[int]) -> dict[str, int]:
    """Render and mail each queued e-mail delivery; how many were mailed, failed or skipped."""
    outcome = {"mailed": 0, "failed": 0, "skipped": 0}
    with job_context():
        for delivery_id in delivery_ids:
            outcome[mail_invoice(delivery_id)] += 1
    return outcome


def mail_invoice(delivery_id: int) -> str:
    """One delivery: "mailed", "failed", or "skipped" when it is not this job's to do (any more)."""
    if not _claim(delivery_id):
        return "skipped"
    row = (
        D.select(D, Invoice, Association, Person)
        .join(Invoice)
        .join(Association)
        .switch(Invoice)
        .join(Person, on=(Invoice.recipient == Person.id))
        .where(D.id == delivery_id)
        .get()
    )
    invoice = row.invoice
    language = invoice_pdf.pdf_language(invoice)
    try:
        body = invoice_pdf.render_invoice(invoice)
        with transaction():
            mail = queue_mail(
                "invoice",
                row.to_address,
                language=language,
                association=invoice.association,
                user=invoice.recipient.user if invoice.recipient.user_id else None,
                invoice=invoice,
                person=invoice.recipient,
                payment=invoice_pdf.payment_facts(invoice),
                attachment=(invoice_pdf.filename(invoice), body),
            )
            D.update(email=mail, state=D.MAILING, updated_at=clock.utcnow_naive()).where(D.id == delivery_id).execute()
    except Exception:  # the board sees the reason and sends it again
        log.exception("invoice delivery %s failed", delivery_id)
        with force_locale(locale_for(language)):
            message = _("The PDF or its mail could not be made. Send it again; if it fails again, check the invoice.")
        D.update(state=D.FAILED, error=message, updated_at=clock.utcnow_naive()).where(D.id == delivery_id).execute()
        return "failed"
    return "mailed"


def _claim(delivery_id: int) -> bool:
    stale_before = clock.utcnow_naive() - delivery.STALE
    claimable = (D.state == D.QUEUED) | ((D.state == D.RENDERING) & (D.updated_at < stale_before))
    claimed = (
        D.update(state=D.RENDERING, error="", updated_at=clock.utcnow_naive())
        .where((D.id == delivery_id) & D.email.is_null() & (D.channel == D.EMAIL) & claimable)
        .execute()
    )
    return claimed == 1


def sweep() -> int:
    """Queue again the e-mail deliveries left queued or rendering by a job that never ran or died."""
    with job_context():
        stale_before = clock.utcnow_naive() - delivery.STALE
        left = [
            delivery_id
            for (delivery_id,) in D.select(D.id)
            .where(
                (D.channel == D.EMAIL)
                & D.email.is_null()
                & D.state.in_([D.QUEUED, D.RENDERING])
                & (D.updated_at < stale_before)
            )
            .order_by(D.id)
            .tuples()
        ]
        if left:
            enqueue(delivery.MAIL_JOB, left, job_id=delivery.job_id(left))
        return len(left)


# --- paper -----------------------------------------------------------------------------------------


def make_print_batch(batch_id: int) -> str:
    """One PDF of the batch's invoices in the chosen order, a page at a time; "ready", "failed" or "skipped"."""
    with job_context():
        claimed = (
            PrintBatch.update(state=PrintBatch.RENDERING, done=0, error="", updated_at=clock.utcnow_naive())
            .where((PrintBatch.id == batch_id) & (PrintBatch.state == PrintBatch.QUEUED))
            .execute()
        )
        if not claimed:
            return "skipped"
        batch = PrintBatch.select(PrintBatch, Association).join(Association).where(PrintBatch.id == batch_id).get()
        try:
            stored, pages = _render_batch(batch)
        except Exception:
            log.exception("print batch %s failed", batch_id)
            with force_locale(locale_for(batch.association.locale)):
                message = _("The print batch could not be made. Please try again.")
            PrintBatch.update(state=PrintBatch.FAILED, error=message, updated_at=clock.utcnow_naive()).where(
                PrintBatch.id == batch_id
            ).execute()
            return "failed"
        with transaction():
            old = batch.stored_name
            PrintBatch.update(
                state=PrintBatch.READY, stored_name=stored, pages=pages, updated_at=clock.utcnow_naive()
            ).where(PrintBatch.id == batch_id).execute()
            D.update(state=D.PRINTED, updated_at=clock.utcnow_naive()).where(
                (D.batch == batch_id) & (D.state == D.TO_PRINT)
            ).execute()
        if old and old != stored:
            delivery.batch_file(old).unlink(missing_ok=True)
        return "ready"


def _render_batch(batch: PrintBatch) -> tuple[str, int]:
    invoices = _ordered_invoices(batch)
    writer = PdfWriter()
    for done, invoice in enumerate(invoices, start=1):
        writer.append(PdfReader(io.BytesIO(invoice_pdf.render_invoice(invoice))))
        if done % PROGRESS_EVERY == 0 or done == len(invoices):
            PrintBatch.update(done=done, updated_at=clock.utcnow_naive()).where(PrintBatch.id == batch.id).execute()
    stored = f"batch-{batch.id}-{secrets.token_hex(8)}.pdf"
    out = io.BytesIO()
    writer.write(out)
    storage().put(key(delivery.PRINT_DIR, stored), out.getvalue())  # nobody downloads half a file
    return stored, len(writer.pages)


def _ordered_invoices(batch: PrintBatch) -> list[Invoice]:
    """The batch's invoices in the order the board chose: by unit, by name, or by postcode then name."""
    query = (
        Invoice.select(Invoice, Unit, Building)
        .join(D, on=(D.invoice == Invoice.id))
        .switch(Invoice)
        .join(Unit, on=(Invoice.unit == Unit.id), join_type=pw.JOIN.LEFT_OUTER)
        .join(Building, on=(Unit.building == Building.id), join_type=pw.JOIN.LEFT_OUTER)
        .where((D.batch == batch.id) & (D.channel == D.PAPER))
    )
    invoices = list(query)
    for invoice in invoices:
        invoice.association = batch.association
    if batch.order == PrintBatch.BY_NAME:
        invoices.sort(key=lambda i: (_surname_first(i.recipient_name), i.number))
    elif batch.order == PrintBatch.BY_POSTCODE:
        invoices.sort(key=lambda i: (_postcode(i.recipient_address), _surname_first(i.recipient_name), i.number))
    else:
        invoices.sort(key=lambda i: _unit_order(i))
    return invoices


def _surname_first(name: str) -> str:
    given, _, surname = name.strip().rpartition(" ")
    return f"{surname} {given}".casefold()


def _postcode(address: str) -> str:
    last = [line for line in address.splitlines() if line.strip()][-1:] or [""]
    return "".join(ch for ch in last[0] if ch.isdigit())


def _unit_order(invoice: Invoice) -> tuple:
    unit = invoice.unit if invoice.unit_id else None
    if unit is None:
        return ("\uffff", 0, "", invoice.number)
    return (unit.building.name, len(unit.number), unit.number, invoice.number)
