"""Community (SPEC C): discussions below documents and in topics, their moderation, and mass mail."""

from core.access import association_blueprint

bp = association_blueprint("community", __name__)

# --- discussions: nav ---

# --- moderation: nav ---

# --- mass mail: nav ---
from core import nav  # noqa: E402 (each area's section brings what it needs)
from core.access import can  # noqa: E402
from core.text import lazy_gettext as _l  # noqa: E402
from models import permissions as perms  # noqa: E402

nav.board_place(
    "community.mailings", _l("Mass mail"), "mail", order=30, shown=lambda: can(perms.MAIL_SEND_MASS), group="community"
)
