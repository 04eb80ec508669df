"""Ordered PDFs (SPEC B3 "order PDF", I2 reports): one pipeline for every kind of document.

A PdfOrder goes queued -> rendering -> mailing -> sent, or failed with a reason the orderer can read,
and its row always says where it is. The job `jobs.pdf.make_ordered_pdf` claims the order, asks the
maker of its kind for the document, and writes the mail with the PDF attached in the transaction that
moves the order to "mailing"; the mail job moves it on (mail_settled). Each domain names the maker of
its kind (register_maker): given the order and the orderer's membership today (None when it has
ended), it returns the Document, or raises RefusedError with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core import clock, mail
from core.mail import send
from core.queue import enqueue, job_function
from core.text import lazy_gettext as _l
from core.text import locale_for
from models import Association, Membership, OutboundEmail, User
from models.db import transaction
from models.mail import PdfOrder

MAKE = "jobs.pdf.make_ordered_pdf"
mail.on_settled("core.orders.mail_settled")
# An order left queued or rendering this long ago belongs to a worker that died: it failed, and a
# retry may claim it again.
STALE = dt.timedelta(minutes=10)


@dataclass
class Document:
    """What a maker returns: the PDF and the mail it goes out with (templates/email/<mail_kind>)."""

    filename: str
    body: bytes
    mail_kind: str
    mail_context: dict = field(default_factory=dict)


class RefusedError(Exception):
    """The orderer may not have this document (any more); `message` says why, in words for them."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# kind -> the dotted name of the function that makes its documents (imported when first needed, as
# jobs are: registering a kind does not import the domain's PDF code).
_makers: dict[str, str] = {}


def register_maker(kind: str, function: str) -> None:
    """Name the function ("blueprints.billing.invoice_pdf.ordered_invoice") that makes one kind's documents:
    maker(order, membership or None) -> Document, or RefusedError."""
    _makers[kind] = function


def make_document(order: PdfOrder, membership: Membership | None) -> Document:
    return job_function(_makers[order.kind])(order, membership)


def job_id(order_id: int) -> str:
    return f"pdf-order-{order_id}"


# --- placing and retrying (views) -----------------------------------------------------------


def place(association: Association, user: User, *, to_address: str, language: str, **what) -> PdfOrder:
    """Write an order (what: invoice=… or report=…, report_scope=…) and queue its job after the commit."""
    with transaction():
        order = PdfOrder.create(association=association, user=user, to_address=to_address, language=language, **what)
        enqueue(MAKE, order.id, job_id=job_id(order.id))
    return order


def retry(order: PdfOrder) -> bool:
    """Start a failed order again (its render, or its mail if only that failed); False if it has not failed."""
    if status(order).state != PdfOrder.FAILED:
        return False
    now = clock.utcnow_naive()
    with transaction():
        if order.email_id is not None:
            OutboundEmail.update(status=OutboundEmail.FAILED, attempts=0, next_attempt_at=now, last_error="").where(
                (OutboundEmail.id == order.email_id) & (OutboundEmail.status != OutboundEmail.SENT)
            ).execute()
            _move(order.id, PdfOrder.MAILING)
            send(order.email_id)
        else:
            _move(order.id, PdfOrder.QUEUED)
            enqueue(MAKE, order.id, job_id=job_id(order.id))
    return True


def _move(order_id: int, state: str, error: str = "") -> None:
    PdfOrder.update(state=state, error=error[:500], updated_at=clock.utcnow_naive()).where(
        PdfOrder.id == order_id
    ).execute()


def fail(order: PdfOrder, message: str) -> None:
    """The order failed: `message` (already in the orderer's language) is what they read."""
    _move(order.id, PdfOrder.FAILED, message)


# --- the mail job's side ----------------------------------------------------------------------


def mail_settled(email_id: int, *, sent: bool) -> None:
    """The outbox row `email_id` was sent, or gave up for good: orders waiting on it move on."""
    if sent:
        PdfOrder.update(state=PdfOrder.SENT, error="", updated_at=clock.utcnow_naive()).where(
            PdfOrder.email == email_id
        ).execute()
        return
    for order in PdfOrder.select().where((PdfOrder.email == email_id) & (PdfOrder.state == PdfOrder.MAILING)):
        with force_locale(locale_for(order.language)):
            fail(order, _("The mail could not be delivered."))


# --- what the orderer sees --------------------------------------------------------------------

STATE_LABELS = {
    PdfOrder.QUEUED: _l("Queued"),
    PdfOrder.RENDERING: _l("Making the PDF"),
    PdfOrder.MAILING: _l("Mailing"),
    PdfOrder.SENT: _l("Sent"),
    PdfOrder.FAILED: _l("Failed"),
}
POLL_BUSY = "every 2s"
POLL_DELAYED = "every 30s"  # the mail server refused it for now; the outbox tries again in minutes


@dataclass(frozen=True)
class OrderStatus:
    state: str  # the order's stored state
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


def status(order: PdfOrder) -> OrderStatus:
    """Where an ordered PDF is, as its row says; a mail the server put off says so while it waits.

    An order whose worker vanished (queued or rendering past STALE), or whose mail ended without the
    mail job saying so, is brought up to date here when its orderer looks: the page never shows an
    endless spinner, and the row agrees with the page."""
    if order.state in (PdfOrder.QUEUED, PdfOrder.RENDERING) and order.updated_at < clock.utcnow_naive() - STALE:
        _settle(order, PdfOrder.FAILED, _("This took too long. Please try again."))
    elif order.state == PdfOrder.MAILING and order.email_id is not None:
        mail = order.email
        if mail.status == OutboundEmail.SENT:
            _settle(order, PdfOrder.SENT)
        elif mail.status == OutboundEmail.FAILED:
            if mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                _settle(order, PdfOrder.FAILED, _("The mail could not be delivered."))
            else:
                note = _("The mail server did not take it yet; it is tried again.")
                return OrderStatus(PdfOrder.MAILING, note, POLL_DELAYED)
    if order.state == PdfOrder.FAILED:
        return OrderStatus(PdfOrder.FAILED, order.error or _("The PDF could not be made."), poll=None)
    if order.state == PdfOrder.SENT:
        return OrderStatus(PdfOrder.SENT, poll=None, sent_at=order.email.sent_at if order.email_id else None)
    return OrderStatus(order.state)


def _settle(order: PdfOrder, state: str, error: str = "") -> None:
    order.state, order.error = state, error
    _move(order.id, state, error)
