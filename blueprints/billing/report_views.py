"""Ordering reports as PDF by e-mail, and the board's choice of who may order which (SPEC I2, seed 000
"Beställ rapport" and "Boendeportalrapporter").

What each report contains, and for whom, is blueprints/billing/reports.py's rule;
the PDF is made and mailed by jobs.reports.order_report_pdf. The page lists the
member's own report orders only (PdfOrder.visible_to), each with its live status.
"""

from __future__ import annotations

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.auth.accounts import audit, mail_language
from blueprints.billing import bp, reports
from core.access import can, requires
from core.rendering import render
from jobs.queue import enqueue
from models import OutboundEmail
from models import permissions as perms
from models.billing import BillingSettings, PdfOrder
from models.db import transaction
from models.register import Building

RECENT_ORDERS = 10


class ReportOrderForm(FlaskForm):
    # The report and the scope are checked by the view: a report not offered is a 403, a building
    # not in the register a 422 with its own message.
    report = RadioField(
        _l("Report"), choices=[], validate_choice=False, validators=[DataRequired(_l("Choose a report."))]
    )
    scope = SelectField(_l("Object"), choices=[], validate_choice=False)
    to_address = EmailField(
        _l("Send to"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter the e-mail address the report goes to.")),
            Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    )


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReportSettingsForm(FlaskForm):
    board_reports = CheckboxesField(
        _l("The board may order"), choices=[SelectChoice(key, label) for key, label in reports.REPORTS.items()]
    )
    resident_reports = CheckboxesField(
        _l("Residents may order"), choices=[SelectChoice(key, label) for key, label in reports.REPORTS.items()]
    )


def _report_labels() -> dict[str, str]:
    return {key: str(label) for key, label in reports.REPORTS.items()}


def _viewer() -> reports.Viewer:
    return reports.Viewer.of_membership(g.membership)


def _recent_orders() -> list[PdfOrder]:
    """This member's latest report orders (never anyone else's), each with its mail for the status: one query."""
    return list(
        PdfOrder.visible_to(g.association, current_user)
        .select_extend(OutboundEmail)
        .join(OutboundEmail, pw.JOIN.LEFT_OUTER, on=(PdfOrder.email == OutboundEmail.id))
        .where(PdfOrder.report.is_null(False))
        .order_by(PdfOrder.created_at.desc(), PdfOrder.id.desc())
        .limit(RECENT_ORDERS)
    )


def _scope_labels(orders: list[PdfOrder], buildings: list[Building]) -> dict[str, str]:
    labels = {"": _("The whole association")}
    labels.update({reports.scope_value(b): b.name for b in buildings})
    for order in orders:  # a building removed since the order was made
        labels.setdefault(order.report_scope, _("A building no longer in the register"))
    return labels


@bp.route("/reports", methods=["GET", "POST"], endpoint="reports")
@requires()
def reports_page():
    """Order a report (tenant, unit or member list) as PDF by e-mail, and follow one's recent orders."""
    settings = BillingSettings.for_association(g.association)
    offered = reports.offered_reports(g.association, settings, _viewer())
    form = ReportOrderForm()
    status = 200
    if request.method == "POST":
        if not offered or request.form.get("report", "") not in [*offered, ""]:
            abort(403)
        if form.validate_on_submit():
            try:
                building = reports.parse_scope(g.association, form.scope.data)
            except reports.ReportError as error:
                form.scope.errors = [*form.scope.errors, error.message]
            else:
                order = _place_order(form.report.data, building, form.to_address.data)
                flash(
                    _(
                        "Ordered: %(report)s. It will be sent to %(address)s in a moment.",
                        report=reports.REPORTS[order.report],
                        address=order.to_address,
                    ),
                    "success",
                )
                return redirect(url_for("billing.reports"))
        status = 422
    else:
        form.to_address.data = current_user.email
        form.report.data = offered[0] if len(offered) == 1 else None
    buildings = list(Building.of(g.association).order_by(Building.name))
    form.report.choices = [SelectChoice(key, reports.REPORTS[key]) for key in offered]
    orders = _recent_orders()
    return render(
        "billing/reports.html",
        "billing/_report_orders.html",
        form=form,
        offered=offered,
        descriptions=reports.DESCRIPTIONS,
        buildings=buildings,
        orders=orders,
        report_labels=_report_labels(),
        scope_labels=_scope_labels(orders, buildings),
        may_change_settings=can(perms.SETTINGS_MANAGE),
        status=status,
    )


def _place_order(key: str, building: Building | None, to_address: str) -> PdfOrder:
    """Write the order and queue its job once the row is committed."""
    from jobs.reports import order_job_id, order_report_pdf

    with transaction():
        order = PdfOrder.create(
            association=g.association,
            user=current_user._get_current_object(),
            report=key,
            report_scope=reports.scope_value(building),
            to_address=to_address,
            language=mail_language(current_user, g.association),
        )
        # Lists of people leave the portal by mail: who sent which one where stays on record.
        audit(
            "billing.report_ordered",
            actor=current_user,
            association=g.association,
            target=key,
            scope=order.report_scope,
            to=to_address,
        )
        enqueue(order_report_pdf, order.id, job_id=order_job_id(order.id))
    return order


@bp.route("/admin/reports", methods=["GET", "POST"])
@requires(perms.SETTINGS_MANAGE)
def report_settings():
    """Choose which reports the board and which residents may order (seed 000 "Boendeportalrapporter")."""
    settings = BillingSettings.for_association(g.association)
    if request.method == "POST":
        form = ReportSettingsForm()
        if form.validate_on_submit():
            board = reports.clean_keys(form.board_reports.data)
            residents = reports.clean_keys(form.resident_reports.data)
            with transaction():
                BillingSettings.update(board_reports=board, resident_reports=residents).where(
                    BillingSettings.id == settings.id
                ).execute()
                audit(
                    "billing.report_settings",
                    actor=current_user,
                    association=g.association,
                    target=g.association.name,
                    board=board,
                    residents=residents,
                )
            flash(_("The report settings are saved."), "success")
            return redirect(url_for("billing.report_settings"))
        status = 422
    else:
        form = ReportSettingsForm(
            formdata=None,
            board_reports=settings.board_reports.split(),
            resident_reports=settings.resident_reports.split(),
        )
        status = 200
    return render(
        "billing/report_settings.html",
        form=form,
        descriptions=reports.DESCRIPTIONS,
        status=status,
    )
