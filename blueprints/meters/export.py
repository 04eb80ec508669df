"""A window's readings as a spreadsheet (M4): one row per meter, through core/csv.py or core/xlsx.py, so
a serial number or a building name someone typed as "=…" arrives as text, never as a formula."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response
from flask_babel import gettext as _

from blueprints.meters import period
from core.csv import csv_download
from core.xlsx import xlsx_download
from models.meters import Meter, ReadingWindow, as_decimal
from models.register import Building, Unit

FORMATS = ("csv", "xlsx")


def header() -> list[str]:
    return [
        _("Building"), _("Unit"), _("Meter"), _("Serial number"), _("Measure"), _("Previous reading"),
        _("Reading"), _("Consumption"), _("Source"), _("Flag"),
    ]  # fmt: skip


def rows(window: ReadingWindow) -> Iterator[list]:
    """Every meter of the window with its previous and current reading: numbers stay numbers (Decimal),
    an estimate says so in the source column."""
    states = period.all_states(window)
    unit_ids = {state.meter.unit_id for state in states}
    units = {
        unit.id: unit
        for unit in Unit.select(Unit, Building.name).join(Building).where(Unit.id.in_(list(unit_ids))).objects()
    }
    ordered = sorted(states, key=lambda s: (units[s.meter.unit_id].name, len(units[s.meter.unit_id].number),
                                            units[s.meter.unit_id].number, s.meter.kind, s.meter.serial))  # fmt: skip
    for state in ordered:
        meter: Meter = state.meter
        unit = units[meter.unit_id]
        current, previous = state.current, state.previous
        yield [
            unit.name,
            unit.number,
            meter.kind_label,
            meter.serial,
            meter.measure,
            as_decimal(previous.value) if previous else None,
            as_decimal(current.value) if current else None,
            state.use(),
            current.source_label if current else _("Missing"),
            current.flag_label if current else "",
        ]


def download(window: ReadingWindow, fmt: str) -> Response:
    """The file to download, named after the period's last day."""
    name = f"readings-{window.period_end.isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_download(name, header(), rows(window))
    return xlsx_download(name, header(), rows(window), sheet_title=_("Readings"), frozen_columns=2)
