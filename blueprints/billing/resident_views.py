"""The residents' Contracts and Invoices (SPEC B1, B2; seed 000 "Avtal" and "Avier").

The lists show the signed-in user's own contracts and invoices, even to a board member (the board's
pages list everyone's). Each row is a <details> whose contents load on first open from the row's
own URL, which is also a full page without JavaScript. Rows load only through queries.py, which
starts from the member's own rows or Contract/Invoice.visible_to: anything else is a 404, by list or by
guessed id.
"""

from __future__ import annotations

from flask import g, request

from blueprints.billing import CONTRACTS_TAB, INVOICES_TAB, bp, payment_codes, queries
from core.access import requires
from core.rendering import render
from models.billing import Contract, Invoice


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
        payment_qr=payment_codes.qr_svg,
    )


# --- contracts (B1, "Avtal") ------------------------------------------------------------------


@bp.route("/contracts")
@requires()
@CONTRACTS_TAB
def contracts():
    """The user's own contracts; each row opens in place to its details."""
    return render("billing/contracts.html", rows=queries.contract_list(g.membership))


@bp.route("/contracts/<int:contract_id>")
@requires()
@CONTRACTS_TAB
def contract(contract_id: int):
    """One contract: type, notice, renewal, dates, rent, unit and parties (a row's details for htmx)."""
    details = queries.contract_details(g.membership, contract_id)
    return render("billing/contract.html", "billing/_contract_details.html", details=details)


# --- invoices (B2, "Avier") -------------------------------------------------------------------


@bp.route("/invoices")
@requires()
@INVOICES_TAB
def invoices():
    """The user's own invoices, newest first, a page at a time, with what is left to pay."""
    today = g.association.today()
    page = request.args.get("page", 1, type=int) or 1
    listing = queries.invoice_page(g.membership, page, today)
    return render("billing/invoices.html", listing=listing, today=today)


@bp.route("/invoices/<int:invoice_id>")
@requires()
@INVOICES_TAB
def invoice(invoice_id: int):
    """One invoice: lines, period, due date, reference, account, payments, credit notes, PDF (a row's details)."""
    details = queries.invoice_details(g.membership, invoice_id)
    return render(
        "billing/invoice.html",
        "billing/_invoice_details.html",
        details=details,
        invoice=details.invoice,
        pdf_order=details.pdf_order,
        today=g.association.today(),
    )
