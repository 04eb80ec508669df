"""How invoices reached their recipients (SPEC B3a): a run's page with each invoice's delivery, sending
failed ones again, and the print batch of the paper ones. The work is delivery.py's and its jobs'."""

from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.billing import bp, delivery
from blueprints.billing.queries import period_label
from core import storage
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import htmx, render
from models import Person
from models import permissions as perms
from models.billing import Invoice, InvoiceDelivery, InvoiceRun, PrintBatch
from models.db import first_or_404
from models.register import Unit

PAGE = 50
POLL = "every 3s"


def _batch_context(run: InvoiceRun | None, batch: PrintBatch | None) -> dict:
    busy = batch is not None and batch.state in (PrintBatch.QUEUED, PrintBatch.RENDERING)
    return dict(run=run, batch=batch, batch_poll=POLL if busy else None, orders=PrintBatch.ORDERS)


def _run_context(run: InvoiceRun, page: int) -> dict:
    """The run's invoices a page at a time with their deliveries, the counts and the print batch: 4 queries."""
    invoices = list(
        Invoice.of(g.association)
        .select(Invoice, Unit.id, Unit.number)
        .join(Unit, on=(Invoice.unit == Unit.id), join_type=pw.JOIN.LEFT_OUTER)
        .where(Invoice.run == run)
        .order_by(Invoice.number)
        .paginate(page, PAGE)
    )
    statuses = delivery.statuses_of([i.id for i in invoices])
    counts = delivery.counts_of(run)
    batch = PrintBatch.get_or_none(PrintBatch.run == run)
    open_ones = any(
        s.state in InvoiceDelivery.OPEN and s.channel == InvoiceDelivery.EMAIL
        for rows in statuses.values()
        for s in rows
    )
    return dict(
        invoices=invoices,
        statuses=statuses,
        counts=counts,
        page_number=page,
        pages=max(1, -(-run.invoice_count // PAGE)),
        period_name=period_label(run.period_start, run.period_end),
        to_print=counts[(InvoiceDelivery.PAPER, InvoiceDelivery.TO_PRINT)]
        + counts[(InvoiceDelivery.PAPER, InvoiceDelivery.PRINTED)],
        failed=counts[(InvoiceDelivery.EMAIL, InvoiceDelivery.FAILED)],
        poll=POLL if open_ones else None,
        form=ConfirmForm(),
        **_batch_context(run, batch),
    )


@bp.route("/admin/invoice-runs/<int:run_id>")
@requires(perms.INVOICES_MANAGE)
def run(run_id: int):
    """One run: each invoice and how it went out (mailed, failed with the reason, to print, no address)."""
    found = InvoiceRun.get_visible(g.membership, run_id)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    return render("billing/run.html", "billing/_run_deliveries.html", **_run_context(found, page))


@bp.route("/admin/invoice-runs/<int:run_id>/send-again", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def run_send_again(run_id: int):
    """Send every failed e-mail of the run again."""
    found = InvoiceRun.get_visible(g.membership, run_id)
    if ConfirmForm().validate_on_submit():
        count = delivery.send_again_failed(found)
        audit(
            "billing.deliveries_retried",
            actor=current_user,
            association=g.association,
            target=f"invoice_run:{found.id}",
            count=count,
        )
        flash(_("%(count)s invoices are on their way again.", count=count), "success")
    return redirect(url_for("billing.run", run_id=found.id))


def _visible_delivery(delivery_id: int) -> InvoiceDelivery:
    invoices = Invoice.visible_to(g.membership).select(Invoice.id)
    return first_or_404(
        InvoiceDelivery.select(InvoiceDelivery, Invoice, Person)
        .join(Invoice)
        .join(Person, on=(Invoice.recipient == Person.id))
        .where((InvoiceDelivery.id == delivery_id) & InvoiceDelivery.invoice.in_(invoices))
    )


@bp.route("/admin/deliveries/<int:delivery_id>/send-again", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def delivery_send_again(delivery_id: int):
    """Send one invoice again the way that failed, with the address the register holds now."""
    found = _visible_delivery(delivery_id)
    invoice = found.invoice
    back = request.form.get("back") == "run" and invoice.run_id
    target = (
        url_for("billing.run", run_id=invoice.run_id)
        if back
        else url_for("billing.board_invoice", invoice_id=invoice.id)
    )
    if ConfirmForm().validate_on_submit():
        try:
            delivery.send_again(found)
        except delivery.DeliveryError as error:
            flash(error.message, "error")
        else:
            audit(
                "billing.delivery_retried",
                actor=current_user,
                association=g.association,
                target=f"invoice:{invoice.id}",
                channel=found.channel,
            )
            flash(_("Invoice %(number)s is on its way again.", number=invoice.number), "success")
    return redirect(target)


# --- print batches ---------------------------------------------------------------------------------


@bp.route("/admin/invoice-runs/<int:run_id>/print-batch", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def run_print_batch(run_id: int):
    """Make (or make again, in another order) the print batch of the run's paper invoices."""
    found = InvoiceRun.get_visible(g.membership, run_id)
    return _make_batch(found, url_for("billing.run", run_id=found.id))


@bp.route("/admin/print-batches", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def print_batch_new():
    """A print batch of the single invoices (not of a run) waiting to go out on paper."""
    return _make_batch(None, url_for("billing.runs"))


def _make_batch(run: InvoiceRun | None, back: str):
    order = request.form.get("order", PrintBatch.BY_UNIT)
    if order not in PrintBatch.ORDERS or not ConfirmForm().validate_on_submit():
        flash(_("Choose the order of the print batch."), "error")
        return redirect(back)
    batch = delivery.make_print_batch(g.association, run, order, current_user._get_current_object())
    if batch is None:
        flash(_("No invoice is waiting to be printed."), "info")
        return redirect(back)
    audit(
        "billing.print_batch",
        actor=current_user,
        association=g.association,
        target=f"print_batch:{batch.id}",
        order=order,
    )
    if htmx:
        return render("billing/_print_batch.html", **_batch_context(run, batch), form=ConfirmForm())
    return redirect(back)


@bp.route("/admin/print-batches/<int:batch_id>")
@requires(perms.INVOICES_MANAGE)
def print_batch(batch_id: int):
    """A print batch's progress (a component that polls until the PDF is ready) and its download."""
    batch = PrintBatch.get_visible(g.membership, batch_id)
    run = batch.run if batch.run_id else None
    return render(
        "billing/print_batch.html", "billing/_print_batch.html", form=ConfirmForm(), **_batch_context(run, batch)
    )


@bp.route("/admin/print-batches/<int:batch_id>/pdf")
@requires(perms.INVOICES_MANAGE)
def print_batch_pdf(batch_id: int):
    """Download the print batch: one PDF, every invoice with its address in the envelope's window."""
    batch = PrintBatch.get_visible(g.membership, batch_id)
    path = delivery.batch_file(batch.stored_name) if batch.state == PrintBatch.READY and batch.stored_name else None
    if path is None or not path.is_file():
        return redirect(url_for("billing.print_batch", batch_id=batch.id))
    name = f"print-batch-{batch.id}.pdf"
    if batch.run_id:
        name = f"invoices-{batch.run.period_start:%Y-%m}-paper.pdf"
    response = storage.send(path, mimetype="application/pdf", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
