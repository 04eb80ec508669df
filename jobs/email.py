"""Writing mail to the outbox, and the job that sends one row (SPEC C5)."""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import os
import re
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import Template

from core import clock
from jobs import app_context
from jobs.queue import enqueue
from models import Association, OutboundEmail, User

log = logging.getLogger(__name__)


def queue_mail(
    kind: str,
    to_address: str,
    *,
    language: str,
    association: Association | None = None,
    user: User | None = None,
    attachment: tuple[str, bytes] | None = None,
    **context,
) -> OutboundEmail:
    """Write one mail to the outbox and send it once the transaction commits.

    Renders templates/email/<kind>.txt and .html in the recipient's language;
    the text template sets `subject`. Call inside models.db.transaction() so the
    row and the change that caused it commit together. `attachment` is one file
    (name, bytes) sent with the mail, kept under UPLOAD_DIR/attachments/ until then.
    """
    context.update(association=association, user=user)
    with force_locale("en_GB" if language == "en" else language):  # European dates in English mail
        subject, text = _render_text(f"email/{kind}.txt", context)
        html = render_template(f"email/{kind}.html", **context)
    attachment_path, attachment_name = _store_attachment(attachment) if attachment else (None, "")
    row = OutboundEmail.create(
        association=association,
        recipient_user=user,
        to_address=to_address,
        kind=kind,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        next_attempt_at=clock.utcnow_naive() + dt.timedelta(minutes=1),
        attachment_path=attachment_path,
        attachment_name=attachment_name,
    )
    enqueue(deliver, row.id, job_id=job_id_for(row.id))
    return row


def job_id_for(row_id: int) -> str:
    return f"outbox-{row_id}"


ATTACHMENTS = "attachments"
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def _store_attachment(attachment: tuple[str, bytes]) -> tuple[str, str]:
    """Write the file under a name the server makes up; (path relative to UPLOAD_DIR, name the reader sees)."""
    name, body = attachment
    name = Path(str(name).replace("\\", "/")).name.strip() or "attachment"
    suffix = Path(name).suffix.lower()
    stored = f"{ATTACHMENTS}/{secrets.token_hex(16)}{suffix if _SAFE_SUFFIX.match(suffix) else '.bin'}"
    path = attachment_file(stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(body)
    os.replace(partial, path)  # a sender never reads half a file
    return stored, name[:200]


def attachment_file(stored: str) -> Path:
    """The file of an outbox row's attachment (never outside UPLOAD_DIR/attachments/)."""
    directory = (Path(current_app.config["UPLOAD_DIR"]) / ATTACHMENTS).resolve()
    path = (Path(current_app.config["UPLOAD_DIR"]) / stored).resolve()
    if path.parent != directory:
        raise ValueError(f"attachment outside {directory}: {stored!r}")
    return path


def _render_text(name: str, context: dict) -> tuple[str, str]:
    template: Template = current_app.jinja_env.get_template(name)
    current_app.update_template_context(context)
    module = template.make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return subject, str(module).strip() + "\n"


def deliver(row_id: int) -> str:
    """Send one outbox row. Idempotent: a row already sent, or being sent, is skipped."""
    with app_context() as app:
        if not _claim(row_id):
            return "skipped"
        row = OutboundEmail.get_by_id(row_id)
        try:
            transport_for(app.config).send(build_message(row, app.config["MAIL_FROM"]))
        except Exception as exc:
            _mark_failed(row, exc)
            raise
        OutboundEmail.update(status=OutboundEmail.SENT, sent_at=clock.utcnow_naive(), last_error="").where(
            OutboundEmail.id == row_id
        ).execute()
        if row.attachment_path:  # sent: the copy (an invoice, a list of residents) is not kept
            attachment_file(row.attachment_path).unlink(missing_ok=True)
        return "sent"


def _claim(row_id: int) -> bool:
    """Move the row to 'sending' unless it is sent or another worker holds it."""
    now = clock.utcnow_naive()
    E = OutboundEmail
    claimable = E.status.in_([E.QUEUED, E.FAILED]) | ((E.status == E.SENDING) & (E.claimed_at < now - E.STALE_AFTER))
    updated = (
        E.update(status=E.SENDING, claimed_at=now, attempts=E.attempts + 1)
        .where((E.id == row_id) & claimable)
        .execute()
    )
    return updated == 1


def _mark_failed(row: OutboundEmail, exc: Exception) -> None:
    attempts = row.attempts
    backoff = dt.timedelta(seconds=min(60 * 2**attempts, 6 * 3600))
    OutboundEmail.update(
        status=OutboundEmail.FAILED,
        last_error=f"{type(exc).__name__}: {exc}"[:1000],
        next_attempt_at=clock.utcnow_naive() + backoff,
    ).where(OutboundEmail.id == row.id).execute()
    log.warning("mail %s failed (attempt %s): %s", row.id, attempts, exc)


def build_message(row: OutboundEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=dt.UTC))
    message["X-Porch-Outbox-Id"] = str(row.id)
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    if row.attachment_path:
        _attach(message, row)
    # After the content: set_content() clears every Content-* header.
    message["Content-Language"] = row.language
    return message


def _attach(message: EmailMessage, row: OutboundEmail) -> None:
    body = attachment_file(row.attachment_path).read_bytes()
    mimetype = mimetypes.guess_type(row.attachment_name)[0] or "application/octet-stream"
    maintype, subtype = mimetype.split("/", 1)
    message.add_attachment(body, maintype=maintype, subtype=subtype, filename=row.attachment_name or "attachment")


class FileTransport:
    """Writes .eml files to the outbox folder when no SMTP server is configured."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
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

    def send(self, message: EmailMessage) -> None:
        url = self.url
        timeout = float(self.options.get("timeout", 30))
        if url.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                url.hostname, url.port or 465, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(url.hostname, url.port or 25, timeout=timeout)
        with smtp:
            if url.scheme != "smtps" and self.options.get("starttls") in ("1", "true", "yes"):
                smtp.starttls(context=ssl.create_default_context())
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(message)


def transport_for(config) -> FileTransport | SmtpTransport:
    if config.get("SMTP_URL"):
        return SmtpTransport(config["SMTP_URL"])
    return FileTransport(config["OUTBOX_DIR"])


def sweep() -> int:
    """Hand unsent rows (failed, never queued, or left mid-send) to a job again."""
    with app_context() as app:
        rows = list(OutboundEmail.due(app.config["MAIL_MAX_ATTEMPTS"]).select(OutboundEmail.id))
        for row in rows:
            enqueue(deliver, row.id, job_id=job_id_for(row.id))
        return len(rows)
