"""A report as a PDF (SPEC I2), and the maker of ordered reports (core/orders.py).

What the report holds is read again when the job makes it, from the orderer's
membership today: a role changed or a report withdrawn since the order fails
the order with the reason; it never sends more than the orderer may see now.
"""

from __future__ import annotations

from flask_babel import format_decimal

from blueprints.exchange import reports
from core import orders
from core.pdf import logo_url, render_pdf
from core.text import lazy_gettext as _l
from models import Membership, User
from models.exchange import ReportSettings
from models.mail import PdfOrder


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


def ordered_report(order: PdfOrder, membership: Membership | None) -> orders.Document:
    """An ordered report as its orderer may see it today."""
    association = order.association
    if membership is None:
        raise orders.RefusedError(_l("You are no longer a member of %(name)s.", name=association.name))
    settings = ReportSettings.for_association(association)
    if order.report not in reports.offered_reports(association, settings, membership):
        raise orders.RefusedError(_l("This report is no longer offered to you."))
    try:
        building = reports.parse_scope(association, order.report_scope)
        report = reports.build(order.report, association, membership, building)
    except reports.ReportError as refused:
        raise orders.RefusedError(refused.message) from refused
    scope_label = building.name if building is not None else _l("The whole association")
    body = render_report(report, scope_label, order.user, order.language)
    return orders.Document(report.filename, body, "report_pdf", {"report": report, "scope_label": scope_label})
