"""Where a member can go: the tab bar, the top bar and the menu page read this one list."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import g, request
from flask_babel import lazy_gettext as _l

from core.access import can, current_memberships
from models import permissions as perms

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
    "reports": "M6 3h12v18H6zM9 15v2M12 11v6M15 8v9",
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

    @property
    def path(self) -> str:
        return ICONS[self.icon]


def resident_places() -> list[Destination]:
    """The tabs: what residents use most, as far as their role and the portal's settings allow."""
    association = g.association
    places = [Destination("portal.home", _l("Home"), "home", on_phone=True)]
    if association.shows("invoices"):
        places.append(Destination("billing.invoices", _l("Invoices"), "invoices", on_phone=True))
    if association.shows("contracts"):
        places.append(Destination("billing.contracts", _l("Contracts"), "contracts"))
    if association.shows("faults") and (can(perms.FAULTS_REPORT) or can(perms.FAULTS_RESOLVE)):
        places.append(Destination("faults.reports", _l("Faults"), "faults", on_phone=True, count=_open_faults()))
    if can(perms.UNITS_VIEW) and (association.shows("units") or can(perms.REGISTER_MANAGE)):
        places.append(Destination("register.units", _l("Units"), "units", on_phone=True))
    if can(perms.MEMBERS_VIEW) and (association.shows("members") or can(perms.REGISTER_MANAGE)):
        places.append(Destination("people.members", _l("Members"), "members", on_phone=True))
    if association.shows("contact"):
        places.append(Destination("settings.contact", _l("Contact"), "contact"))
    places.append(Destination("portal.account", _l("My account"), "account", on_phone=True))
    return places


def board_places() -> list[Destination]:
    """The board's and the administrator's pages, listed on the menu page."""
    wanted = [
        (perms.REGISTER_MANAGE, Destination("people.people", _l("People"), "people")),
        (perms.REGISTER_MANAGE, Destination("register.buildings", _l("Buildings"), "buildings")),
        (None, Destination("people.registrations_list", _l("Registration requests"), "requests")),
        (perms.ROLES_MANAGE, Destination("people.roles", _l("Roles"), "roles")),
        (perms.FAULTS_RESOLVE, Destination("faults.deadlines", _l("Fault deadlines"), "deadlines")),
        (perms.INVOICES_VIEW_ALL, Destination("billing.board_invoices", _l("All invoices"), "invoices")),
        (perms.INVOICES_VIEW_ALL, Destination("billing.residents", _l("Residents' accounts"), "people")),
        (perms.INVOICES_VIEW_ALL, Destination("billing.board_contracts", _l("All contracts"), "contracts")),
        (perms.INVOICES_VIEW_ALL, Destination("billing.charges_overview", _l("Monthly charges"), "charges")),
        (perms.INVOICES_MANAGE, Destination("billing.runs", _l("Invoice runs"), "runs")),
        (perms.INVOICES_MANAGE, Destination("billing.billing_settings", _l("Billing settings"), "settings")),
        (perms.MEMBERS_VIEW_CONTACTS, Destination("billing.reports", _l("Order a report"), "reports")),
        (perms.SETTINGS_MANAGE, Destination("billing.report_settings", _l("Reports on offer"), "reports")),
        (perms.SETTINGS_MANAGE, Destination("settings.settings", _l("Portal settings"), "settings")),
        (perms.MAIL_VIEW_OUTBOX, Destination("portal.mail_outbox", _l("Mail"), "mail")),
        (perms.AUDIT_VIEW, Destination("portal.audit_log", _l("Audit log"), "log")),
    ]
    if not g.association.shows("faults"):
        wanted = [(permission, place) for permission, place in wanted if not place.endpoint.startswith("faults.")]
    account_admin = can(perms.REGISTER_MANAGE) or can(perms.ACCOUNTS_MANAGE)
    return [place for permission, place in wanted if (can(permission) if permission else account_admin)]


def tab_bar() -> list[Destination]:
    """Every resident place on wide screens; on phones CSS keeps those marked on_phone."""
    tabs = resident_places()
    wanted = [t for t in tabs if t.on_phone]
    # One's own account keeps its tab; when more places want one, the later ones move to the menu.
    pinned = [t for t in wanted if t.endpoint == "portal.account"]
    phone = [t for t in wanted if t not in pinned][: 4 - len(pinned)] + pinned
    return [replace(t, on_phone=t in phone) for t in tabs]


# Pages whose tab bar shows the resolvers' count: the ones a resolver starts from. Other pages
# (the register, people, settings) skip the query, so their asserted query budgets stay as they are.
COUNTED_ON = ("portal.home", "portal.menu")


def _open_faults() -> int | None:
    """Open reports the member can handle, for resolvers only: one COUNT, once per request."""
    endpoint = request.endpoint or ""
    if not can(perms.FAULTS_RESOLVE) or not (endpoint in COUNTED_ON or endpoint.startswith("faults.")):
        return None
    if "open_faults" not in g:
        from blueprints.faults.queries import open_to_handle  # the blueprint imports core

        g.open_faults = open_to_handle(g.association, g.membership)
    return g.open_faults


def other_associations() -> bool:
    return len(current_memberships()) > 1
