"""Balances (SPEC B5, issue 13 items 1 and 3): the residents' "My balance", the board's balance of a person
and of a unit, the statement as PDF, how a late-interest charge was worked out, and money received on a
person's account.

A resident's statements are those of their own register entries (people_of), whoever asks: nobody reaches
another's by a guessed id (a person in a query string that is not theirs is a 404). An interest charge opens
through Invoice.visible_to on the invoice it was charged for. The board's pages load a person or a unit of
its own association only (404 otherwise), with invoices.view_all to read and invoices.manage to record money.
"""

from __future__ import annotations

import functools

from flask import abort, flash, g, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.billing import INVOICES_TAB, allocation, bp, ledger
from blueprints.billing import board_queries as board
from blueprints.billing import statement_pdf as pdf
from blueprints.billing.balance_forms import ReceiptForm, VoidReceiptForm
from blueprints.billing.queries import period_label, vat_rate
from core import orders, text
from core.access import can, requires
from core.forms import ConfirmForm
from core.rendering import htmx, id_urls, render
from models import permissions as perms
from models.billing import InterestCharge, Invoice, Payment, Receipt, people_of
from models.db import first_or_404
from models.mail import PdfOrder
from models.register import Person


def _today():
    return g.association.today()


def _period() -> tuple[ledger.Period, bool]:
    return ledger.Period.from_args(request.args, _today())


def _words(*, board_view: bool) -> dict:
    """What every balance page formats and links per entry, made once per request."""
    return dict(
        period_label=period_label,
        short_date=functools.lru_cache(maxsize=512)(lambda day: text.date(day, "short")),
        amount=functools.lru_cache(maxsize=1024)(text.money),
        invoice_href=id_urls("billing.board_invoice" if board_view else "billing.invoice", "invoice_id"),
        interest_href=id_urls("billing.statement_interest", "interest_charge_id"),
    )


def _own_people() -> list[Person]:
    """The member's own register entries in this association (usually one), oldest first."""
    people = list(
        Person.of(g.association)
        .where(Person.id.in_(people_of(g.association, g.membership.user_id)))
        .order_by(Person.id)
    )
    for person in people:
        person.association = g.association  # at hand: the statement reads its currency and time zone
    return people


def _own_person(person_id) -> Person:
    """One of the member's own register entries (the first if none is named); else 404."""
    people = _own_people()
    if person_id in (None, ""):
        if not people:
            abort(404)
        return people[0]
    try:
        wanted = int(person_id)
    except (TypeError, ValueError):
        abort(404)
    found = next((p for p in people if p.id == wanted), None)
    if found is None:
        abort(404)
    return found


def _latest_statement_order(scope: str | None = None) -> PdfOrder | None:
    """The member's latest statement order (of this person and period when `scope` is given)."""
    query = PdfOrder.visible_to(g.membership).where(PdfOrder.report == PdfOrder.STATEMENT)
    if scope is not None:
        query = query.where(PdfOrder.report_scope == scope)
    return query.order_by(PdfOrder.created_at.desc(), PdfOrder.id.desc()).first()


# --- the residents' "My balance" ----------------------------------------------------------------------


@bp.route("/balance")
@requires()
@INVOICES_TAB
def balance():
    """The member's own balance statement for a period (this year unless chosen), with every entry."""
    period, understood = _period()
    today = _today()
    statements = [(person, ledger.person_statement(person, period, today)) for person in _own_people()]
    return render(
        "billing/balance.html",
        "billing/_balance.html",
        here=url_for("billing.balance"),
        statements=statements,
        period=period,
        understood=understood,
        choices=ledger.period_choices(today, period),
        pdf_order=_latest_statement_order(),
        board_view=False,
        **_words(board_view=False),
    )


@bp.route("/balance/statement.pdf")
@requires()
@INVOICES_TAB
def statement_pdf():
    """The member's own statement for the period as a PDF, made now."""
    person = _own_person(request.args.get("person"))
    period, _understood = _period()
    return _pdf_response(person, period)


@bp.route("/balance/statement/order", methods=["POST"])
@requires()
@INVOICES_TAB
def statement_order():
    """Order the member's statement for the period as a PDF by mail to the account's address."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = _own_person(request.form.get("person"))
    period, _understood = ledger.Period.from_args(request.form, _today())
    # The same statement ordered twice while the first is on its way is mailed once; another is ordered.
    order = _latest_statement_order(pdf.scope_of(person, period))
    if order is None or orders.status(order).finished:
        order = orders.place(
            g.association,
            current_user._get_current_object(),
            to_address=current_user.email,
            language=pdf.statement_language(person),
            report=PdfOrder.STATEMENT,
            report_scope=pdf.scope_of(person, period),
        )
    if not htmx:
        flash(_("Ordered: your statement will be mailed to %(address)s.", address=current_user.email), "success")
        return redirect(url_for("billing.balance", **period.args))
    # Without Redis the job has already run: show where it got to.
    return render("billing/_statement_order.html", pdf_order=PdfOrder.get_by_id(order.id), period=period, person=person)


@bp.route("/balance/interest/<int:interest_charge_id>")
@requires()
@INVOICES_TAB
def statement_interest(interest_charge_id: int):
    """How one late-interest charge was worked out: days × rate × principal per stretch, and the total rounded."""
    charged_for = Invoice.visible_to(g.membership).select(Invoice.id)
    charge = first_or_404(
        InterestCharge.of(g.association).where(
            (InterestCharge.id == interest_charge_id) & InterestCharge.invoice.in_(charged_for)
        )
    )
    (working,) = ledger.charge_workings(g.association, [charge.id])
    return render(
        "billing/interest_working.html",
        "billing/_interest_working.html",
        working=working,
        currency=g.association.currency,
        rate_text=vat_rate,
        exact_amount=ledger.exact_amount,
    )


def _pdf_response(person: Person, period: ledger.Period):
    body = pdf.render_statement(person, period.first, period.last)
    response = make_response(body)
    response.mimetype = "application/pdf"
    name = pdf.filename(person, period.first, period.last)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the board: a person's balance ----------------------------------------------------------------------


def _board_person(person_id: int) -> Person:
    person = Person.get_visible(g.membership, person_id)
    person.association = g.association
    return person


def _person_page(person: Person, *, form: ReceiptForm | None = None, status: int = 200):
    period, understood = _period()
    today = _today()
    statement = ledger.person_statement(person, period, today)
    open_invoices = list(allocation.open_invoices(person.id)) if can(perms.INVOICES_MANAGE) else []
    if form is None:
        form = ReceiptForm(formdata=None, currency=g.association.currency, received_on=today)
    form.first.choices = _first_choices(open_invoices)
    return render(
        "billing/person_balance.html",
        "billing/_balance.html",
        status=status,
        here=url_for("billing.person_balance", person_id=person.id),
        person=person,
        statements=[(person, statement)],
        period=period,
        understood=understood,
        choices=ledger.period_choices(today, period),
        credit=allocation.credit_of(person.id),
        open_invoices=open_invoices,
        form=form,
        board_view=True,
        manage=can(perms.INVOICES_MANAGE),
        **_words(board_view=True),
    )


def _first_choices(invoices: list[Invoice]) -> list[tuple[str, str]]:
    """The person's open invoices to settle first ("" : the oldest first, as usual)."""
    choices = [("", _("The oldest open invoice first"))]
    for invoice in invoices:
        label = _(
            "Invoice %(number)s, due %(date)s, %(amount)s to pay",
            number=invoice.number,
            date=text.date(invoice.due_date, "short"),
            amount=text.money(invoice.outstanding, invoice.currency),
        )
        choices.append((str(invoice.id), label))
    return choices


@bp.route("/admin/people/<int:person_id>/balance")
@requires(perms.INVOICES_VIEW_ALL)
def person_balance(person_id: int):
    """A person's ledger and statement for a period, their credit, and money received on their account."""
    return _person_page(_board_person(person_id))


@bp.route("/admin/people/<int:person_id>/balance/statement.pdf")
@requires(perms.INVOICES_VIEW_ALL)
def person_statement_pdf(person_id: int):
    """A person's statement for the period as a PDF in their language, made now."""
    period, _understood = _period()
    return _pdf_response(_board_person(person_id), period)


@bp.route("/admin/people/<int:person_id>/receipts", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def receipt_create(person_id: int):
    """Record money received from the person: it settles the invoice chosen first, then their oldest; the
    rest stays as their credit."""
    person = _board_person(person_id)
    form = ReceiptForm(currency=g.association.currency)
    form.first.choices = _first_choices(list(allocation.open_invoices(person.id)))
    if form.validate_on_submit():
        first = None
        if form.first.data:
            first = Invoice.get_visible(g.membership, int(form.first.data))
        if form.received_on.data > _today():
            form.received_on.errors = [*form.received_on.errors, _("The date cannot be in the future.")]
        else:
            try:
                receipt = allocation.receive(
                    person,
                    form.minor_units,
                    form.received_on.data,
                    first=first,
                    reference=(form.reference.data or "").strip(),
                    note=(form.note.data or "").strip(),
                    user=current_user._get_current_object(),
                )
            except allocation.AllocationError as error:
                form.form_errors.append(str(error.message))
            else:
                return _after_money(person, _received_message(receipt))
    return _person_page(person, form=form, status=422)


@bp.route("/admin/receipts/<int:receipt_id>/undo", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def receipt_void(receipt_id: int):
    """Confirm, with a reason, then undo money booked by mistake: its allocations are taken back and the
    receipt goes; a bank credit returns to the bank queue."""
    receipt = Receipt.get_visible(g.membership, receipt_id)
    person = _board_person(receipt.person_id)
    form = VoidReceiptForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                queued = allocation.void_receipt(receipt, form.reason.data, user=current_user._get_current_object())
            except allocation.AllocationError as error:
                form.reason.errors = [*form.reason.errors, str(error.message)]
            else:
                amount = text.money(receipt.amount, receipt.currency)
                if queued is not None:
                    message = _("%(amount)s is undone and back in the bank queue.", amount=amount)
                else:
                    message = _("%(amount)s is undone.", amount=amount)
                return _after_money(person, message)
        status = 422
    spent = list(
        Payment.select(Payment, Invoice.number)
        .join(Invoice, on=(Payment.invoice == Invoice.id))
        .where(Payment.receipt == receipt.id)
        .order_by(Payment.paid_on, Payment.id)
    )
    return render("billing/receipt_void.html", status=status, receipt=receipt, person=person, spent=spent, form=form)


def _received_message(receipt) -> str:
    currency = receipt.currency
    if receipt.credit:
        return _(
            "%(amount)s received: %(spent)s settled invoices, %(credit)s is kept as credit.",
            amount=text.money(receipt.amount, currency),
            spent=text.money(receipt.allocated, currency),
            credit=text.money(receipt.credit, currency),
        )
    return _("%(amount)s received: it settled invoices in full.", amount=text.money(receipt.amount, currency))


@bp.route("/admin/people/<int:person_id>/credit", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def credit_settle(person_id: int):
    """Spend the person's credit on their open invoices now, oldest first."""
    person = _board_person(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    made = allocation.settle_from_credit(person.id, user=current_user._get_current_object())
    if made:
        total = sum(payment.amount for payment in made)
        message = _("%(amount)s of credit settled open invoices.", amount=text.money(total, g.association.currency))
    else:
        message = _("Nothing to settle: there is no credit, or no open invoice.")
    return _after_money(person, message)


def _after_money(person: Person, message: str):
    """Back to the person's balance (the period kept), with the message."""
    flash(message, "success")
    target = url_for(
        "billing.person_balance", person_id=person.id, **ledger.Period.from_args(request.args, _today())[0].args
    )
    return redirect(target)


# --- the board: a unit's balance ----------------------------------------------------------------------


@bp.route("/admin/units/<int:unit_id>/balance")
@requires(perms.INVOICES_VIEW_ALL)
def unit_balance(unit_id: int):
    """The ledger of the invoices raised on a unit and what paid them, with its statement for a period."""
    unit = board.billed_unit(g.membership, unit_id)
    unit.association = g.association
    period, understood = _period()
    today = _today()
    return render(
        "billing/unit_balance.html",
        "billing/_balance.html",
        here=url_for("billing.unit_balance", unit_id=unit.id),
        unit=unit,
        statements=[(None, ledger.unit_statement(unit, period, today))],
        period=period,
        understood=understood,
        choices=ledger.period_choices(today, period),
        board_view=True,
        **_words(board_view=True),
    )
