"""Community (SPEC C): discussions below documents and in topics, their moderation, and mass mail."""

from core import nav
from core.access import association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms

bp = association_blueprint("community", __name__)

# --- discussions: nav ---
# Not on the phone's tab bar (four places and Menu): one tap further, on the menu page.
nav.resident_place(
    "community.topics", _l("Discussions"), "discussions", order=25, shown=lambda: can(perms.DISCUSSIONS_POST),
    current_on=("community.",),
)  # fmt: skip

# --- moderation: nav ---

# --- mass mail: nav ---
