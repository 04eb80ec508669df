"""Public requests for access: request → board mail → approval → invitation → active account (P4)."""

import csv
import datetime as dt
import io

from models import AuditLog, Consent, Membership, Person, RegistrationRequest, User
from tests.helpers import PASSWORD, link_in, text_of

REQUEST = {"name": "Eva Lind", "email": "Eva@Example.com", "unit_number": "12", "message": "I moved in last week."}


def test_request_approval_invitation_and_active_account(
    client, new_client, alpha, make_user, login, make_unit, make_owner, make_person, smtp_server
):
    board = make_user(alpha, "board@alpha.example", "board")
    make_user(alpha, "member@alpha.example", "member")  # members are not told
    # The register knows Eva as the owner of unit 12, without an e-mail address.
    eva = make_person(alpha, given_name="Eva", surname="Lind", role="member")
    make_owner(make_unit(alpha, "12"), eva, is_main=False)

    applicant = new_client()
    form = applicant.get("/alpha/register").get_data(as_text=True)
    assert "Leave this field empty" in form
    response = applicant.submit("/alpha/register", REQUEST)
    assert response.status_code == 200
    assert "The board of Alpha Housing has your request" in response.get_data(as_text=True)

    (notice,) = smtp_server.wait_for(1)
    assert notice["To"] == board.email
    assert "Eva Lind (eva@example.com)" in text_of(notice)
    assert "I moved in last week." in text_of(notice)
    registrations_link = link_in(notice, "/admin/registrations")

    login(client, board.email)
    page = client.get(registrations_link).get_data(as_text=True)
    assert "Eva Lind" in page and "Unit 12" in page
    request_id = RegistrationRequest.get().id
    response = client.submit(f"/alpha/admin/registrations/{request_id}/approve", {}, form_page=registrations_link)
    assert response.status_code == 302
    assert "No requests are waiting." in client.get(registrations_link).get_data(as_text=True)

    # The data went onto the person the register already had, not a new one.
    assert Person.select().where(Person.surname == "Lind").count() == 1
    eva = Person.get_by_id(eva.id)
    assert eva.email == "eva@example.com"
    user = User.get(User.email == "eva@example.com")
    assert user.state == User.INVITED and eva.user_id == user.id
    assert Membership.get(Membership.user == user).role.key == "member"
    found = RegistrationRequest.get_by_id(request_id)
    assert found.status == RegistrationRequest.APPROVED and found.person_id == eva.id
    assert AuditLog.select().where(AuditLog.action == "people.registration_approved").count() == 1

    invitation = smtp_server.wait_for(2)[1]
    assert invitation["To"] == "eva@example.com"
    assert "You are invited to Alpha Housing" in invitation["Subject"]
    path = link_in(invitation, "/alpha/invite/")

    page = applicant.get(path).get_data(as_text=True)
    assert alpha.gdpr_text in page
    mismatch = applicant.submit(path, {"password": PASSWORD, "confirm": "something-else-entirely", "accept": "y"})
    assert mismatch.status_code == 422 and "The passwords differ." in mismatch.get_data(as_text=True)
    response = applicant.submit(path, {"password": PASSWORD, "confirm": PASSWORD, "accept": "y"})
    assert response.status_code == 302 and response.location.endswith("/alpha/")
    assert User.get_by_id(user.id).state == User.ACTIVE
    assert Consent.get(Consent.user == user).text == alpha.gdpr_text
    assert applicant.get("/alpha/").status_code == 200  # signed in
    assert applicant.get(path).status_code == 410  # the link worked once
    assert new_client().submit("/alpha/login", {"email": "eva@example.com", "password": PASSWORD}).status_code == 302


def test_approval_without_a_matching_person_creates_one(client, alpha, login_as, smtp_server):
    login_as("board")
    found = RegistrationRequest.create(association=alpha, name="Karl Gustav Ek", email="karl@example.com")
    client.submit(f"/alpha/admin/registrations/{found.id}/approve", {}, form_page="/alpha/admin/registrations")
    person = Person.get(Person.email == "karl@example.com")
    assert (person.given_name, person.surname) == ("Karl Gustav", "Ek")
    assert Membership.get(Membership.person == person).role.key == "tenant"
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "karl@example.com"


def test_a_strangers_name_copied_onto_a_person_is_inert_in_the_peoples_csv(client, alpha, login_as, smtp_server):
    login_as("board")
    found = RegistrationRequest.create(
        association=alpha, name='Eve =HYPERLINK("http://evil","click")', email="eve@example.com"
    )
    client.submit(f"/alpha/admin/registrations/{found.id}/approve", {}, form_page="/alpha/admin/registrations")
    assert Person.get(Person.email == "eve@example.com").surname.startswith("=HYPERLINK")
    body = client.get("/alpha/people.csv").get_data(as_text=True).lstrip("\ufeff")
    (row,) = [r for r in csv.DictReader(io.StringIO(body)) if r["email"] == "eve@example.com"]
    assert row["surname"] == '\'=HYPERLINK("http://evil","click")'


def test_rejection_mails_the_reason(client, alpha, login_as, smtp_server):
    login_as("board")
    found = RegistrationRequest.create(association=alpha, name="Sam Spam", email="sam@example.com")
    path = f"/alpha/admin/registrations/{found.id}/reject"

    empty = client.submit(path, {"reason": " "})
    assert empty.status_code == 422 and "Say why" in empty.get_data(as_text=True)
    assert RegistrationRequest.get_by_id(found.id).status == RegistrationRequest.PENDING

    response = client.submit(path, {"reason": "We could not find you as a resident of the house."})
    assert response.status_code == 302
    found = RegistrationRequest.get_by_id(found.id)
    assert found.status == RegistrationRequest.REJECTED
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "sam@example.com"
    assert "We could not find you as a resident of the house." in text_of(mail)
    assert User.select().where(User.email == "sam@example.com").count() == 0
    assert AuditLog.select().where(AuditLog.action == "people.registration_rejected").count() == 1


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, alpha, outbox):
    response = client.submit("/alpha/register", {**REQUEST, "website": "http://spam.example"})
    assert response.status_code == 200
    assert "has your request" in response.get_data(as_text=True)
    assert RegistrationRequest.select().count() == 0
    assert outbox.rows() == []


def test_requests_are_throttled_per_address_and_per_email(client, alpha, outbox, frozen_clock):
    for i in range(3):
        assert client.submit("/alpha/register", {**REQUEST, "name": f"Eva {i}"}).status_code == 200
    fourth = client.submit("/alpha/register", REQUEST)
    assert fourth.status_code == 429
    assert "Too many requests" in fourth.get_data(as_text=True)
    assert RegistrationRequest.select().count() == 3

    for i in range(2):
        assert client.submit("/alpha/register", {**REQUEST, "email": f"other{i}@example.com"}).status_code == 200
    # Five from this address within the hour: a sixth is refused whatever the e-mail.
    assert client.submit("/alpha/register", {**REQUEST, "email": "new@example.com"}).status_code == 429

    frozen_clock.advance(dt.timedelta(hours=1, minutes=1))
    assert client.submit("/alpha/register", {**REQUEST, "email": "new@example.com"}).status_code == 200
    assert client.submit("/alpha/register", REQUEST).status_code == 429  # still three for Eva today
    frozen_clock.advance(dt.timedelta(days=1))
    assert client.submit("/alpha/register", REQUEST).status_code == 200


def test_bad_request_form_keeps_what_was_typed(client, alpha):
    response = client.submit("/alpha/register", {**REQUEST, "email": "not-an-address"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a valid e-mail address" in page and 'value="Eva Lind"' in page
    assert RegistrationRequest.select().count() == 0


def test_login_and_signup_pages_link_to_the_request_form(client, alpha):
    for path in ("/alpha/login", "/alpha/signup"):
        page = client.get(path).get_data(as_text=True)
        assert "Ask for access" in page and 'href="/alpha/register"' in page
