"""Access matrix entries for the ways in (the invitation page, requests for access and the board's answers)
and the administrator's roles."""

from models import RegistrationRequest, Role
from tests.access.common import ADMIN_ONLY, BOARD_UP, everyone, holders_of

MATRIX = {
    ("portal.invitation", "GET"): everyone(410),
    ("portal.invitation", "POST"): everyone(410),
    ("portal.request_access", "GET"): everyone(200),
    ("portal.request_access", "POST"): everyone(422),
    ("portal.registrations_list", "GET"): holders_of(BOARD_UP),
    ("portal.registration_approve", "POST"): holders_of(BOARD_UP, 302),
    ("portal.registration_reject", "GET"): holders_of(BOARD_UP),
    ("portal.registration_reject", "POST"): holders_of(BOARD_UP, 422),
    ("portal.roles", "GET"): holders_of(ADMIN_ONLY),
    ("portal.role_new", "GET"): holders_of(ADMIN_ONLY),
    ("portal.role_new", "POST"): holders_of(ADMIN_ONLY, 422),
    ("portal.role", "GET"): holders_of(ADMIN_ONLY),
    ("portal.role", "POST"): holders_of(ADMIN_ONLY, 422),
    ("portal.role_delete", "GET"): holders_of(ADMIN_ONLY),
    ("portal.role_delete", "POST"): holders_of(ADMIN_ONLY, 302),
}


def world(alpha, beta, users) -> dict:
    """A pending request and an unused custom role, in alpha."""
    request = RegistrationRequest.create(association=alpha, name="Rita Request", email="rita@example.com")
    role = Role.create(association=alpha, name="Caretaker", permissions="faults.resolve documents.read")
    return {"request_id": request.id, "role_id": role.id}
