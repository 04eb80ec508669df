"""Access matrix entries for the people blueprint: register, residents administration,
member list, invitations, registration requests and roles."""

from models import Person, RegistrationRequest, Role, User
from tests.access.common import ADMIN_ONLY, BOARD_UP, everyone, holders_of

MEMBERS_UP = ("member", "board", "administrator")

MATRIX = {
    ("people.people", "GET"): holders_of(BOARD_UP),
    ("people.export", "GET"): holders_of(BOARD_UP),
    ("people.person", "GET"): holders_of(BOARD_UP),
    ("people.person_new", "GET"): holders_of(BOARD_UP),
    ("people.person_new", "POST"): holders_of(BOARD_UP, 422),
    ("people.person_edit", "GET"): holders_of(BOARD_UP),
    ("people.person_edit", "POST"): holders_of(BOARD_UP, 422),
    ("people.person_email", "GET"): holders_of(BOARD_UP),
    ("people.person_email", "POST"): holders_of(BOARD_UP, 422),  # empty: an unconfirmed account needs its address
    ("people.invite", "POST"): holders_of(BOARD_UP, 302),
    ("people.invite_all", "GET"): holders_of(BOARD_UP),
    ("people.invite_all", "POST"): holders_of(BOARD_UP, 302),
    ("people.finish_registration", "POST"): holders_of(BOARD_UP, 302),
    ("people.disable", "GET"): holders_of(BOARD_UP),
    ("people.disable", "POST"): holders_of(BOARD_UP, 302),
    ("people.enable", "POST"): holders_of(BOARD_UP, 302),
    ("people.assign_role", "POST"): holders_of(ADMIN_ONLY, 422),
    ("people.members", "GET"): holders_of(MEMBERS_UP),
    ("people.invitation", "GET"): everyone(410),
    ("people.invitation", "POST"): everyone(410),
    ("people.register", "GET"): everyone(200),
    ("people.register", "POST"): everyone(422),
    ("people.registrations_list", "GET"): holders_of(BOARD_UP),
    ("people.registration_approve", "POST"): holders_of(BOARD_UP, 302),
    ("people.registration_reject", "GET"): holders_of(BOARD_UP),
    ("people.registration_reject", "POST"): holders_of(BOARD_UP, 422),
    ("people.roles", "GET"): holders_of(ADMIN_ONLY),
    ("people.role_new", "GET"): holders_of(ADMIN_ONLY),
    ("people.role_new", "POST"): holders_of(ADMIN_ONLY, 422),
    ("people.role", "GET"): holders_of(ADMIN_ONLY),
    ("people.role", "POST"): holders_of(ADMIN_ONLY, 422),
    ("people.role_delete", "GET"): holders_of(ADMIN_ONLY),
    ("people.role_delete", "POST"): holders_of(ADMIN_ONLY, 302),
}


def world(alpha, beta, users) -> dict:
    """An unconfirmed resident with an e-mail, a pending request and an unused custom role, in alpha."""
    user = User.create(email="waiting@alpha.example", name="Waiting", state=User.UNCONFIRMED)
    person = Person.create(
        association=alpha, given_name="Wanda", surname="Waiting", email="waiting@alpha.example", user=user
    )
    request = RegistrationRequest.create(association=alpha, name="Rita Request", email="rita@example.com")
    role = Role.create(association=alpha, name="Caretaker", permissions="faults.resolve documents.read")
    return {"person_id": person.id, "request_id": request.id, "role_id": role.id}
