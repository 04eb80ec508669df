"""Invoices reach everyone (issue 17, item 1; SPEC P7, B3a): by e-mail with the PDF, also to people
without an account, in their invoice language; on paper in one print batch per run; each invoice's
delivery state on the run's page, and "send again" for the failed ones. Nothing is sent twice."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import io
import re
import subprocess
from pathlib import Path

import pytest
from playhouse.test_utils import count_queries
from pypdf import PdfReader

from jobs import invoices as invoice_jobs
from models import OutboundEmail, Person
from models.billing import Charge, Invoice, InvoiceDelivery, InvoiceRun, PrintBatch
from models.register import Ownership
from tests.factories.billing import make_billing, make_unit

D = InvoiceDelivery


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


@pytest.fixture
def board(login_as, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 11, 20, 9, 0))
    return login_as("board")


def owner(alpha, number: str, surname: str, **person) -> Person:
    """A unit with a monthly fee, owned by a new person of the register (no account)."""
    unit = make_unit(alpha, number)
    found = Person.create(association=alpha, given_name="Anna", surname=surname, **person)
    Ownership.create(unit=unit, person=found, is_main=True)
    Charge.create(association=alpha, unit=unit, description="Monthly fee", amount=416700)
    return found


@pytest.fixture
def owners(alpha):
    make_billing(alpha)
    return {
        "mail": owner(alpha, "11", "Mailova", email="anna.mail@example.com", invoice_language="cs"),
        "paper": owner(
            alpha, "12", "Paper", invoice_by_email=False, invoice_by_paper=True,
            street="Storgatan 12", postcode="111 22", city="Stockholm",
        ),
        "nowhere": owner(alpha, "13", "Nowhere"),  # wants e-mail, the register has no address
        "both": owner(
            alpha, "14", "Both", email="both@example.com", invoice_by_paper=True,
            street="Ågatan 1", postcode="222 33", city="Lund",
        ),
    }  # fmt: skip


def run_december(client):
    return client.submit("/alpha/admin/invoice-runs", {"period": "2026-12", "issue_date": "2026-11-25"})


def mailed(app) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    ]


def state(person: Person, channel: str) -> str:
    return D.select(D.state).join(Invoice).where((Invoice.recipient == person) & (D.channel == channel)).scalar()


def test_a_run_reaches_every_owner_by_their_choice(app, client, board, owners, outbox):
    assert run_december(client).status_code == 302
    assert state(owners["mail"], D.EMAIL) == D.SENT
    assert state(owners["paper"], D.PAPER) == D.TO_PRINT
    assert state(owners["nowhere"], D.EMAIL) == D.NO_ADDRESS
    assert (state(owners["both"], D.EMAIL), state(owners["both"], D.PAPER)) == (D.SENT, D.TO_PRINT)
    assert D.select().where(D.channel == D.EMAIL).count() == 3  # the paper-only owner gets no mail

    messages = {m["To"]: m for m in mailed(app)}
    assert set(messages) == {"anna.mail@example.com", "both@example.com"}
    czech = messages["anna.mail@example.com"]
    invoice = Invoice.get(Invoice.recipient == owners["mail"])
    assert czech["Content-Language"] == "cs"
    assert czech["Subject"] == f"Předpis plateb {invoice.number} od Alpha Housing"
    (attachment,) = list(czech.iter_attachments())
    assert attachment.get_filename() == f"invoice-{invoice.number}.pdf"
    pdf_words = subprocess.run(["pdftotext", "-", "-"], input=attachment.get_content(), capture_output=True).stdout
    assert b"Anna Mailova" in pdf_words and b"Datum splatnosti" in pdf_words  # the PDF, in Czech too
    row = OutboundEmail.get(OutboundEmail.to_address == "anna.mail@example.com")
    assert row.recipient_user_id is None  # nobody's account: the register's address

    page = text(client.get(f"/alpha/admin/invoice-runs/{InvoiceRun.get().id}"))
    assert "Mailed: 2" in page and "No address: 1" in page and "Paper: 2" in page
    assert "Add the address to Anna Nowhere" in page and "To print" in page


def test_the_run_page_links_the_missing_address_to_the_person(client, board, owners, outbox):
    run_december(client)
    page = client.get(f"/alpha/admin/invoice-runs/{InvoiceRun.get().id}").get_data(as_text=True)
    assert f'href="/alpha/people/{owners["nowhere"].id}/edit"' in page


def test_send_again_after_the_address_is_fixed(app, client, board, owners, outbox):
    run_december(client)
    nowhere = D.select().join(Invoice).where(Invoice.recipient == owners["nowhere"]).get()
    refused = client.submit(
        f"/alpha/admin/deliveries/{nowhere.id}/send-again", {}, form_page="/alpha/admin/invoice-runs"
    )
    assert refused.status_code == 302 and D.get_by_id(nowhere.id).state == D.NO_ADDRESS
    Person.update(email="found@example.com").where(Person.id == owners["nowhere"].id).execute()
    client.submit(f"/alpha/admin/deliveries/{nowhere.id}/send-again", {}, form_page="/alpha/admin/invoice-runs")
    fixed = D.get_by_id(nowhere.id)
    assert fixed.state == D.SENT and fixed.to_address == "found@example.com"
    assert any(m["To"] == "found@example.com" for m in mailed(app))


def test_a_job_run_twice_sends_each_invoice_once(app, client, board, owners, outbox):
    run_december(client)
    ids = [d.id for d in D.select().where(D.channel == D.EMAIL)]
    with app.app_context():
        assert invoice_jobs.mail_invoices(ids) == {"mailed": 0, "failed": 0, "skipped": 3}
        assert invoice_jobs.sweep() == 0
    assert OutboundEmail.select().count() == 2 and len(mailed(app)) == 2


def test_a_run_made_again_sends_nothing_twice(client, board, owners, outbox):
    run_december(client)
    run_december(client)
    assert D.select().count() == 5 and OutboundEmail.select().count() == 2


def test_a_mail_that_fails_for_good_shows_why_and_goes_again(app, client, board, owners, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    smtp_server.stop()
    run_december(client)
    failed = D.get((D.channel == D.EMAIL) & (D.to_address == "anna.mail@example.com"))
    assert failed.state == D.FAILED and "Connection refused" in failed.error
    run_id = InvoiceRun.get().id
    page = text(client.get(f"/alpha/admin/invoice-runs/{run_id}"))
    assert "Failed: 2" in page and "Connection refused" in page and "Send the 2 failed invoices again" in page

    smtp_server.start()
    app.config["MAIL_MAX_ATTEMPTS"] = 8
    client.submit(f"/alpha/admin/invoice-runs/{run_id}/send-again", {}, form_page=f"/alpha/admin/invoice-runs/{run_id}")
    assert D.get_by_id(failed.id).state == D.SENT
    assert sorted(m["X-Envelope-To"] for m in smtp_server.wait_for(2)) == ["anna.mail@example.com", "both@example.com"]


def test_single_invoices_and_credit_notes_go_out_too(app, client, board, owners, outbox):
    mail = owners["mail"]
    response = client.submit(
        "/alpha/admin/invoices/new",
        {"recipient": mail.id, "issue_date": "2026-11-20", "lines-0-description": "Key", "lines-0-amount": "250"},
    )
    assert response.status_code == 302
    invoice = Invoice.get(Invoice.recipient == mail)
    assert state(mail, D.EMAIL) == D.SENT
    client.submit(f"/alpha/admin/invoices/{invoice.id}/credit", {"reason": "Wrong key"})
    note = Invoice.get(Invoice.kind == Invoice.CREDIT_NOTE)
    assert D.get((D.invoice == note) & (D.channel == D.EMAIL)).state == D.SENT
    subjects = [m["Subject"] for m in mailed(app)]
    assert any(s.startswith(f"Dobropis {note.number}") for s in subjects)
    page = text(client.get(f"/alpha/admin/invoices/{invoice.id}"))
    assert "Delivery" in page and "Mailed" in page


def test_the_print_batch_is_one_pdf_in_the_chosen_order_with_progress(app, client, board, owners, outbox):
    run_december(client)
    run = InvoiceRun.get()
    page = text(client.get(f"/alpha/admin/invoice-runs/{run.id}"))
    assert "Make the print batch" in page
    response = client.submit(
        f"/alpha/admin/invoice-runs/{run.id}/print-batch",
        {"order": "postcode"},
        form_page=f"/alpha/admin/invoice-runs/{run.id}",
    )
    assert response.status_code == 302
    batch = PrintBatch.get()
    assert (batch.state, batch.done, batch.total, batch.order) == (PrintBatch.READY, 2, 2, "postcode")
    assert {d.state for d in D.select().where(D.channel == D.PAPER)} == {D.PRINTED}
    download = client.get(f"/alpha/admin/print-batches/{batch.id}/pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "invoices-2026-12-paper.pdf" in download.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(download.data))
    assert len(reader.pages) == 2 == batch.pages
    first, second = (p.extract_text() for p in reader.pages)
    assert "111 22" in first and "222 33" in second  # by postcode
    status = client.get(f"/alpha/admin/print-batches/{batch.id}", headers={"HX-Request": "true"})
    assert "Download the print batch" in text(status) and "hx-trigger" not in status.get_data(as_text=True)

    client.submit(
        f"/alpha/admin/invoice-runs/{run.id}/print-batch",
        {"order": "name"},
        form_page=f"/alpha/admin/invoice-runs/{run.id}",
    )
    reader = PdfReader(io.BytesIO(client.get(f"/alpha/admin/print-batches/{batch.id}/pdf").data))
    first, second = (p.extract_text() for p in reader.pages)
    assert "Anna Both" in first and "Anna Paper" in second  # by name: Both before Paper
    assert PrintBatch.select().count() == 1  # one batch per run, made again


def test_a_print_batch_in_progress_polls_and_shows_how_far_it_got(app, client, board, owners, outbox):
    run_december(client)
    run = InvoiceRun.get()
    batch = PrintBatch.create(association=run.association, run=run, state=PrintBatch.RENDERING, done=1, total=2)
    part = client.get(f"/alpha/admin/print-batches/{batch.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 3s"' in part and "1 of 2 invoices" in part and '<progress max="2" value="1"' in part


def test_the_run_page_costs_the_same_queries_for_few_and_many_invoices(app, client, board, alpha, outbox):
    make_billing(alpha)
    for number in range(3):
        owner(alpha, f"{number + 1}", f"Few{number}")
    run_december(client)
    run = InvoiceRun.get()
    path = f"/alpha/admin/invoice-runs/{run.id}"
    client.get(path)
    with count_queries() as few:
        client.get(path)
    Invoice.delete().execute()
    InvoiceRun.delete().execute()
    for number in range(40):
        owner(alpha, f"{number + 10}", f"Many{number}")
    run_december(client)
    path = f"/alpha/admin/invoice-runs/{InvoiceRun.get().id}"
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count


def test_another_associations_run_delivery_and_batch_are_404(app, client, board, make_association, outbox):
    beta = make_association("beta")
    run = InvoiceRun.create(association=beta, period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31),
                            issue_date=dt.date(2026, 11, 25), due_date=dt.date(2026, 12, 9))  # fmt: skip
    batch = PrintBatch.create(association=beta, run=run)
    assert client.get(f"/alpha/admin/invoice-runs/{run.id}").status_code == 404
    assert client.get(f"/alpha/admin/print-batches/{batch.id}").status_code == 404
    assert client.get(f"/alpha/admin/print-batches/{batch.id}/pdf").status_code == 404
