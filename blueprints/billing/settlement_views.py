"""The board's yearly settlement of services (SPEC B9): the list per year, a settlement's costs and keys with
the preview of every unit's result, the run that settles the year, its progress, and each unit's statement
(downloaded by the board or the unit's owners). The work is settlement.py's and settlement_run.py's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.billing import INVOICES_TAB, bp, settlement_pdf
from blueprints.billing import settlement as sharing
from blueprints.billing import settlement_run as running
from blueprints.billing.settlement_forms import PARTS, CostForm, NewSettlementForm, SettlementDetailsForm
from core import storage
from core.access import can, requires
from core.audit import audit
from core.rendering import render
from models import permissions as perms
from models.billing import Service, Settlement, SettlementCost, SettlementKey, SettlementUnit, people_of
from models.db import transaction
from models.register import Building, Person, Unit

PER_PAGE = 100
POLL = "every 2s"


def _user():
    return current_user._get_current_object()


def _settlement(settlement_id: int) -> Settlement:
    found = Settlement.of(g.association).where(Settlement.id == settlement_id).first()
    if found is None:
        abort(404)
    return found


def _cost(settlement: Settlement, cost_id: int) -> SettlementCost:
    found = SettlementCost.get_or_none((SettlementCost.id == cost_id) & (SettlementCost.settlement == settlement.id))
    if found is None:
        abort(404)
    return found


def deadline_met(settlement: Settlement) -> bool | None:
    """Did the statements go out by the deadline (the day in the association's time zone)? None while they
    have not all gone out."""
    if settlement.delivered_at is None:
        return None
    zone = ZoneInfo(g.association.timezone or "UTC")
    return settlement.delivered_at.replace(tzinfo=dt.UTC).astimezone(zone).date() <= settlement.deadline


# --- the list ------------------------------------------------------------------------------------------


def _list_page(form: NewSettlementForm, status: int = 200):
    settlements = list(Settlement.of(g.association).order_by(Settlement.year.desc()))
    return render(
        "billing/settlements.html",
        form=form,
        settlements=settlements,
        states=Settlement.STATES,
        deadline_met=deadline_met,
        has_services=Service.of(g.association).exists(),
        status=status,
    )


@bp.route("/admin/settlements")
@requires(perms.INVOICES_MANAGE)
def settlements():
    """The yearly settlements, newest year first, with their state and deadline, and a form for a new one."""
    last_year = g.association.today().year - 1
    return _list_page(NewSettlementForm(formdata=None, year=last_year))


@bp.route("/admin/settlements", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def settlement_create():
    """Start the settlement of a year (one per year)."""
    form = NewSettlementForm()
    if not form.validate_on_submit():
        return _list_page(form, status=422)
    year = form.year.data
    if Settlement.of(g.association).where(Settlement.year == year).exists():
        form.year.errors = [_("The year %(year)s has a settlement already: open it from the list.", year=year)]
        return _list_page(form, status=422)
    with transaction():
        made = sharing.new_settlement(g.association, year, _user())
        audit(
            "billing.settlement_created", actor=current_user, association=g.association, target=f"settlement:{made.id}"
        )
    flash(_("The settlement of %(year)s is started: enter each service's cost and key.", year=year), "success")
    return redirect(url_for("billing.settlement", settlement_id=made.id))


# --- one settlement ---------------------------------------------------------------------------------------


def _service_choices(settlement: Settlement, keep: int | None = None) -> list[tuple[int, str]]:
    """Services in use without a cost in this settlement yet (and the one a cost being edited has)."""
    taken = SettlementCost.select(SettlementCost.service).where(SettlementCost.settlement == settlement.id)
    query = Service.of(g.association).where(
        (Service.archived_at.is_null() & Service.id.not_in(taken)) | (Service.id == (keep or 0))
    )
    return [(s.id, s.name) for s in query.order_by(Service.position, Service.id)]


def _cost_form(settlement: Settlement, formdata=None, keep: int | None = None) -> CostForm:
    kwargs = {} if formdata is not False else {"formdata": None}
    return CostForm(**kwargs, currency=g.association.currency, services=_service_choices(settlement, keep))


def _page_number() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def _settlement_page(settlement: Settlement, cost_form: CostForm | None = None, details=None, status: int = 200):
    page = _page_number()
    context = {
        "settlement": settlement,
        "states": Settlement.STATES,
        "deadline_met": deadline_met(settlement),
        "rule": sharing.SHARING_RULE,
        "figure_text": settlement_pdf.figure_text,
        "page_number": page,
        "status": status,
    }
    if settlement.state == Settlement.DRAFT:
        plan = sharing.preview(settlement)
        pages = max((len(plan.units) + PER_PAGE - 1) // PER_PAGE, 1)
        context.update(
            plan=plan,
            rows=plan.units[(page - 1) * PER_PAGE : page * PER_PAGE],
            pages=pages,
            cost_form=cost_form or _cost_form(settlement, False),
            details=details or SettlementDetailsForm(formdata=None, deadline=settlement.deadline, note=settlement.note),
            parts=PARTS,
            key_words=sharing.KEY_WORDS,
            meter_label=sharing.meter_label,
        )
        return render("billing/settlement.html", **context)
    context.update(_progress(settlement, page))
    return render("billing/settlement.html", "billing/_settlement_progress.html", **context)


def _progress(settlement: Settlement, page: int) -> dict:
    """A run's units with how each statement went out, a page at a time, and the counts (four queries)."""
    S = SettlementUnit
    counts = dict(
        S.select(
            pw.Case(None, [(S.sent_at.is_null(), "waiting"), (S.email.is_null(False), "mailed")], "kept"),
            pw.fn.COUNT(S.id),
        )
        .where(S.settlement == settlement.id)
        .group_by(pw.SQL("1"))
        .tuples()
    )
    total = sum(counts.values())
    failed = S.select().where((S.settlement == settlement.id) & S.sent_at.is_null() & (S.error != "")).count()
    sums = (
        S.select(
            pw.fn.SUM(pw.Case(None, [(S.difference < 0, 0 - S.difference)], 0)),
            pw.fn.SUM(pw.Case(None, [(S.difference > 0, S.difference)], 0)),
        )
        .where(S.settlement == settlement.id)
        .tuples()
        .get()
    )
    rows = list(
        S.select(
            S, Unit.id, Unit.number, Unit.kind, Building.id, Building.name, Person.id, Person.given_name, Person.surname
        )
        .join(Unit)
        .join(Building)
        .switch(S)
        .join(Person, pw.JOIN.LEFT_OUTER, on=(S.person == Person.id))
        .where(S.settlement == settlement.id)
        .order_by(*Unit.natural_order(), Unit.id)
        .paginate(page, PER_PAGE)
    )
    return {
        "counts": counts,
        "total": total,
        "failed": failed,
        "invoiced": int(sums[0] or 0),
        "credited": int(sums[1] or 0),
        "rows": rows,
        "pages": max((total + PER_PAGE - 1) // PER_PAGE, 1),
        "poll": POLL if settlement.state == Settlement.RUNNING and not failed else None,
    }


@bp.route("/admin/settlements/<int:settlement_id>")
@requires(perms.INVOICES_MANAGE)
def settlement(settlement_id: int):
    """A settlement: its costs and keys with the preview of every unit's result, or, once run, the progress
    of its statements (polled while they go out)."""
    return _settlement_page(_settlement(settlement_id))


def _refuse_unless_draft(settlement: Settlement):
    if settlement.state != Settlement.DRAFT:
        return _refused(settlement)
    return None


def _refused(settlement: Settlement):
    flash(_("This settlement has been run: its costs and keys can no longer change."), "error")
    return redirect(url_for("billing.settlement", settlement_id=settlement.id))


class _RunMeanwhileError(Exception):
    """The settlement was run between the check above and this change's transaction."""


def _hold_draft(settlement: Settlement) -> None:
    """Inside a change's transaction: lock the settlement's row while it is still a draft, so a run started
    at the same moment waits for this change (or this change finds it run and writes nothing)."""
    held = (
        Settlement.update(state=Settlement.state)
        .where((Settlement.id == settlement.id) & (Settlement.state == Settlement.DRAFT))
        .execute()
    )
    if not held:
        raise _RunMeanwhileError


@bp.route("/admin/settlements/<int:settlement_id>/details", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def settlement_details(settlement_id: int):
    """Change the deadline and the note printed on every statement (before the run)."""
    found = _settlement(settlement_id)
    refused = _refuse_unless_draft(found)
    if refused:
        return refused
    form = SettlementDetailsForm()
    if not form.validate_on_submit():
        return _settlement_page(found, details=form, status=422)
    try:
        _save_details(found, form)
    except _RunMeanwhileError:
        return _refused(found)
    flash(_("The deadline and note are saved."), "success")
    return redirect(url_for("billing.settlement", settlement_id=found.id))


def _save_details(found: Settlement, form: SettlementDetailsForm) -> None:
    with transaction():
        _hold_draft(found)
        Settlement.update(deadline=form.deadline.data, note=(form.note.data or "").strip()).where(
            Settlement.id == found.id
        ).execute()
        audit(
            "billing.settlement_changed", actor=current_user, association=g.association, target=f"settlement:{found.id}"
        )


def _save_cost(settlement: Settlement, form: CostForm, cost: SettlementCost | None) -> SettlementCost:
    with transaction():
        _hold_draft(settlement)
        if cost is None:
            last = (
                SettlementCost.select(pw.fn.MAX(SettlementCost.position))
                .where(SettlementCost.settlement == settlement.id)
                .scalar()
            )
            cost = SettlementCost.create(
                settlement=settlement, service=form.service.data, amount=form.parsed_amount, position=(last or 0) + 1
            )
        else:
            SettlementCost.update(service=form.service.data, amount=form.parsed_amount).where(
                SettlementCost.id == cost.id
            ).execute()
            SettlementKey.delete().where(SettlementKey.cost == cost.id).execute()
        SettlementKey.insert_many(
            [
                {"cost": cost.id, "kind": kind, "percent": percent, "meter_kind": meter}
                for kind, percent, meter in form.parts
            ]
        ).execute()
        audit(
            "billing.settlement_cost_saved",
            actor=current_user,
            association=g.association,
            target=f"settlement:{settlement.id}",
            service=form.service.data,
            amount=form.parsed_amount,
            key=[f"{percent}% {kind}{':' + meter if meter else ''}" for kind, percent, meter in form.parts],
        )
    return cost


@bp.route("/admin/settlements/<int:settlement_id>/costs", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def settlement_cost_add(settlement_id: int):
    """Add a service's yearly cost and its key."""
    found = _settlement(settlement_id)
    refused = _refuse_unless_draft(found)
    if refused:
        return refused
    form = _cost_form(found)
    if not form.validate_on_submit():
        return _settlement_page(found, cost_form=form, status=422)
    try:
        _save_cost(found, form, None)
    except _RunMeanwhileError:
        return _refused(found)
    flash(_("The cost is added: check the preview."), "success")
    return redirect(url_for("billing.settlement", settlement_id=found.id) + "#settlement-preview")


@bp.route("/admin/settlements/<int:settlement_id>/costs/<int:settlement_cost_id>", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def settlement_cost(settlement_id: int, settlement_cost_id: int):
    """Change a cost's amount or key."""
    found = _settlement(settlement_id)
    cost = _cost(found, settlement_cost_id)
    refused = _refuse_unless_draft(found)
    if refused:
        return refused
    if request.method == "GET":
        form = _cost_form(found, False, keep=cost.service_id)
        form.fill(cost, list(SettlementKey.select().where(SettlementKey.cost == cost.id).order_by(SettlementKey.id)))
        return render("billing/settlement_cost.html", settlement=found, cost=cost, form=form, parts=PARTS)
    form = _cost_form(found, keep=cost.service_id)
    if not form.validate_on_submit():
        return render("billing/settlement_cost.html", settlement=found, cost=cost, form=form, parts=PARTS, status=422)
    try:
        _save_cost(found, form, cost)
    except _RunMeanwhileError:
        return _refused(found)
    flash(_("The cost is changed: check the preview."), "success")
    return redirect(url_for("billing.settlement", settlement_id=found.id) + "#settlement-preview")


@bp.route("/admin/settlements/<int:settlement_id>/costs/<int:settlement_cost_id>/delete", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def settlement_cost_delete(settlement_id: int, settlement_cost_id: int):
    """Confirm, then take a cost and its key out of the settlement."""
    found = _settlement(settlement_id)
    cost = _cost(found, settlement_cost_id)
    refused = _refuse_unless_draft(found)
    if refused:
        return refused
    service = Service.get_by_id(cost.service_id)
    if request.method == "GET":
        return render("billing/settlement_cost_delete.html", settlement=found, cost=cost, service=service)
    try:
        with transaction():
            _hold_draft(found)
            cost.delete_instance(recursive=True)
            audit(
                "billing.settlement_cost_deleted",
                actor=current_user,
                association=g.association,
                target=f"settlement:{found.id}",
                service=service.id,
            )
    except _RunMeanwhileError:
        return _refused(found)
    flash(_("The cost of %(service)s is taken out.", service=service.name), "success")
    return redirect(url_for("billing.settlement", settlement_id=found.id))


@bp.route("/admin/settlements/<int:settlement_id>/run", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def settlement_run(settlement_id: int):
    """Confirm, then settle the year: each unit's result, its invoice or credit, and its statement mailed."""
    found = _settlement(settlement_id)
    if request.method == "GET":
        if found.state != Settlement.DRAFT:
            return redirect(url_for("billing.settlement", settlement_id=found.id))
        plan = sharing.preview(found)
        return render("billing/settlement_run.html", settlement=found, plan=plan)
    try:
        made = running.run(found, user=_user())
    except running.SettlementRunError as error:
        flash(str(error), "error")
        return redirect(url_for("billing.settlement", settlement_id=found.id))
    if made:
        flash(_("The settlement of %(year)s is made: the statements are being sent.", year=found.year), "success")
    else:
        flash(_("This settlement was run before: nothing was created again."), "success")
    return redirect(url_for("billing.settlement", settlement_id=found.id))


# --- a unit's statement --------------------------------------------------------------------------------------


@bp.route("/settlements/<int:settlement_id>/statements/<int:settlement_unit_id>")
@INVOICES_TAB
@requires()
def settlement_statement(settlement_id: int, settlement_unit_id: int):
    """A unit's settlement statement PDF: for the board, or the owner it is addressed to; 404 for anyone else."""
    found = _settlement(settlement_id)
    row = SettlementUnit.get_or_none(
        (SettlementUnit.id == settlement_unit_id) & (SettlementUnit.settlement == found.id)
    )
    if row is None or not row.stored_name or not _may_see(row):
        abort(404)
    unit = Unit.get_by_id(row.unit_id)
    response = storage.send(
        settlement_pdf.statement_file(row.stored_name),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=settlement_pdf.filename(found, unit),
    )
    response.headers["Cache-Control"] = "private, no-store"  # a person's money: never kept by a shared cache
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _may_see(row: SettlementUnit) -> bool:
    """The board (invoices.view_all) or the owner the statement is addressed to, as with their invoices: a
    later owner of the unit does not get the seller's figures, and the seller keeps theirs after a sale."""
    if can(perms.INVOICES_VIEW_ALL):
        return True
    if row.person_id is None:
        return False
    return people_of(g.association, g.membership.user_id).where(Person.id == row.person_id).exists()
