"""A unit's and a meter's reading history (M4): for the board, and for the members who may hand in readings
for the units they own or live in today. Anyone else gets a 404 (URL and htmx alike)."""

from __future__ import annotations

from flask import g

from blueprints.meters import METERS_TAB, bp, history, period
from core.access import requires_any
from core.rendering import render
from models import permissions as perms
from models.register import Building


def _context(unit, meters, **extra) -> dict:
    return dict(
        unit=unit,
        building=Building.get_by_id(unit.building_id) if unit is not None else None,
        histories=history.of_meters(meters),
        number=period.number,
        board=perms.METERS_MANAGE in g.membership.role.permission_set,
        **extra,
    )


@bp.route("/meters/units/<int:history_unit_id>/history")
@METERS_TAB
@requires_any(perms.METERS_SUBMIT, perms.METERS_MANAGE)
def unit_history(history_unit_id: int):
    """Every meter of a unit: a chart of its use per period and the same numbers as a table."""
    unit = history.visible_unit(g.membership, history_unit_id)
    return render("meters/history.html", "meters/_history.html", **_context(unit, history.unit_meters(unit)))


@bp.route("/meters/<int:history_meter_id>/history")
@METERS_TAB
@requires_any(perms.METERS_SUBMIT, perms.METERS_MANAGE)
def meter_history(history_meter_id: int):
    """One meter's readings and use per period, as a chart and a table."""
    meter = history.visible_meter(g.membership, history_meter_id)
    unit = meter.unit if meter.unit_id is not None else None
    return render("meters/history.html", "meters/_history.html", **_context(unit, [meter], single=meter))
