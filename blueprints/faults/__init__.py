"""Fault reports and requests to the administration (SPEC F1–F5)."""

from flask import g

from blueprints.faults import queries
from core import nav
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
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
    shown=_reports_faults, count=_open_to_handle, current_on=("faults.",),
)  # fmt: skip
nav.board_place(
    "faults.deadlines", _l("Fault deadlines"), "deadlines", order=50,
    shown=lambda: FAULTS_TAB.is_open() and can(perms.FAULTS_RESOLVE),
)  # fmt: skip
