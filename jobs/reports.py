"""The job that makes an ordered report (tenant, unit or member list) and mails it as PDF (SPEC I2).

It follows the ordered invoice PDF (jobs.pdf.order_invoice_pdf) step by step:
claim the order (queued -> rendering), render, then write the mail with the PDF
attached in the same transaction that links it to the order. Who may see what
is read again here, from the orderer's membership today: a role changed or a
report withdrawn since the order fails the order with a reason, it does not
send more than the orderer may see now.
"""

from __future__ import annotations

import logging

from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.billing import reports
from core import clock
from jobs import app_context
from jobs.pdf import STALE_RENDERING, locale_for, logo_url, order_job_id, render_pdf
from models import Association, User
from models.billing import BillingSettings, PdfOrder
from models.db import transaction

log = logging.getLogger(__name__)

__all__ = ["order_job_id", "order_report_pdf", "render_report"]


def order_report_pdf(order_id: int) -> str:
    """Render an ordered report and mail it. Idempotent: an order that has its mail is not mailed again."""
    from jobs.email import queue_mail

    with app_context():
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
        try:
            report, scope_label = _report_for(order)
            body = render_report(report, scope_label, order.user, order.language)
        except reports.ReportError as refused:  # the orderer may not have it (any more): say why
            with force_locale(locale_for(order.language)):
                _fail(order, str(refused.message))
            return "failed"
        except Exception:  # the orderer sees a short reason and may order again
            log.exception("report order %s failed", order_id)
            with force_locale(locale_for(order.language)):
                _fail(order, _("The PDF could not be made. Please try again; if it fails again, tell the board."))
            return "failed"
        try:
            with transaction():
                mail = queue_mail(
                    "report_pdf",
                    order.to_address,
                    language=order.language,
                    association=order.association,
                    user=order.user,
                    report=report,
                    scope_label=scope_label,
                    attachment=(report.filename, body),
                )
                PdfOrder.update(email=mail, updated_at=clock.utcnow_naive()).where(PdfOrder.id == order_id).execute()
        except Exception:  # failed, not left "rendering" until it goes stale
            log.exception("report order %s: its mail could not be written", order_id)
            with force_locale(locale_for(order.language)):
                _fail(order, _("The PDF could not be made. Please try again; if it fails again, tell the board."))
            return "failed"
        return "mailed"


def _claim(order_id: int) -> bool:
    """queued -> rendering, as jobs.pdf.order_invoice_pdf claims an order: once, unless a worker died mid-render."""
    stale_before = clock.utcnow_naive() - STALE_RENDERING
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


def _fail(order: PdfOrder, message: str) -> None:
    PdfOrder.update(state=PdfOrder.FAILED, error=message[:500], updated_at=clock.utcnow_naive()).where(
        PdfOrder.id == order.id
    ).execute()


def _report_for(order: PdfOrder) -> tuple[reports.Report, object]:
    """The report as its orderer may see it today, and the words for what it covers."""
    association = order.association
    viewer = reports.viewer_of(association, order.user)
    if viewer is None:
        raise reports.ReportError(_l("You are no longer a member of %(name)s.", name=association.name))
    settings = BillingSettings.for_association(association)
    if order.report not in reports.offered_reports(association, settings, viewer):
        raise reports.ReportError(_l("This report is no longer offered to you."))
    building = reports.parse_scope(association, order.report_scope)
    report = reports.build(order.report, association, viewer, building)
    return report, building.name if building is not None else _l("The whole association")


def render_report(report: reports.Report, scope_label, orderer: User, language: str) -> bytes:
    """The report as an A4 PDF in `language`."""
    return render_pdf(
        "pdf/report.html",
        language=language,
        association=report.association,
        report=report,
        scope_label=scope_label,
        orderer=orderer.display_name,
        logo=logo_url(report.association),
        format_area=lambda area: format_decimal(area.normalize()),
    )
