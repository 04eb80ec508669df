"""Logging in and out, sessions, throttling and the reset link (SPEC P2, X3)."""

import datetime as dt

from models import AuditLog, LoginAttempt, UserSession
from tests.helpers import PASSWORD, link_in


def test_login_and_logout(client, alpha, make_user, login):
    make_user(alpha, "owner@example.com")
    response = login(client, "owner@example.com", slug="alpha")
    assert response.location.endswith("/alpha/")
    assert client.get("/alpha/").status_code == 200
    assert AuditLog.select().where(AuditLog.action == "account.login").count() == 1

    response = client.submit("/logout", {}, form_page="/alpha/")
    assert response.status_code == 302
    assert client.get("/alpha/").status_code == 302
    assert UserSession.select().where(UserSession.ended_at.is_null()).count() == 0


def test_wrong_password_is_refused_without_saying_which_part(client, alpha, make_user):
    make_user(alpha, "owner@example.com")
    for email in ("owner@example.com", "nobody@example.com"):
        response = client.submit("/login", {"email": email, "password": "wrong-password-here"})
        assert response.status_code == 422
        assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)


def test_new_session_id_at_login_and_copied_cookie_dies_at_logout(app, client, new_client, alpha, make_user, login):
    make_user(alpha, "owner@example.com")
    client.get("/login")
    before = client.get_cookie("porch").value
    login(client, "owner@example.com")
    after = client.get_cookie("porch").value
    assert before != after

    # Someone who copied the cookie is signed in too, until the owner logs out.
    thief = new_client()
    thief.set_cookie("porch", after)
    assert thief.get("/alpha/").status_code == 200
    client.submit("/logout", {}, form_page="/alpha/")
    assert thief.get("/alpha/").status_code == 302


def test_password_change_ends_other_sessions(client, new_client, alpha, make_user, login, outbox):
    make_user(alpha, "owner@example.com")
    other = new_client()
    login(client, "owner@example.com")
    login(other, "owner@example.com")

    response = client.submit(
        "/alpha/account/password",
        {"current": PASSWORD, "password": "a-brand-new-password", "confirm": "a-brand-new-password"},
        form_page="/alpha/account",
    )
    assert response.status_code == 302
    assert client.get("/alpha/").status_code == 200  # this browser stays in
    assert other.get("/alpha/").status_code == 302  # the other one is out
    assert [row.kind for row in outbox.rows()] == ["password_changed"]


def test_throttle_refuses_the_101st_check_even_with_the_right_password(client, alpha, make_user, smtp_server):
    make_user(alpha, "owner@example.com")
    for _ in range(100):
        response = client.submit("/alpha/login", {"email": "owner@example.com", "password": "guess-guess-guess"})
        assert response.status_code == 422

    response = client.submit("/alpha/login", {"email": "owner@example.com", "password": PASSWORD})
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many failed attempts" in body
    assert "Reset my password" in body
    assert client.get("/alpha/").status_code == 302
    assert LoginAttempt.select().count() == 100  # the throttled attempt was not even checked

    # The owner is not locked out: the reset link lets them in.
    client.submit("/forgot?portal=alpha", {"email": "owner@example.com"})
    (mail,) = smtp_server.wait_for(1)
    reset = link_in(mail, "/reset/")
    response = client.submit(reset, {"password": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert response.status_code == 302
    assert client.get("/alpha/").status_code == 200
    other = client.submit("/logout", {}, form_page="/alpha/")
    assert other.status_code == 302
    response = client.submit("/alpha/login", {"email": "owner@example.com", "password": "a-brand-new-password"})
    assert response.status_code == 302


def test_throttle_window_is_one_hour(client, alpha, make_user, frozen_clock):
    make_user(alpha, "owner@example.com")
    for _ in range(100):
        LoginAttempt.create(email="owner@example.com", ip="127.0.0.1")
    assert client.submit("/login", {"email": "owner@example.com", "password": PASSWORD}).status_code == 429
    frozen_clock.advance(dt.timedelta(hours=1, seconds=1))
    assert client.submit("/login", {"email": "owner@example.com", "password": PASSWORD}).status_code == 302


def test_per_ip_throttle(app, client, alpha, make_user):
    make_user(alpha, "owner@example.com")
    app.config["LOGIN_MAX_PER_IP"] = 5
    for i in range(5):
        client.submit("/login", {"email": f"victim{i}@example.com", "password": "guess-guess-guess"})
    assert client.submit("/login", {"email": "owner@example.com", "password": PASSWORD}).status_code == 429


def test_open_redirect_is_ignored(client, alpha, make_user):
    make_user(alpha, "owner@example.com")
    response = client.submit(
        "/login?next=https://evil.example/",
        {"email": "owner@example.com", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil" not in response.location
    client.submit("/logout", {}, form_page="/alpha/")
    response = client.submit("/login", {"email": "owner@example.com", "password": PASSWORD, "next": "/alpha/account"})
    assert response.location.endswith("/alpha/account")


def test_disabled_account_cannot_log_in(client, alpha, make_user):
    make_user(alpha, "gone@example.com", state="disabled")
    response = client.submit("/login", {"email": "gone@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "disabled" in response.get_data(as_text=True)
