"""Ordering an invoice PDF by mail, downloading it, and watching the order (SPEC B3, seed 000 "Beställ pdf").

Inline jobs (no REDIS_URL) for the behaviour; the last tests go end to end through a
real Redis, an RQ worker and the real SMTP server.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker

from blueprints.billing import invoice_pdf
from core import clock
from jobs import pdf as pdf_jobs
from models import OutboundEmail, Person
from models.mail import PdfOrder
from tests.factories.billing import make_billing, make_invoice, make_unit

ROOT = Path(__file__).resolve().parents[3]
HX = {"HX-Request": "true"}


@pytest.fixture
def resident(app, alpha, login_as):
    """A member of alpha with an invoice of their own; the client is logged in as them."""
    make_billing(alpha, bankgiro="5050-1055", iban="", bic="", reference_standard="se_ocr")
    user = login_as("member", "maja@alpha.example")
    person = Person.get(Person.user == user)
    person.street, person.postcode, person.city = "Ekvägen 3", "123 45", "Stockholm"
    person.save()
    invoice = make_invoice(alpha, person, unit=make_unit(alpha, "1102"), reference="10017")
    return user, invoice


def order(client, invoice, **kwargs):
    return client.submit(
        f"/alpha/invoices/{invoice.id}/pdf/order", {}, form_page=f"/alpha/invoices/{invoice.id}", **kwargs
    )


def status_part(client, order_id) -> str:
    response = client.get(f"/alpha/pdf-orders/{order_id}", headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def pdf_attachments(message) -> list[bytes]:
    return [part.get_content() for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]


# --- inline: ordering, mail, status ----------------------------------------------------------


def test_ordering_mails_one_pdf_to_the_account_address(app, client, resident, outbox):
    user, invoice = resident
    response = order(client, invoice)
    assert response.status_code == 302
    assert response.location.endswith(f"/alpha/invoices/{invoice.id}#invoice-pdf-{invoice.id}")

    (mail,) = outbox.rows(kind="invoice_pdf")
    assert mail.to_address == "maja@alpha.example"
    assert mail.status == OutboundEmail.SENT
    assert mail.attachment_name == f"invoice-{invoice.number}.pdf"
    (eml,) = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "maja@alpha.example"
    assert f"Invoice {invoice.number}" in message["Subject"]
    (body,) = pdf_attachments(message)
    assert body.startswith(b"%PDF-")
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == f"invoice-{invoice.number}.pdf"
    # Sent: the copy under UPLOAD_DIR is gone.
    assert not list((Path(app.config["UPLOAD_DIR"]) / "attachments").glob("*.pdf"))

    pdf_order = PdfOrder.get()
    assert pdf_order.user_id == user.id and pdf_order.email_id == mail.id and pdf_order.invoice_id == invoice.id
    assert pdf_order.state == PdfOrder.SENT  # the row says what the page shows
    part_html = status_part(client, pdf_order.id)
    assert "Sent" in part_html and "maja@alpha.example" in part_html
    assert "hx-trigger" not in part_html  # finished: polling stops
    assert "pdf-spinner" not in part_html


def test_running_the_job_twice_mails_once(app, client, resident, outbox):
    _, invoice = resident
    order(client, invoice)
    pdf_order = PdfOrder.get()
    with app.app_context():
        assert pdf_jobs.make_ordered_pdf(pdf_order.id) == "skipped"
    assert len(outbox.rows(kind="invoice_pdf")) == 1


def test_htmx_order_answers_with_the_component(app, client, resident, outbox):
    _, invoice = resident
    response = order(client, invoice, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="invoice-pdf-{invoice.id}"' in html
    assert "Sent" in html and "Order PDF again" in html
    assert f"/alpha/invoices/{invoice.id}/pdf" in html  # the download link


def test_the_invoice_page_offers_order_and_download(client, resident):
    _, invoice = resident
    html = client.get(f"/alpha/invoices/{invoice.id}").get_data(as_text=True)
    assert f'action="/alpha/invoices/{invoice.id}/pdf/order"' in html
    assert f'hx-post="/alpha/invoices/{invoice.id}/pdf/order"' in html
    assert "maja@alpha.example" in html  # says where it will be mailed
    assert "Download PDF" in html


def test_a_second_click_while_on_its_way_adds_no_order(app, client, resident, outbox):
    user, invoice = resident
    waiting = PdfOrder.create(
        association=invoice.association, user=user, invoice=invoice, to_address=user.email, language="en"
    )
    response = order(client, invoice, headers=HX)
    html = response.get_data(as_text=True)
    assert PdfOrder.select().count() == 1
    assert 'hx-trigger="every 2s"' in html and f"/alpha/pdf-orders/{waiting.id}" in html
    assert "Queued" in html
    assert outbox.rows() == []


def test_a_failing_render_shows_the_error_and_a_try_again_button(app, client, resident, outbox, monkeypatch):
    _, invoice = resident

    def broken(invoice):
        raise RuntimeError("font cache exploded")

    monkeypatch.setattr(invoice_pdf, "render_invoice", broken)
    order(client, invoice)
    pdf_order = PdfOrder.get()
    assert pdf_order.state == PdfOrder.FAILED
    assert pdf_order.email_id is None and outbox.rows() == []
    assert "could not be made" in pdf_order.error
    assert "exploded" not in pdf_order.error  # the details are for the log, not the resident

    html = status_part(client, pdf_order.id)
    assert "Failed" in html and "could not be made" in html
    assert "hx-trigger" not in html and "pdf-spinner" not in html
    assert "Try again" in html

    monkeypatch.undo()
    response = client.submit(f"/alpha/pdf-orders/{pdf_order.id}/retry", {}, form_page=f"/alpha/invoices/{invoice.id}")
    assert response.status_code == 302
    assert PdfOrder.get_by_id(pdf_order.id).error == ""
    assert len(outbox.rows(kind="invoice_pdf")) == 1
    assert "Sent" in status_part(client, pdf_order.id)


def test_a_render_left_by_a_dead_worker_ends_as_failed_not_a_spinner(app, client, resident, frozen_clock, outbox):
    user, invoice = resident
    stuck = PdfOrder.create(
        association=invoice.association,
        user=user,
        invoice=invoice,
        to_address=user.email,
        state=PdfOrder.RENDERING,
        updated_at=clock.utcnow_naive(),
    )
    assert 'hx-trigger="every 2s"' in status_part(client, stuck.id)
    frozen_clock.advance(dt.timedelta(minutes=11))
    html = status_part(client, stuck.id)
    assert "Failed" in html and "took too long" in html and "hx-trigger" not in html
    response = client.submit(f"/alpha/pdf-orders/{stuck.id}/retry", {}, form_page="/alpha/invoices", headers=HX)
    assert "Sent" in response.get_data(as_text=True)
    assert len(outbox.rows(kind="invoice_pdf")) == 1


def test_the_status_page_works_without_javascript(client, resident, outbox):
    user, invoice = resident
    waiting = PdfOrder.create(
        association=invoice.association, user=user, invoice=invoice, to_address=user.email, language="en"
    )
    html = client.get(f"/alpha/pdf-orders/{waiting.id}").get_data(as_text=True)
    assert "<html" in html and "Ordered PDF" in html
    assert f'href="/alpha/pdf-orders/{waiting.id}"' in html  # Refresh
    assert f"Invoice {invoice.number}" in html


def test_download_renders_the_pdf_as_an_attachment(client, resident):
    _, invoice = resident
    response = client.get(f"/alpha/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    assert response.data.startswith(b"%PDF-")


# --- privacy --------------------------------------------------------------------------------


def test_a_resident_cannot_reach_another_units_invoice_or_order(
    app, client, resident, alpha, make_user, login, new_client, outbox
):
    owner, invoice = resident
    order(client, invoice)
    pdf_order = PdfOrder.get()

    make_user(alpha, "neighbour@alpha.example", "member")
    other = new_client()
    login(other, "neighbour@alpha.example")
    assert other.get(f"/alpha/invoices/{invoice.id}/pdf").status_code == 404
    assert other.submit(f"/alpha/invoices/{invoice.id}/pdf/order", {}, form_page="/alpha/invoices").status_code == 404
    assert other.get(f"/alpha/pdf-orders/{pdf_order.id}").status_code == 404
    assert other.get(f"/alpha/pdf-orders/{pdf_order.id}", headers=HX).status_code == 404
    assert other.submit(f"/alpha/pdf-orders/{pdf_order.id}/retry", {}, form_page="/alpha/invoices").status_code == 404
    assert PdfOrder.select().count() == 1

    # The board reads every invoice, but an order is its orderer's own.
    make_user(alpha, "chair@alpha.example", "board")
    board = new_client()
    login(board, "chair@alpha.example")
    assert board.get(f"/alpha/invoices/{invoice.id}/pdf").status_code == 200
    assert board.get(f"/alpha/pdf-orders/{pdf_order.id}").status_code == 404


def test_a_retry_after_the_invoice_is_no_longer_theirs_mails_nothing(app, client, resident, outbox, monkeypatch):
    user, invoice = resident

    def broken(invoice):
        raise RuntimeError("font cache exploded")

    monkeypatch.setattr(invoice_pdf, "render_invoice", broken)
    order(client, invoice)
    pdf_order = PdfOrder.get()
    monkeypatch.undo()
    # Meanwhile the invoice was found to be someone else's: the register entry is no longer this user.
    Person.update(user=None).where(Person.user == user).execute()
    client.submit(f"/alpha/pdf-orders/{pdf_order.id}/retry", {}, form_page="/alpha/invoices")
    assert outbox.rows() == []
    assert PdfOrder.get_by_id(pdf_order.id).state == PdfOrder.FAILED


def test_a_mail_that_cannot_be_written_fails_the_order_not_a_spinner(app, client, resident, outbox, monkeypatch):
    _, invoice = resident

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pdf_jobs, "queue_mail", broken)
    order(client, invoice)
    pdf_order = PdfOrder.get()
    assert pdf_order.state == PdfOrder.FAILED and pdf_order.email_id is None
    html = status_part(client, pdf_order.id)
    assert "hx-trigger" not in html and "Try again" in html


def test_another_associations_invoice_is_404_through_ones_own_portal(
    app, client, resident, make_association, make_person, outbox
):
    beta = make_association("beta")
    make_billing(beta)
    stranger = make_person(beta, email="x@beta.example")
    foreign = make_invoice(beta, stranger)
    assert client.get(f"/alpha/invoices/{foreign.id}/pdf").status_code == 404
    assert client.submit(f"/alpha/invoices/{foreign.id}/pdf/order", {}, form_page="/alpha/invoices").status_code == 404


# --- end to end: Redis, an RQ worker, SMTP ------------------------------------------------------


def test_order_end_to_end_through_redis_a_worker_and_smtp(
    app, client, resident, redis, redis_url, smtp_server, database_url, tmp_path
):
    user, invoice = resident
    response = order(client, invoice, headers=HX)
    html = response.get_data(as_text=True)
    pdf_order = PdfOrder.get()
    assert "Queued" in html and 'hx-trigger="every 2s"' in html  # the web request only queued it
    assert redis.exists(f"rq:job:pdf-order-{pdf_order.id}")
    assert smtp_server.messages == []

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_server.url,
        "REDIS_URL": redis_url,
        "PORCH_INSTANCE_DIR": str(tmp_path),
        "UPLOAD_DIR": str(app.config["UPLOAD_DIR"]),
        "SECRET_KEY": "test",
    }
    # A real worker process: renders, queues the mail, then (same burst) delivers it.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rq.cli",
            "worker",
            "--worker-class",
            "worker.Worker",
            "--burst",
            "--url",
            redis_url,
            app.config["RQ_QUEUE"],
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    (message,) = smtp_server.wait_for(1)
    assert "maja@alpha.example" in message["X-Envelope-To"]
    (body,) = pdf_attachments(message)
    assert body.startswith(b"%PDF-")

    html = status_part(client, pdf_order.id)
    assert "Sent" in html and "hx-trigger" not in html

    # The job again (a retry racing the first run): nothing more is mailed.
    Queue(app.config["RQ_QUEUE"], connection=redis).enqueue(pdf_jobs.make_ordered_pdf, pdf_order.id)
    with app.app_context():
        SimpleWorker([Queue(app.config["RQ_QUEUE"], connection=redis)], connection=redis).work(burst=True)
    assert len(smtp_server.wait_for(2, timeout=1)) == 1
    assert OutboundEmail.select().count() == 1


def test_a_mail_that_gives_up_fails_its_order_in_the_row(app, client, resident, smtp_server, app_overrides):
    """The order waits as "mailing" while the mail server refuses; when the outbox gives up, the row says failed."""
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    smtp_server.stop()
    _, invoice = resident
    order(client, invoice)
    pdf_order = PdfOrder.get()
    assert pdf_order.state == PdfOrder.FAILED and pdf_order.email_id is not None
    assert pdf_order.error == "The mail could not be delivered."
    html = status_part(client, pdf_order.id)
    assert "Try again" in html and "hx-trigger" not in html

    smtp_server.start()
    app.config["MAIL_MAX_ATTEMPTS"] = 8
    client.submit(f"/alpha/pdf-orders/{pdf_order.id}/retry", {}, form_page="/alpha/invoices")
    assert PdfOrder.get_by_id(pdf_order.id).state == PdfOrder.SENT
    assert len(smtp_server.wait_for(1)) == 1
