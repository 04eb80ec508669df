"""A bank's CSV: the board says once which column holds what; the next file from that bank is read at once."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from models.billing import BankFile, BankMapping, BillingSettings, Invoice
from tests.blueprints.billing.bank import samples
from tests.blueprints.billing.bank.conftest import page
from tests.factories.billing import make_billing, make_invoice

MAPPING = {
    "bank": "Swedbank",
    "encoding": "utf-8",
    "delimiter": ";",
    "booked_on": "Bokföringsdag",
    "date_format": "%Y-%m-%d",
    "amount": "Belopp",
    "decimal": ",",
    "reference": "Referens",
    "message": "Meddelande",
    "payer_name": "Avsändare",
    "bank_ref": "Verifikationsnummer",
}


@pytest.fixture
def sweden(app, alpha, make_person, frozen_clock, login_as):
    frozen_clock.set(dt.datetime(2026, 12, 10, 9))
    make_billing(alpha, reference_standard=BillingSettings.SE_OCR, ocr_length_digit=True)
    asa = make_person(alpha, given_name="Åsa", surname="Öberg")
    invoice = make_invoice(alpha, asa, lines=[("Avgift", 416700, 0)], reference="100164", number=1001)
    login_as("board")
    return invoice


def file_id(response) -> int:
    return int(re.search(r"/admin/bank/(?:files|csv)/(\d+)", response.location).group(1))


def test_a_new_banks_csv_goes_to_the_mapping_then_is_read_and_remembered(sweden, client, upload):
    response = upload(samples.CSV_TEXT.encode(), "swedbank-dec.csv")
    assert response.status_code == 302 and response.location.endswith("/mapping")
    bank_file_id = file_id(response)
    assert BankFile.get_by_id(bank_file_id).format == "csv"
    # The file page sends the board to the mapping until the columns are known.
    assert client.get(f"/alpha/admin/bank/files/{bank_file_id}").location.endswith("/mapping")
    mapping_page = page(client.get(response.location))
    assert "Which column holds what?" in mapping_page and "Cecilia Berg" in mapping_page  # the first rows
    assert '<option selected value="Belopp">Belopp</option>' in mapping_page  # guessed from the header
    saved = client.submit(response.location, MAPPING)
    assert saved.status_code == 302 and saved.location.endswith(f"/files/{bank_file_id}")
    row = BankMapping.get()
    assert row.bank == "Swedbank" and json.loads(row.mapping)["amount"] == "Belopp"
    preview = page(client.get(saved.location))
    assert 'state-bank-matched">Will be booked' in preview and "Vattenfall AB" in preview
    bank_file = BankFile.get_by_id(bank_file_id)
    assert (bank_file.transaction_count, bank_file.first_day) == (3, dt.date(2026, 12, 2))
    client.submit(f"/alpha/admin/bank/files/{bank_file_id}/book", {}, form_page=saved.location)
    assert Invoice.get_by_id(sweden.id).paid_total == 416700
    # January's file from the same bank: the same header, read at once.
    january = samples.CSV_TEXT.replace("2026-12", "2027-01").replace("V-000", "V-100")
    again = upload(january.encode(), "swedbank-jan.csv")
    assert again.status_code == 302 and not again.location.endswith("/mapping")
    assert BankFile.get_by_id(file_id(again)).transaction_count == 3


def test_a_mapping_without_an_amount_is_refused(sweden, client, upload):
    mapping_path = upload(samples.CSV_TEXT.encode(), "x.csv").location
    response = client.submit(mapping_path, {**MAPPING, "amount": ""})
    assert response.status_code == 422
    assert "Choose the amount column, or the credit and debit columns." in page(response)
    assert BankMapping.select().count() == 0


def test_a_mapping_that_cannot_read_the_rows_says_where(sweden, client, upload):
    mapping_path = upload(samples.CSV_TEXT.encode(), "x.csv").location
    response = client.submit(mapping_path, {**MAPPING, "decimal": "."})  # the file writes 4 167,00
    assert response.status_code == 422
    html = page(response)
    assert "cannot be read with these columns" in html and "Where: line 2" in html
    assert BankMapping.select().count() == 0


def test_a_latin1_export_is_read_with_its_letters(sweden, client, upload):
    mapping_path = upload(samples.CSV_TEXT.encode("iso-8859-1"), "latin.csv").location
    html = page(client.get(mapping_path))
    assert "Åsa Öberg" in html and '<option selected value="iso-8859-1">' in html
    client.submit(mapping_path, {**MAPPING, "encoding": "iso-8859-1"})
    bank_file = BankFile.get()
    assert "Åsa Öberg" in page(client.get(f"/alpha/admin/bank/files/{bank_file.id}"))


def test_only_a_previewed_csv_has_a_mapping(sweden, client, upload):
    bank_file_id = file_id(upload(samples.BGMAX, "bgmax.txt"))
    assert client.get(f"/alpha/admin/bank/csv/{bank_file_id}/mapping").status_code == 404


def test_an_encoding_the_file_is_not_in_is_refused_and_the_file_shown_as_first_read(sweden, client, upload):
    mapping_path = upload(samples.CSV_TEXT.encode("iso-8859-1"), "latin.csv").location
    response = client.submit(mapping_path, {**MAPPING, "encoding": "utf-8"})
    assert response.status_code == 422
    html = page(response)
    assert "not text in a known encoding" in html and "Åsa Öberg" in html
    assert BankMapping.select().count() == 0
