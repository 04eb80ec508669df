"""Access matrix entries for the register: buildings, units, owners, residents, the unit file.

In world() the member owns the unit and the tenant rents it, so both may open
its page and file; only the member (an owner with residents.edit_own) and the
board may change its residents; everything else is the board's.
"""

from fractions import Fraction

from models import Person
from models.register import Building, Ownership, Residency, Unit, UnitFileEntry
from tests.access.common import BOARD_UP, LOGIN, holders_of

LINKED = ("tenant", "member", "board", "administrator")  # the unit's tenant and owner, and the board
OWNER_OR_BOARD = ("member", "board", "administrator")


def linked(status=200):
    return holders_of(LINKED, status)


def owner_or_board(status=200):
    return holders_of(OWNER_OR_BOARD, status)


def board(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("register.buildings", "GET"): board(),
    ("register.building_new", "GET"): board(),
    ("register.building_new", "POST"): board(422),
    ("register.building_edit", "GET"): board(),
    ("register.building_edit", "POST"): board(302),  # nothing sent: saved as it was
    ("register.building_delete", "GET"): board(),
    ("register.building_delete", "POST"): board(409),  # it has a unit
    ("register.units", "GET"): holders_of(("member", "board", "administrator")),
    ("register.units_export", "GET"): board(),
    ("register.unit_new", "GET"): board(),
    ("register.unit_new", "POST"): board(422),
    ("register.unit", "GET"): linked(),
    ("register.unit_edit", "GET"): board(),
    ("register.unit_edit", "POST"): board(302),  # nothing sent: saved as it was
    ("register.unit_delete", "GET"): board(),
    ("register.unit_delete", "POST"): board(409),  # it has history
    ("register.unit_archive", "POST"): board(302),
    ("register.unit_file", "GET"): linked(),
    ("register.unit_file_add", "POST"): board(422),
    ("register.resident_count", "POST"): owner_or_board(302),  # empty: counted from the residents listed
    ("register.resident_new", "GET"): owner_or_board(),
    ("register.resident_new", "POST"): owner_or_board(422),
    ("register.resident_end", "GET"): owner_or_board(),
    ("register.resident_end", "POST"): owner_or_board(422),
    ("register.unit_owners", "GET"): board(),
    ("register.unit_owners", "POST"): board(422),
    ("register.unit_change_owner", "GET"): board(),
    ("register.unit_change_owner", "POST"): board(422),
    ("register.unit_proxy", "GET"): board(),
    ("register.unit_proxy", "POST"): board(302),  # empty: no proxy
    ("register.unit_history", "GET"): board(),
    ("register.person_choices", "GET"): board(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A building with one unit, owned by the member and rented by the tenant."""
    building = Building.create(association=alpha, name="House A", street="Storgatan 1", postcode="111 22")
    unit = Unit.create(association=alpha, building=building, number="1001", share_numerator=1, share_denominator=1)
    member = Person.get(Person.user == users["member"])
    tenant = Person.get(Person.user == users["tenant"])
    Ownership.create(unit=unit, person=member, share_numerator=1, share_denominator=1, is_main=True)
    residency = Residency.create(unit=unit, person=tenant, role=Residency.TENANT)
    UnitFileEntry.create(unit=unit, happened_on=alpha.today(), kind="repair", text="New taps")
    assert unit.share == Fraction(1)
    return {"building_id": building.id, "unit_id": unit.id, "residency_id": residency.id}
