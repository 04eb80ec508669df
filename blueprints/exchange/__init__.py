"""What enters and leaves an association (SPEC I): reports ordered as PDF by mail, and the status of every
ordered PDF; the import of the register and the books from spreadsheets (import_views.py). Export and the API
come here too."""

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
    "exchange.imports", _l("Import from a spreadsheet"), "runs", order=125,
    shown=lambda: can(perms.REGISTER_MANAGE), group="register",
)  # fmt: skip
nav.board_place(
    "exchange.duplicate_people", _l("Likely duplicate people"), "people", order=126,
    shown=lambda: can(perms.REGISTER_MANAGE), group="register",
)  # fmt: skip
nav.board_place(
    "exchange.report_settings", _l("Reports on offer"), "reports", order=130,
    shown=lambda: can(perms.SETTINGS_MANAGE), group="portal",
)  # fmt: skip
