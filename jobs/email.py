"""The job that sends one outbox row, and the sweep that hands unsent rows to it again (SPEC C5).

Rows are written by core.mail.queue_mail in the transaction that causes them."""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import os
import smtplib
import ssl
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from core import clock, mail
from core.mail import attachment_file, bounce_address, send_now
from jobs import job_context
from models import OutboundAttachment, OutboundEmail

log = logging.getLogger(__name__)


def deliver(row_id: int) -> str:
    """Send one outbox row. Idempotent: a row already sent, or being sent, is skipped."""
    with job_context() as app:
        if not _claim(row_id, sending_timeout(app.config)):
            return "skipped"
        row = OutboundEmail.get_by_id(row_id)
        try:
            message = build_message(row, app.config["MAIL_FROM"])
            transport_for(app.config).send(message, envelope_from=bounce_address(row.id, app.config))
        except Exception as exc:
            _mark_failed(row, exc, app.config["MAIL_MAX_ATTEMPTS"])
            raise
        OutboundEmail.update(status=OutboundEmail.SENT, sent_at=clock.utcnow_naive(), last_error="").where(
            OutboundEmail.id == row_id
        ).execute()
        mail.settled(row_id, sent=True)
        _remove_sent_copies(row)
        return "sent"


def deliver_many(row_ids: list[int]) -> int:
    """Send several outbox rows over one SMTP connection (a mailing's, in chunks); how many were sent.

    Each row goes as deliver() sends it: claimed first (a row sent or held by another sender is skipped),
    marked sent, or marked failed alone for the sweep to retry; a failure opens a new connection for the
    next row. One connection instead of one per mail is what lets one worker send a mailing at a pace."""
    with job_context() as app:
        timeout, sent = sending_timeout(app.config), 0
        with transport_for(app.config).session() as session:
            for row_id in row_ids:
                if not _claim(row_id, timeout):
                    continue
                row = OutboundEmail.get_by_id(row_id)
                try:
                    message = build_message(row, app.config["MAIL_FROM"])
                    session.send(message, envelope_from=bounce_address(row.id, app.config))
                except Exception as exc:  # this row failed; the others still go
                    _mark_failed(row, exc, app.config["MAIL_MAX_ATTEMPTS"])
                    session.reset()
                    continue
                OutboundEmail.update(status=OutboundEmail.SENT, sent_at=clock.utcnow_naive(), last_error="").where(
                    OutboundEmail.id == row_id
                ).execute()
                mail.settled(row_id, sent=True)
                _remove_sent_copies(row)
                sent += 1
        return sent


def _remove_sent_copies(row: OutboundEmail) -> None:
    """Sent: the row's own copies (an invoice, a list of residents, a personal PDF) are not kept; files
    shared with other rows (a mailing's attachments) stay with what owns them."""
    if row.attachment_path:
        attachment_file(row.attachment_path).unlink(missing_ok=True)
    for extra in OutboundAttachment.select().where(
        (OutboundAttachment.email == row.id) & (OutboundAttachment.shared == False)  # noqa: E712 (SQL)
    ):
        attachment_file(extra.path).unlink(missing_ok=True)


def _claim(row_id: int, sending_timeout: dt.timedelta) -> bool:
    """Move the row to 'sending' unless it is sent or another sender holds it (and is still alive)."""
    E = OutboundEmail
    claimable = E.status.in_([E.QUEUED, E.FAILED]) | E.abandoned(sending_timeout)
    updated = (
        E.update(status=E.SENDING, claimed_at=clock.utcnow_naive(), attempts=E.attempts + 1)
        .where((E.id == row_id) & claimable)
        .execute()
    )
    return updated == 1


def _mark_failed(row: OutboundEmail, exc: Exception, max_attempts: int) -> None:
    attempts = row.attempts
    backoff = dt.timedelta(seconds=min(60 * 2**attempts, 6 * 3600))
    OutboundEmail.update(
        status=OutboundEmail.FAILED,
        last_error=f"{type(exc).__name__}: {exc}"[:1000],
        next_attempt_at=clock.utcnow_naive() + backoff,
    ).where(OutboundEmail.id == row.id).execute()
    log.warning("mail %s failed (attempt %s): %s", row.id, attempts, exc)
    if attempts >= max_attempts:  # the sweep gives up on it: whoever waits for it hears so
        mail.settled(row.id, sent=False)


def build_message(row: OutboundEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=dt.UTC))
    message["X-Porch-Outbox-Id"] = str(row.id)
    if row.reply_to:  # built by email.headerregistry.Address: a name is encoded, never a second header
        message["Reply-To"] = row.reply_to
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    if row.attachment_path:
        _attach(message, row.attachment_path, row.attachment_name)
    for extra in OutboundAttachment.select().where(OutboundAttachment.email == row.id).order_by(OutboundAttachment.id):
        _attach(message, extra.path, extra.name)
    if row.unsubscribe_url:  # non-essential mail: the reader's programme offers to stop it (RFC 2369, 8058)
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # After the content: set_content() clears every Content-* header.
    message["Content-Language"] = row.language
    return message


def _attach(message: EmailMessage, stored: str, name: str) -> None:
    body = attachment_file(stored).read_bytes()
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, subtype = mimetype.split("/", 1)
    message.add_attachment(body, maintype=maintype, subtype=subtype, filename=name or "attachment")


class FileTransport:
    """Writes .eml files to the outbox folder when no SMTP server is configured."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @contextmanager
    def session(self):
        """Several messages in a row (as SmtpTransport.session); a folder needs no connection."""
        yield self

    def reset(self) -> None:
        pass

    def send(self, message: EmailMessage, envelope_from: str | None = None) -> None:
        if envelope_from:
            message["Return-Path"] = f"<{envelope_from}>"  # what a receiving server would write
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{int(message['X-Porch-Outbox-Id']):08d}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(bytes(message))
        os.replace(temporary, self.directory / name)


class SmtpTransport:
    """smtp://user:pass@host:25, smtp://…?starttls=1, or smtps://host:465."""

    def __init__(self, url: str):
        self.url = urlparse(url)
        self.options = {k: v[-1] for k, v in parse_qs(self.url.query).items()}

    def send(self, message: EmailMessage, envelope_from: str | None = None) -> None:
        with self._connect() as smtp:
            smtp.send_message(message, from_addr=envelope_from)

    def _connect(self) -> smtplib.SMTP:
        url = self.url
        timeout = float(self.options.get("timeout", 30))
        if url.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                url.hostname, url.port or 465, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(url.hostname, url.port or 25, timeout=timeout)
        try:
            if url.scheme != "smtps" and self.options.get("starttls") in ("1", "true", "yes"):
                smtp.starttls(context=ssl.create_default_context())
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
        except BaseException:
            smtp.close()
            raise
        return smtp

    @contextmanager
    def session(self):
        """One connection for several messages (deliver_many), opened when the first is sent."""
        session = _SmtpSession(self)
        try:
            yield session
        finally:
            session.reset()


class _SmtpSession:
    """SmtpTransport's connection kept open from one message to the next; reset() drops it (after an error
    the connection's state is unknown: the next message opens a fresh one)."""

    def __init__(self, transport: SmtpTransport):
        self.transport = transport
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, envelope_from: str | None = None) -> None:
        if self.smtp is None:
            self.smtp = self.transport._connect()
        self.smtp.send_message(message, from_addr=envelope_from)

    def reset(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def sending_timeout(config) -> dt.timedelta:
    """How long a send may take before its row counts as abandoned (MAIL_SENDING_TIMEOUT, seconds)."""
    return dt.timedelta(seconds=config["MAIL_SENDING_TIMEOUT"])


def transport_for(config) -> FileTransport | SmtpTransport:
    if config.get("SMTP_URL"):
        return SmtpTransport(config["SMTP_URL"])
    return FileTransport(config["OUTBOX_DIR"])


def sweep() -> int:
    """Hand unsent rows (failed, never queued, or abandoned mid-send) to a job again; how many were queued.

    A row whose job still waits on a live worker is left to it."""
    with job_context() as app:
        due = OutboundEmail.due(app.config["MAIL_MAX_ATTEMPTS"], sending_timeout(app.config))
        return sum(send_now(row.id) for row in due.select(OutboundEmail.id))
