"""PDFs: Jinja templates under templates/pdf/ rendered by WeasyPrint, and the job that mails an ordered one (SPEC B3).

A worker renders many PDFs in a row, so what does not change between them is
made once: the font configuration (fontconfig's lookups, once per thread), the
parsed stylesheets of the templates (the <style> of templates/pdf/_base.html and
its children: the same text is parsed once per process) and decoded pictures
(logo names change with every upload, so a picture at one address never
changes). Nothing is fetched over the network: the URL fetcher serves files
from static/ and UPLOAD_DIR, and data: URLs, and refuses everything else.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from babel.numbers import format_percent
from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA as WEASYPRINT_UA
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core import clock, images
from jobs import app_context
from models import Association, OutboundEmail
from models.billing import BillingSettings, Invoice, InvoiceLine, PdfOrder
from models.db import transaction

log = logging.getLogger(__name__)

# WeasyPrint turns on Pillow's "load truncated images" for the whole process when imported; uploads
# (core/images.py) must keep refusing damaged pictures, and the PDFs only embed pictures we re-encoded.
ImageFile.LOAD_TRUNCATED_IMAGES = False

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
BASE_URL = STATIC_DIR.as_uri() + "/"
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
# Whitespace between two tags that breaks a line: the templates' indentation. WeasyPrint would parse
# each run into a text node and box it before dropping it; escaped text never holds a raw < or >.
INDENTATION = re.compile(r">\s*\n\s*<")
IMAGE_CACHE_SIZE = 64  # decoded pictures kept between renders (logos, mostly)

_lock = threading.Lock()
_per_thread = threading.local()  # fontconfig and Pango objects are not shared between threads
_stylesheets: dict[str, CSS] = {}
_image_cache: dict = {}


# --- rendering ------------------------------------------------------------------------------


def render_pdf(template: str, *, language: str, **context) -> bytes:
    """Render templates/<template> to PDF in `language` (its _() words, |money and |date formats)."""
    with force_locale(locale_for(language)):
        html = render_template(template, language=language, **context)
    html, stylesheets = _split_styles(html)
    html = INDENTATION.sub("><", html)
    if len(_image_cache) > IMAGE_CACHE_SIZE:  # data: URLs would otherwise pile up in a long-lived worker
        _image_cache.clear()
    document = PdfHTML(string=html, base_url=BASE_URL, url_fetcher=LocalFetcher(), media_type="print")
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config(), cache=_image_cache)


def _split_styles(html: str) -> tuple[str, list[CSS]]:
    """Take the <style> elements out of the page and parse each distinct one once per process.

    The templates keep their CSS beside their markup, but it is the same for every
    invoice: parsing it each time would cost a third of a render.
    """
    sheets = []
    for source in STYLE.findall(html):
        with _lock:
            sheet = _stylesheets.get(source)
        if sheet is None:
            # No @font-face in our templates (system fonts only), so a parsed sheet serves every thread.
            sheet = CSS(string=source, base_url=BASE_URL, url_fetcher=LocalFetcher())
            with _lock:
                if len(_stylesheets) >= 32:  # templates are few; anything else is a template being edited
                    _stylesheets.clear()
                _stylesheets[source] = sheet
        sheets.append(sheet)
    return STYLE.sub("", html), sheets


def _user_agent_css(source: str) -> str:
    """WeasyPrint's HTML user-agent stylesheet without what no PDF of ours uses: form fields, and the
    rules for pseudo-elements of every element (`::marker`, `::footnote-call`, `::note-*`…).

    Those universal pseudo-element rules make WeasyPrint cascade and compute six extra styles for
    every element of every page, most of the CSS time of an invoice; list markers keep theirs (li)."""
    lines, in_forms = [], False
    for line in source.splitlines():
        if line.startswith("/* Form fields */"):
            in_forms = True
        elif line.startswith("/*"):
            in_forms = False
        if in_forms or line.startswith(("::footnote-", "::note-")):
            continue
        lines.append("li" + line if line.startswith("::marker") else line)
    return "\n".join(lines)


# Parsed once per process; its @counter-style rules go to a throw-away registry (WeasyPrint keeps its own).
USER_AGENT_SHEET = CSS(string=_user_agent_css(WEASYPRINT_UA), counter_style=CounterStyle())


class PdfHTML(HTML):
    """An HTML document styled with our trimmed user-agent stylesheet (see _user_agent_css)."""

    def _ua_stylesheets(self, forms=False):
        return [USER_AGENT_SHEET]


def locale_for(language: str) -> str:
    """The Babel locale for a language: English readers here are European (23 Nov 2026, not 11/23/26)."""
    language = (language or "en").replace("-", "_")
    return "en_GB" if language == "en" else language


def font_config() -> FontConfiguration:
    """This thread's font configuration, made on its first PDF (a worker renders all of its PDFs with one)."""
    config = getattr(_per_thread, "font_config", None)
    if config is None:
        config = _per_thread.font_config = FontConfiguration()
    return config


class LocalFetcher(URLFetcher):
    """Serves static/ and UPLOAD_DIR files and data: URLs; a PDF never reaches the network."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
        self.roots = [STATIC_DIR.resolve(), Path(current_app.config["UPLOAD_DIR"]).resolve()]

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise ValueError(f"PDFs only use local files, not {url[:80]!r}")
        path = Path(url2pathname(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"not a file a PDF may use: {path}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())


def logo_url(association: Association) -> str | None:
    """The association's logo as a file: URL the fetcher serves, or None."""
    path = images.image_path(association, association.logo)
    return path.as_uri() if path is not None else None


def pdf_language(invoice) -> str:
    """The recipient's invoice language, else the association's, if Porch speaks it; else English."""
    languages = current_app.config["LANGUAGES"]
    for language in (invoice.recipient.invoice_language, invoice.association.locale):
        if language in languages:
            return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def render_invoice(invoice) -> bytes:
    """The invoice or credit note as an A4 PDF in its recipient's language, with a payment code where one exists."""
    return render_pdf("pdf/invoice.html", language=pdf_language(invoice), **invoice_context(invoice))


def qr_image(payload: str) -> str:
    """The payment QR code as a data: URL of a PNG with one pixel per module (quiet zone included).

    The PDF scales it to 35 mm with `image-rendering: pixelated` (no smoothing): an image is one
    XObject to embed, where the same code as SVG is a path of hundreds of segments that WeasyPrint
    parses and draws in Python on every render (about a tenth of an invoice's time)."""
    from blueprints.billing import payment_codes

    return payment_codes.qr_code(payload).png_data_uri(scale=1, border=payment_codes.QUIET_ZONE)


def invoice_context(invoice) -> dict:
    """Everything templates/pdf/invoice.html prints, read in a fixed number of queries."""
    # Imported here: blueprints.billing imports this module (its views enqueue the job).
    from blueprints.billing import money, payment_codes, references

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


# --- the ordered PDF ------------------------------------------------------------------------


def order_job_id(order_id: int) -> str:
    return f"pdf-order-{order_id}"


def order_invoice_pdf(order_id: int) -> str:
    """Render an ordered invoice PDF and mail it. Idempotent: an order that has its mail is not mailed again."""
    from jobs.email import queue_mail

    with app_context():
        claimed = (
            PdfOrder.update(state=PdfOrder.RENDERING, error="", updated_at=clock.utcnow_naive())
            .where(
                (PdfOrder.id == order_id)
                & PdfOrder.email.is_null()
                & ((PdfOrder.state == PdfOrder.QUEUED) | _stale_rendering())
            )
            .execute()
        )
        if not claimed:
            return "skipped"
        order = PdfOrder.get_by_id(order_id)
        try:
            invoice = _visible_invoice(order)
            if invoice is None:
                raise LookupError("invoice gone, or no longer the orderer's to see")
            body = render_invoice(invoice)
            with transaction():
                mail = queue_mail(
                    "invoice_pdf",
                    order.to_address,
                    language=order.language,
                    association=order.association,
                    user=order.user,
                    invoice=invoice,
                    attachment=(f"invoice-{invoice.number}.pdf", body),
                )
                PdfOrder.update(email=mail, updated_at=clock.utcnow_naive()).where(PdfOrder.id == order_id).execute()
        except Exception as exc:  # the resident sees a short reason and may try again (never a spinner)
            log.exception("PDF order %s failed", order_id)
            _fail(order, exc)
            return "failed"
        return "mailed"


def _visible_invoice(order: PdfOrder) -> Invoice | None:
    """The ordered invoice if its orderer may still see it today (a retry may come long after the order)."""
    from blueprints.billing.reports import viewer_of
    from models import permissions as perms

    viewer = viewer_of(order.association, order.user)
    if viewer is None:
        return None
    invoices = Invoice.visible_to(order.association, order.user, see_all=viewer.can(perms.INVOICES_VIEW_ALL))
    return invoices.where(Invoice.id == order.invoice_id).first()


# A rendering left this long ago belongs to a worker that died: it may be claimed again.
STALE_RENDERING = dt.timedelta(minutes=10)


def _stale_rendering():
    return (PdfOrder.state == PdfOrder.RENDERING) & (PdfOrder.updated_at < clock.utcnow_naive() - STALE_RENDERING)


def _fail(order: PdfOrder, exc: Exception) -> None:
    """Record a failed render in words the orderer can read; the details go to the log."""
    with force_locale(locale_for(order.language)):
        if isinstance(exc, LookupError):
            message = _("The invoice no longer exists.")
        else:
            message = _("The PDF could not be made. Please try again; if it fails again, tell the board.")
    PdfOrder.update(state=PdfOrder.FAILED, error=message, updated_at=clock.utcnow_naive()).where(
        PdfOrder.id == order.id
    ).execute()


# --- what the orderer sees --------------------------------------------------------------------

SENDING = "sending"  # shown, not stored: the PDF is made and its mail is on its way
STATE_LABELS = {
    PdfOrder.QUEUED: _l("Queued"),
    PdfOrder.RENDERING: _l("Making the PDF"),
    SENDING: _l("Mailing"),
    PdfOrder.SENT: _l("Sent"),
    PdfOrder.FAILED: _l("Failed"),
}
POLL_BUSY = "every 2s"
POLL_DELAYED = "every 30s"  # the mail server refused it for now; the outbox tries again in minutes


@dataclass(frozen=True)
class OrderStatus:
    state: str  # queued, rendering, sending, sent or failed
    error: str = ""
    poll: str | None = POLL_BUSY  # the hx-trigger while unfinished; None once finished
    sent_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def finished(self) -> bool:
        return self.poll is None

    @property
    def can_retry(self) -> bool:
        return self.state == PdfOrder.FAILED


def order_status(order: PdfOrder) -> OrderStatus:
    """Where an ordered PDF is, read from the order and its mail: it ends "sent" once the mail went out,
    and "failed" (never an endless spinner) when rendering failed, a worker vanished or the mail gave up."""
    mail = order.email if order.email_id else None
    if mail is not None:
        if mail.status == OutboundEmail.SENT:
            return OrderStatus(PdfOrder.SENT, poll=None, sent_at=mail.sent_at)
        if mail.status == OutboundEmail.FAILED:
            if mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                return OrderStatus(PdfOrder.FAILED, _("The mail could not be delivered."), poll=None)
            return OrderStatus(SENDING, _("The mail server did not take it yet; it is tried again."), POLL_DELAYED)
        return OrderStatus(SENDING)
    if order.state == PdfOrder.FAILED:
        return OrderStatus(PdfOrder.FAILED, order.error or _("The PDF could not be made."), poll=None)
    if order.state == PdfOrder.SENT:
        return OrderStatus(PdfOrder.SENT, poll=None)
    if order.updated_at < clock.utcnow_naive() - STALE_RENDERING:
        return OrderStatus(PdfOrder.FAILED, _("This took too long. Please try again."), poll=None)
    return OrderStatus(order.state)


def retry_order(order: PdfOrder) -> bool:
    """Start a failed order again (its render, or its mail if only that failed); False if it has not failed."""
    from jobs.email import deliver, job_id_for
    from jobs.queue import enqueue

    if not order_status(order).can_retry:
        return False
    with transaction():
        if order.email_id is not None:
            OutboundEmail.update(
                status=OutboundEmail.FAILED, attempts=0, next_attempt_at=clock.utcnow_naive(), last_error=""
            ).where((OutboundEmail.id == order.email_id) & (OutboundEmail.status != OutboundEmail.SENT)).execute()
            enqueue(deliver, order.email_id, job_id=job_id_for(order.email_id))
        else:
            PdfOrder.update(state=PdfOrder.QUEUED, error="", updated_at=clock.utcnow_naive()).where(
                PdfOrder.id == order.id
            ).execute()
            enqueue(order_job(order), order.id, job_id=order_job_id(order.id))
    return True


def order_job(order: PdfOrder):
    """The job that makes this order's PDF: an invoice here, a report in jobs.reports."""
    if order.invoice_id is not None:
        return order_invoice_pdf
    from jobs.reports import order_report_pdf

    return order_report_pdf
