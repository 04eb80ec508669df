"""An invoice PDF mailed as an attachment with its files kept in S3 (STORAGE_URL=s3://…, a real S3 API server
on loopback): the PDF waits in the bucket until the mail is sent, goes out whole, and the copy is removed."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from models import OutboundEmail
from tests.blueprints.billing import test_pdf_orders
from tests.blueprints.billing.test_pdf_orders import order, pdf_attachments

resident = test_pdf_orders.resident  # the fixture: a member with an invoice of their own, logged in


def test_the_ordered_pdf_is_mailed_from_the_bucket_and_its_copy_removed(
    app,
    client,
    resident,
    smtp_server,
    s3_storage,
    s3_server,
):
    user, invoice = resident
    assert order(client, invoice).status_code == 302
    (mail,) = OutboundEmail.select().where(OutboundEmail.kind == "invoice_pdf")
    assert mail.status == OutboundEmail.SENT and mail.attachment_name == f"invoice-{invoice.number}.pdf"
    (message,) = smtp_server.messages
    assert message["To"] == user.email
    (body,) = pdf_attachments(message)
    assert body.startswith(b"%PDF-") and len(body) > 1000
    assert s3_server.keys(s3_storage["bucket"]) == []  # sent: the attachment's copy is gone from the bucket
    assert not Path(app.config["UPLOAD_DIR"]).exists()


def test_a_mail_waiting_to_be_sent_keeps_its_pdf_in_the_bucket(app, alpha, outbox, s3_storage, s3_server):
    from core.mail import attachment_file, queue_mail
    from jobs.email import build_message
    from models.db import transaction

    with app.test_request_context():
        with transaction():
            row = queue_mail(
                "reset", "a@example.com", language="en", association=alpha, link="http://porch.test/r/x",
                attachment=("../../etc/invoice-7.pdf", b"%PDF-1.7 kept in S3"),
            )  # fmt: skip
            (stored,) = s3_server.keys(s3_storage["bucket"])
            assert stored == f"porch/{row.attachment_path}" and stored.startswith("porch/attachments/")
            assert "invoice" not in stored  # a server-made name
            message = build_message(OutboundEmail.get_by_id(row.id), "porch@example.com")
            (part,) = list(message.iter_attachments())
            assert part.get_content() == b"%PDF-1.7 kept in S3" and part.get_filename() == "invoice-7.pdf"
        assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT
        assert not attachment_file(row.attachment_path).exists()
    (eml,) = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    sent = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert [p.get_content() for p in sent.iter_attachments()] == [b"%PDF-1.7 kept in S3"]
    assert s3_server.keys(s3_storage["bucket"]) == []
