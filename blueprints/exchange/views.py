"""Ordering reports as PDF by e-mail, and the board's choice of who may order which (SPEC I2, seed 000
"Beställ rapport" and "Boendeportalrapporter").

What each report contains, and for whom, is reports.py's rule; the PDF is made
and mailed through the ordered-PDF pipeline (core/orders.py, report_pdf.py). The
page lists the member's own report orders only (PdfOrder.visible_to), each with
its live status.
"""

from __future__ import annotations

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.exchange import bp, reports
from blueprints.exchange.forms import ReportOrderForm, ReportSettingsForm
from core import orders
from core.access import can, requires
from core.audit import audit
from core.mail import mail_language
from core.rendering import render
from models import OutboundEmail
from models import permissions as perms
from models.db import transaction
from models.exchange import ReportSettings
from models.mail import PdfOrder
from models.register import Building

RECENT_ORDERS = 10


def _report_labels() -> dict[str, str]:
    return {key: str(label) for key, label in reports.REPORTS.items()}


def _recent_orders() -> list[PdfOrder]:
    """This member's latest report orders (never anyone else's), each with its mail for the status: one query."""
    return list(
        PdfOrder.visible_to(g.membership)
        .select_extend(OutboundEmail)
        .join(OutboundEmail, pw.JOIN.LEFT_OUTER, on=(PdfOrder.email == OutboundEmail.id))
        .where(PdfOrder.report.is_null(False) & (PdfOrder.report != PdfOrder.STATEMENT))  # statements: billing's
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
    settings = ReportSettings.for_association(g.association)
    offered = reports.offered_reports(g.association, settings, g.membership)
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
                return redirect(url_for("exchange.reports"))
        status = 422
    else:
        form.to_address.data = current_user.email
        form.report.data = offered[0] if len(offered) == 1 else None
    buildings = Building.by_name(g.association)
    form.report.choices = [SelectChoice(key, reports.REPORTS[key]) for key in offered]
    orders = _recent_orders()
    return render(
        "exchange/reports.html",
        "exchange/_report_orders.html",
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
    with transaction():
        order = orders.place(
            g.association,
            current_user._get_current_object(),
            to_address=to_address,
            language=mail_language(current_user, g.association),
            report=key,
            report_scope=reports.scope_value(building),
        )
        # Lists of people leave the portal by mail: who sent which one where stays on record.
        audit(
            "exchange.report_ordered",
            actor=current_user,
            association=g.association,
            target=key,
            scope=order.report_scope,
            to=to_address,
        )
    return order


@bp.route("/admin/reports", methods=["GET", "POST"])
@requires(perms.SETTINGS_MANAGE)
def report_settings():
    """Choose which reports the board and which residents may order (seed 000 "Boendeportalrapporter")."""
    settings = ReportSettings.for_association(g.association)
    if request.method == "POST":
        form = ReportSettingsForm()
        if form.validate_on_submit():
            board = reports.clean_keys(form.board_reports.data)
            residents = reports.clean_keys(form.resident_reports.data)
            with transaction():
                ReportSettings.update(board_reports=board, resident_reports=residents).where(
                    ReportSettings.id == settings.id
                ).execute()
                audit(
                    "exchange.report_settings",
                    actor=current_user,
                    association=g.association,
                    target=g.association.name,
                    board=board,
                    residents=residents,
                )
            flash(_("The report settings are saved."), "success")
            return redirect(url_for("exchange.report_settings"))
        status = 422
    else:
        form = ReportSettingsForm(
            formdata=None,
            board_reports=settings.board_reports.split(),
            resident_reports=settings.resident_reports.split(),
        )
        status = 200
    return render(
        "exchange/report_settings.html",
        form=form,
        descriptions=reports.DESCRIPTIONS,
        status=status,
    )
