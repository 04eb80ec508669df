"""What enters and leaves an association (SPEC I): reports ordered as PDF by mail, the status of every
ordered PDF, the import of the register and the books from spreadsheets (import_views.py), and the JSON API
for management systems (`site`, at /api/v1/<slug>/: api.py and api_views.py) with the board's page of API
tokens. Export comes here too."""

from flask import Blueprint

from core import nav, orders
from core.access import association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms
from models.mail import PdfOrder

bp = association_blueprint("exchange", __name__)
# The API answers to tokens, never to a signed-in browser: it is not under /<slug>/ and its views never read
# the session (api.py). app.py registers a domain's `site` beside its `bp`.
site = Blueprint("api", __name__, url_prefix="/api/v1")
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
nav.board_place(
    "exchange.api_tokens", _l("API tokens"), "switch", order=145,
    shown=lambda: can(perms.SETTINGS_MANAGE), group="portal",
)  # fmt: skip
