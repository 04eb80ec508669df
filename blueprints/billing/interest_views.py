"""The board's late-interest pages (issue 13 item 2): the rule and its reference rates, interest runs with
their preview, and a run's charges with their working. All of it needs invoices.manage; the work is
interest.py's and interest_runs.py's."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from blueprints.billing import bp, delivery, interest, money
from blueprints.billing import interest_runs as charging
from blueprints.billing.interest_forms import (
    CHARGED_AS,
    CHARGED_AS_HINTS,
    MODE_HINTS,
    InterestSettingsForm,
    ReferenceRateForm,
    ThroughForm,
    rate_text,
)
from blueprints.billing.interest_runs import InterestRunError
from core.access import requires
from core.audit import audit
from core.rendering import render
from core.text import money as format_money
from models import permissions as perms
from models.billing import BillingSettings, InterestRun, ReferenceRate
from models.db import transaction

_SETTINGS_COLUMNS = (
    "interest_mode",
    "interest_rate",
    "interest_margin",
    "interest_reference",
    "interest_grace_days",
    "interest_charged_as",
    "interest_during_plan",
    "interest_minimum",
)


def _user():
    return current_user._get_current_object()


def _rate_rows() -> list[ReferenceRate]:
    return list(ReferenceRate.of(g.association).order_by(ReferenceRate.valid_from.desc()))


def _in_force(rows: list[ReferenceRate], day: dt.date) -> ReferenceRate | None:
    """The row in force on the day: the latest valid_from on or before it (rows newest first)."""
    return next((row for row in rows if row.valid_from <= day), None)


def rule_text(settings: BillingSettings, rows: list[ReferenceRate], today: dt.date) -> str:
    """The rule in a sentence: "10 % a year", "ECB + 8 points (today 12,5 % a year)"."""
    if settings.interest_mode == BillingSettings.INTEREST_FIXED:
        return _("%(rate)s %% a year", rate=rate_text(settings.interest_rate))
    if settings.interest_mode == BillingSettings.INTEREST_REFERENCE:
        now = _in_force(rows, today)
        rule = _(
            "%(name)s + %(margin)s points", name=settings.interest_reference, margin=rate_text(settings.interest_margin)
        )
        if now is None:
            return _("%(rule)s (no rate in force today)", rule=rule)
        rate = max(now.rate + settings.interest_margin, 0)
        return _("%(rule)s (today %(rate)s %% a year)", rule=rule, rate=rate_text(rate))
    return _("No late interest")


def _example(settings: BillingSettings, rows: list[ReferenceRate], today: dt.date) -> dict:
    """A worked example at today's rate (8 % when there is none): 1,000 owed for 30 days."""
    currency = g.association.currency
    principal = 1000 * 10 ** money.exponent(currency)
    rates = interest.Rates.of(settings, [(row.valid_from, row.rate) for row in rows])
    rate = rates.on(today) if rates is not None else None
    rate = rate if rate else 800
    days, year = 30, interest.year_days(today)
    amount = interest.round_half_up(Fraction(principal * rate * days, 10_000 * year))
    return {"principal": principal, "rate": rate_text(rate), "days": days, "year_days": year, "amount": amount}


# --- the rule and the reference rates ----------------------------------------------------------------


def _settings_page(form: InterestSettingsForm, rate_form: ReferenceRateForm, status: int = 200):
    settings = BillingSettings.for_association(g.association)
    rows = _rate_rows()
    today = g.association.today()
    return render(
        "billing/interest_settings.html",
        form=form,
        rate_form=rate_form,
        rows=rows,
        in_force=_in_force(rows, today),
        settings=settings,
        rule=rule_text(settings, rows, today),
        example=_example(settings, rows, today),
        mode_hints=MODE_HINTS,
        charged_as_hints=CHARGED_AS_HINTS,
        rate_text=rate_text,
        currency=g.association.currency,
        status=status,
    )


@bp.route("/admin/billing/interest", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def interest_settings():
    """The association's late-interest rule, explained, and its reference rates by date."""
    settings = BillingSettings.for_association(g.association)
    currency = g.association.currency
    if request.method == "GET":
        form = InterestSettingsForm.filled(settings, currency)
        return _settings_page(form, ReferenceRateForm(formdata=None))
    form = InterestSettingsForm(currency=currency)
    if not form.validate_on_submit():
        return _settings_page(form, ReferenceRateForm(formdata=None), status=422)
    values = form.values
    changed = sorted(name for name in _SETTINGS_COLUMNS if getattr(settings, name) != values[name])
    with transaction():
        BillingSettings.update(**values).where(BillingSettings.id == settings.id).execute()
        audit("billing.interest_settings_changed", actor=current_user, association=g.association, changed=changed)
    flash(_("The late interest settings are saved."), "success")
    return redirect(url_for("billing.interest_settings"))


@bp.route("/admin/billing/interest/rates", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def reference_rate_add():
    """Add the reference rate in force from a day on."""
    settings = BillingSettings.for_association(g.association)
    rate_form = ReferenceRateForm()
    settings_form = InterestSettingsForm.filled(settings, g.association.currency)
    if not rate_form.validate_on_submit():
        return _settings_page(settings_form, rate_form, status=422)
    day = rate_form.valid_from.data
    taken = ReferenceRate.of(g.association).where(ReferenceRate.valid_from == day).exists()
    if taken:
        rate_form.valid_from.errors = [_("A rate from this day is in the table already: delete it first.")]
        return _settings_page(settings_form, rate_form, status=422)
    with transaction():
        ReferenceRate.create(association=g.association, valid_from=day, rate=rate_form.basis_points, created_by=_user())
        audit(
            "billing.reference_rate_added",
            actor=current_user,
            association=g.association,
            target=day.isoformat(),
            rate=rate_form.basis_points,
        )
    flash(_("The rate from %(day)s is added.", day=_day(day)), "success")
    return redirect(url_for("billing.interest_settings") + "#reference-rates")


def _day(day: dt.date) -> str:
    return format_date(day, "medium")


@bp.route("/admin/billing/interest/rates/<int:reference_rate_id>/delete", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def reference_rate_delete(reference_rate_id: int):
    """Confirm, then delete one row of the reference-rate table; charges made keep their working."""
    row = ReferenceRate.of(g.association).where(ReferenceRate.id == reference_rate_id).first()
    if row is None:
        abort(404)
    if request.method == "POST":
        with transaction():
            row.delete_instance()
            audit(
                "billing.reference_rate_deleted",
                actor=current_user,
                association=g.association,
                target=row.valid_from.isoformat(),
                rate=row.rate,
            )
        flash(_("The rate from %(day)s is deleted.", day=_day(row.valid_from)), "success")
        return redirect(url_for("billing.interest_settings") + "#reference-rates")
    settings = BillingSettings.for_association(g.association)
    return render(
        "billing/reference_rate_delete.html",
        row=row,
        name=settings.interest_reference,
        rate=rate_text(row.rate),
    )


# --- runs ------------------------------------------------------------------------------------------


def _yesterday() -> dt.date:
    return g.association.today() - dt.timedelta(days=1)


def _runs_page(form: ThroughForm, plan: charging.Preview | None = None, status: int = 200):
    settings = BillingSettings.for_association(g.association)
    today = g.association.today()
    rows = _rate_rows() if settings.interest_mode == BillingSettings.INTEREST_REFERENCE else []
    waiting_count, waiting_total = charging.waiting(g.association)
    return render(
        "billing/interest_runs.html",
        "billing/_interest_preview.html" if plan is not None else None,
        form=form,
        plan=plan,
        settings=settings,
        rule=rule_text(settings, rows, today),
        charged_as=CHARGED_AS,
        runs=list(charging.runs_of(g.association)),
        waiting_count=waiting_count,
        waiting_total=waiting_total,
        rate_text=rate_text,
        status=status,
    )


@bp.route("/admin/interest")
@requires(perms.INVOICES_MANAGE)
def interest_runs():
    """Past interest runs and the form that previews a run through a day."""
    form = ThroughForm(formdata=None, today=g.association.today(), through=_yesterday())
    return _runs_page(form)


@bp.route("/admin/interest/preview")
@requires(perms.INVOICES_MANAGE)
def interest_preview():
    """What a run through the day would charge, per person and invoice, and whom it skips and why."""
    args = request.args.to_dict()
    args.setdefault("through", _yesterday().isoformat())
    form = ThroughForm(MultiDict(args), meta={"csrf": False}, today=g.association.today())
    if not form.validate():
        return _runs_page(form, status=422)
    plan = charging.preview(g.association, form.through.data)
    return _runs_page(form, plan)


@bp.route("/admin/interest", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def interest_run_create():
    """Charge the interest the preview showed, once per day: a day run before charges nothing."""
    form = ThroughForm(today=g.association.today())
    if not form.validate_on_submit():
        return _runs_page(form, status=422)
    through = form.through.data
    try:
        with transaction():
            run, made_now = charging.create(g.association, through, user=_user())
            if made_now:
                delivery.start(run.interest_invoices)  # each goes out by its recipient's choice after commit
    except InterestRunError as error:
        flash(str(error), "error")
        return redirect(url_for("billing.interest_runs"))
    if not made_now:
        flash(
            _("Interest through %(day)s was charged before: nothing was charged again.", day=_day(through)),
            "success",
        )
    elif run.charge_count:
        flash(
            _(
                "Late interest through %(day)s is charged: %(count)s charges, %(total)s in all.",
                day=_day(through),
                count=run.charge_count,
                total=money_text(run.total),
            ),
            "success",
        )
    else:
        flash(_("Nobody owed late interest through %(day)s: nothing was charged.", day=_day(through)), "success")
    return redirect(url_for("billing.interest_run", interest_run_id=run.id))


def money_text(amount: int) -> str:
    return format_money(amount, g.association.currency)


@bp.route("/admin/interest/<int:interest_run_id>")
@requires(perms.INVOICES_MANAGE)
def interest_run(interest_run_id: int):
    """One interest run: each charge with its working, and where it was charged."""
    run = InterestRun.of(g.association).where(InterestRun.id == interest_run_id).first()
    if run is None:
        abort(404)
    charges = charging.charges_of(run)
    people: list[tuple[str, list]] = []
    for charge in charges:
        name = charge.person.full_name
        if not people or people[-1][0] != (charge.person_id, name):
            people.append(((charge.person_id, name), []))
        people[-1][1].append(charge)
    return render(
        "billing/interest_run.html",
        run=run,
        people=people,
        pieces_of=interest.pieces_of,
        rate_text=rate_text,
        charged_as=CHARGED_AS,
        exact=exact_text,
    )


def exact_text(piece: interest.Piece) -> str:
    """A piece's unrounded interest in the currency's major units, to four decimals ("6,5753")."""
    digits = money.exponent(g.association.currency)
    value = (Decimal(piece.exact.numerator) / Decimal(piece.exact.denominator)).scaleb(-digits)
    return format_decimal(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), format="#,##0.0000")
