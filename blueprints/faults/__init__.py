"""Fault reports and requests to the administration (SPEC F1–F5)."""

from flask import g, url_for
from flask_babel import ngettext

from blueprints.faults import queries, workflow
from core import home, nav
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import permissions as perms

bp = association_blueprint("faults", __name__)

# Switched off, the fault pages are a 404 for everyone (seed 000): there is nobody to handle reports.
FAULTS_TAB = Tab("faults")


def _reports_faults() -> bool:
    return FAULTS_TAB.is_open() and (can(perms.FAULTS_REPORT) or can(perms.FAULTS_RESOLVE))


def _open_to_handle() -> int | None:
    """Open reports the member can handle, for resolvers only, on the pages they start from: one COUNT."""
    if not can(perms.FAULTS_RESOLVE) or not nav.counted_here("faults."):
        return None
    return nav.once_per_request("open_faults", lambda: queries.open_to_handle(g.association, g.membership))


nav.resident_place(
    "faults.reports", _l("Faults"), "faults", order=30, on_phone=True,
    shown=_reports_faults, count=_open_to_handle, current_on=("faults.",), tab_label=_lp("phone tab", "Faults"),
)  # fmt: skip


def _resolver() -> bool:
    return FAULTS_TAB.is_open() and can(perms.FAULTS_RESOLVE)


nav.board_place("faults.reports", _l("Fault reports"), "faults", order=45, shown=_resolver, group="faults")
nav.board_place("faults.deadlines", _l("Fault deadlines"), "deadlines", order=50, shown=_resolver, group="faults")


def _new_and_overdue() -> nav.Attention | None:
    """New reports nobody has answered yet, and open ones past their deadline, among those the member handles."""
    new, overdue = queries.new_and_overdue(g.association, g.membership)
    if not (new or overdue):
        return None
    text = ngettext("%(num)d new fault report", "%(num)d new fault reports", new)
    if overdue:
        text += " · " + ngettext("%(num)d overdue", "%(num)d overdue", overdue)
    return nav.Attention(text, url_for("faults.reports"), new + overdue)


nav.attention(20, shown=_resolver, item=_new_and_overdue)


def _status_words(rows: list) -> list:
    for row in rows:
        row.state, row.detail = f"fault-{row.detail}", str(workflow.STATUS_LABELS[row.detail]).capitalize()
    return rows


home.panel("faults.mine", 30, queries.home_values, queries.home_my_open, present=_status_words)
