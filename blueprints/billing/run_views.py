"""The board's invoicing pages (SPEC B8, B2): invoice runs with their preview, a single invoice by hand,
credit notes and the billing settings. All of it needs invoices.manage; the work is invoicing.py's."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from blueprints.billing import board_queries, bp, delivery, invoicing, money, references
from blueprints.billing.invoicing import InvoicingError
from blueprints.billing.queries import period_label
from blueprints.billing.run_forms import (
    LINE_COUNT,
    CreditForm,
    InvoiceForm,
    RunForm,
    SettingsForm,
    parse_month,
    row_id,
)
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import render
from core.text import money as format_money
from models import Person
from models import permissions as perms
from models.billing import BillingSettings, Invoice, InvoiceLine, PrintBatch
from models.db import transaction
from models.register import Building, Unit


def _user():
    return current_user._get_current_object()


def _money_formatter():
    """|money for one currency, remembered per amount: a preview of 2,000 units repeats the same few fees."""
    currency = g.association.currency

    @lru_cache(maxsize=4096)
    def formatted(amount: int) -> str:
        return format_money(amount, currency)

    return formatted


def _board_invoice_url(invoice_id: int) -> str:
    """The board's page of one invoice, or the runs page in a build without it."""
    if "billing.board_invoice" in current_app.view_functions:
        return url_for("billing.board_invoice", invoice_id=invoice_id)
    return url_for("billing.runs")


# --- invoice runs ------------------------------------------------------------------------------


def _next_month() -> str:
    first, last = invoicing.month_period(g.association.today())
    return f"{last + dt.timedelta(days=1):%Y-%m}"


def _runs_page(form: RunForm, status: int = 200):
    runs = list(invoicing.runs_of(g.association))
    return render(
        "billing/runs.html",
        form=form,
        runs=runs,
        period_label=period_label,
        waiting_to_print=delivery.waiting_to_print(g.association),
        orders=PrintBatch.ORDERS,
        confirm_form=ConfirmForm(),
        status=status,
    )


@bp.route("/admin/invoice-runs")
@requires(perms.INVOICES_MANAGE)
def runs():
    """Past invoice runs and the form that previews a run for a month."""
    form = RunForm(formdata=None, period=_next_month(), issue_date=g.association.today())
    return _runs_page(form)


@bp.route("/admin/invoice-runs/preview")
@requires(perms.INVOICES_MANAGE)
def run_preview():
    """Every invoice a run for the month would create, what it skips and why, and the button that creates them."""
    args = request.args.to_dict()
    args.setdefault("period", _next_month())  # a bare /preview shows next month's run
    form = RunForm(MultiDict(args), meta={"csrf": False})
    if not form.validate():
        return _runs_page(form, status=422)
    period_start = form.period_start
    drafts = invoicing.preview_run(g.association, period_start)
    ready = [d for d in drafts if d.ready]
    settings = BillingSettings.for_association(g.association)
    issue_date = form.issue_date.data or g.association.today()
    create_form = RunForm(formdata=None, period=f"{period_start:%Y-%m}", issue_date=issue_date)
    return render(
        "billing/run_preview.html",
        "billing/_run_preview.html",
        form=create_form,
        period_start=period_start,
        period_name=period_label(*invoicing.month_period(period_start)),
        ready=ready,
        skipped=[d for d in drafts if d.problems],
        existing=[d for d in drafts if d.existing and not d.problems],
        grand_total=sum(d.total for d in ready),
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=settings.payment_terms_days),
        vat_registered=settings.vat_registered,
        fmt=_money_formatter(),
    )


@bp.route("/admin/invoice-runs", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def run_create():
    """Create the month's invoices, once: a period run before creates nothing new."""
    form = RunForm()
    if not form.validate_on_submit():
        return _runs_page(form, status=422)
    period_start = form.period_start
    name = period_label(*invoicing.month_period(period_start))
    currency = g.association.currency
    drafts = invoicing.preview_run(g.association, period_start)
    if not any(d.ready or d.existing for d in drafts):
        flash(_("There is nothing to invoice for %(period)s: no unit or contract has charges.", period=name), "error")
        return redirect(url_for("billing.runs"))
    with transaction():
        run = invoicing.create_run(g.association, period_start, issue_date=form.issue_date.data, user=_user())
        delivery.start_run(run)  # each new invoice goes out by its recipient's choice once this commits
    added = run.created_now
    audit(
        "billing.run_created",
        actor=current_user,
        association=g.association,
        target=f"invoice_run:{run.id}",
        period=f"{period_start:%Y-%m}",
        created=added,
    )
    if added:
        flash(
            _(
                "%(count)s invoices were created for %(period)s, %(total)s in all.",
                count=added,
                period=name,
                total=format_money(run.created_total, currency),
            ),
            "success",
        )
    else:
        flash(_("Nothing new was created: the invoices for %(period)s already exist.", period=name), "success")
    return redirect(url_for("billing.runs"))


# --- a single invoice -------------------------------------------------------------------------


def _invoice_form(settings: BillingSettings, formdata=None, **data) -> InvoiceForm:
    form = InvoiceForm(
        formdata=formdata, currency=g.association.currency, vat_registered=settings.vat_registered, **data
    )
    people = Person.of(g.association).order_by(*Person.name_order())
    form.recipient.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(p.id, p.sort_name) for p in people]
    units = Unit.active(g.association).join(Building).order_by(*Unit.natural_order()).select(Unit, Building)
    form.unit.choices = [SelectChoice("", _("No unit"))] + [
        SelectChoice(u.id, f"{u.building.name} – {u.number}") for u in units
    ]
    return form


@bp.route("/admin/invoices/new", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def invoice_new():
    """A single invoice by hand: recipient, unit, period, dates, message and up to six lines."""
    settings = BillingSettings.for_association(g.association)
    if request.method == "GET":
        form = _invoice_form(
            settings,
            issue_date=g.association.today(),
            recipient=row_id(request.args.get("recipient")),
            unit=row_id(request.args.get("unit")),
        )
    else:
        form = _invoice_form(settings, request.form)
        if form.validate_on_submit():
            recipient = Person.get_visible(g.membership, form.recipient.data)
            unit = board_queries.billed_unit(g.membership, form.unit.data) if form.unit.data else None
            month = parse_month(form.period.data)
            with transaction():
                invoice = invoicing.create_invoice(
                    g.association,
                    recipient,
                    form.parsed_lines,
                    unit=unit,
                    period=invoicing.month_period(month) if month else None,
                    issue_date=form.issue_date.data,
                    due_date=form.due_date.data,
                    message=(form.message.data or "").strip(),
                    user=_user(),
                )
                delivery.start([invoice])
            audit(
                "billing.invoice_created",
                actor=current_user,
                association=g.association,
                target=f"invoice:{invoice.id}",
                number=invoice.number,
                total=invoice.total,
            )
            flash(
                _(
                    "Invoice %(number)s to %(name)s was created: %(total)s.",
                    number=invoice.number,
                    name=invoice.recipient_name,
                    total=format_money(invoice.total, invoice.currency),
                ),
                "success",
            )
            return redirect(_board_invoice_url(invoice.id))
    return render(
        "billing/invoice_new.html",
        form=form,
        vat_registered=settings.vat_registered,
        line_count=LINE_COUNT,
        amount_example=money.amount_example,
        status=422 if request.method == "POST" else 200,  # a valid post has redirected
    )


# --- credit notes ----------------------------------------------------------------------------


@bp.route("/admin/invoices/<int:invoice_id>/credit", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def credit_note(invoice_id: int):
    """Confirm, then credit everything not yet credited on an invoice."""
    invoice = Invoice.get_visible(g.membership, invoice_id)
    form = CreditForm()
    problem = None
    try:
        invoicing.check_creditable(invoice)
    except InvoicingError as error:
        problem = _refusal(error, invoice)
    if request.method == "POST" and problem is None and form.validate_on_submit():
        try:
            with transaction():
                note = invoicing.credit_note(invoice, user=_user(), reason=(form.reason.data or "").strip())
                delivery.start([note])
        except InvoicingError as error:  # credited meanwhile by someone else
            problem = _refusal(error, invoice)
        else:
            audit(
                "billing.credit_note_created",
                actor=current_user,
                association=g.association,
                target=f"invoice:{invoice.id}",
                credit_note=note.number,
                total=note.total,
            )
            flash(
                _(
                    "Credit note %(note)s credits invoice %(number)s: %(total)s.",
                    note=note.number,
                    number=invoice.number,
                    total=format_money(note.total, note.currency),
                ),
                "success",
            )
            return redirect(_board_invoice_url(invoice.id))
    lines = [] if problem else invoicing.credit_lines(invoice)
    credited = sum(line.total for line in lines)
    status = 200
    if request.method == "POST":
        status = 409 if problem else 422
    return render(
        "billing/credit_note.html",
        invoice=invoice,
        form=form,
        problem=problem,
        lines=lines,
        credited=credited,
        original_lines=list(invoice.lines.order_by(InvoiceLine.position)),
        period_name=period_label(invoice.period_start, invoice.period_end),
        back_url=_board_invoice_url(invoice.id),
        status=status,
    )


def _refusal(error: InvoicingError, invoice: Invoice) -> str:
    """The service's refusal in the user's words."""
    if error.code == "is_credit_note":
        return _("This is a credit note: it cannot be credited.")
    if error.code == "fully_credited":
        return _("Invoice %(number)s is already fully credited.", number=invoice.number)
    return _("Invoice %(number)s has nothing to credit.", number=invoice.number)


# --- billing settings ------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "payee_name",
    "payee_address",
    "org_number",
    "vat_number",
    "vat_registered",
    "iban",
    "bic",
    "bankgiro",
    "account_number",
    "reference_standard",
    "ocr_length_digit",
    "payment_terms_days",
    "next_invoice_number",
    "invoice_footer",
)


@bp.route("/admin/billing", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def billing_settings():
    """Who invoices are paid to, the account, the reference standard, terms and footer."""
    settings = BillingSettings.for_association(g.association)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in SETTINGS_FIELDS}
        values["iban"] = references.normalize_iban(values["iban"] or "")
        values["bankgiro"] = references.normalize_bankgiro(values["bankgiro"] or "")
        values["bic"] = (values["bic"] or "").replace(" ", "").upper()
        for name in ("payee_name", "payee_address", "org_number", "vat_number", "account_number", "invoice_footer"):
            values[name] = (values[name] or "").strip()
        changed = sorted(name for name, value in values.items() if getattr(settings, name) != value)
        BillingSettings.update(**values).where(BillingSettings.id == settings.id).execute()
        audit("billing.settings_changed", actor=current_user, association=g.association, changed=changed)
        flash(_("The billing settings are saved."), "success")
        return redirect(url_for("billing.billing_settings"))
    return render(
        "billing/billing_settings.html",
        form=form,
        currency=g.association.currency,
        status=422 if form.errors else 200,
    )
