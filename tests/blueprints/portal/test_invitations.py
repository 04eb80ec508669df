"""Residents administration: invitations, invite everyone, finish registration, e-mail change, disable (P3)."""

import datetime as dt

from models import AuditLog, Membership, OutboundEmail, Person, Token, User, UserSession
from tests.helpers import PASSWORD, link_in, text_of


def test_invite_everyone_shows_the_count_then_sends_once_each(client, alpha, login_as, make_person, smtp_server):
    login_as("board")
    make_person(alpha, email="anna@example.com", given_name="Anna")
    make_person(alpha, email="bo@example.com", given_name="Bo", invoice_language="sv")
    make_person(alpha, email="")  # nobody to write to
    already = make_person(alpha, email="has@example.com")
    already.user = User.create(email="has@example.com", state=User.ACTIVE)
    already.save()

    confirm = client.get("/alpha/people/invite-all")
    assert "2 people in the register have an e-mail address and no account" in confirm.get_data(as_text=True)
    assert Token.select().count() == 0  # the confirmation step sends nothing
    response = client.submit("/alpha/people/invite-all", {})
    assert response.status_code == 302
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["anna@example.com", "bo@example.com"]
    assert OutboundEmail.get(OutboundEmail.to_address == "bo@example.com").language == "sv"
    for email in ("anna@example.com", "bo@example.com"):
        user = User.get(User.email == email)
        assert user.state == User.INVITED
        membership = Membership.get(Membership.user == user)
        assert membership.association_id == alpha.id and membership.role.key == "member"

    # A second run finds nobody left.
    client.submit("/alpha/people/invite-all", {})
    confirm = client.get("/alpha/people/invite-all")
    assert "Everyone with an e-mail address has an account or an invitation already." in confirm.get_data(as_text=True)
    assert OutboundEmail.select().count() == 2

    # Resending to one person is its own action, and only the newest link works.
    anna = Person.get(Person.email == "anna@example.com")
    first_link = link_in(next(m for m in messages if m["To"] == "anna@example.com"), "/invite/")
    client.submit(f"/alpha/people/{anna.id}/invite", {}, form_page=f"/alpha/people/{anna.id}")
    resent = smtp_server.wait_for(3)[2]
    assert resent["To"] == "anna@example.com"
    assert client.get(first_link).status_code == 410
    assert client.get(link_in(resent, "/invite/")).status_code == 200
    assert AuditLog.select().where(AuditLog.action == "people.invited").count() == 3


def test_invitation_in_the_persons_language(client, alpha, login_as, make_person, smtp_server):
    login_as("board")
    person = make_person(alpha, email="jana@example.com", invoice_language="cs")
    client.submit(f"/alpha/people/{person.id}/invite", {}, form_page=f"/alpha/people/{person.id}")
    (mail,) = smtp_server.wait_for(1)
    assert "Dobrý den" in text_of(mail)  # Czech, not the association's English
    assert OutboundEmail.get().language == "cs"


def test_an_existing_account_joins_without_a_new_password(
    client, alpha, make_association, make_user, login_as, make_person, smtp_server
):
    beta = make_association("beta")
    make_user(beta, "both@example.com", "member")
    login_as("board")
    person = make_person(alpha, email="both@example.com")
    client.submit(f"/alpha/people/{person.id}/invite", {}, form_page=f"/alpha/people/{person.id}")
    (mail,) = smtp_server.wait_for(1)
    assert "/alpha/login" in link_in(mail, "/alpha/login")
    assert Token.select().count() == 0
    user = User.get(User.email == "both@example.com")
    assert user.state == User.ACTIVE
    assert Membership.select().where(Membership.user == user).count() == 2


def test_expired_invitation_is_gone(client, new_client, alpha, login_as, make_person, smtp_server, frozen_clock):
    login_as("board")
    person = make_person(alpha, email="late@example.com")
    client.submit(f"/alpha/people/{person.id}/invite", {}, form_page=f"/alpha/people/{person.id}")
    path = link_in(smtp_server.wait_for(1)[0], "/invite/")
    visitor = new_client()
    assert visitor.get(path).status_code == 200
    assert visitor.get(path.replace("/alpha/", "/beta/")).status_code == 404  # no such association
    frozen_clock.advance(dt.timedelta(days=15))
    assert visitor.get(path).status_code == 410
    late = visitor.submit(path, {"password": PASSWORD, "confirm": PASSWORD, "accept": "y"}, form_page="/alpha/register")
    assert late.status_code == 410
    assert User.get(User.email == "late@example.com").state == User.INVITED


def test_finish_registration_by_hand(client, alpha, login_as, make_user, login, new_client):
    login_as("board")
    waiting = make_user(alpha, "waiting@example.com", "member", state=User.UNCONFIRMED)
    person = Person.get(Person.user == waiting)
    page = client.get(f"/alpha/people/{person.id}").get_data(as_text=True)
    assert "Not confirmed" in page and "Finish registration" in page
    response = client.submit(f"/alpha/people/{person.id}/finish", {}, form_page=f"/alpha/people/{person.id}")
    assert response.status_code == 302
    assert User.get_by_id(waiting.id).state == User.ACTIVE
    login(new_client(), "waiting@example.com")  # can log in now


def test_change_email_moves_an_unused_account_and_refuses_a_taken_address(
    client, alpha, login_as, make_user, make_person, smtp_server
):
    board = login_as("board")
    person = make_person(alpha, email="old@example.com")
    client.submit(f"/alpha/people/{person.id}/invite", {}, form_page=f"/alpha/people/{person.id}")
    old_link = link_in(smtp_server.wait_for(1)[0], "/invite/")

    taken = client.submit(f"/alpha/people/{person.id}/email", {"email": board.email})
    assert taken.status_code == 422
    assert "Another account already uses this address." in taken.get_data(as_text=True)
    assert Person.get_by_id(person.id).email == "old@example.com"

    bad = client.submit(f"/alpha/people/{person.id}/email", {"email": "not an address"})
    assert bad.status_code == 422 and "Enter a valid e-mail address" in bad.get_data(as_text=True)

    response = client.submit(f"/alpha/people/{person.id}/email", {"email": "New@Example.com"})
    assert response.status_code == 302
    person = Person.get_by_id(person.id)
    assert person.email == "new@example.com"
    assert person.user.email == "new@example.com"  # still invited: the account moves too
    assert client.get(old_link).status_code == 410  # the old mailbox's link no longer opens it

    active = make_user(alpha, "active@example.com", "member")
    active_person = Person.get(Person.user == active)
    client.submit(f"/alpha/people/{active_person.id}/email", {"email": "register-only@example.com"})
    assert Person.get_by_id(active_person.id).email == "register-only@example.com"
    assert User.get_by_id(active.id).email == "active@example.com"  # an account in use keeps its login


def test_disable_asks_first_then_ends_sessions(client, new_client, alpha, login_as, make_user, login):
    login_as("board")
    resident = make_user(alpha, "leaving@example.com", "member")
    their_browser = new_client()
    login(their_browser, resident.email)
    assert their_browser.get("/alpha/").status_code == 200
    person = Person.get(Person.user == resident)

    confirm = client.get(f"/alpha/people/{person.id}/disable")
    assert "logged out on every device" in confirm.get_data(as_text=True)
    assert User.get_by_id(resident.id).state == User.ACTIVE
    response = client.submit(f"/alpha/people/{person.id}/disable", {})
    assert response.status_code == 302
    assert User.get_by_id(resident.id).state == User.DISABLED
    assert UserSession.select().where((UserSession.user == resident) & UserSession.ended_at.is_null()).count() == 0
    assert their_browser.get("/alpha/").status_code == 302  # logged out
    page = client.get(f"/alpha/people/{person.id}").get_data(as_text=True)
    assert "state-account-disabled" in page

    client.submit(f"/alpha/people/{person.id}/enable", {}, form_page=f"/alpha/people/{person.id}")
    assert User.get_by_id(resident.id).state == User.ACTIVE


def test_disable_ends_only_this_membership_when_used_elsewhere(
    client, new_client, alpha, make_association, login_as, make_user, login
):
    beta = make_association("beta")
    login_as("board")
    shared = make_user(alpha, "shared@example.com", "member")
    make_user(beta, "shared@example.com", "member")
    person = Person.get((Person.user == shared) & (Person.association == alpha))

    assert "another association" in client.get(f"/alpha/people/{person.id}/disable").get_data(as_text=True)
    response = client.submit(f"/alpha/people/{person.id}/disable", {})
    assert "their access to Alpha Housing has ended" in client.get(response.location).get_data(as_text=True)
    assert User.get_by_id(shared.id).state == User.ACTIVE
    browser = new_client()
    login(browser, shared.email)
    assert browser.get("/beta/").status_code == 200
    assert browser.get("/alpha/").status_code == 403


def test_board_cannot_disable_themselves(client, alpha, login_as):
    board = login_as("board")
    person = Person.get(Person.user == board)
    client.submit(f"/alpha/people/{person.id}/disable", {})
    assert User.get_by_id(board.id).state == User.ACTIVE
