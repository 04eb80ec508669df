"""Mass mail (SPEC C4, seed 004 §4.9): recipients, the test send, sending through a real SMTP server,
newsletters, the per-recipient status page and what hostile text does."""

from __future__ import annotations

import io
import re

import pytest

from blueprints.community import mailing
from core import clock
from models import NotificationChoice, OutboundEmail, Person, Role
from models.community import Mailing, MailingAttachment, MailingRecipient
from tests.blueprints.community.mailing_helpers import checkboxes, make_people
from tests.helpers import text_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(app, alpha):
    return make_people(alpha)


@pytest.fixture
def board(client, login, people):
    login(client, "board@alpha.example")
    return client


def write(client, subject="Spring cleaning", body="We clean the yard on **Saturday**.", files=(), newsletter=False):
    """Write a mailing through its form; the draft's id."""
    data = {"subject": subject, "body": body, "files": [(io.BytesIO(data), name) for name, data in files]}
    if newsletter:
        data["newsletter"] = "y"
    response = client.submit("/alpha/mailings/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/mailings/(\d+)/recipients", response.location).group(1))


def choose(client, mailing_id, **filters):
    """Save the recipients as the page preselects them (with these filters)."""
    url = f"/alpha/mailings/{mailing_id}/recipients"
    page = client.get(url, query_string=filters).get_data(as_text=True)
    ticked = re.findall(r'name="person" value="(\d+)" checked', page)
    response = client.submit(url, {"person": ticked, **filters}, form_page=url)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return ticked


def send(client, mailing_id):
    url = f"/alpha/mailings/{mailing_id}/send"
    response = client.submit(url, {})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response


# --- recipients -----------------------------------------------------------------------------------------


def test_everyone_with_an_address_is_preselected_and_the_others_are_greyed_with_the_reason(board, outbox):
    mailing_id = write(board)
    page = board.get(f"/alpha/mailings/{mailing_id}/recipients").get_data(as_text=True)
    assert checkboxes(page) == {
        "Ann Andersson": "checked",
        "Bea Board": "checked",
        "Bo Berg": "checked",
        "Cy Carlsson": "disabled",
        "Di Dahl": "disabled",
        "Eve Ek": "checked",  # no address of her own: her account's
    }
    cy = page[page.index("Cy Carlsson") :]
    assert "Cannot be chosen:" in cy and "no e-mail address" in cy[:600]
    di = page[page.index("Di Dahl") :]
    assert "address bounced on 1 Feb 2026" in di[:600]
    assert "eve@example.com" in page


def test_filters_narrow_the_list_by_role_building_and_owners(board, alpha, outbox):
    mailing_id = write(board)
    url = f"/alpha/mailings/{mailing_id}/recipients"
    tenant = Role.get((Role.association == alpha) & (Role.key == "tenant"))
    by_role = board.get(url, query_string={"role": tenant.id}).get_data(as_text=True)
    assert set(checkboxes(by_role)) == {"Bo Berg"}
    house_a = alpha.buildings.where(pw_name("House A")).get()
    by_building = board.get(url, query_string={"building": house_a.id}).get_data(as_text=True)
    assert set(checkboxes(by_building)) == {"Ann Andersson", "Cy Carlsson"}
    owners = board.get(url, query_string={"owners": "1"}).get_data(as_text=True)
    assert set(checkboxes(owners)) == {"Ann Andersson", "Cy Carlsson"}
    # htmx narrows the list in place: only the list comes back.
    part = board.get(url, query_string={"owners": "1"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="mailing-recipients">') and "<html" not in part
    assert set(checkboxes(part)) == {"Ann Andersson", "Cy Carlsson"}


def pw_name(name):
    from models import Building

    return Building.name == name


def test_saving_the_recipients_keeps_the_ticked_people_only(board, people, outbox):
    mailing_id = write(board)
    url = f"/alpha/mailings/{mailing_id}/recipients"
    # Cy (no address) is sent along by a forged form: not kept.
    board.submit(url, {"person": [str(people["ann"].id), str(people["cy"].id)]})
    chosen = {r.person_id for r in MailingRecipient.select().where(MailingRecipient.mailing == mailing_id)}
    assert chosen == {people["ann"].id}
    page = board.get(url).get_data(as_text=True)
    assert checkboxes(page)["Ann Andersson"] == "checked" and checkboxes(page)["Bo Berg"] == ""


# --- through the SMTP server ----------------------------------------------------------------------------


def test_the_test_goes_to_the_sender_alone_without_attachments_and_the_mailing_to_everyone_once(
    board, people, smtp_server
):
    mailing_id = write(board, files=[("rules.pdf", PDF)])
    choose(board, mailing_id)

    response = board.submit(f"/alpha/mailings/{mailing_id}/test", {}, form_page=f"/alpha/mailings/{mailing_id}")
    assert response.status_code == 302
    (test,) = smtp_server.wait_for(1)
    assert test["X-Envelope-To"] == "board@alpha.example"
    assert test["Subject"] == "[Test] Spring cleaning"
    assert list(test.iter_attachments()) == []
    assert "only you get it" in text_of(test)

    confirm = board.get(f"/alpha/mailings/{mailing_id}/send").get_data(as_text=True)
    assert "Send to 4 people?" in confirm  # Ann, Bea, Bo, Eve
    send(board, mailing_id)
    messages = smtp_server.wait_for(5)[1:]
    assert sorted(m["X-Envelope-To"] for m in messages) == [
        "ann@example.com",
        "bo@example.com",
        "board@alpha.example",
        "eve@example.com",
    ]
    for message in messages:
        assert message["Subject"] == "Spring cleaning"
        assert [(p.get_filename(), p.get_content()) for p in message.iter_attachments()] == [("rules.pdf", PDF)]
        assert "<strong>Saturday</strong>" in message.get_body(preferencelist=("html",)).get_content()
        assert message["List-Unsubscribe"] is None  # not a newsletter: essential
    rows = list(MailingRecipient.select().where(MailingRecipient.mailing == mailing_id))
    assert len(rows) == 4 and all(r.email_id for r in rows)
    assert {OutboundEmail.get_by_id(r.email_id).status for r in rows} == {OutboundEmail.SENT}
    # The shared file stays with the mailing after sending.
    page = board.get(f"/alpha/mailings/{mailing_id}").get_data(as_text=True)
    assert "4 sent" in page and "rules.pdf" in page


def test_sending_twice_sends_once(board, smtp_server):
    mailing_id = write(board)
    choose(board, mailing_id)
    send(board, mailing_id)
    again = board.submit(f"/alpha/mailings/{mailing_id}/send", {}, form_page=f"/alpha/mailings/{mailing_id}")
    assert again.status_code == 302 and again.location.endswith(f"/alpha/mailings/{mailing_id}")
    assert len(smtp_server.wait_for(5, timeout=1)) == 4
    assert OutboundEmail.select().count() == 4


def test_each_recipient_reads_the_mail_in_their_language(board, people, smtp_server, frozen_clock):
    from models import User

    User.update(ui_language="sv").where(User.email == "eve@example.com").execute()
    mailing_id = write(board)
    choose(board, mailing_id)
    send(board, mailing_id)
    messages = {m["X-Envelope-To"]: m for m in smtp_server.wait_for(4)}
    assert messages["eve@example.com"]["Content-Language"] == "sv"
    assert "2 mars 2026" in text_of(messages["eve@example.com"])
    assert "2 March 2026" in text_of(messages["ann@example.com"])
    assert messages["ann@example.com"]["Content-Language"] == "en"


# --- newsletters ----------------------------------------------------------------------------------------


def test_a_newsletter_skips_who_switched_it_off_and_carries_a_working_unsubscribe_link(
    board, alpha, people, smtp_server, new_client
):
    from models import User

    bo_user = User.create(email="bo@example.com", name="Bo", state=User.ACTIVE)
    Person.update(user=bo_user).where(Person.id == people["bo"].id).execute()
    eve = User.get(User.email == "eve@example.com")
    NotificationChoice.create(association=alpha, user=eve, kind=mailing.NEWSLETTERS, enabled=False)

    mailing_id = write(board, newsletter=True)
    page = board.get(f"/alpha/mailings/{mailing_id}/recipients").get_data(as_text=True)
    assert checkboxes(page)["Eve Ek"] == "disabled"
    assert "does not want newsletters" in page[page.index("Eve Ek") :][:600]
    choose(board, mailing_id)
    send(board, mailing_id)
    messages = {m["X-Envelope-To"]: m for m in smtp_server.wait_for(3)}
    assert set(messages) == {"ann@example.com", "board@alpha.example", "bo@example.com"}
    bo_mail = messages["bo@example.com"]
    link = bo_mail["List-Unsubscribe"].strip("<>")
    assert bo_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in text_of(bo_mail)
    assert messages["ann@example.com"]["List-Unsubscribe"] is None  # no account: nothing to switch off

    # The mail programme's one-click POST: no session, no CSRF token.
    path = link[len("http://porch.test") :]
    stranger = new_client()
    assert "Stop the newsletters" in stranger.get(path).get_data(as_text=True)
    done = stranger.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    choice = NotificationChoice.get(
        (NotificationChoice.user == bo_user) & (NotificationChoice.kind == mailing.NEWSLETTERS)
    )
    assert choice.enabled is False
    assert stranger.post(path.replace("unsubscribe/", "unsubscribe/x")).status_code == 404


# --- the status page ------------------------------------------------------------------------------------


def test_the_page_shows_each_recipients_state_and_polls_while_mail_is_queued(board, people, outbox):
    mailing_id = write(board)
    choose(board, mailing_id)
    send(board, mailing_id)  # no SMTP server: the rows go to the outbox folder
    rows = {r.name: r for r in MailingRecipient.select().where(MailingRecipient.mailing == mailing_id)}
    E = OutboundEmail
    E.update(status=E.QUEUED, sent_at=None).where(E.id == rows["Ann Andersson"].email_id).execute()
    E.update(status=E.FAILED, last_error="SMTPRecipientsRefused: 550 mailbox full").where(
        E.id == rows["Bo Berg"].email_id
    ).execute()
    E.update(bounced_at=clock.utcnow_naive(), bounce_reason="5.1.1 user unknown").where(
        E.id == rows["Eve Ek"].email_id
    ).execute()

    page = board.get(f"/alpha/mailings/{mailing_id}").get_data(as_text=True)
    assert "1 queued · 1 sent · 1 failed · 1 bounced" in page
    assert 'hx-trigger="every 3s"' in page
    assert re.search(r">Queued</span>\s*<span class=\"what\"><strong>Ann Andersson", page)
    assert re.search(r">Failed</span>\s*<span class=\"what\"><strong>Bo Berg", page)
    assert "Error: SMTPRecipientsRefused: 550 mailbox full" in page
    assert re.search(r">Bounced</span>\s*<span class=\"what\"><strong>Eve Ek", page)
    assert "Bounced: 5.1.1 user unknown" in page
    bounced = board.get(f"/alpha/mailings/{mailing_id}", query_string={"state": "bounced"}).get_data(as_text=True)
    assert "Eve Ek" in bounced and "Ann Andersson" not in bounced

    # Nothing queued any more: the answer drops the trigger, and the mailing is sent.
    E.update(status=E.SENT, sent_at=clock.utcnow_naive()).where(E.id == rows["Ann Andersson"].email_id).execute()
    part = board.get(f"/alpha/mailings/{mailing_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="mailing-status"') and "hx-trigger" not in part
    assert Mailing.get_by_id(mailing_id).state == Mailing.SENT
    listing = board.get("/alpha/mailings").get_data(as_text=True)
    assert "2 sent · 1 failed · 1 bounced" in listing


@pytest.fixture
def counting(app_overrides):
    app_overrides["COUNT_QUERIES"] = True


def test_the_list_and_the_status_page_keep_their_queries_however_many(counting, board, alpha, outbox):
    def cost(path):
        response = board.get(path)
        assert response.status_code == 200
        return int(response.headers["X-Query-Count"])

    first = write(board)
    choose(board, first)
    send(board, first)
    list_few, page_few = cost("/alpha/mailings"), cost(f"/alpha/mailings/{first}")
    for number in range(30):
        Person.create(association=alpha, surname=f"Extra{number:02d}", email=f"extra{number}@example.com")
    second = write(board, subject="Second")
    choose(board, second)
    send(board, second)
    write(board, subject="A draft")
    assert cost("/alpha/mailings") == list_few
    assert cost(f"/alpha/mailings/{second}") == page_few


# --- hostile text ---------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def test_markup_in_subject_and_body_is_inert_on_the_page_and_in_the_mail(board, people, smtp_server):
    body = f"{IMG}\n\n{SCRIPT}\n\n[x](javascript:alert(1))"
    mailing_id = write(board, subject=f"Hi {SCRIPT}\r\nBcc: evil@example.com", body=body)
    page = board.get(f"/alpha/mailings/{mailing_id}").get_data(as_text=True)
    assert SCRIPT not in page and "onerror" not in page and "javascript:" not in page
    assert "Hi &lt;script&gt;alert(1)&lt;/script&gt; Bcc: evil@example.com" in page
    choose(board, mailing_id)
    send(board, mailing_id)
    messages = smtp_server.wait_for(4)
    assert len(messages) == 4 and all("evil@example.com" not in m["X-Envelope-To"] for m in messages)
    mail = messages[0]
    assert mail["Bcc"] is None
    assert mail["Subject"] == f"Hi {SCRIPT} Bcc: evil@example.com"  # one header, its text as typed
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert SCRIPT not in html and "onerror" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html  # the subject in the HTML's title is text


def test_non_ascii_subject_is_an_encoded_header(board, people, smtp_server):
    mailing_id = write(board, subject="Úklid dvora — Städdag")
    choose(board, mailing_id)
    send(board, mailing_id)
    mail = smtp_server.wait_for(4)[0]
    assert mail["Subject"] == "Úklid dvora — Städdag"
    raw = mail.as_bytes()
    assert b"=?utf-8?" in raw.lower() and "Úklid".encode() not in raw.split(b"\n\n", 1)[0]


# --- uploads --------------------------------------------------------------------------------------------


def test_a_file_that_is_not_what_a_mailing_takes_is_refused_and_the_text_kept(board, outbox):
    data = {"subject": "Keep me", "body": "And me", "files": [(io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")]}
    response = board.submit("/alpha/mailings/new", data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "tool.exe is not a file a mailing takes" in page and "Keep me" in page and "And me" in page
    assert Mailing.select().count() == 0


def test_a_file_is_named_as_its_content_is(board, smtp_server):
    mailing_id = write(board, files=[("notice.html", PDF)])
    choose(board, mailing_id)
    send(board, mailing_id)
    (part,) = smtp_server.wait_for(4)[0].iter_attachments()
    assert part.get_filename() == "notice.html.pdf" and part.get_content_type() == "application/pdf"


# --- the register ---------------------------------------------------------------------------------------


def test_the_people_list_says_address_bounced_and_a_new_address_clears_it(board, people, outbox):
    page = board.get("/alpha/people").get_data(as_text=True)
    di = page[page.index("Dahl Di") - 400 : page.index("Dahl Di")]
    assert "Address bounced" in di
    assert "Address bounced" not in page[page.index("Andersson Ann") - 400 : page.index("Andersson Ann")]
    url = f"/alpha/people/{people['di'].id}/email"
    assert board.submit(url, {"email": "di.new@example.com"}).status_code == 302
    di = Person.get_by_id(people["di"].id)
    assert di.email == "di.new@example.com" and di.email_bounced_at is None and di.email_bounce_reason == ""
    assert "Address bounced" not in board.get("/alpha/people").get_data(as_text=True)


def test_through_redis_a_worker_sends_the_mailing_in_chunks_over_one_connection_each_once(
    app, board, people, redis, smtp_server
):
    from rq import Queue, SimpleWorker

    mailing_id = write(board)
    choose(board, mailing_id)
    send(board, mailing_id)
    assert smtp_server.messages == []  # queued, not sent by the web request
    queue = Queue(app.config["RQ_QUEUE"], connection=redis)
    assert queue.job_ids == [f"mailing-{mailing_id}-0"]
    # A row sent meanwhile (by the sweep) is not sent again.
    ann = MailingRecipient.get((MailingRecipient.mailing == mailing_id) & (MailingRecipient.name == "Ann Andersson"))
    OutboundEmail.update(status=OutboundEmail.SENT).where(OutboundEmail.id == ann.email_id).execute()
    with app.app_context():
        SimpleWorker([queue], connection=redis).work(burst=True)
    messages = smtp_server.wait_for(3)
    assert sorted(m["X-Envelope-To"] for m in messages) == ["bo@example.com", "board@alpha.example", "eve@example.com"]
    statuses = [r.status for r in OutboundEmail.select()]
    assert statuses == [OutboundEmail.SENT] * 4


def test_with_the_smtp_server_down_each_row_fails_alone_with_its_error_for_the_sweep(board, people, smtp_server):
    smtp_server.stop()
    mailing_id = write(board)
    choose(board, mailing_id)
    send(board, mailing_id)
    rows = list(OutboundEmail.select())
    assert len(rows) == 4 and {r.status for r in rows} == {OutboundEmail.FAILED}
    assert all("Connection refused" in r.last_error or "ConnectionRefused" in r.last_error for r in rows)
    page = board.get(f"/alpha/mailings/{mailing_id}").get_data(as_text=True)
    assert "4 failed" in page and "Error: ConnectionRefusedError" in page


# --- personal files -------------------------------------------------------------------------------------


def test_personal_pdfs_are_matched_by_unit_or_name_previewed_and_each_sent_to_its_recipient_alone(
    board, alpha, people, smtp_server
):
    from tests.factories import register

    # Bo's tenancy is B1; Bea Board co-owns A1 with Ann: the unit's statement goes to both.
    register.make_owner(people["ann"].ownerships[0].unit, people["board"])
    mailing_id = write(board, files=[("rules.pdf", PDF)])
    choose(board, mailing_id)
    statements = {
        "Statement A1 2026.pdf": b"%PDF-1.4 A1\n%%EOF\n",
        "Berg Bo.pdf": b"%PDF-1.4 Bo\n%%EOF\n",
        "Nobody Here.pdf": b"%PDF-1.4 nobody\n%%EOF\n",
    }
    data = {"personal": [(io.BytesIO(body), name) for name, body in statements.items()]}
    url = f"/alpha/mailings/{mailing_id}/personal"
    response = board.submit(url, data, form_page=f"/alpha/mailings/{mailing_id}", content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 recipients get a file" in page and "1 file matched nobody" in page
    assert "Ann Andersson: Statement A1 2026.pdf" in page and "Bea Board: Statement A1 2026.pdf" in page
    assert "Bo Berg: Berg Bo.pdf" in page
    assert "<li>Nobody Here.pdf</li>" in page
    assert "3 recipients also get a personal file." in board.get(f"/alpha/mailings/{mailing_id}/send").get_data(
        as_text=True
    )

    send(board, mailing_id)
    messages = {m["X-Envelope-To"]: m for m in smtp_server.wait_for(4)}
    files = {to: {p.get_filename(): p.get_content() for p in m.iter_attachments()} for to, m in messages.items()}
    assert files["ann@example.com"] == {"rules.pdf": PDF, "Statement A1 2026.pdf": statements["Statement A1 2026.pdf"]}
    assert files["board@alpha.example"] == {
        "rules.pdf": PDF,
        "Statement A1 2026.pdf": statements["Statement A1 2026.pdf"],
    }
    assert files["bo@example.com"] == {"rules.pdf": PDF, "Berg Bo.pdf": statements["Berg Bo.pdf"]}
    assert files["eve@example.com"] == {"rules.pdf": PDF}


def test_personal_files_must_be_pdfs(board, outbox):
    mailing_id = write(board)
    choose(board, mailing_id)
    data = {"personal": [(io.BytesIO(b"<html>hi</html>"), "A1.pdf")]}
    response = board.submit(
        f"/alpha/mailings/{mailing_id}/personal",
        data,
        form_page=f"/alpha/mailings/{mailing_id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "A1.pdf is not a PDF." in response.get_data(as_text=True)
    assert not MailingRecipient.select().where(MailingRecipient.personal_file.is_null(False)).exists()


def test_the_board_finds_mass_mail_in_its_menu_and_members_do_not(board, new_client, login, alpha, outbox):
    from tests.factories import portal

    menu = board.get("/alpha/menu").get_data(as_text=True)
    assert 'href="/alpha/mailings"' in menu and "Mass mail" in menu
    portal.make_user(alpha, "member@alpha.example", "member")
    member = new_client()
    login(member, "member@alpha.example")
    assert "/alpha/mailings" not in member.get("/alpha/menu").get_data(as_text=True)
    assert member.get("/alpha/mailings").status_code == 403


def test_newsletters_are_a_kind_members_switch_in_my_account(board):
    page = board.get("/alpha/account").get_data(as_text=True)
    assert "Newsletters from the board" in page


def test_removing_a_file_with_a_refused_new_one_keeps_everything(app, board, outbox):
    mailing_id = write(board, files=[("rules.pdf", PDF)])
    (file,) = MailingAttachment.select()
    data = {"subject": "Spring cleaning", "body": "Text", "remove": str(file.id)}
    data["files"] = [(io.BytesIO(b"MZ\x90\x00"), "tool.exe")]
    response = board.submit(f"/alpha/mailings/{mailing_id}/edit", data, content_type="multipart/form-data")
    assert response.status_code == 422
    with app.app_context():
        from core.mail import attachment_file

        assert MailingAttachment.select().count() == 1 and attachment_file(file.stored_name).exists()
        del data["files"]
        assert board.submit(f"/alpha/mailings/{mailing_id}/edit", data).status_code == 302
        assert MailingAttachment.select().count() == 0 and not attachment_file(file.stored_name).exists()


def test_one_recipient_is_counted_as_one_person(board, people, outbox):
    mailing_id = write(board)
    url = f"/alpha/mailings/{mailing_id}/recipients"
    page = board.get(url).get_data(as_text=True)
    first = re.findall(r'name="person" value="(\d+)" checked', page)[0]
    response = board.submit(url, {"person": [first]}, form_page=url)
    assert "The recipients are saved: 1 person." in board.get(response.location).get_data(as_text=True)
    response = send(board, mailing_id)
    assert "The mail is on its way to 1 person." in board.get(response.location).get_data(as_text=True)


def test_a_personal_file_uploaded_again_replaces_the_earlier_one_on_disk_too(board, app, people, outbox):
    from core.mail import attachment_file

    mailing_id = write(board)
    choose(board, mailing_id)
    url = f"/alpha/mailings/{mailing_id}/personal"

    def upload(body: bytes) -> str:
        data = {"personal": [(io.BytesIO(body), "Berg Bo.pdf")]}
        response = board.submit(
            url, data, form_page=f"/alpha/mailings/{mailing_id}", content_type="multipart/form-data"
        )
        assert response.status_code == 200
        return MailingRecipient.get(MailingRecipient.person == people["bo"].id).personal_file

    first = upload(b"%PDF-1.4 first\n%%EOF\n")
    second = upload(b"%PDF-1.4 second\n%%EOF\n")
    with app.app_context():
        assert second != first and attachment_file(second).read_bytes() == b"%PDF-1.4 second\n%%EOF\n"
        assert not attachment_file(first).exists()
