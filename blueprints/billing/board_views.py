"""The board's billing pages (SPEC B4, issue 4 items 5–6): every invoice of the association, filtered,
searched, totalled and exported; one invoice with its payments; each resident's contracts and invoices.

Everything is loaded through board_queries, which starts from Invoice.visible_to / Contract.visible_to
with the board's membership: another association's invoice or payment is a 404 like an id that does not exist.
Payments are recorded and removed by payments.py.
"""

from __future__ import annotations

import datetime as dt
import functools

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.billing import board_queries as queries
from blueprints.billing import bp, delivery, money
from blueprints.billing.board_forms import PaymentForm
from blueprints.billing.payments import PaymentError, delete_payment, record_payment
from blueprints.billing.queries import period_label, vat_rate
from core import text
from core.access import can, requires
from core.csv import csv_download
from core.forms import ConfirmForm
from core.rendering import htmx, render
from models import permissions as perms
from models.billing import Contract, Invoice

CSV_COLUMNS = (
    "number",
    "kind",
    "period",
    "issue_date",
    "due_date",
    "unit",
    "recipient",
    "reference",
    "total",
    "paid",
    "credited",
    "outstanding",
    "currency",
    "status",
)


def _today():
    return g.association.today()


def _user():
    return current_user._get_current_object()


def _labels() -> dict:
    """Words and formats the pages repeat per row, made once per request: a list of 50 rows would
    otherwise look up the same translation, month name and amount hundreds of times (Babel is slow)."""
    return dict(
        status_labels={key: str(label) for key, label in Invoice.STATUSES.items()},
        kind_labels={key: str(label) for key, label in Invoice.KINDS.items()},
        category_labels={key: str(label) for key, label in Contract.CATEGORIES.items()},
        contract_status_labels={key: str(label) for key, label in Contract.STATUSES.items()},
        period_label=functools.lru_cache(maxsize=256)(period_label),
        short_date=functools.lru_cache(maxsize=256)(lambda day: text.date(day, "short")),
        amount=functools.lru_cache(maxsize=1024)(text.money),
    )


def _endpoint_url(endpoint: str, **values) -> str | None:
    """The URL of another helper's page if it exists in this build (credit notes, PDF download), else None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


# --- the invoice list -------------------------------------------------------------------------


@bp.route("/admin/invoices")
@requires(perms.INVOICES_VIEW_ALL)
def board_invoices():
    """Every invoice of the association, filtered by period, status and unit, searched, with totals per status."""
    filters = queries.Filters.from_args(request.args)
    listing = queries.invoice_list(g.membership, filters, _today())
    return render(
        "billing/board_invoices.html",
        "billing/_board_invoice_list.html",
        listing=listing,
        filters=filters,
        today=_today(),
        period_choices=_period_choices(filters.period),
        **_labels(),
    )


def _period_choices(chosen: str) -> list[tuple[str, str]]:
    """The months a board usually looks at (two ahead, two years back) and the chosen one: no query."""
    return _months_around(_today().replace(day=1), chosen, text.language_name())


@functools.lru_cache(maxsize=64)
def _months_around(month: dt.date, chosen: str, language: str) -> list[tuple[str, str]]:
    """Named once per month, chosen period and language (`language` is in the key; format_date reads it
    from the request): 27 month names cost Babel half a millisecond, on every load of the list."""
    newest = month.year * 12 + month.month - 1 + 2  # months since year 0, two ahead of this one
    months = [dt.date(i // 12, i % 12 + 1, 1) for i in range(newest, newest - 27, -1)]
    if chosen and chosen not in {f"{d:%Y-%m}" for d in months}:
        months.insert(0, dt.date(int(chosen[:4]), int(chosen[5:]), 1))
    return [(f"{d:%Y-%m}", _capitalised(format_date(d, "LLLL y"))) for d in months]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@bp.route("/admin/invoices.csv")
@requires(perms.INVOICES_VIEW_ALL)
def board_invoices_csv():
    """The filtered invoice list as CSV for a spreadsheet (UTF-8 with BOM, amounts as plain decimals)."""
    filters = queries.Filters.from_args(request.args)
    rows = (_csv_values(row) for row in queries.export_rows(g.membership, filters, _today()))
    return csv_download(f"{g.association.slug}-invoices-{_today().isoformat()}.csv", CSV_COLUMNS, rows)


def _csv_values(row: dict) -> list:
    currency = row["currency"]
    total, paid, credited = row["total"], row["paid_total"], row["credited_total"]

    def amount(minor: int) -> str:
        return f"{money.to_decimal(minor, currency):f}"

    return [
        row["number"],
        row["kind"],
        _csv_period(row["period_start"], row["period_end"]),
        row["issue_date"].isoformat(),
        row["due_date"].isoformat(),
        row["unit_number"] or "",
        row["recipient_name"],
        row["reference"],
        amount(total),
        amount(paid),
        amount(credited),
        amount(max(total - paid - credited, 0)),
        currency,
        row["status"],
    ]


def _csv_period(start, end) -> str:
    """ "2026-12" for a calendar month, else "2026-12-01/2026-12-15" (ISO 8601); "" without a period."""
    if start is None:
        return ""
    if end is None or _period_label_is_month(start, end):
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.isoformat()}/{end.isoformat()}"


def _period_label_is_month(start, end) -> bool:
    next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start.day == 1 and end == next_month - dt.timedelta(days=1)


# --- one invoice and its payments ---------------------------------------------------------------


def _invoice_or_404(invoice_id: int) -> queries.InvoicePage:
    return queries.invoice_page(g.membership, invoice_id)


def _payment_form(invoice: Invoice, formdata=None) -> PaymentForm:
    """A fresh form offers the whole outstanding amount and today's date: the usual case is a full payment."""
    if formdata is not None:
        return PaymentForm(currency=invoice.currency)
    return PaymentForm(
        formdata=None,
        currency=invoice.currency,
        amount=money.amount_text(invoice.outstanding, invoice.currency) if invoice.outstanding else "",
        paid_on=_today(),
    )


def _invoice_context(
    page: queries.InvoicePage, *, form=None, confirm=None, message=None, undo=None, undo_form=None, error=None
) -> dict:
    invoice = page.invoice
    manage = can(perms.INVOICES_MANAGE)
    return dict(
        details=page,
        invoice=invoice,
        invoice_status=invoice.status_on(_today()),
        vat_rate=vat_rate,
        manage=manage,
        form=form if form is not None else _payment_form(invoice),
        confirm=confirm,
        confirm_form=ConfirmForm(),
        message=message,
        undo=undo,  # the payment being taken back (allocation_views.payment_undo), with its form
        undo_form=undo_form,
        undos=queries.undos_of(invoice),
        error=error,
        credit_note_url=_endpoint_url("billing.credit_note", invoice_id=invoice.id)
        if manage and invoice.kind == Invoice.INVOICE and invoice.outstanding > 0
        else None,
        pdf_url=_endpoint_url("billing.invoice_pdf", invoice_id=invoice.id),
        deliveries=delivery.statuses_of([invoice.id])[invoice.id],
        **_labels(),
    )


@bp.route("/admin/invoices/<int:invoice_id>")
@requires(perms.INVOICES_VIEW_ALL)
def board_invoice(invoice_id: int):
    """One invoice: recipient, lines, payments, credit notes and status; htmx gets its payments part."""
    page = _invoice_or_404(invoice_id)
    return render("billing/board_invoice.html", "billing/_payments.html", **_invoice_context(page))


@bp.route("/admin/invoices/<int:invoice_id>/payments", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def payment_create(invoice_id: int):
    """Record a payment (full or partial) against the invoice; the status follows."""
    page = _invoice_or_404(invoice_id)
    invoice = page.invoice
    form = _payment_form(invoice, request.form)
    if form.validate_on_submit():
        try:
            record_payment(
                invoice,
                form.minor_units,
                form.paid_on.data,
                reference=form.reference.data or "",
                note=form.note.data or "",
                user=_user(),
            )
        except PaymentError as error:
            field = form._fields.get(error.field or "")
            if field is not None:
                field.errors = [*field.errors, str(error.message)]
            else:
                form.form_errors.append(str(error.message))
        else:
            status = Invoice.STATUSES[invoice.status_on(_today())]
            return _after_change(
                invoice_id, _("The payment is recorded. The invoice is now %(status)s.", status=status)
            )
    return render(
        "billing/board_invoice.html", "billing/_payments.html", status=422, **_invoice_context(page, form=form)
    )


def _after_change(invoice_id: int, message: str):
    """htmx: the payments part again, with the message; without JS: back to the invoice page."""
    if htmx:
        page = _invoice_or_404(invoice_id)
        return render("billing/board_invoice.html", "billing/_payments.html", **_invoice_context(page, message=message))
    flash(message, "success")
    return redirect(url_for("billing.board_invoice", invoice_id=invoice_id))


@bp.route("/admin/payments/<int:payment_id>/delete", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def payment_delete(payment_id: int):
    """Confirm, then remove a payment recorded by mistake; the invoice's status goes back."""
    payment = queries.payment_in(g.membership, payment_id)
    error = None
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        try:
            delete_payment(payment, _user())
        except PaymentError as refused:  # part of money received: taken back with a reason instead
            error = str(refused.message)
        else:
            return _after_change(payment.invoice_id, _("The payment is removed."))
    page = _invoice_or_404(payment.invoice_id)
    status = 409 if error else 400 if request.method == "POST" else 200  # 400: a post without its CSRF token
    context = _invoice_context(page, confirm=None if error else payment, error=error)
    return render("billing/board_invoice.html", "billing/_payments.html", status=status, **context)


# --- residents (seed 000 "Admin – Boende") ----------------------------------------------------------


@bp.route("/admin/residents")
@requires(perms.INVOICES_VIEW_ALL)
def residents():
    """The register's people with what each owes; each row opens their contracts and invoices in place."""
    q = request.args.get("q", "").strip()[:100]
    page = max(1, min(request.args.get("page", 1, type=int) or 1, queries.MAX_PAGE))
    listing = queries.resident_list(g.membership, q, page, _today())
    return render(
        "billing/residents.html",
        "billing/_resident_list.html",
        listing=listing,
        q=q,
        currency=g.association.currency,
        **_labels(),
    )


@bp.route("/admin/residents/<int:person_id>")
@requires(perms.INVOICES_VIEW_ALL)
def resident_billing(person_id: int):
    """One person's contracts, invoices with payment status and what they owe (a residents row's details)."""
    billing = queries.resident_billing(g.membership, person_id, _today())
    return render(
        "billing/resident_billing.html",
        "billing/_resident_billing.html",
        billing=billing,
        today=_today(),
        currency=g.association.currency,
        **_labels(),
    )
