"""Documents (SPEC D): folders that set who reads and writes, documents with attachments, search, events."""

from blueprints.documents import home_events, queries
from core import home, nav
from core.access import association_blueprint, can
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import permissions as perms

bp = association_blueprint("documents", __name__)


def _reads_documents() -> bool:
    # By permission, not by asking which folders the role reads: the tab bar is on every page.
    return can(perms.DOCUMENTS_READ) or can(perms.DOCUMENTS_WRITE)


nav.resident_place(
    "documents.index", _l("Documents"), "documents", order=20, shown=_reads_documents,
    current_on=("documents.",), tab_label=_lp("phone tab", "Documents"),
)  # fmt: skip
# Events have no place of their own in the bars (they would crowd the wide one): the documents page,
# the home page's "Upcoming events" and each event lead to them.
nav.board_place(
    "documents.folders", _l("Folders"), "folders", order=10, shown=lambda: can(perms.DOCUMENTS_WRITE), group="documents"
)

home.panel("documents.newest", 20, queries.home_values, queries.home_newest)
home.panel("documents.events", 25, home_events.home_values, home_events.home_upcoming, present=home_events.home_present)
home.panel("documents.sidebar", 90, queries.home_values, queries.home_sidebar)
