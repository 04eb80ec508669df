"""Votes (SPEC V): polls weighted by share with live results, written per-rollam votes, paper ballots and a
verifiable ledger of every ballot."""

from flask import g

from core import home, nav
from core.access import association_blueprint
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp

bp = association_blueprint("votes", __name__)

# After bp: these register their listeners and search kind (they import nothing of the views).
from blueprints.votes import discussion, notifications, queries, search  # noqa: E402, F401


def _reads_votes() -> bool:
    return queries.reads_votes(g.get("membership"))


nav.resident_place(
    "votes.index", _l("Votes"), "votes", order=25, shown=_reads_votes, current_on=("votes.",),
    tab_label=_lp("phone tab", "Votes"),
)  # fmt: skip

home.panel("votes.open", 15, queries.home_values, queries.home_open)
