"""Writing mail to the outbox (SPEC C5): every e-mail is a row before it is a message.

queue_mail() renders a mail in its recipient's language and writes the row in
the caller's transaction; the job `jobs.email.deliver` sends it once the
transaction commits. The language and the links a mail carries are decided
here too, so every domain words its mail the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from jinja2 import Template

from core import clock
from core.queue import dispatch, enqueue, job_function
from core.storage import FileHandle, key, storage
from core.text import locale_for
from models import Association, OutboundEmail, User

DELIVER = "jobs.email.deliver"
ATTACHMENTS = "attachments"
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def queue_mail(
    kind: str,
    to_address: str,
    *,
    language: str,
    association: Association | None = None,
    user: User | None = None,
    attachment: tuple[str, bytes] | None = None,
    unsubscribe_url: str = "",
    reply_to: str = "",
    **context,
) -> OutboundEmail:
    """Write one mail to the outbox and send it once the transaction commits.

    Renders templates/email/<kind>.txt and .html in the recipient's language;
    the text template sets `subject`. Call inside models.db.transaction() so the
    row and the change that caused it commit together. `attachment` is one file
    (name, bytes) sent with the mail, kept under attachments/ in the storage (core.storage) until then.
    """
    context.update(association=association, user=user)
    with force_locale(locale_for(language)):
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
        unsubscribe_url=unsubscribe_url,
        reply_to=reply_to,
    )
    send(row.id)
    return row


def send(row_id: int) -> None:
    """Hand an outbox row to the delivery job (after the commit); a row already waiting is not queued twice."""
    enqueue(DELIVER, row_id, job_id=job_id_for(row_id))


def send_now(row_id: int) -> bool:
    """Hand a row to the delivery job at once (the sweep); False if a live job for it is already waiting."""
    return dispatch(DELIVER, row_id, job_id=job_id_for(row_id))


# Who waits for an outbox row's outcome (an ordered PDF, an invoice's delivery): the dotted names of
# functions f(row_id, *, sent) the mail job calls once a row is sent or has failed for good.
_settled_listeners: list[str] = []


def on_settled(function: str) -> None:
    """Have `function` ("core.orders.mail_settled") told when an outbox row is sent or gives up."""
    if function not in _settled_listeners:
        _settled_listeners.append(function)


def settled(row_id: int, *, sent: bool) -> None:
    """The mail job's news for whoever waits on the row."""
    for name in _settled_listeners:
        job_function(name)(row_id, sent=sent)


def job_id_for(row_id: int) -> str:
    return f"outbox-{row_id}"


def mail_language(user: User | None, association: Association | None = None) -> str:
    """The recipient's language: their choice, else the association's, else English."""
    if user is not None and user.ui_language:
        return user.ui_language
    if association is not None:
        return association.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: BASE_URL when set, else the request's host. A job outside any request
    (the event reminders) builds it from BASE_URL (SERVER_NAME, else localhost, without one)."""
    base = current_app.config.get("BASE_URL")
    if not has_request_context():
        host = current_app.config.get("SERVER_NAME") or "localhost"
        path = current_app.url_map.bind(host, url_scheme=current_app.config["PREFERRED_URL_SCHEME"]).build(
            endpoint, values
        )
        return (base or f"{current_app.config['PREFERRED_URL_SCHEME']}://{host}").rstrip("/") + path
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _store_attachment(attachment: tuple[str, bytes]) -> tuple[str, str]:
    """Write the file under a name the server makes up; (its storage key, name the reader sees)."""
    name, body = attachment
    name = Path(str(name).replace("\\", "/")).name.strip() or "attachment"
    suffix = Path(name).suffix.lower()
    stored = f"{ATTACHMENTS}/{secrets.token_hex(16)}{suffix if _SAFE_SUFFIX.match(suffix) else '.bin'}"
    storage().put(key(stored), body)  # a sender never reads half a file
    return stored, name[:200]


def bounce_address(row_id: int, config) -> str | None:
    """The envelope sender of an outbox row (VERP): MAIL_BOUNCE_ADDRESS "bounce@example.org" becomes
    "bounce+<row id>@example.org", so a bounce names the mail it answers. None without the setting."""
    configured = config.get("MAIL_BOUNCE_ADDRESS")
    if not configured or "@" not in configured:
        return None
    local, _, domain = configured.rpartition("@")
    return f"{local}+{row_id}@{domain}"


def store_attachment(name: str, body: bytes) -> tuple[str, str]:
    """Keep a file for outbox rows (an OutboundAttachment's path and the name its reader sees)."""
    return _store_attachment((name, body))


def attachment_file(stored: str) -> FileHandle:
    """The file of an outbox row's attachment (never outside attachments/ in the storage)."""
    folder, _, name = str(stored).partition("/")
    if folder != ATTACHMENTS or "/" in name:
        raise ValueError(f"attachment outside {ATTACHMENTS}/: {stored!r}")
    return storage().file(key(ATTACHMENTS, name))


def _render_text(name: str, context: dict) -> tuple[str, str]:
    template: Template = current_app.jinja_env.get_template(name)
    current_app.update_template_context(context)
    module = template.make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return subject, str(module).strip() + "\n"
