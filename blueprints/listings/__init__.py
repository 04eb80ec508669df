"""Listings (SPEC L1–L3, L5): vacant homes from the register shown to the public, per association and for the
whole install at /homes, the seeker's way on to the landlord, feeds for portals, and the board's self-check."""

from flask import Blueprint

from core import nav
from core.access import association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms

bp = association_blueprint("listings", __name__)
# The install's own pages (every association's vacant homes at /homes, the feeds): no association in the path.
site = Blueprint("listings_site", __name__)


def keeps_listings() -> bool:
    return can(perms.LISTINGS_MANAGE)


# The board's pages sit with the register, where the units they list are kept.

nav.board_place(
    "listings.board_vacancies", _l("Vacant homes"), "buildings", order=30, shown=keeps_listings, group="register"
)
nav.board_place(
    "listings.routes", _l("How seekers reach you"), "contact", order=32, shown=keeps_listings, group="register"
)
nav.board_place(
    "listings.selfcheck", _l("Listings self-check"), "reports", order=34, shown=keeps_listings, group="register"
)
