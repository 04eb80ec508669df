"""The association's portal (SPEC P): accounts, home, my account, settings, roles, registration requests,
the outbox and the audit log.

`bp` serves /<slug>/…; `site` serves the pages outside any association (the association list, log in
without a portal, the links mailed for activation, reset and e-mail change).
"""

from flask import Blueprint

from core import nav
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms

bp = association_blueprint("portal", __name__)
site = Blueprint("site", __name__)


def _account_admin() -> bool:
    return can(perms.REGISTER_MANAGE) or can(perms.ACCOUNTS_MANAGE)


CONTACT_TAB = Tab("contact")

nav.resident_place("portal.home", _l("Home"), "home", order=0, on_phone=True)
nav.resident_place("portal.contact", _l("Contact"), "contact", order=60, shown=CONTACT_TAB.is_open)
nav.resident_place(
    "portal.account", _l("My account"), "account", order=90, on_phone=True, current_on=("portal.account",)
)
nav.board_place("portal.registrations_list", _l("Registration requests"), "requests", order=30, shown=_account_admin)
nav.board_place("portal.roles", _l("Roles"), "roles", order=40, shown=lambda: can(perms.ROLES_MANAGE))
nav.board_place(
    "portal.settings", _l("Portal settings"), "settings", order=140, shown=lambda: can(perms.SETTINGS_MANAGE)
)
nav.board_place("portal.mail_outbox", _l("Mail"), "mail", order=150, shown=lambda: can(perms.MAIL_VIEW_OUTBOX))
nav.board_place("portal.audit_log", _l("Audit log"), "log", order=160, shown=lambda: can(perms.AUDIT_VIEW))
