"""The outbox: every e-mail is a row before it is a message (SPEC C5)."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from core import clock
from models.db import AssociationScoped, BaseModel
from models.portal import Association, User


class OutboundEmail(AssociationScoped, BaseModel):
    QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
    STATES = (QUEUED, SENDING, SENT, FAILED)
    # A 'sending' row older than this was left by a worker that died mid-send.
    STALE_AFTER = dt.timedelta(minutes=10)

    association = pw.ForeignKeyField(Association, null=True, on_delete="CASCADE")
    recipient_user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    to_address = pw.CharField(max_length=254)
    kind = pw.CharField(max_length=40)  # the template name, e.g. "activate"
    language = pw.CharField(max_length=10, default="en")
    subject = pw.CharField(max_length=255)
    body_text = pw.TextField()
    body_html = pw.TextField(default="")
    status = pw.CharField(max_length=10, default=QUEUED, index=True)
    attempts = pw.IntegerField(default=0)
    last_error = pw.TextField(default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    claimed_at = pw.DateTimeField(null=True)
    next_attempt_at = pw.DateTimeField(null=True)
    sent_at = pw.DateTimeField(null=True)
    # One file sent with the mail (an invoice or report PDF), under UPLOAD_DIR/attachments/.
    attachment_path = pw.CharField(max_length=200, null=True)
    attachment_name = pw.CharField(max_length=200, default="")

    class Meta:
        indexes = ((("association", "created_at"), False),)

    @property
    def message_id(self) -> str:
        # Stable per row, so a duplicate delivery would be recognisable downstream.
        return f"<outbox-{self.id}@porch>"

    @classmethod
    def due(cls, max_attempts: int) -> pw.ModelSelect:
        """Rows the sweep should hand to a job again."""
        now = clock.utcnow_naive()
        waiting = cls.status.in_([cls.QUEUED, cls.FAILED]) & (cls.attempts < max_attempts)
        ready = cls.next_attempt_at.is_null() | (cls.next_attempt_at <= now)
        stale = (cls.status == cls.SENDING) & (cls.claimed_at < now - cls.STALE_AFTER)
        return cls.select().where((waiting & ready) | stale).order_by(cls.id)
