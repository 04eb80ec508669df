"""The balance statement as a PDF (issue 13): read back with pdftotext, its figures add up and say the same as
the page; the late interest's working is printed; names are text, never markup."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from blueprints.billing import allocation, statement_pdf
from models.billing import Invoice
from tests.blueprints.billing.test_ledger import credit_note, interest_invoice, invoice
from tests.factories.billing import make_billing


def pdf_text(body: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed: run `make test`, which installs poppler-utils")
    path = tmp_path / "statement.pdf"
    path.write_bytes(body)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    return done.stdout.replace("\u00a0", " ")


def amount_after(text: str, label: str) -> int:
    """The amount printed on the summary line starting with `label`, in minor units (SEK, English)."""
    match = re.search(re.escape(label) + r"[^\n]*?(-?)SEK\s?([\d,]+)\.(\d\d)", text)
    assert match, f"{label!r} not found in:\n{text}"
    sign = -1 if match.group(1) else 1
    return sign * int(match.group(2).replace(",", "") + match.group(3))


@pytest.fixture
def ctx(app, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    with app.test_request_context():
        yield


def test_the_printed_statement_adds_up(ctx, alpha, make_person, tmp_path):
    make_billing(alpha)
    dana = make_person(alpha, given_name="Dana", surname="<b>Debtor</b>")
    old = invoice(alpha, dana, dt.date(2025, 12, 15))
    b = invoice(alpha, dana, dt.date(2026, 1, 15))
    c = invoice(alpha, dana, dt.date(2026, 2, 15))
    credit_note(alpha, c, 2500, dt.date(2026, 3, 1), Invoice.WRITE_OFF)
    allocation.receive(dana, 16000, dt.date(2026, 3, 10))
    interest_invoice(alpha, dana, dt.date(2026, 5, 1), b, dt.date(2026, 2, 1), dt.date(2026, 3, 10), 10000)
    assert old.number
    text = pdf_text(statement_pdf.render_statement(dana, dt.date(2026, 1, 1), dt.date(2026, 12, 31), "en"), tmp_path)
    opening = amount_after(text, "Opening balance on")
    invoiced = amount_after(text, "+ Invoiced")
    interest = amount_after(text, "+ Late interest")
    paid = amount_after(text, "− Paid")
    credited = amount_after(text, "− Credited")
    closing = amount_after(text, "Closing balance on")
    assert (opening, invoiced, paid, credited) == (10000, 20000, 16000, 2500)
    assert interest == 83  # 38 days × 8 % × 100.00 ÷ 365 = 0.8329…, rounded to 0.83
    assert opening + invoiced + interest - paid - credited == closing
    assert "38 days × 8% × SEK 100.00 ÷ 365" in text
    assert "Dana <b>Debtor</b>" in text


def test_the_statement_says_how_to_pay_what_is_open(ctx, alpha, make_person, tmp_path):
    """A reminder's only paper is this statement: the payee, the account and each open invoice's reference."""
    from models.billing import BillingSettings

    make_billing(alpha)
    BillingSettings.update(payee_name="Brf Alpha", bankgiro="5050-1055").where(
        BillingSettings.association == alpha
    ).execute()
    dana = make_person(alpha, given_name="Dana", surname="Debtor")
    open_one = invoice(alpha, dana, dt.date(2026, 11, 15))
    Invoice.update(reference="1234561").where(Invoice.id == open_one.id).execute()
    settled = invoice(alpha, dana, dt.date(2026, 10, 15))
    allocation.receive(dana, settled.total, dt.date(2026, 10, 20), first=settled, settle_others=False)
    text = pdf_text(statement_pdf.render_statement(dana, dt.date(2026, 1, 1), dt.date(2026, 12, 31), "en"), tmp_path)
    assert "How to pay what is open" in text and "Pay to Brf Alpha" in text and "5050-1055" in text
    block = text.split("How to pay what is open")[1]
    assert "1234561" in block and str(open_one.number) in block and f"\n{settled.number} " not in block
