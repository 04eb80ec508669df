"""Contracts, charges, invoices, payments and invoice PDFs (SPEC B1–B4, B8)."""

from flask import g

from core import nav, orders
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms
from models.mail import PdfOrder

bp = association_blueprint("billing", __name__)
orders.register_maker(PdfOrder.INVOICE, "blueprints.billing.invoice_pdf.ordered_invoice")

# Residents' pages the association can switch off; the board (invoices.view_all) keeps them, as its own
# pages open rows' details there. The tab bar follows the switch alone: the board has its own pages.
INVOICES_TAB = Tab("invoices", keeper=perms.INVOICES_VIEW_ALL)
CONTRACTS_TAB = Tab("contracts", keeper=perms.INVOICES_VIEW_ALL)

nav.resident_place(
    "billing.invoices", _l("Invoices"), "invoices", order=10, on_phone=True,
    shown=lambda: g.association.shows("invoices"),
)  # fmt: skip
nav.resident_place(
    "billing.contracts", _l("Contracts"), "contracts", order=20, shown=lambda: g.association.shows("contracts")
)
for order, endpoint, label, icon, permission in (
    (60, "billing.board_invoices", _l("All invoices"), "invoices", perms.INVOICES_VIEW_ALL),
    (70, "billing.residents", _l("Residents' accounts"), "people", perms.INVOICES_VIEW_ALL),
    (80, "billing.board_contracts", _l("All contracts"), "contracts", perms.INVOICES_VIEW_ALL),
    (90, "billing.charges_overview", _l("Monthly charges"), "charges", perms.INVOICES_VIEW_ALL),
    (100, "billing.runs", _l("Invoice runs"), "runs", perms.INVOICES_MANAGE),
    (110, "billing.billing_settings", _l("Billing settings"), "settings", perms.INVOICES_MANAGE),
):
    nav.board_place(endpoint, label, icon, order=order, shown=lambda permission=permission: can(permission))
