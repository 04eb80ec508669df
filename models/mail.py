"""What leaves by mail: the outbox, where every e-mail is a row before it is a message (SPEC C5),
and ordered PDFs (an invoice, a report) on their way to a mailbox."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from core import clock
from models.db import AssociationScoped, BaseModel
from models.portal import Association, User


class OutboundEmail(AssociationScoped, BaseModel):
    QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
    STATES = (QUEUED, SENDING, SENT, FAILED)

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
    # Non-essential mail (posts, newsletters) carries List-Unsubscribe with this one-click address.
    unsubscribe_url = pw.CharField(max_length=500, default="")
    # Whom an answer goes to when it is not the sender: a seeker writing to a landlord through a listing.
    reply_to = pw.CharField(max_length=300, default="")
    # A bounce that names this row (its VERP return address, bounce+<id>@…) marks it.
    bounced_at = pw.DateTimeField(null=True)
    bounce_reason = pw.TextField(default="")

    class Meta:
        indexes = ((("association", "created_at"), False),)

    @property
    def message_id(self) -> str:
        # Stable per row, so a duplicate delivery would be recognisable downstream.
        return f"<outbox-{self.id}@porch>"

    @classmethod
    def abandoned(cls, sending_timeout: dt.timedelta) -> pw.Expression:
        """Rows claimed for sending longer ago than a send can take: their sender died (a killed worker,
        a host that went down). Claiming one again is safe: it was never marked sent."""
        return (cls.status == cls.SENDING) & (cls.claimed_at < clock.utcnow_naive() - sending_timeout)

    @classmethod
    def due(cls, max_attempts: int, sending_timeout: dt.timedelta) -> pw.ModelSelect:
        """Rows the sweep should hand to a job again."""
        waiting = cls.status.in_([cls.QUEUED, cls.FAILED]) & (cls.attempts < max_attempts)
        ready = cls.next_attempt_at.is_null() | (cls.next_attempt_at <= clock.utcnow_naive())
        return cls.select().where((waiting & ready) | cls.abandoned(sending_timeout)).order_by(cls.id)


class OutboundAttachment(BaseModel):
    """More files for one outbox row (a mailing's attachments, a recipient's own PDF). `shared` files
    belong to something else (the mailing) and stay after sending; the others are removed once sent."""

    email = pw.ForeignKeyField(OutboundEmail, backref="attachments", on_delete="CASCADE")
    path = pw.CharField(max_length=200)  # under UPLOAD_DIR
    name = pw.CharField(max_length=200)
    shared = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("email",), False),)


class PdfOrder(AssociationScoped, BaseModel):
    """An ordered PDF (an invoice or a report) on its way to a mailbox: the row its orderer watches.

    `state` is where it is, as the page shows it: queued -> rendering (the PDF job has it) ->
    mailing (its mail is in the outbox) -> sent, or failed with the reason in `error`. The PDF job
    (jobs/pdf.py) writes the first steps, the mail job the last (core/orders.py, mail_settled).
    """

    QUEUED, RENDERING, MAILING, SENT, FAILED = "queued", "rendering", "mailing", "sent", "failed"
    FINISHED = (SENT, FAILED)
    INVOICE, REPORT = "invoice", "report"  # kinds: what the PDF is, and which domain makes it
    STATEMENT = "statement"  # a balance statement: report "statement", scope "person:<id>:<first>:<last>"

    association = pw.ForeignKeyField(Association, backref="pdf_orders", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, backref="pdf_orders", on_delete="CASCADE")
    # The ordered invoice (models/billing.py, which imports this module: resolved when Invoice is defined).
    invoice = pw.DeferredForeignKey("Invoice", null=True, backref="pdf_orders", on_delete="CASCADE")
    report = pw.CharField(max_length=20, null=True)  # report key, e.g. "tenants"
    report_scope = pw.CharField(max_length=40, default="")  # e.g. "building:3"; "" = everything one may see
    to_address = pw.CharField(max_length=254)
    language = pw.CharField(max_length=10, default="en")
    state = pw.CharField(max_length=10, default=QUEUED)
    error = pw.TextField(default="")
    email = pw.ForeignKeyField(OutboundEmail, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "user", "created_at"), False), (("invoice", "created_at"), False))

    @property
    def kind(self) -> str:
        if self.invoice_id is not None:
            return self.INVOICE
        return self.STATEMENT if self.report == self.STATEMENT else self.REPORT

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """A PDF order is its orderer's own: nobody else watches or reads it."""
        return cls.of(membership.association).where(cls.seen_by(membership.user_id))

    @classmethod
    def seen_by(cls, user_id) -> pw.Expression:
        """visible_to's rule; the user may be a PreparedSelect marker."""
        return cls.user == user_id
