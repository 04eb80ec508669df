"""Meters (SPEC M1–M4): meters per unit and building, the board's reading windows, readings handed in by
residents or imported from a reading company, reminders, and each meter's history."""

from flask import g

from core import nav
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms

bp = association_blueprint("meters", __name__)

# Switched off, the residents' reading pages answer 404; the board keeps its meters and windows.
METERS_TAB = Tab("meters", keeper=perms.METERS_MANAGE)


def hands_in() -> bool:
    """The member may hand in readings: the tab is on, the role allows it, and they are in the register."""
    return g.association.shows("meters") and can(perms.METERS_SUBMIT) and g.membership.person_id is not None


def keeps_meters() -> bool:
    return can(perms.METERS_MANAGE)


nav.resident_place("meters.mine", _l("Meter readings"), "meters", order=35, shown=hands_in, current_on=("meters.",))
nav.board_place("meters.windows", _l("Reading windows"), "meters", order=10, shown=keeps_meters, group="meters")
nav.board_place("meters.meters", _l("Meters"), "meters", order=20, shown=keeps_meters, group="meters")

from blueprints.meters import reminders  # noqa: E402, F401 (registers the reminder kind)
