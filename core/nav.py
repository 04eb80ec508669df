"""Where a member can go: the tab bar, the top bar and the menu page read one list of places.

Core knows no domain: each domain registers its places when its package is
imported (blueprints/<domain>/__init__.py), with a `shown` rule (its permission
and tab) and, for a few, a `count` for the badge beside the label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import Response, g, render_template, request, url_for
from markupsafe import Markup

from core.access import current_memberships
from core.text import language_name
from core.text import lazy_gettext as _l

# Inline SVG paths (24×24, stroked): one sprite-free icon per destination.
ICONS = {
    "home": "M3 11 12 3l9 8v10h-6v-6H9v6H3z",
    "units": "M4 21V5l8-3 8 3v16M9 21v-5h6v5M8 8h2M14 8h2M8 12h2M14 12h2",
    "members": "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8M2 21c0-4 3-6 7-6s7 2 7 6M17 11a3 3 0 1 0 0-6M19 15c2 .6 3 2.5 3 6",
    "contact": "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a1 1 0 0 1-1 1A16 16 0 0 1 4 5a1 1 0 0 1 1-1",
    "account": "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8M4 21c0-4 4-6 8-6s8 2 8 6",
    "menu": "M4 6h16M4 12h16M4 18h16",
    "people": "M8 7h12M8 12h12M8 17h12M4 7h.01M4 12h.01M4 17h.01",
    "buildings": "M3 21h18M5 21V7l7-4 7 4v14M9 10h.01M15 10h.01M9 14h.01M15 14h.01",
    "requests": "M4 4h16v12H8l-4 4z",
    "roles": "M12 3l8 4v5c0 5-3.5 8-8 9-4.5-1-8-4-8-9V7z",
    "settings": "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6M19 12h2M3 12h2M12 3v2M12 19v2M5.6 5.6 7 7M17 17l1.4 1.4M5.6 18.4 7 17M17 7l1.4-1.4",
    "mail": "M3 5h18v14H3zm0 1 9 7 9-7",
    "log": "M5 3h14v18H5zM8 8h8M8 12h8M8 16h5",
    "switch": "M4 7h13l-3-3M20 17H7l3 3",
    "faults": "M14.5 5.5a4 4 0 0 0 5 5L21 9l-1.5-1.5-2 .5-.5-2L15.5 4.5zM14 10 4.5 19.5a1.5 1.5 0 0 0 2 2L16 12",
    "deadlines": "M12 21a8 8 0 1 0 0-16 8 8 0 0 0 0 16M12 9v4l2.5 2.5M9 2h6",
    "invoices": "M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6M9 16h3",
    "contracts": "M7 3h8l4 4v14H7zM15 3v4h4M10 12h6M10 16h6",
    "runs": "M4 5h16v4H4zM4 13h16v6H4zM8 16h8",
    "charges": "M12 3v18M16 7H10a2.5 2.5 0 0 0 0 5h4a2.5 2.5 0 0 1 0 5H8",
    "meters": "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18M12 12l4-4M7 15h10",
    "reports": "M6 3h12v18H6zM9 15v2M12 11v6M15 8v9",
    "documents": "M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 16h6",
    "folders": "M3 6h6l2 2h10v11H3z",
    "events": "M4 5h16v16H4zM4 10h16M8 3v4M16 3v4M8 14h2M14 14h2M8 17h2",
    "discussions": "M3 4h13v9H8l-5 4zM8 16v1h8l5 4V8h-2",
    "moderation": "M5 21V4M5 4h12l-2 4 2 4H5",
    "votes": "M4 12h16v9H4zM8 12V3h8v9M10.5 7.5l1.5 1.5 2.5-3",
}


@dataclass(frozen=True)
class Destination:
    endpoint: str
    label: object  # a lazy string
    icon: str
    # The phone's tab bar holds four of these and "Menu"; the rest are one tap further.
    on_phone: bool = False
    # A number beside the label (open reports a resolver can handle); None shows nothing.
    count: int | None = None
    # Endpoints (or prefixes ending in ".") under which this place is the current one.
    current_on: tuple[str, ...] = ()
    # A shorter word for the phone's tab bar, where five places share 360 px ("Account" for "My account").
    tab_label: object = None

    @property
    def path(self) -> str:
        return ICONS[self.icon]

    def is_current(self, endpoint: str | None) -> bool:
        if not endpoint:
            return False
        return endpoint == self.endpoint or any(
            endpoint.startswith(prefix) if prefix.endswith(".") else endpoint == prefix for prefix in self.current_on
        )


@dataclass(frozen=True)
class Place:
    """A registered destination: where it sits, when the member sees it, and its badge."""

    order: int
    destination: Destination
    shown: Callable[[], bool]
    count: Callable[[], int | None] | None = None
    group: str = ""  # the board's tools come in groups (BOARD_GROUPS)

    def for_request(self) -> Destination:
        count = self.count() if self.count is not None else None
        return replace(self.destination, count=count) if count is not None else self.destination


_resident_places: list[Place] = []
_board_places: list[Place] = []


def _always() -> bool:
    return True


def resident_place(
    endpoint: str,
    label,
    icon: str,
    *,
    order: int,
    on_phone: bool = False,
    shown: Callable[[], bool] = _always,
    count: Callable[[], int | None] | None = None,
    current_on: tuple[str, ...] = (),
    tab_label=None,
) -> None:
    """Add a resident place (the tab bar and the top of the menu page), in `order`."""
    destination = Destination(endpoint, label, icon, on_phone=on_phone, current_on=current_on, tab_label=tab_label)
    _add(_resident_places, Place(order, destination, shown, count))


# The board's tools by what they are about (P10), in this order on the menu page and the wide top bar.
BOARD_GROUPS = {
    "register": _l("Register"),
    "billing": _l("Billing"),
    "meters": _l("Meters"),
    "faults": _l("Faults"),
    "documents": _l("Documents"),
    "community": _l("Community"),
    "portal": _l("Portal"),
}


def board_place(endpoint: str, label, icon: str, *, order: int, shown: Callable[[], bool], group: str) -> None:
    """Add a board or administrator page to the menu page and the board's bar, in `group`, in `order`."""
    _add(_board_places, Place(order, Destination(endpoint, label, icon), shown, group=group))


def _add(places: list[Place], place: Place) -> None:
    if any(p.destination.endpoint == place.destination.endpoint for p in places):
        return  # a module imported twice (in tests) registers once
    places.append(place)
    places.sort(key=lambda p: p.order)


def resident_places() -> list[Destination]:
    """The tabs: what residents use most, as far as their role and the portal's settings allow."""
    return [place.for_request() for place in _resident_places if place.shown()]


def board_places() -> list[Destination]:
    """The board's and the administrator's pages, listed on the menu page."""
    return [place.destination for place in _board_places if place.shown()]


def board_groups() -> list[tuple[str, list[Destination]]]:
    """The board's pages this member may open, by group: [(group label, pages)], empty groups left out."""
    groups: dict[str, list[Destination]] = {key: [] for key in BOARD_GROUPS}
    for place in _board_places:
        if place.shown():
            groups[place.group].append(place.destination)
    return [(str(BOARD_GROUPS[key]), pages) for key, pages in groups.items() if pages]


# --- what needs the board's attention (P10) ---------------------------------------------------


@dataclass(frozen=True)
class Attention:
    """Something that waits for the board: a sentence with a count, and where to deal with it."""

    text: str
    url: str
    count: int | None = None  # None: a notice without a number (the next invoice run)


_attention: list[tuple[int, Callable[[], bool], Callable[[], Attention | None]]] = []


def attention(order: int, *, shown: Callable[[], bool], item: Callable[[], Attention | None]) -> None:
    """Add what a domain asks the board to look at; `item` returns None when there is nothing."""
    if any(existing[2] is item for existing in _attention):
        return
    _attention.append((order, shown, item))
    _attention.sort(key=lambda entry: entry[0])


def needs_attention() -> list[Attention]:
    """What waits for this member, as far as their role shows it: one small query per item."""
    found = []
    for _order, shown, item in _attention:
        if shown():
            result = item()
            if result is not None:
                found.append(result)
    return found


def tab_bar() -> list[Destination]:
    """Every resident place on wide screens; on phones CSS keeps those marked on_phone."""
    tabs = resident_places()
    wanted = [t.endpoint for t in tabs if t.on_phone]
    # One's own account keeps its tab; when more places want one, the later ones move to the menu.
    # (By endpoint: comparing the places themselves would compare, and so translate, their labels.)
    pinned = [e for e in wanted if e == "portal.account"]
    phone = set([e for e in wanted if e not in pinned][: 4 - len(pinned)] + pinned)
    return [t if t.on_phone == (t.endpoint in phone) else replace(t, on_phone=t.endpoint in phone) for t in tabs]


# --- the bars as HTML, rendered once for each way they can look ------------------------------------------

_rendered: dict[tuple, Markup] = {}
MAX_RENDERED = 4096  # ways the bars can look, kept per process (each about 3 KB of HTML)


def rendered(template: str, here: str | None) -> Markup:
    """The bars (`_nav.html`), or the tab bar alone (`_tab_bar.html`), marked for the page `here`.

    Which places this member sees, with which counts, is worked out on every request (the rules read
    their role and the association's tabs); the HTML that follows from them is made once per process
    for each language, association address, current page and set of places, and reused: on the board's
    pages rendering some twenty places and their addresses cost a millisecond, a fifth of the page.
    Everything the templates read is in the key, so a cached bar is the bar the templates would make."""
    tabs = tab_bar()
    groups = board_groups() if template == "_nav.html" else []
    key = (
        template,
        language_name(),
        url_for("portal.tab_bar"),  # the association's address (and the app's place under the server)
        here,
        tuple((tab.endpoint, tab.count, tab.on_phone) for tab in tabs),
        tuple((label, tuple(page.endpoint for page in pages)) for label, pages in groups),
    )
    html = _rendered.get(key)
    if html is None:
        html = Markup(render_template(template, here=here, tabs=tabs, groups=groups))
        if len(_rendered) >= MAX_RENDERED:
            _rendered.clear()
        _rendered[key] = html
    return html


# The event an in-place (htmx) change sends when a count may have moved: the tab bar fetches itself again.
COUNTS_CHANGED = "porch:counts-changed"


def counts_changed(response: Response) -> Response:
    """Tell the page, through HX-Trigger, that its counts may have moved (see _tab_bar.html)."""
    response.headers["HX-Trigger"] = COUNTS_CHANGED
    return response


def counted_here(*endpoints: str) -> bool:
    """Whether this request's page shows a badge: the pages a member starts from (and the place's own).

    Other pages skip the count's query, so their query budgets stay as they are. The tab bar fetched
    alone (after an in-place change) counts as the page it sits on."""
    endpoint = g.get("page_endpoint") or request.endpoint or ""
    return endpoint in ("portal.home", "portal.menu") or any(
        endpoint.startswith(prefix) if prefix.endswith(".") else endpoint == prefix for prefix in endpoints
    )


def once_per_request(key: str, compute: Callable[[], int | None]) -> int | None:
    """A badge's count, computed once per request however often the page asks."""
    if key not in g:
        setattr(g, key, compute())
    return g.get(key)


def other_associations() -> bool:
    return len(current_memberships()) > 1
