"""Invoice PDFs (SPEC B3, seed 000 "Beställ pdf"): download one now, or order it by mail and watch it go.

An order is a PdfOrder of kind "invoice" (core/orders.py): the job renders the invoice through
invoice_pdf.ordered_invoice and queues the mail with the PDF attached, and the order's status component
(exchange's /pdf-orders/<id>) polls until the mail is sent or something failed. Invoices load only
through Invoice.visible_to: anything else is a 404, whoever guesses the id.
"""

from __future__ import annotations

from flask import g, make_response, redirect, url_for
from flask_login import current_user

from blueprints.billing import INVOICES_TAB, bp
from blueprints.billing import invoice_pdf as pdf
from core import orders
from core.access import requires
from core.rendering import htmx, render
from models.billing import Invoice
from models.mail import PdfOrder


def latest_order(invoice: Invoice) -> PdfOrder | None:
    """The current member's latest order of this invoice's PDF."""
    return (
        PdfOrder.visible_to(g.membership)
        .where(PdfOrder.invoice == invoice)
        .order_by(PdfOrder.created_at.desc(), PdfOrder.id.desc())
        .first()
    )


@bp.route("/invoices/<int:invoice_id>/pdf")
@requires()
@INVOICES_TAB
def invoice_pdf(invoice_id: int):
    """Download the invoice as PDF, rendered now."""
    invoice = Invoice.get_visible(g.membership, invoice_id)
    response = make_response(pdf.render_invoice(invoice))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf.filename(invoice)}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/invoices/<int:invoice_id>/pdf/order", methods=["POST"])
@requires()
@INVOICES_TAB
def pdf_order_create(invoice_id: int):
    """Order the invoice PDF by mail to the account's address; a second click while one is on its way adds nothing."""
    invoice = Invoice.get_visible(g.membership, invoice_id)
    order = latest_order(invoice)
    if order is None or orders.status(order).finished:
        order = orders.place(
            g.association,
            current_user._get_current_object(),
            to_address=current_user.email,
            language=pdf.pdf_language(invoice),
            invoice=invoice,
        )
    if not htmx:
        return redirect(url_for("billing.invoice", invoice_id=invoice.id) + f"#invoice-pdf-{invoice.id}")
    # Without Redis the job has already run: show where it got to.
    return render("billing/_invoice_pdf.html", invoice=invoice, pdf_order=PdfOrder.get_by_id(order.id))
