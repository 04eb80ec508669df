"""Community (SPEC C): discussions below documents and in topics, their moderation, and mass mail."""

from flask import g, url_for
from flask_babel import ngettext

from core import nav
from core.access import association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms

bp = association_blueprint("community", __name__)

# --- discussions: nav ---
# Not on the phone's tab bar (four places and Menu): one tap further, on the menu page.
nav.resident_place(
    "community.topics", _l("Discussions"), "discussions", order=25, shown=lambda: can(perms.DISCUSSIONS_POST),
    # The discussions' own pages: moderation and mass mail are the board's, in its bar.
    current_on=(
        "community.topics",
        "community.category",
        "community.topic_new",
        "community.thread",
        "community.post_edit",
        "community.post_delete",
        "community.post_revisions",
    ),
)  # fmt: skip

# --- moderation: nav ---


def _moderates() -> bool:
    return can(perms.DISCUSSIONS_MODERATE)


nav.board_place("community.moderation", _l("Moderation"), "moderation", order=60, shown=_moderates, group="community")


def _flagged_posts() -> nav.Attention | None:
    """Flagged posts waiting in the moderation queue: one COUNT."""
    from blueprints.community import moderation  # the service imports this package: no cycle at import

    count = moderation.open_flag_count(g.membership)
    if not count:
        return None
    text = ngettext("%(num)d flagged post to look at", "%(num)d flagged posts to look at", count)
    return nav.Attention(text, url_for("community.moderation"), count)


nav.attention(30, shown=_moderates, item=_flagged_posts)

# --- mass mail: nav ---
nav.board_place(
    "community.mailings", _l("Mass mail"), "mail", order=30, shown=lambda: can(perms.MAIL_SEND_MASS), group="community"
)
