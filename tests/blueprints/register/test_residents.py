"""An owner adds a household member and invites them to the portal (R4, seed 002)."""

from models import Membership, Person, Residency, User
from tests.helpers import PASSWORD, link_in


def test_owner_adds_a_household_member_and_invites_them(
    client, new_client, alpha, make_user, make_unit, make_owner, login, smtp_server
):
    unit = make_unit(alpha, "12")
    owner = make_user(alpha, "owner@example.com", "member")
    make_owner(unit, Person.get(Person.user == owner))
    login(client, "owner@example.com")

    response = client.submit(
        f"/alpha/units/{unit.id}/residents/new",
        {"name": "Lisa Berg", "email": "lisa@example.com", "role": "household", "invite": "y"},
    )
    assert response.status_code == 302
    lisa = Person.get(Person.email == "lisa@example.com")
    assert Residency.get(Residency.person == lisa).role == "household"
    assert User.get(User.email == "lisa@example.com").state == User.INVITED

    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "lisa@example.com"
    invitation = link_in(mail, "/invite/")
    lisa_browser = new_client()
    response = lisa_browser.submit(invitation, {"password": PASSWORD, "confirm": PASSWORD, "accept": "y"})
    assert response.status_code == 302
    assert lisa_browser.get(f"/alpha/units/{unit.id}").status_code == 200  # she sees her home
    membership = Membership.get(Membership.user == User.get(User.email == "lisa@example.com"))
    assert membership.role.key == "tenant"  # a household member does not vote


def test_invitation_needs_an_address(client, alpha, make_user, make_unit, make_owner, login):
    unit = make_unit(alpha, "12")
    owner = make_user(alpha, "owner@example.com", "member")
    make_owner(unit, Person.get(Person.user == owner))
    login(client, "owner@example.com")
    response = client.submit(
        f"/alpha/units/{unit.id}/residents/new", {"name": "Lisa Berg", "email": "", "role": "household", "invite": "y"}
    )
    assert response.status_code == 422
    assert "Give an e-mail address to send the invitation to." in response.get_data(as_text=True)
    assert not Person.select().where(Person.surname == "Berg").exists()
