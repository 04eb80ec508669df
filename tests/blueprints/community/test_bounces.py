"""Bounces (SPEC C4): a delivery status notification for a mailing's mail marks its outbox row and the
person whose address it was; `flask mail bounces` reads them from a Maildir or an mbox."""

from __future__ import annotations

import mailbox

import pytest

from blueprints.community import bounces
from models import OutboundEmail, Person
from models.community import MailingRecipient
from tests.blueprints.community.mailing_helpers import make_people
from tests.blueprints.community.test_mailing import choose, send, write


@pytest.fixture
def people(app, alpha):
    return make_people(alpha)


@pytest.fixture
def board(client, login, people):
    login(client, "board@alpha.example")
    return client


@pytest.fixture
def verp(app_overrides):
    app_overrides["MAIL_BOUNCE_ADDRESS"] = "bounce@porch.test"


def dsn(original, *, to: str | None, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A bounce as Postfix writes it: multipart/report with a human part, message/delivery-status and the
    original message's headers, sent to the original's envelope sender (its VERP address)."""
    recipient = original["X-Envelope-To"]
    headers = "".join(f"{k}: {v}\n" for k, v in original.items() if not k.startswith("X-Envelope"))
    return f"""Return-Path: <>
Delivered-To: {to or "postmaster@porch.test"}
From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
To: {to or "postmaster@porch.test"}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"

--B0UND
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B0UND
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
X-Postfix-Queue-ID: 4F2A81C0
Arrival-Date: Mon,  2 Mar 2026 09:00:01 +0100 (CET)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:
    User unknown in virtual mailbox table

--B0UND
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{headers}
--B0UND--
""".encode()


def sent_mailing(board, smtp_server):
    mailing_id = write(board)
    choose(board, mailing_id)
    send(board, mailing_id)
    return mailing_id, {m["X-Envelope-To"]: m for m in smtp_server.wait_for(4)}


def run(app, path):
    result = app.test_cli_runner().invoke(args=["mail", "bounces", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_bounce_in_a_maildir_marks_the_right_row_and_person(verp, app, board, people, smtp_server, tmp_path):
    mailing_id, messages = sent_mailing(board, smtp_server)
    bo_mail = messages["bo@example.com"]
    assert bo_mail["X-Envelope-From"].startswith("bounce+")
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(dsn(bo_mail, to=bo_mail["X-Envelope-From"]))
    box.add(b"From: friend@example.com\nTo: bounce@porch.test\nSubject: hello\n\nNot a bounce.\n")

    assert "Read 2 message(s): 1 bounce(s) recorded, 1 not ours." in run(app, tmp_path / "Maildir")

    row = OutboundEmail.get(OutboundEmail.to_address == "bo@example.com")
    assert row.bounced_at is not None
    assert row.bounce_reason.startswith("5.1.1 smtp; 550 5.1.1 <bo@example.com>: Recipient address rejected")
    bo = Person.get_by_id(people["bo"].id)
    assert bo.email_bounced_at is not None and bo.email_bounce_reason.startswith("5.1.1")
    others = Person.select().where(Person.email_bounced_at.is_null(False) & (Person.id != bo.id))
    assert [p.given_name for p in others] == ["Di"]  # bounced before the test
    assert OutboundEmail.select().where(OutboundEmail.bounced_at.is_null(False)).count() == 1

    # The mailing's page and the people list show it; the next mailing leaves Bo out.
    page = board.get(f"/alpha/mailings/{mailing_id}?state=bounced").get_data(as_text=True)
    assert "Bo Berg" in page and "Bounced: 5.1.1" in page
    people_list = board.get("/alpha/people").get_data(as_text=True)
    assert "Address bounced" in people_list[people_list.index("Berg Bo") - 400 : people_list.index("Berg Bo")]
    recipients = board.get(f"/alpha/mailings/{write(board)}/recipients").get_data(as_text=True)
    assert "address bounced on" in recipients[recipients.index("Bo Berg") :][:700]


def test_a_bounce_without_the_verp_address_is_found_by_the_original_headers(app, board, people, smtp_server, tmp_path):
    mailing_id, messages = sent_mailing(board, smtp_server)
    eve_mail = messages["eve@example.com"]
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    box.add(dsn(eve_mail, to=None))  # to the postmaster: only the report's headers name the mail
    box.flush()

    assert "1 bounce(s) recorded" in run(app, tmp_path / "bounces.mbox")
    row = MailingRecipient.get((MailingRecipient.mailing == mailing_id) & (MailingRecipient.name == "Eve Ek"))
    assert OutboundEmail.get_by_id(row.email_id).bounced_at is not None
    # Eve's address is her account's: the person is marked all the same.
    assert Person.get_by_id(people["eve"].id).email_bounced_at is not None


def test_a_delay_notice_changes_nothing(verp, app, board, people, smtp_server, tmp_path):
    _mailing_id, messages = sent_mailing(board, smtp_server)
    ann_mail = messages["ann@example.com"]
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(dsn(ann_mail, to=ann_mail["X-Envelope-From"], action="delayed", status="4.4.1"))
    assert "0 bounce(s) recorded, 1 not ours" in run(app, tmp_path / "Maildir")
    assert Person.get_by_id(people["ann"].id).email_bounced_at is None


def test_parse_reads_the_verp_address_of_the_configured_bounce_address():
    message = bounces.email.message_from_bytes(
        b"To: other+12@porch.test\nDelivered-To: bounce+42@porch.test\nSubject: Delivery Status Notification"
        b" (Failure)\n\nfailed\n"
    )
    found = bounces.parse(message, "bounce@porch.test")
    assert found is not None and found.outbox_id == 42


def test_a_bounce_for_an_address_since_changed_marks_the_mail_not_the_person(
    verp, app, board, people, smtp_server, tmp_path
):
    _mailing_id, messages = sent_mailing(board, smtp_server)
    bo_mail = messages["bo@example.com"]
    board.submit(f"/alpha/people/{people['bo'].id}/email", {"email": "bo.new@example.com"})
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(dsn(bo_mail, to=bo_mail["X-Envelope-From"]))
    assert "1 bounce(s) recorded" in run(app, tmp_path / "Maildir")
    assert OutboundEmail.get(OutboundEmail.to_address == "bo@example.com").bounced_at is not None
    assert Person.get_by_id(people["bo"].id).email_bounced_at is None


class TinyImapServer:
    """Just enough of an IMAP4rev1 server on loopback for the bounce job: one mailbox (INBOX), LOGIN,
    SELECT, UID SEARCH/FETCH/COPY/STORE, EXPUNGE and LOGOUT. What the job leaves is inspected after."""

    def __init__(self, messages: list[bytes]):
        import socketserver
        import threading

        self.inbox = {uid: body for uid, body in enumerate(messages, start=1)}
        self.deleted: set[int] = set()
        self.copied: dict[str, list[int]] = {}
        self.logins: list[tuple[str, str]] = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"* OK IMAP4rev1 ready\r\n")
                while line := self.rfile.readline():
                    tag, command, *args = line.decode().rstrip("\r\n").split(" ")
                    self.wfile.write(server.answer(tag, command.upper(), args))
                    if command.upper() == "LOGOUT":
                        return

        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.tcp.daemon_threads = True
        self.port = self.tcp.server_address[1]
        threading.Thread(target=self.tcp.serve_forever, daemon=True).start()

    def answer(self, tag: str, command: str, args: list[str]) -> bytes:
        done = f"{tag} OK done\r\n".encode()
        if command == "CAPABILITY":
            return b"* CAPABILITY IMAP4rev1\r\n" + done
        if command == "LOGIN":
            self.logins.append((args[0].strip('"'), args[1].strip('"')))
            return done
        if command == "SELECT":
            return f"* {len(self.inbox)} EXISTS\r\n".encode() + done
        if command == "EXPUNGE":
            for uid in self.deleted:
                self.inbox.pop(uid, None)
            return done
        if command == "LOGOUT":
            return b"* BYE\r\n" + done
        if command == "UID":
            what, uid = args[0].upper(), args[1]
            if what == "SEARCH":
                return f"* SEARCH {' '.join(map(str, self.inbox))}\r\n".encode() + done
            if what == "FETCH":
                body = self.inbox[int(uid)]
                return f"* {uid} FETCH (UID {uid} RFC822 {{{len(body)}}}\r\n".encode() + body + b")\r\n" + done
            if what == "COPY":
                self.copied.setdefault(args[2], []).append(int(uid))
                return done
            if what == "STORE":
                self.deleted.add(int(uid))
                return done
        return f"{tag} BAD unknown\r\n".encode()

    def stop(self):
        self.tcp.shutdown()
        self.tcp.server_close()


def test_the_periodic_job_reads_the_imap_mailbox_and_puts_away_what_it_read(verp, app, board, people, smtp_server):
    from jobs.mail_bounces import read_imap

    _mailing_id, messages = sent_mailing(board, smtp_server)
    ann_mail = messages["ann@example.com"]
    server = TinyImapServer([dsn(ann_mail, to=ann_mail["X-Envelope-From"]), b"Subject: hi\r\n\r\nnot a bounce\r\n"])
    try:
        app.config["MAIL_BOUNCE_IMAP_URL"] = f"imap://bounces:s%40cret@127.0.0.1:{server.port}/INBOX?move_to=Processed"
        with app.app_context():
            assert read_imap() == 1
    finally:
        server.stop()
    assert server.logins == [("bounces", "s@cret")]
    assert server.copied == {"Processed": [1, 2]} and server.inbox == {}  # both read, both put away
    assert Person.get_by_id(people["ann"].id).email_bounced_at is not None
    assert OutboundEmail.get(OutboundEmail.to_address == "ann@example.com").bounced_at is not None


def test_without_a_mailbox_the_job_does_nothing(app):
    from jobs.mail_bounces import read_imap

    with app.app_context():
        assert read_imap() == 0
