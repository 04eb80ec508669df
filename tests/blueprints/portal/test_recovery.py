"""Forgotten password and e-mail change, through the real SMTP server."""

import datetime as dt

from models import Person, Token, User
from tests.helpers import PASSWORD, link_in


def test_reset_password_end_to_end(client, alpha, make_user, smtp_server):
    make_user(alpha, "owner@example.com")
    response = client.submit("/forgot", {"email": "Owner@Example.com"})
    assert "If owner@example.com belongs to an account" in response.get_data(as_text=True).replace(
        "Owner@Example.com", "owner@example.com"
    )
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "owner@example.com"
    reset = link_in(mail, "/reset/")

    response = client.submit(reset, {"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "between 12 and 128" in response.get_data(as_text=True)

    response = client.submit(reset, {"password": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert response.status_code == 302
    assert client.get("/alpha/").status_code == 200
    assert client.get(reset).status_code == 410  # single use

    client.submit("/logout", {}, form_page="/alpha/")
    assert client.submit("/login", {"email": "owner@example.com", "password": PASSWORD}).status_code == 422
    assert (
        client.submit("/login", {"email": "owner@example.com", "password": "a-brand-new-password"}).status_code == 302
    )


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client, alpha, smtp_server):
    response = client.submit("/forgot", {"email": "nobody@example.com"})
    assert response.status_code == 200
    assert "If nobody@example.com belongs to an account" in response.get_data(as_text=True)
    assert smtp_server.messages == []


def test_reset_link_expires_after_an_hour(client, alpha, make_user, smtp_server, frozen_clock):
    make_user(alpha, "owner@example.com")
    client.submit("/forgot", {"email": "owner@example.com"})
    (mail,) = smtp_server.wait_for(1)
    frozen_clock.advance(Token.LIFETIMES[Token.RESET] + dt.timedelta(seconds=1))
    assert client.get(link_in(mail, "/reset/")).status_code == 410


def test_email_change_needs_confirmation_from_the_new_address(client, alpha, make_user, login, smtp_server):
    user = make_user(alpha, "old@example.com")
    login(client, "old@example.com")

    response = client.submit(
        "/alpha/account/email", {"new_email": "New@Example.com", "current": PASSWORD}, form_page="/alpha/account"
    )
    assert response.status_code == 302
    messages = smtp_server.wait_for(2)
    assert {m["To"] for m in messages} == {"new@example.com", "old@example.com"}
    assert User.get_by_id(user.id).email == "old@example.com"  # not before confirmation

    (confirmation,) = smtp_server.to("new@example.com")
    link = link_in(confirmation, "/confirm-email/")
    assert client.get(link).status_code == 200
    assert client.submit(link, {}).status_code == 302
    assert User.get_by_id(user.id).email == "new@example.com"
    assert Person.get(Person.user == user).email == "new@example.com"
    assert client.get(link).status_code == 410


def test_email_change_refuses_wrong_password_and_taken_address(client, alpha, make_user, login):
    make_user(alpha, "old@example.com")
    make_user(alpha, "taken@example.com")
    login(client, "old@example.com")
    response = client.submit(
        "/alpha/account/email",
        {"new_email": "new@example.com", "current": "not-my-password"},
        form_page="/alpha/account",
    )
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)
    response = client.submit(
        "/alpha/account/email", {"new_email": "taken@example.com", "current": PASSWORD}, form_page="/alpha/account"
    )
    assert response.status_code == 422
    assert "Another account already uses this address" in response.get_data(as_text=True)
    response = client.submit(
        "/alpha/account/email", {"new_email": "not-an-address", "current": PASSWORD}, form_page="/alpha/account"
    )
    assert "Enter a valid e-mail address" in response.get_data(as_text=True)
