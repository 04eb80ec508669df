"""The register (SPEC R): people, buildings, units, ownership, residents, the unit file and the member list."""

from core import nav
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import permissions as perms

bp = association_blueprint("register", __name__)

# The board keeps the register: the lists stay open to it when residents no longer see them.
UNITS_TAB = Tab("units", keeper=perms.REGISTER_MANAGE)
MEMBERS_TAB = Tab("members", keeper=perms.REGISTER_MANAGE)

nav.resident_place(
    "register.units", _l("Units"), "units", order=40, on_phone=True,
    shown=lambda: can(perms.UNITS_VIEW) and UNITS_TAB.is_open(), tab_label=_lp("phone tab", "Units"),
)  # fmt: skip
nav.resident_place(
    "register.members", _l("Members"), "members", order=50, on_phone=True,
    shown=lambda: can(perms.MEMBERS_VIEW) and MEMBERS_TAB.is_open(),
)  # fmt: skip
for order, endpoint, label, icon in (
    (10, "register.people", _l("People"), "people"),
    (20, "register.buildings", _l("Buildings"), "buildings"),
    (25, "register.units", _l("Units"), "units"),
):
    nav.board_place(endpoint, label, icon, order=order, shown=lambda: can(perms.REGISTER_MANAGE), group="register")
