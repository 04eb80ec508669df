"""Contracts, charges, invoices, payments and invoice PDFs (SPEC B1–B4, B8)."""

import datetime as dt

from flask import g, url_for
from flask_babel import format_date, gettext, ngettext

from core import mail, nav, orders
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import permissions as perms
from models.billing import BankTransaction, Charge, Invoice, InvoiceDelivery, InvoiceRun
from models.mail import PdfOrder

bp = association_blueprint("billing", __name__)
orders.register_maker(PdfOrder.INVOICE, "blueprints.billing.invoice_pdf.ordered_invoice")
orders.register_maker(PdfOrder.STATEMENT, "blueprints.billing.statement_pdf.ordered_statement")
mail.on_settled("blueprints.billing.delivery.mail_settled")

# Residents' pages the association can switch off; the board (invoices.view_all) keeps them, as its own
# pages open rows' details there. The tab bar follows the switch alone: the board has its own pages.
INVOICES_TAB = Tab("invoices", keeper=perms.INVOICES_VIEW_ALL)
CONTRACTS_TAB = Tab("contracts", keeper=perms.INVOICES_VIEW_ALL)

nav.resident_place(
    "billing.invoices", _l("Invoices"), "invoices", order=10, on_phone=True,
    shown=lambda: g.association.shows("invoices"), tab_label=_lp("phone tab", "Invoices"),
)  # fmt: skip
nav.resident_place(
    "billing.balance",
    _l("My balance"),
    "charges",
    order=15,
    shown=lambda: g.association.shows("invoices"),
    current_on=("billing.statement_interest", "billing.my_plan"),
)
nav.resident_place(
    "billing.contracts", _l("Contracts"), "contracts", order=20, shown=lambda: g.association.shows("contracts")
)
# The board's pages, in the order of its month: invoices and who paid, who owes and their plans, then the
# month's work (runs, bank files, late interest) and the settings (issue 13 added 72-106).
for order, endpoint, label, icon, permission in (
    (60, "billing.board_invoices", _l("All invoices"), "invoices", perms.INVOICES_VIEW_ALL),
    (70, "billing.residents", _l("Residents' accounts"), "people", perms.INVOICES_VIEW_ALL),
    (72, "billing.payment_grid", _l("Payment grid"), "reports", perms.INVOICES_VIEW_ALL),
    (74, "billing.debtors", _l("Debtors"), "deadlines", perms.INVOICES_VIEW_ALL),
    (76, "billing.plans_list", _l("Instalment plans"), "runs", perms.INVOICES_VIEW_ALL),
    (80, "billing.board_contracts", _l("All contracts"), "contracts", perms.INVOICES_VIEW_ALL),
    (90, "billing.charges_overview", _l("Monthly charges"), "charges", perms.INVOICES_VIEW_ALL),
    (100, "billing.runs", _l("Invoice runs"), "runs", perms.INVOICES_MANAGE),
    (104, "billing.bank_files", _l("Bank files"), "charges", perms.INVOICES_MANAGE),
    (106, "billing.interest_runs", _l("Late interest"), "deadlines", perms.INVOICES_MANAGE),
    (107, "billing.settlements", _l("Yearly settlements"), "reports", perms.INVOICES_MANAGE),
    (108, "billing.services", _l("Services"), "charges", perms.INVOICES_MANAGE),
    (110, "billing.billing_settings", _l("Billing settings"), "settings", perms.INVOICES_MANAGE),
):
    nav.board_place(endpoint, label, icon, order=order, shown=lambda p=permission: can(p), group="billing")


def _undelivered() -> nav.Attention | None:
    """Invoices that reached nobody: a mail that failed for good, or no address for the way chosen."""
    count = (
        InvoiceDelivery.select()
        .join(Invoice)
        .where(
            (Invoice.association == g.association)
            & InvoiceDelivery.state.in_([InvoiceDelivery.FAILED, InvoiceDelivery.NO_ADDRESS])
        )
        .count()
    )
    if not count:
        return None
    text = ngettext(
        "%(num)d invoice did not reach its recipient", "%(num)d invoices did not reach their recipients", count
    )
    return nav.Attention(text, url_for("billing.runs"), count)


def _next_run() -> nav.Attention | None:
    """The month whose invoices are not made yet: this one if it has none, else the next."""
    today = g.association.today()
    this_month = today.replace(day=1)
    next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
    made = {
        period
        for (period,) in InvoiceRun.of(g.association)
        .select(InvoiceRun.period_start)
        .where(InvoiceRun.period_start.in_([this_month, next_month]))
        .tuples()
    }
    due = next((month for month in (this_month, next_month) if month not in made), None)
    if due is None or not Charge.of(g.association).exists():
        return None
    # Mid-sentence the month stays as the language writes it: "leden 2027", "januari 2027".
    text = gettext("The invoices for %(month)s are not created yet", month=format_date(due, "LLLL y"))
    return nav.Attention(text, url_for("billing.run_preview", period=f"{due:%Y-%m}"))


def _bank_queue() -> nav.Attention | None:
    """Bank credits that matched no invoice and wait for the board (bank_views.bank_queue)."""
    count = (
        BankTransaction.select()
        .where(
            (BankTransaction.association == g.association)
            & BankTransaction.state.in_([BankTransaction.UNMATCHED, BankTransaction.SUGGESTED])
        )
        .count()
    )
    if not count:
        return None
    text = ngettext("%(num)d payment waits in the bank queue", "%(num)d payments wait in the bank queue", count)
    return nav.Attention(text, url_for("billing.bank_queue"), count)


nav.attention(40, shown=lambda: can(perms.INVOICES_MANAGE), item=_undelivered)
nav.attention(50, shown=lambda: can(perms.INVOICES_MANAGE), item=_bank_queue)
nav.attention(60, shown=lambda: can(perms.INVOICES_MANAGE), item=_next_run)
