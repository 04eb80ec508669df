"""Sign-up → activation mail (real SMTP) → log in → home (SPEC P2)."""

from models import Consent, Membership, Token, User
from tests.helpers import PASSWORD, link_in, text_of


def test_signup_activation_login_home(client, alpha, make_person, smtp_server):
    make_person(alpha, email="Maja@Example.com", role="member", given_name="Maja", surname="Lind")

    response = client.submit(
        "/alpha/signup",
        {"email": "maja@example.com", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"},
    )
    assert response.status_code == 200
    assert "Check your mail" in response.get_data(as_text=True)

    user = User.get(User.email == "maja@example.com")
    assert user.state == User.UNCONFIRMED
    consent = Consent.get(Consent.user == user)
    assert consent.text == alpha.gdpr_text and consent.accepted_at is not None

    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "maja@example.com"
    assert "Activate your account" in mail["Subject"]
    assert mail.get_body(preferencelist=("html",)) is not None
    activation = link_in(mail, "/activate/")

    # Not active yet: logging in says so.
    page = client.submit("/alpha/login", {"email": "maja@example.com", "password": PASSWORD})
    assert "not activated yet" in page.get_data(as_text=True)

    # Opening the link shows a button (mail scanners only GET); pressing it activates.
    assert client.get(activation).status_code == 200
    assert User.get_by_id(user.id).state == User.UNCONFIRMED
    response = client.submit(activation, {})
    assert response.status_code == 302 and "/alpha/login" in response.location
    assert User.get_by_id(user.id).state == User.ACTIVE
    assert 'value="maja@example.com"' in client.get(response.location).get_data(as_text=True)

    # The link works once.
    assert client.get(activation).status_code == 410

    response = client.submit("/alpha/login", {"email": "maja@example.com", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/alpha/")
    assert home.status_code == 200
    assert "Welcome to alpha" in home.get_data(as_text=True)
    membership = Membership.get(Membership.user == user)
    assert membership.role.key == "member"


def test_signup_with_unknown_email_is_refused_clearly(client, alpha, make_person):
    make_person(alpha, email="someone@example.com")
    response = client.submit(
        "/alpha/signup",
        {"email": "stranger@example.com", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"},
    )
    assert response.status_code == 422
    assert "not in the register of Alpha Housing" in response.get_data(as_text=True)
    assert User.select().count() == 0


def test_signup_needs_the_gdpr_consent_and_matching_passwords(client, alpha, make_person):
    make_person(alpha, email="maja@example.com")
    response = client.submit(
        "/alpha/signup", {"email": "maja@example.com", "password": PASSWORD, "confirm": PASSWORD + "x"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "You need to accept" in body
    assert "The passwords differ" in body
    assert 'value="maja@example.com"' in body  # what was typed is kept
    assert User.select().count() == 0


def test_register_of_another_association_does_not_count(client, alpha, make_association, make_person):
    beta = make_association("beta")
    make_person(beta, email="maja@example.com")
    response = client.submit(
        "/alpha/signup", {"email": "maja@example.com", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}
    )
    assert response.status_code == 422
    assert User.select().count() == 0


def test_existing_account_joins_a_second_association_with_its_password(
    client, alpha, make_association, make_user, make_person
):
    beta = make_association("beta")
    user = make_user(alpha, "manager@example.com", "board")
    make_person(beta, email="manager@example.com", role="board")

    wrong = client.submit(
        "/beta/signup",
        {"email": "manager@example.com", "password": "not-the-password", "confirm": "not-the-password", "accept": "y"},
    )
    assert wrong.status_code == 422
    assert "already have a Porch account" in wrong.get_data(as_text=True)

    response = client.submit(
        "/beta/signup", {"email": "manager@example.com", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}
    )
    assert response.status_code == 302
    assert Membership.select().where(Membership.user == user).count() == 2
    assert client.get("/beta/").status_code == 200
    # Two associations: the start page lets them choose.
    index = client.get("/").get_data(as_text=True)
    assert "Alpha Housing" in index and "Beta Housing" in index


def test_activation_link_expires(client, alpha, make_person, smtp_server, frozen_clock):
    import datetime as dt

    make_person(alpha, email="maja@example.com")
    client.submit(
        "/alpha/signup", {"email": "maja@example.com", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}
    )
    (mail,) = smtp_server.wait_for(1)
    frozen_clock.advance(Token.LIFETIMES[Token.ACTIVATE] + dt.timedelta(minutes=1))
    response = client.get(link_in(mail, "/activate/"))
    assert response.status_code == 410
    assert "no longer works" in response.get_data(as_text=True)
    assert "activate" in text_of(mail)


def test_production_hashes_passwords_with_argon2id_at_rfc_9106_strength():
    """What a real install uses, not the cheap hasher tests/conftest.py swaps in for speed."""
    from argon2 import Type, extract_parameters

    from blueprints.portal import accounts

    assert accounts.hasher is not accounts.PRODUCTION_HASHER  # the tests run with the cheap one
    encoded = accounts.PRODUCTION_HASHER.hash("a password long enough")
    assert encoded.startswith("$argon2id$")
    parameters = extract_parameters(encoded)
    # RFC 9106's second recommended option (low memory): t=3, m=64 MiB, p=4; never weaker.
    assert parameters.type is Type.ID
    assert parameters.time_cost >= 3 and parameters.memory_cost >= 64 * 1024 and parameters.parallelism >= 4
    assert parameters.salt_len >= 16 and parameters.hash_len >= 32
