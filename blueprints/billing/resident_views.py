"""The residents' Contracts and Invoices (SPEC B1, B2; seed 000 "Avtal" and "Avier").

The lists show the signed-in user's own contracts and invoices, even to a board member (the board's
pages list everyone's). Each row is a <details> whose contents load on first open from the row's
own URL, which is also a full page without JavaScript. Rows load only through queries.py, which
starts from Contract.visible_to / Invoice.visible_to: anything else is a 404, by list or by guessed id.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from blueprints.billing import bp, queries
from core.access import can, requires
from core.rendering import render
from models import permissions as perms
from models.billing import Contract, Invoice


def resident_tab(tab: str):
    """A resident page the association can switch off (Portal settings, tabs): then it is a 404 for
    residents; the board (invoices.view_all) keeps it, as its own pages open rows' details here."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not g.association.shows(tab) and not can(perms.INVOICES_VIEW_ALL):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.context_processor
def _billing_words() -> dict:
    # Translated once per page rather than once per row.
    return dict(
        invoice_statuses={key: str(label) for key, label in Invoice.STATUSES.items()},
        invoice_kinds={key: str(label) for key, label in Invoice.KINDS.items()},
        contract_statuses={key: str(label) for key, label in Contract.STATUSES.items()},
        contract_categories={key: str(label) for key, label in Contract.CATEGORIES.items()},
        contract_renewals={key: str(label) for key, label in Contract.RENEWALS.items()},
        period_label=queries.period_label,
        vat_rate=queries.vat_rate,
    )


def _user():
    return current_user._get_current_object()


# --- contracts (B1, "Avtal") ------------------------------------------------------------------


@bp.route("/contracts")
@requires()
@resident_tab("contracts")
def contracts():
    """The user's own contracts; each row opens in place to its details."""
    return render("billing/contracts.html", rows=queries.contract_list(g.association, _user()))


@bp.route("/contracts/<int:contract_id>")
@requires()
@resident_tab("contracts")
def contract(contract_id: int):
    """One contract: type, notice, renewal, dates, rent, unit and parties (a row's details for htmx)."""
    details = queries.contract_details(g.association, _user(), contract_id, see_all=can(perms.INVOICES_VIEW_ALL))
    if details is None:
        abort(404)
    return render("billing/contract.html", "billing/_contract_details.html", details=details)


# --- invoices (B2, "Avier") -------------------------------------------------------------------


@bp.route("/invoices")
@requires()
@resident_tab("invoices")
def invoices():
    """The user's own invoices, newest first, a page at a time, with what is left to pay."""
    today = g.association.today()
    page = request.args.get("page", 1, type=int) or 1
    listing = queries.invoice_page(g.association, _user(), page, today)
    return render("billing/invoices.html", listing=listing, today=today)


@bp.route("/invoices/<int:invoice_id>")
@requires()
@resident_tab("invoices")
def invoice(invoice_id: int):
    """One invoice: lines, period, due date, reference, account, payments, credit notes, PDF (a row's details)."""
    details = queries.invoice_details(g.association, _user(), invoice_id, see_all=can(perms.INVOICES_VIEW_ALL))
    if details is None:
        abort(404)
    return render(
        "billing/invoice.html",
        "billing/_invoice_details.html",
        details=details,
        invoice=details.invoice,
        pdf_order=details.pdf_order,
        today=g.association.today(),
    )
