"""The job that makes an ordered PDF and mails it (core/orders.py has the order's life and the makers).

claim (queued -> rendering) -> the maker of the order's kind renders it -> the mail with the PDF is
written in the transaction that moves the order to "mailing" -> the mail job sends it. A refusal (the
orderer may no longer see it) or an error fails the order with a reason in the orderer's language;
it never stays "rendering". Idempotent: an order that has its mail is never mailed again, and a
second run finds nothing to claim.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import force_locale
from flask_babel import gettext as _

from core import clock, orders, queue
from core.mail import queue_mail
from core.text import locale_for
from jobs import job_context
from models import Association, Membership, User
from models.db import transaction
from models.mail import PdfOrder

log = logging.getLogger(__name__)


def make_ordered_pdf(order_id: int) -> str:
    """Render the ordered PDF and queue its mail: "mailed", "failed" or "skipped" (not this run's to do)."""
    with job_context():
        if not _claim(order_id):
            return "skipped"
        order = (
            PdfOrder.select(PdfOrder, Association, User)
            .join(Association)
            .switch(PdfOrder)
            .join(User)
            .where(PdfOrder.id == order_id)
            .get()
        )
        with force_locale(locale_for(order.language)):
            try:
                # Who may see what is read again now: a retry may come long after the order.
                document = orders.make_document(order, Membership.current(order.user, order.association))
                _mail(order, document)
            except orders.RefusedError as refused:
                orders.fail(order, str(refused.message))
                return "failed"
            except Exception:  # the orderer sees a short reason and may try again
                log.exception("PDF order %s failed", order_id)
                orders.fail(order, _("The PDF could not be made. Please try again; if it fails again, tell the board."))
                return "failed"
        return "mailed"


def _claim(order_id: int) -> bool:
    """queued -> rendering, once; a rendering left by a worker that died may be claimed again: by RQ's retry
    of this order's job at once (this function never raises for a failed render, so a retry means the run
    before died), by anyone after STALE."""
    stale_before = clock.utcnow_naive() - orders.STALE
    if queue.is_retry() and queue.current_job_id() == orders.job_id(order_id):
        stale_before = clock.utcnow_naive() + dt.timedelta(days=1)  # the rendering is its own dead run's
    claimed = (
        PdfOrder.update(state=PdfOrder.RENDERING, error="", updated_at=clock.utcnow_naive())
        .where(
            (PdfOrder.id == order_id)
            & PdfOrder.email.is_null()
            & (
                (PdfOrder.state == PdfOrder.QUEUED)
                | ((PdfOrder.state == PdfOrder.RENDERING) & (PdfOrder.updated_at < stale_before))
            )
        )
        .execute()
    )
    return claimed == 1


def _mail(order: PdfOrder, document: orders.Document) -> None:
    with transaction():
        mail = queue_mail(
            document.mail_kind,
            order.to_address,
            language=order.language,
            association=order.association,
            user=order.user,
            attachment=(document.filename, document.body),
            **document.mail_context,
        )
        PdfOrder.update(email=mail, state=PdfOrder.MAILING, updated_at=clock.utcnow_naive()).where(
            PdfOrder.id == order.id
        ).execute()
