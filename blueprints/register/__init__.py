"""The register (SPEC R): people, buildings, units, ownership, residents, the unit file and the member list."""

from core import nav
from core.access import Tab, association_blueprint, can
from core.text import lazy_gettext as _l
from models import permissions as perms

bp = association_blueprint("register", __name__)

# The board keeps the register: the lists stay open to it when residents no longer see them.
UNITS_TAB = Tab("units", keeper=perms.REGISTER_MANAGE)
MEMBERS_TAB = Tab("members", keeper=perms.REGISTER_MANAGE)

nav.resident_place(
    "register.units", _l("Units"), "units", order=40, on_phone=True,
    shown=lambda: can(perms.UNITS_VIEW) and UNITS_TAB.is_open(),
)  # fmt: skip
nav.resident_place(
    "register.members", _l("Members"), "members", order=50, on_phone=True,
    shown=lambda: can(perms.MEMBERS_VIEW) and MEMBERS_TAB.is_open(),
)  # fmt: skip
nav.board_place("register.people", _l("People"), "people", order=10, shown=lambda: can(perms.REGISTER_MANAGE))
nav.board_place("register.buildings", _l("Buildings"), "buildings", order=20, shown=lambda: can(perms.REGISTER_MANAGE))
