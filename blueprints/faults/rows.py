"""The words of a fault report's row in the lists, and where a report is, worked out in Python.

A list shows fifty rows, each with its place, deadline, date and handler in words: written in the
template, each is a translation and a date filter through Jinja's calls, and cost twice as much.
The markup is still the template's (faults/_report_list.html); this only words the values.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from blueprints.faults import queries
from blueprints.faults.forms import RESPONSIBLE_LABELS
from core import text
from core.text import markup_gettext as _
from models.faults import FaultReport

R = FaultReport


@dataclass(frozen=True)
class RowWords:
    place: Markup
    due: Markup | str  # "" when there is no deadline to show
    reported: Markup
    handled_by: Markup | str  # "" when nobody is assigned


def row_words(report: FaultReport) -> RowWords:
    due = ""
    if report.deadline_at and report.status in R.OPEN_STATUSES:
        due = _("Due %(when)s", when=text.datetime(report.deadline_at, "short"))
    handled_by = ""
    if report.assigned_to:
        handled_by = _("Handled by %(name)s", name=report.assigned_to.display_name)
    return RowWords(
        place=place_words(report),
        due=due,
        reported=_("Reported %(when)s", when=text.date(report.created_at, "short")),
        handled_by=handled_by,
    )


def place_words(report: FaultReport) -> Markup:
    """What a report is about: "Flat 12, Bench street 1", "Laundry room (common area), …", "Request to …"."""
    if report.kind == R.REQUEST:
        whom = RESPONSIBLE_LABELS.get(report.responsible, report.responsible)
        return _("Request to %(whom)s", whom=str(whom).lower())
    parts = queries.place_parts(report)
    if report.place == R.IN_UNIT:
        words = escape(parts["unit"])  # "Flat 12", "Garage G1": the unit named by its kind
    elif report.place == R.COMMON_AREA:
        words = _("%(area)s (common area)", area=parts["area"])
    else:
        return _("The whole building %(name)s", name=parts["building"])
    return words + Markup(", ") + escape(parts["building"]) if parts["building"] else words
