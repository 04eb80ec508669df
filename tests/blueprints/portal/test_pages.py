"""Home, my account, languages and the board's mail and audit pages."""

import datetime as dt

from models import AuditLog, OutboundEmail, Person, User
from tests.helpers import PASSWORD


def test_home_shows_the_welcome_markdown(client, alpha, make_user, login):
    alpha.welcome_text = "## Hello neighbours\n\n* Laundry on Mondays\n\n<script>alert(1)</script>"
    alpha.save()
    make_user(alpha, "owner@example.com")
    login(client, "owner@example.com")
    body = client.get("/alpha/").get_data(as_text=True)
    assert "<h2>Hello neighbours</h2>" in body and "<li>Laundry on Mondays</li>" in body
    assert "<script>alert" not in body


def test_profile_saves_and_syncs_phones_to_the_register(client, alpha, make_user, login):
    user = make_user(alpha, "owner@example.com")
    login(client, "owner@example.com")
    response = client.submit(
        "/alpha/account",
        {
            "name": "Börje Börjesson",
            "phone_mobile": "+46 70 123 45 67",
            "phone_home": "",
            "phone_work": "",
            "ui_language": "",
        },
    )
    assert response.status_code == 302
    page = client.get("/alpha/account").get_data(as_text=True)
    assert "Your details are saved." in page and 'value="+46 70 123 45 67"' in page
    assert User.get_by_id(user.id).name == "Börje Börjesson"
    assert Person.get(Person.user == user).phone_mobile == "+46 70 123 45 67"
    assert AuditLog.select().where(AuditLog.action == "account.profile_changed").count() == 1


def test_profile_refuses_bad_phone_and_keeps_input(client, alpha, make_user, login):
    make_user(alpha, "owner@example.com")
    login(client, "owner@example.com")
    response = client.submit("/alpha/account", {"name": "", "phone_mobile": "call me<script>", "ui_language": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your name." in body and "Use digits" in body
    assert "call me&lt;script&gt;" in body


def test_language_choice_beats_the_associations(client, alpha, make_user, login):
    make_user(alpha, "owner@example.com")
    login(client, "owner@example.com")
    assert 'lang="en-GB"' in client.get("/alpha/").get_data(as_text=True)
    saved = client.submit("/alpha/account", {"name": "Owner", "ui_language": "sv"}, follow_redirects=True)
    assert "Dina uppgifter är sparade." in saved.get_data(as_text=True)
    body = client.get("/alpha/").get_data(as_text=True)
    assert 'lang="sv"' in body and "Mitt konto" in body and "Logga ut" in body
    client.submit("/alpha/account", {"name": "Owner", "ui_language": "cs"})
    body = client.get("/alpha/").get_data(as_text=True)
    assert 'lang="cs"' in body and "Odhlásit se" in body


def test_association_locale_is_the_default(client, make_association, make_user, login):
    nakopci = make_association("nakopci", locale="cs", name="SVJ Na Kopci")
    make_user(nakopci, "owner@example.com")
    assert 'lang="cs"' in client.get("/nakopci/login").get_data(as_text=True)
    login(client, "owner@example.com")
    assert "Můj účet" in client.get("/nakopci/").get_data(as_text=True)


def test_dates_and_money_follow_the_locale(app, alpha):
    from flask_babel import force_locale

    from core import text

    with app.test_request_context():
        with force_locale("sv"):
            assert text.money(123450, "SEK").replace("\xa0", " ") == "1 234,50 kr"
            assert text.date(dt.date(2026, 3, 2)) == "2 mars 2026"
        with force_locale("cs"):
            assert text.money(99900, "CZK").replace("\xa0", " ") == "999,00 Kč"
            assert text.date(dt.date(2026, 3, 2)) == "2. 3. 2026"
        with force_locale("en"):
            assert text.money(150, "EUR") == "€1.50"


def test_board_sees_mail_state_and_retries_a_failed_one(client, alpha, make_user, login, outbox):
    make_user(alpha, "board@example.com", "board")
    failed = OutboundEmail.create(
        association=alpha,
        to_address="broken@example.com",
        kind="reset",
        subject="Choose a new password",
        body_text="x",
        status="failed",
        attempts=3,
        last_error="SMTPRecipientsRefused: 550",
    )
    login(client, "board@example.com")
    page = client.get("/alpha/admin/mail").get_data(as_text=True)
    assert "broken@example.com" in page and "Failed" in page and "550" in page
    assert 'hx-trigger="every 3s"' not in page  # nothing pending: no polling

    client.submit(f"/alpha/admin/mail/{failed.id}/retry", {}, form_page="/alpha/admin/mail")
    assert OutboundEmail.get_by_id(failed.id).status == "sent"  # inline, to the outbox folder
    assert AuditLog.select().where(AuditLog.action == "mail.retry").count() == 1


def test_mail_list_polls_while_a_mail_is_pending(client, alpha, make_user, login, outbox):
    make_user(alpha, "board@example.com", "board")
    OutboundEmail.create(association=alpha, to_address="a@example.com", kind="reset", subject="s", body_text="x")
    login(client, "board@example.com")
    page = client.get("/alpha/admin/mail").get_data(as_text=True)
    assert 'hx-trigger="every 3s"' in page
    partial = client.get("/alpha/admin/mail", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="mail-table"') and "<html" not in body
    assert partial.headers["Vary"] == "HX-Request" or "HX-Request" in partial.headers["Vary"]


def test_audit_log_lists_account_actions(client, alpha, make_user, login):
    make_user(alpha, "board@example.com", "board")
    login(client, "board@example.com", slug="alpha")
    body = client.get("/alpha/admin/audit").get_data(as_text=True)
    assert "Logged in" in body and "board@example.com" in body


def test_passwords_are_hashed_with_argon2id(client, alpha, make_user):
    user = make_user(alpha, "owner@example.com")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
