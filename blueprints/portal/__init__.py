"""The association's portal (SPEC P): accounts, home, my account, settings, roles, registration requests,
the outbox and the audit log.

`bp` serves /<slug>/…; `site` serves the pages outside any association (the association list, log in
without a portal, the links mailed for activation, reset and e-mail change).
"""

from flask import Blueprint, g, url_for
from flask_babel import ngettext

from core import nav
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import OutboundEmail, RegistrationRequest
from models import permissions as perms

bp = association_blueprint("portal", __name__)
site = Blueprint("site", __name__)


def _account_admin() -> bool:
    return can(perms.REGISTER_MANAGE) or can(perms.ACCOUNTS_MANAGE)


CONTACT_TAB = Tab("contact")

nav.resident_place("portal.home", _l("Home"), "home", order=0, on_phone=True)
nav.resident_place("portal.contact", _l("Contact"), "contact", order=60, shown=CONTACT_TAB.is_open)
nav.resident_place(
    "portal.account", _l("My account"), "account", order=90, on_phone=True, current_on=("portal.account",),
    tab_label=_lp("phone tab", "Account"),
)  # fmt: skip
nav.board_place(
    "portal.registrations_list",
    _l("Registration requests"),
    "requests",
    order=30,
    shown=_account_admin,
    group="register",
)
nav.board_place("portal.roles", _l("Roles"), "roles", order=40, shown=lambda: can(perms.ROLES_MANAGE), group="portal")
for order, endpoint, label, icon, permission in (
    (140, "portal.settings", _l("Portal settings"), "settings", perms.SETTINGS_MANAGE),
    (150, "portal.mail_outbox", _l("Mail"), "mail", perms.MAIL_VIEW_OUTBOX),
    (160, "portal.audit_log", _l("Audit log"), "log", perms.AUDIT_VIEW),
):
    nav.board_place(endpoint, label, icon, order=order, shown=lambda p=permission: can(p), group="portal")


def _waiting_requests() -> nav.Attention | None:
    count = (
        RegistrationRequest.of(g.association).where(RegistrationRequest.status == RegistrationRequest.PENDING).count()
    )
    if not count:
        return None
    text = ngettext(
        "%(num)d request for access waits for an answer", "%(num)d requests for access wait for an answer", count
    )
    return nav.Attention(text, url_for("portal.registrations_list"), count)


def _failed_mail() -> nav.Attention | None:
    count = OutboundEmail.of(g.association).where(OutboundEmail.status == OutboundEmail.FAILED).count()
    if not count:
        return None
    text = ngettext("%(num)d mail could not be sent", "%(num)d mails could not be sent", count)
    return nav.Attention(text, url_for("portal.mail_outbox", state=OutboundEmail.FAILED), count)


nav.attention(10, shown=_account_admin, item=_waiting_requests)
nav.attention(50, shown=lambda: can(perms.MAIL_VIEW_OUTBOX), item=_failed_mail)
