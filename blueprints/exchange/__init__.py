"""What enters and leaves an association (SPEC I): reports ordered as PDF by mail, and the status of every
ordered PDF. Import, export and the API come here too."""

from core import nav, orders
from core.access import association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms
from models.mail import PdfOrder

bp = association_blueprint("exchange", __name__)
orders.register_maker(PdfOrder.REPORT, "blueprints.exchange.report_pdf.ordered_report")

nav.board_place(
    "exchange.reports", _l("Order a report"), "reports", order=120,
    shown=lambda: can(perms.MEMBERS_VIEW_CONTACTS), group="register",
)  # fmt: skip
nav.board_place(
    "exchange.report_settings", _l("Reports on offer"), "reports", order=130,
    shown=lambda: can(perms.SETTINGS_MANAGE), group="portal",
)  # fmt: skip
nav.board_place(
    "exchange.leaving", _l("Export everything"), "reports", order=140,
    shown=lambda: can(perms.SETTINGS_MANAGE), group="portal",
)  # fmt: skip


@bp.app_template_global("export_status")
def _export_status(export):
    """The state of a data export as its page shows it (privacy_jobs.status)."""
    from blueprints.exchange.privacy_jobs import status

    return status(export)
