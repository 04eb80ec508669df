"""Access matrix entries for the people register, the board's account work on people, and the member list."""

from models import Person, User
from tests.access.common import ADMIN_ONLY, BOARD_UP, holders_of

MEMBERS_UP = ("member", "board", "administrator")

MATRIX = {
    ("register.people", "GET"): holders_of(BOARD_UP),
    ("register.people_export", "GET"): holders_of(BOARD_UP),
    ("register.person", "GET"): holders_of(BOARD_UP),
    ("register.person_new", "GET"): holders_of(BOARD_UP),
    ("register.person_new", "POST"): holders_of(BOARD_UP, 422),
    ("register.person_edit", "GET"): holders_of(BOARD_UP),
    ("register.person_edit", "POST"): holders_of(BOARD_UP, 422),
    ("register.person_email", "GET"): holders_of(BOARD_UP),
    ("register.person_email", "POST"): holders_of(BOARD_UP, 422),  # empty: an unconfirmed account needs its address
    ("register.invite", "POST"): holders_of(BOARD_UP, 302),
    ("register.invite_all", "GET"): holders_of(BOARD_UP),
    ("register.invite_all", "POST"): holders_of(BOARD_UP, 302),
    ("register.finish_registration", "POST"): holders_of(BOARD_UP, 302),
    ("register.disable", "GET"): holders_of(BOARD_UP),
    ("register.disable", "POST"): holders_of(BOARD_UP, 302),
    ("register.enable", "POST"): holders_of(BOARD_UP, 302),
    ("register.assign_role", "POST"): holders_of(ADMIN_ONLY, 422),
    ("register.members", "GET"): holders_of(MEMBERS_UP),
}


def world(alpha, beta, users) -> dict:
    """An unconfirmed resident with an e-mail, in alpha."""
    user = User.create(email="waiting@alpha.example", name="Waiting", state=User.UNCONFIRMED)
    person = Person.create(
        association=alpha, given_name="Wanda", surname="Waiting", email="waiting@alpha.example", user=user
    )
    return {"person_id": person.id}
