"""Invoice PDFs (SPEC B3, seed 000 "Beställ pdf"): download one now, or order it by mail and watch it go.

An order is a PdfOrder row and a job (jobs.pdf.order_invoice_pdf) that renders the
invoice and queues the mail with the PDF attached. Its status component polls
GET /pdf-orders/<id> every 2 s until the mail is sent or something failed; the
finished answer has no trigger, so polling stops. Invoices load only through
Invoice.visible_to and orders only through PdfOrder.visible_to (the orderer's
own): anything else is a 404, whoever guesses the id.
"""

from __future__ import annotations

from flask import abort, g, make_response, redirect, url_for
from flask_login import current_user

from blueprints.billing import bp
from blueprints.billing.resident_views import resident_tab
from core.access import can, requires
from core.rendering import htmx, render
from jobs import pdf as pdf_jobs
from jobs.queue import enqueue
from models import permissions as perms
from models.billing import Invoice, PdfOrder
from models.db import transaction


@bp.context_processor
def _pdf_order_words() -> dict:
    return dict(pdf_order_status=pdf_jobs.order_status)


def _visible_invoice(invoice_id: int) -> Invoice:
    invoices = Invoice.visible_to(g.association, current_user, see_all=can(perms.INVOICES_VIEW_ALL))
    invoice = invoices.where(Invoice.id == invoice_id).first()
    if invoice is None:
        abort(404)
    return invoice


def _own_order(order_id: int) -> PdfOrder:
    order = PdfOrder.visible_to(g.association, current_user).where(PdfOrder.id == order_id).first()
    if order is None:
        abort(404)
    return order


def latest_order(invoice: Invoice) -> PdfOrder | None:
    """The current user's latest order of this invoice's PDF."""
    return (
        PdfOrder.visible_to(g.association, current_user)
        .where(PdfOrder.invoice == invoice)
        .order_by(PdfOrder.created_at.desc(), PdfOrder.id.desc())
        .first()
    )


@bp.route("/invoices/<int:invoice_id>/pdf")
@requires()
@resident_tab("invoices")
def invoice_pdf(invoice_id: int):
    """Download the invoice as PDF, rendered now."""
    invoice = _visible_invoice(invoice_id)
    response = make_response(pdf_jobs.render_invoice(invoice))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/invoices/<int:invoice_id>/pdf/order", methods=["POST"])
@requires()
@resident_tab("invoices")
def pdf_order_create(invoice_id: int):
    """Order the invoice PDF by mail to the account's address; a second click while one is on its way adds nothing."""
    invoice = _visible_invoice(invoice_id)
    order = latest_order(invoice)
    if order is None or pdf_jobs.order_status(order).finished:
        with transaction():
            order = PdfOrder.create(
                association=g.association,
                user=current_user.id,
                invoice=invoice,
                to_address=current_user.email,
                language=pdf_jobs.pdf_language(invoice),
            )
            enqueue(pdf_jobs.order_invoice_pdf, order.id, job_id=pdf_jobs.order_job_id(order.id))
    if not htmx:
        return redirect(url_for("billing.invoice", invoice_id=invoice.id) + f"#invoice-pdf-{invoice.id}")
    # Without Redis the job has already run: show where it got to.
    order = PdfOrder.get_by_id(order.id)
    return render("billing/_invoice_pdf.html", invoice=invoice, pdf_order=order)


@bp.route("/pdf-orders/<int:order_id>")
@requires()
def pdf_order(order_id: int):
    """The status of one's own ordered PDF: a component that polls until finished, or a page with a Refresh link."""
    order = _own_order(order_id)
    return render("billing/pdf_order.html", "billing/_pdf_order_status.html", order=order)


@bp.route("/pdf-orders/<int:order_id>/retry", methods=["POST"])
@requires()
def pdf_order_retry(order_id: int):
    """Try a failed PDF order again (its render, or only its mail if that is what failed)."""
    order = _own_order(order_id)
    pdf_jobs.retry_order(order)
    if not htmx:
        return redirect(url_for("billing.pdf_order", order_id=order.id))
    return render("billing/_pdf_order_status.html", order=PdfOrder.get_by_id(order.id))
