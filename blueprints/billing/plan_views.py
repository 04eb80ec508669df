"""Instalment plan pages (SPEC B7, issue 13 item 5): the board makes a plan for a debtor (preview first),
follows it and can cancel it; the resident reads their own plan.

The board's pages need invoices.view_all to read and invoices.manage to change; a plan or person of
another association is a 404. A resident's plan page answers only for plans of their own register
entries (404 for anyone else's, even a board member's: the board has its own page). The work is plans.py's.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.billing import INVOICES_TAB, bp, delivery, plans
from blueprints.billing.plan_forms import CancelPlanForm, PlanForm
from core import text
from core.access import requires
from core.rendering import render
from models import Person
from models import permissions as perms
from models.billing import InstalmentPlan, Invoice, people_of
from models.db import first_or_404, transaction

DEFAULT_INSTALMENTS = 6


def _user():
    return current_user._get_current_object()


def _today() -> dt.date:
    return g.association.today()


def _person_or_404(person_id: int) -> Person:
    return first_or_404(Person.of(g.association).where(Person.id == person_id))


def _plan_or_404(plan_id: int) -> InstalmentPlan:
    """A plan of this association (the board's pages), its state brought up to date; else 404."""
    plan = first_or_404(InstalmentPlan.of(g.association).where(InstalmentPlan.id == plan_id))
    if plans.complete_paid_plans(g.association, [plan.id]):
        plan = InstalmentPlan.get_by_id(plan.id)
    return plan


def _state_labels() -> dict[str, str]:
    return {key: str(label) for key, label in InstalmentPlan.STATES.items()}


@bp.context_processor
def _plan_links() -> dict:
    """my_active_plans() for the resident's balance page (billing/balance.html): a query only when called."""
    return {"my_active_plans": lambda: plans.active_plans_of(g.membership) if g.get("membership") else []}


# --- the board's list ----------------------------------------------------------------------------


@bp.route("/admin/plans")
@requires(perms.INVOICES_VIEW_ALL)
def plans_list():
    """The association's instalment plans, newest first, with paid, left and late amounts; filter by state."""
    plans.complete_paid_plans(g.association)
    state = request.args.get("state", "")
    state = state if state in InstalmentPlan.STATES else ""
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    rows, more = plans.plan_list(g.association, state, page, _today())
    return render(
        "billing/plans.html",
        "billing/_plan_list.html",
        rows=rows,
        more=more,
        page_number=page,
        state=state,
        state_labels=_state_labels(),
        currency=g.association.currency,
    )


# --- making a plan ---------------------------------------------------------------------------------


def _invoice_choice(invoice: Invoice, today: dt.date) -> SelectChoice:
    label = _(
        "Invoice %(number)s, due %(date)s: %(amount)s open",
        number=invoice.number,
        date=text.date(invoice.due_date),
        amount=text.money(invoice.outstanding, invoice.currency),
    )
    if invoice.due_date < today:
        label += " · " + str(Invoice.STATUSES[Invoice.OVERDUE])
    return SelectChoice(invoice.id, label)


def _plan_form(candidates: list[Invoice], formdata=None, **data) -> PlanForm:
    form = PlanForm(formdata=formdata, **data)
    today = _today()
    form.invoices.choices = [_invoice_choice(invoice, today) for invoice in candidates]
    return form


@bp.route("/admin/debtors/<int:person_id>/plans/new", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def plan_new(person_id: int):
    """Choose a debtor's open invoices and the terms; the preview shows the schedule; then create the plan."""
    person = _person_or_404(person_id)
    candidates = list(plans.movable_invoices(person.id))
    today = _today()
    if request.method == "GET":
        form = _plan_form(
            candidates,
            invoices=[invoice.id for invoice in candidates if invoice.due_date < today],
            instalment_count=DEFAULT_INSTALMENTS,
            first_due=plans.add_months(today, 1),
            interval_months=1,
        )
        return _plan_new_page(person, candidates, form)
    form = _plan_form(candidates, request.form)
    if not form.validate_on_submit():
        return _plan_new_page(person, candidates, form, status=422)
    chosen = [invoice for invoice in candidates if invoice.id in set(form.invoices.data)]
    total = sum(invoice.outstanding for invoice in chosen)
    try:
        plans.check_terms(form.instalment_count.data, form.first_due.data, form.interval_months.data, today)
        schedule = plans.schedule(total, form.instalment_count.data, form.first_due.data, form.interval_months.data)
    except plans.PlanError as error:
        form.form_errors.append(str(error.message))
        return _plan_new_page(person, candidates, form, status=422)
    if request.form.get("action") != "create":
        remainder = total % len(schedule)
        return _plan_new_page(
            person, candidates, form, chosen=chosen, total=total, schedule=schedule, remainder=remainder
        )
    try:
        with transaction():
            made = plans.create_plan(
                person,
                form.invoices.data,
                form.instalment_count.data,
                form.first_due.data,
                form.interval_months.data,
                expected_total=form.expected,
                note=form.note.data or "",
                user=_user(),
            )
            delivery.start(made.instalments)  # each instalment reaches the debtor as any new invoice does
    except plans.PlanError as error:
        form.form_errors.append(str(error.message))
        return _plan_new_page(person, candidates, form, status=409)
    flash(
        _(
            "Instalment plan %(plan)s is made: %(count)s instalments, %(total)s in all.",
            plan=made.plan.id,
            count=made.plan.instalment_count,
            total=text.money(made.plan.total, g.association.currency),
        ),
        "success",
    )
    return redirect(url_for("billing.plan", plan_id=made.plan.id))


def _plan_new_page(person: Person, candidates: list[Invoice], form: PlanForm, *, status: int = 200, **preview):
    return render(
        "billing/plan_new.html",
        "billing/_plan_new.html",
        person=person,
        candidates=candidates,
        form=form,
        preview=preview or None,
        currency=g.association.currency,
        today=_today(),
        status=status,
    )


# --- one plan --------------------------------------------------------------------------------------


@bp.route("/admin/plans/<int:plan_id>")
@requires(perms.INVOICES_VIEW_ALL)
def plan(plan_id: int):
    """One plan: each instalment's due date, amount, paid, left and status, the totals and what is late."""
    found = _plan_or_404(plan_id)
    return render(
        "billing/plan.html",
        details=plans.plan_page(found, _today()),
        board=True,
        state_labels=_state_labels(),
        currency=g.association.currency,
        today=_today(),
    )


@bp.route("/admin/plans/<int:plan_id>/cancel", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def plan_cancel(plan_id: int):
    """Confirm with a reason, then cancel: unpaid instalments are credited and the rest is invoiced at once."""
    found = _plan_or_404(plan_id)
    form = CancelPlanForm()
    problem = None if found.state == InstalmentPlan.ACTIVE else _("This plan has already ended.")
    if request.method == "POST" and problem is None and form.validate_on_submit():
        try:
            with transaction():
                done = plans.cancel_plan(found, form.reason.data, user=_user())
                if done.remaining is not None:
                    delivery.start([done.remaining])
        except plans.PlanError as error:
            problem = str(error.message)
        else:
            if done.remaining is not None:
                message = _(
                    "Instalment plan %(plan)s is cancelled. Invoice %(number)s asks for the remaining %(amount)s.",
                    plan=found.id,
                    number=done.remaining.number,
                    amount=text.money(done.remaining.total, done.remaining.currency),
                )
            else:
                message = _("Instalment plan %(plan)s is cancelled. Nothing was left to pay.", plan=found.id)
            flash(message, "success")
            return redirect(url_for("billing.plan", plan_id=found.id))
    details = plans.plan_page(found, _today())
    status = 200
    if request.method == "POST":
        status = 409 if problem else 422
    return render(
        "billing/plan_cancel.html",
        details=details,
        form=form,
        problem=problem,
        board=True,
        state_labels=_state_labels(),
        currency=g.association.currency,
        status=status,
    )


# --- the resident's own plan -------------------------------------------------------------------------


@bp.route("/balance/plans/<int:plan_id>")
@requires()
@INVOICES_TAB
def my_plan(plan_id: int):
    """The member's own instalment plan: the schedule, what is paid and left, and what is late."""
    mine = InstalmentPlan.person.in_(people_of(g.association, g.membership.user_id))
    found = first_or_404(InstalmentPlan.of(g.association).where((InstalmentPlan.id == plan_id) & mine))
    if plans.complete_paid_plans(g.association, [found.id]):
        found = InstalmentPlan.get_by_id(found.id)
    return render(
        "billing/plan.html",
        details=plans.plan_page(found, _today()),
        board=False,
        state_labels=_state_labels(),
        currency=g.association.currency,
        today=_today(),
    )
