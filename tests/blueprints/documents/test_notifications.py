"""Mail about new documents (seed 004 §4.2) through the real SMTP server: publishing mails the folder's
readers who have not switched it off, once each, in their language; editing, drafts and "do not notify"
mail nobody; and My account's Notifications section, which works without JavaScript."""

from __future__ import annotations

import pytest

from core import notifications
from models import OutboundEmail, User
from models.db import transaction
from models.documents import Document
from tests.helpers import text_of


@pytest.fixture
def people(app, alpha, make_user):
    users = {
        "member": make_user(alpha, "member@alpha.example", "member"),
        "swede": make_user(alpha, "swede@alpha.example", "member"),
        "tenant": make_user(alpha, "tenant@alpha.example", "tenant"),
        "quiet": make_user(alpha, "quiet@alpha.example", "member"),
        "admin": make_user(alpha, "admin@alpha.example", "administrator"),
    }
    User.update(ui_language="sv").where(User.id == users["swede"].id).execute()
    with transaction():
        notifications.save_choices(users["quiet"].id, alpha.id, {"documents.new": notifications.Choice(False, ())})
    return users


def write(client, folder, title="Minutes of May", **fields):
    data = {"title": title, "folder": folder.id, "body": "We met.", **fields}
    response = client.submit("/alpha/documents/new", data, form_page="/alpha/documents/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return Document.get(Document.title == title)


def kinds_sent():
    return [(r.to_address, r.language) for r in OutboundEmail.select().where(OutboundEmail.kind == "document_new")]


def test_publishing_mails_each_reader_once_in_their_language(app, people, login_as, client, folders, smtp_server):
    login_as("board")
    document = write(client, folders["minutes"], publish="1")
    messages = smtp_server.wait_for(3)
    assert sorted(m["To"] for m in messages) == ["admin@alpha.example", "member@alpha.example", "swede@alpha.example"]
    assert sorted(kinds_sent()) == [
        ("admin@alpha.example", "en"),
        ("member@alpha.example", "en"),
        ("swede@alpha.example", "sv"),
    ]
    english = next(m for m in messages if m["To"] == "member@alpha.example")
    assert "Minutes of May" in english["Subject"]
    assert f"http://porch.test/alpha/documents/{document.id}" in text_of(english).split()


def test_editing_and_drafts_mail_nobody_until_the_draft_is_published(
    app, people, login_as, client, folders, smtp_server
):
    login_as("board")
    document = write(client, folders["minutes"], draft="1")
    assert kinds_sent() == []
    edit = f"/alpha/documents/{document.id}/edit"
    client.submit(edit, {"title": "Minutes of May", "folder": folders["minutes"].id, "draft": "1"})
    assert kinds_sent() == []
    client.submit(edit, {"title": "Minutes of May", "folder": folders["minutes"].id, "publish": "1"})
    assert len(kinds_sent()) == 3
    client.submit(edit, {"title": "Minutes of May, corrected", "folder": folders["minutes"].id, "publish": "1"})
    assert len(kinds_sent()) == 3  # an edit of a published document mails nobody
    assert len(smtp_server.wait_for(3)) == 3


def test_do_not_notify_mails_nobody(app, people, login_as, client, folders, outbox):
    login_as("board")
    write(client, folders["notice_board"], publish="1", quiet="y")
    assert outbox.rows() == []


def test_a_member_who_may_not_read_the_folder_is_never_told(app, people, login_as, client, folders, outbox):
    login_as("board")
    write(client, folders["board"], title="Board business", publish="1")
    assert sorted(r.to_address for r in outbox.rows()) == ["admin@alpha.example"]


def test_an_event_mail_says_when(app, people, login_as, client, folders, outbox, frozen_clock):
    login_as("board")
    write(
        client,
        folders["notice_board"],
        title="Spring cleaning",
        publish="1",
        event_date="2026-04-18",
        event_time="10:00",
        event_repeat="",
    )
    row = next(r for r in outbox.rows() if r.to_address == "tenant@alpha.example")
    assert "Saturday, 18 April 2026, 10:00" in row.body_text


def test_a_hostile_title_is_inert(app, people, login_as, client, folders, smtp_server):
    login_as("board")
    write(client, folders["board"], title="x <img src=x onerror=alert(1)> Bcc: a@example.com", publish="1")
    (message,) = smtp_server.wait_for(1)
    assert message["Bcc"] is None
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_my_account_switches_kinds_and_chooses_offsets_without_javascript(app, alpha, login_as, client, outbox):
    user = login_as("member")
    page = client.get("/alpha/account").get_data(as_text=True)
    assert 'name="kind-documents.new" value="on" checked' in page
    assert 'name="options-documents.event_reminders" value="4days" checked' in page
    assert 'name="options-documents.event_reminders" value="week">' in page
    response = client.submit(
        "/alpha/account/notifications",
        {"kind-documents.event_reminders": "on", "options-documents.event_reminders": ["hour", "week", "bogus"]},
        form_page="/alpha/account",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/alpha/account#notifications")
    choices = notifications.choices_of(user.id, alpha.id)
    assert choices["documents.new"] == notifications.Choice(False, ())
    assert choices["documents.event_reminders"] == notifications.Choice(True, ("hour", "week"))
    page = client.get("/alpha/account").get_data(as_text=True)
    assert 'name="kind-documents.new" value="on">' in page
    assert 'name="options-documents.event_reminders" value="week" checked' in page
