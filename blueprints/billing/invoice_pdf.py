"""The invoice as a PDF (SPEC B3): its template's context, rendered by core.pdf, and the maker of ordered
invoice PDFs (core/orders.py)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_percent
from flask import current_app
from flask_babel import get_locale

from blueprints.billing import money, payment_codes, references
from core import orders
from core.pdf import logo_url, render_pdf
from core.text import lazy_gettext as _l
from models import Membership
from models.billing import BillingSettings, Invoice, InvoiceLine
from models.mail import PdfOrder


def pdf_language(invoice: Invoice) -> str:
    """The recipient's invoice language, else the association's, if Porch speaks it; else English."""
    languages = current_app.config["LANGUAGES"]
    for language in (invoice.recipient.invoice_language, invoice.association.locale):
        if language in languages:
            return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def render_invoice(invoice: Invoice) -> bytes:
    """The invoice or credit note as an A4 PDF in its recipient's language, with a payment code where one exists."""
    return render_pdf("pdf/invoice.html", language=pdf_language(invoice), **invoice_context(invoice))


def filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number}.pdf"


def qr_image(payload: str) -> str:
    """The payment QR code as a data: URL of a PNG with one pixel per module (quiet zone included).

    The PDF scales it to 35 mm with `image-rendering: pixelated` (no smoothing): an image is one
    XObject to embed, where the same code as SVG is a path of hundreds of segments that WeasyPrint
    parses and draws in Python on every render (about a tenth of an invoice's time)."""
    return payment_codes.qr_code(payload).png_data_uri(scale=1, border=payment_codes.QUIET_ZONE)


def reference_label(settings: BillingSettings):
    """The reference's name on the payer's bank form ("OCR-nummer", "Variabilní symbol", "Viitenumber")."""
    return references.LABELS.get(settings.reference_standard, references.LABELS[references.FREE])


def payment_facts(invoice: Invoice) -> dict:
    """Where and how to pay, as the PDF and the mail that carries it print it."""
    settings = BillingSettings.for_association(invoice.association)
    return dict(
        payee=settings.payee_name or invoice.association.name,
        reference=references.display(settings.reference_standard, invoice.reference) if invoice.reference else "",
        reference_label=reference_label(settings),
        iban=references.display_iban(settings.iban) if settings.iban else "",
        bankgiro=references.display_bankgiro(settings.bankgiro) if settings.bankgiro else "",
        account_number=settings.account_number,
    )


def invoice_context(invoice: Invoice) -> dict:
    """Everything templates/pdf/invoice.html prints, read in a fixed number of queries."""
    association = invoice.association
    settings = BillingSettings.for_association(association)
    lines = list(invoice.lines.order_by(InvoiceLine.position, InvoiceLine.id))
    vat_by_rate: dict[int, list[int]] = {}
    for line in lines:
        if line.vat_rate:
            net_and_vat = vat_by_rate.setdefault(line.vat_rate, [0, 0])
            net_and_vat[0] += line.amount
            net_and_vat[1] += line.vat_amount
    qr = payment_codes.qr_payload(settings, invoice)
    return dict(
        invoice=invoice,
        association=association,
        settings=settings,
        lines=lines,
        shows_vat=settings.vat_registered or bool(vat_by_rate),
        vat_summary=sorted((rate, net, vat) for rate, (net, vat) in vat_by_rate.items()),
        reference=references.display(settings.reference_standard, invoice.reference) if invoice.reference else "",
        reference_label=reference_label(settings),
        iban=references.display_iban(settings.iban) if settings.iban else "",
        bankgiro=references.display_bankgiro(settings.bankgiro) if settings.bankgiro else "",
        qr_kind=qr[0] if qr else None,
        qr_image=qr_image(qr[1]) if qr else None,
        slip=payment_codes.bankgiro_fields(settings, invoice),
        credited=invoice.credits if invoice.credits_id else None,
        logo=logo_url(association),
        percent=lambda rate: format_percent(
            Decimal(rate) / money.BASIS_POINTS, locale=get_locale(), decimal_quantization=False
        ),
    )


def ordered_invoice(order: PdfOrder, membership: Membership | None) -> orders.Document:
    """An ordered invoice PDF, if its orderer may still see the invoice today."""
    invoice = None
    if membership is not None:
        invoice = Invoice.visible_to(membership).where(Invoice.id == order.invoice_id).first()
    if invoice is None:
        raise orders.RefusedError(_l("The invoice no longer exists."))
    return orders.Document(filename(invoice), render_invoice(invoice), "invoice_pdf", {"invoice": invoice})
