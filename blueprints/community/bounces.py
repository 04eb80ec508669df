"""Reading bounce messages (SPEC C4): which mail came back, why, and whose address it was.

Every outbox row leaves with a VERP envelope sender, bounce+<row id>@domain (MAIL_BOUNCE_ADDRESS), so a
bounce names its mail: in To, Delivered-To or X-Original-To, as the receiving server wrote it. Failing
that, a delivery status notification (multipart/report, RFC 3464) carries the original message's headers,
with our X-Porch-Outbox-Id. Only a report that says delivery failed counts: "delayed" notices and
auto-replies (which also reach the envelope sender) change nothing.

A bounce marks the outbox row (bounced_at, and the DSN's Status and Diagnostic-Code as the reason) and
the person whose address it was (Person.email_bounced_at): the board sees "Address bounced" in the people
list and the mass mail leaves the address out until it is changed.

Sources: a Maildir or an mbox file (`flask mail bounces PATH`), or an IMAP mailbox (MAIL_BOUNCE_IMAP_URL,
read by the periodic job jobs.mail_bounces.read_imap), whose processed messages are moved or deleted.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import mailbox
import re
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import peewee as pw

from core import clock
from models import OutboundEmail, Person, User
from models.community import MailingRecipient
from models.db import transaction

_ADDRESS_HEADERS = ("To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
_OUTBOX_HEADER = re.compile(r"^X-Porch-Outbox-Id:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Bounce:
    outbox_id: int
    reason: str


@dataclass
class Tally:
    """What a run found: messages read, bounces recorded, and messages that were not bounces of ours."""

    read: int = 0
    recorded: int = 0
    ignored: int = 0


def verp_pattern(bounce_address: str | None) -> re.Pattern:
    """bounce+<id>@domain for MAIL_BOUNCE_ADDRESS "bounce@domain" (any local part+id@domain without it)."""
    if bounce_address and "@" in bounce_address:
        local, _, domain = bounce_address.rpartition("@")
        return re.compile(rf"{re.escape(local)}\+(\d+)@{re.escape(domain)}", re.IGNORECASE)
    return re.compile(r"[\w.-]+\+(\d+)@[\w.-]+", re.IGNORECASE)


def parse(message: Message, bounce_address: str | None) -> Bounce | None:
    """The bounce this message reports, or None (not a failure report, or not about our mail)."""
    report = _delivery_status(message)
    if report is not None and not _failed(report):
        return None  # delayed, relayed, delivered: the mail may still arrive
    outbox_id = _outbox_id(message, verp_pattern(bounce_address))
    if outbox_id is None or (report is None and not _looks_failed(message)):
        return None
    return Bounce(outbox_id=outbox_id, reason=_reason(report, message))


def _outbox_id(message: Message, verp: re.Pattern) -> int | None:
    for header in _ADDRESS_HEADERS:
        for value in message.get_all(header, []):
            found = verp.search(str(value))
            if found:
                return int(found.group(1))
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and inner.get("X-Porch-Outbox-Id", "").strip().isdigit():
                return int(inner["X-Porch-Outbox-Id"].strip())
        elif part.get_content_type() == "text/rfc822-headers":
            found = _OUTBOX_HEADER.search(_text_of(part))
            if found:
                return int(found.group(1))
    return None


def _delivery_status(message: Message) -> list[dict[str, str]] | None:
    """The per-recipient fields of a DSN's message/delivery-status part, or None without one."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # the email package parses it into header blocks
            blocks = [dict((k.lower(), str(v)) for k, v in block.items()) for block in payload]
        else:
            blocks = [_fields(block) for block in re.split(r"\r?\n\s*\r?\n", _text_of(part))]
        return [block for block in blocks[1:] if block] or [b for b in blocks if "action" in b]
    return None


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in re.sub(r"\r?\n[ \t]+", " ", block).splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip().lower()] = value.strip()
    return fields


def _failed(report: list[dict[str, str]]) -> bool:
    return any(block.get("action", "").lower().startswith("failed") for block in report)


def _looks_failed(message: Message) -> bool:
    """A bounce without a DSN (old MTAs): a failure notice by its subject."""
    subject = str(message.get("Subject", "")).lower()
    return any(word in subject for word in ("undeliver", "delivery status", "failure", "returned mail"))


def _reason(report: list[dict[str, str]] | None, message: Message) -> str:
    if report:
        for block in report:
            if block.get("action", "").lower().startswith("failed"):
                status = block.get("status", "").strip()
                diagnostic = " ".join(block.get("diagnostic-code", "").split())
                return " ".join(part for part in (status, diagnostic) if part)[:300]
    return " ".join(str(message.get("Subject", "")).split())[:300]


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return str(part.get_payload())


# --- recording ------------------------------------------------------------------------------------------


def record(bounce: Bounce) -> bool:
    """Mark the outbox row and the person whose address it was; False if the row is unknown."""
    row = OutboundEmail.get_or_none(OutboundEmail.id == bounce.outbox_id)
    if row is None:
        return False
    now = clock.utcnow_naive()
    with transaction():
        OutboundEmail.update(bounced_at=now, bounce_reason=bounce.reason).where(OutboundEmail.id == row.id).execute()
        people = _people_at(row)
        if people:
            Person.update(email_bounced_at=now, email_bounce_reason=bounce.reason[:300]).where(
                Person.id.in_(people)
            ).execute()
    return True


def _people_at(row: OutboundEmail) -> list[int]:
    """The people the row's address is still the address of: a mailing's recipient, else the register's
    people of the row's association (their own address, or, having none, their account's). A person whose
    address changed since the mail left is not marked: the bounce was the old address's."""
    if row.association_id is None:
        return []
    chosen = MailingRecipient.select(MailingRecipient.person).where(MailingRecipient.email == row.id)
    address = row.to_address.strip().lower()
    query = (
        Person.select(Person.id, Person.email, User.email.alias("account_email"))
        .join(User, pw.JOIN.LEFT_OUTER, on=(Person.user == User.id))
        .where(Person.association == row.association_id)
        .dicts()
    )
    if chosen.exists():
        query = query.where(Person.id.in_(chosen))
    else:
        query = query.where((pw.fn.LOWER(Person.email) == address) | (pw.fn.LOWER(User.email) == address))
    return [
        person["id"]
        for person in query
        if (person["email"] or person["account_email"] or "").strip().lower() == address
    ]


# --- sources --------------------------------------------------------------------------------------------


def process_messages(messages, bounce_address: str | None) -> Tally:
    tally = Tally()
    for message in messages:
        tally.read += 1
        bounce = parse(message, bounce_address)
        if bounce is not None and record(bounce):
            tally.recorded += 1
        else:
            tally.ignored += 1
    return tally


def read_path(path: Path):
    """The messages of a Maildir (a folder with cur/ and new/) or an mbox file."""
    path = Path(path)
    if path.is_dir():
        box = mailbox.Maildir(path, factory=None, create=False)
    else:
        box = mailbox.mbox(path, factory=None, create=False)
    for key in box.keys():
        yield email.message_from_bytes(box.get_bytes(key), policy=email.policy.compat32)


def process_path(path: Path, bounce_address: str | None) -> Tally:
    return process_messages(read_path(path), bounce_address)


def process_imap(url: str, bounce_address: str | None) -> Tally:
    """Read every message of the IMAP mailbox in `url` (imaps://user:password@host[:port]/MAILBOX, with
    ?move_to=FOLDER to keep what was read there; without it, read messages are deleted)."""
    parts = urlparse(url)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if parts.scheme == "imaps":
        connection = imaplib.IMAP4_SSL(parts.hostname, parts.port or 993, timeout=30)
    else:
        connection = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=30)
        if options.get("starttls") in ("1", "true", "yes"):
            connection.starttls()
    tally = Tally()
    with connection:
        connection.login(unquote(parts.username or ""), unquote(parts.password or ""))
        connection.select(folder)
        _status, found = connection.uid("SEARCH", None, "ALL")
        for uid in (found[0] or b"").split():
            _status, data = connection.uid("FETCH", uid, "(RFC822)")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if raw is None:
                continue
            done = process_messages([email.message_from_bytes(raw, policy=email.policy.compat32)], bounce_address)
            tally.read += done.read
            tally.recorded += done.recorded
            tally.ignored += done.ignored
            _put_away(connection, uid, options.get("move_to"))
        connection.expunge()
    return tally


def _put_away(connection: imaplib.IMAP4, uid: bytes, move_to: str | None) -> None:
    if move_to:
        connection.uid("COPY", uid, move_to)
    connection.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
