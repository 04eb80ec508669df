"""Community (SPEC C): discussions below documents and in topics, their moderation, and mass mail."""

from core import nav
from core.access import association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms

bp = association_blueprint("community", __name__)

# --- discussions: nav ---

# --- moderation: nav ---

# --- mass mail: nav ---
nav.board_place(
    "community.mailings", _l("Mass mail"), "mail", order=30, shown=lambda: can(perms.MAIL_SEND_MASS), group="community"
)
