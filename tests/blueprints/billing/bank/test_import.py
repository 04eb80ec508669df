"""Importing a bank file as the board does: upload, preview, book or discard; the same or an overlapping file
books nothing twice; a malformed or hostile file is refused with what is wrong, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from blueprints.billing import allocation
from demo.bank_files import BankEntry, camt053
from models.billing import BankFile, BankTransaction, BillingSettings, Invoice, Payment, Receipt
from tests.blueprints.billing.bank import samples
from tests.blueprints.billing.bank.conftest import page
from tests.factories.billing import make_billing, make_invoice


def paid(invoice) -> int:
    return Invoice.get_by_id(invoice.id).paid_total


def stored_files(app) -> list[Path]:
    return [p for p in (Path(app.config["UPLOAD_DIR"]) / "bank").rglob("*") if p.is_file()]


def file_id(response) -> int:
    return int(re.search(r"/admin/bank/files/(\d+)", response.location).group(1))


def book(client, bank_file_id: int):
    path = f"/alpha/admin/bank/files/{bank_file_id}"
    return client.submit(f"{path}/book", {}, form_page=path)


# --- upload and preview ----------------------------------------------------------------------------------


def test_an_upload_is_previewed_and_nothing_is_booked(app, estonia, login_as, client, upload):
    login_as("board")
    response = upload(samples.CAMT053_V02, "dec-2026.xml")
    assert response.status_code == 302
    bank_file = BankFile.get_by_id(file_id(response))
    assert (bank_file.state, bank_file.format, bank_file.version) == ("preview", "camt053", "camt.053.001.02")
    assert (bank_file.account, bank_file.transaction_count, bank_file.duplicate_count) == ("EE382200221020145685", 4, 0)
    assert (bank_file.first_day, bank_file.last_day) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    html = page(client.get(response.location))
    assert "Preview: nothing is booked yet" in html
    assert html.count('state-bank-matched">Will be booked') == 2
    assert 'state-bank-suggested">Suggestion' in html
    assert "Invoice 1003</a> · Kati Karu" in html  # the suggestion names the invoice and its recipient
    assert 'state-bank-not_booked">Not booked' in html and "Money out" in html
    assert "Reference found in the message" in html  # Jüri's "arve 10029"
    assert "1 entry is not booked by the bank yet (pending) and is left out." in html
    assert "Book 2 payments" in html
    assert Receipt.select().count() == 0 and BankTransaction.select().count() == 0 and paid(estonia.i1001) == 0
    assert len(stored_files(app)) == 1


def test_booking_makes_payments_of_matched_credits_and_queues_the_rest(estonia, login_as, client, upload):
    board = login_as("board")
    bank_file_id = file_id(upload(samples.CAMT053_V02))
    response = book(client, bank_file_id)
    assert response.status_code == 302
    assert "2 payments were booked (€516.70). 1 waits in the bank queue." in page(client.get(response.location))
    assert paid(estonia.i1001) == 41670 and paid(estonia.i1002) == 10000 and paid(estonia.i1003) == 0
    receipts = list(Receipt.select().order_by(Receipt.id))
    assert [(r.person_id, r.amount, r.source, r.bank_file_id, r.received_on) for r in receipts] == [
        (estonia.mari.id, 41670, "bank_file", bank_file_id, dt.date(2026, 12, 3)),
        (estonia.jyri.id, 10000, "bank_file", bank_file_id, dt.date(2026, 12, 5)),
    ]
    assert all(r.recorded_by_id == board.id for r in receipts)
    assert {p.source for p in Payment.select()} == {"bank_file"}
    rows = {t.payer_name: t for t in BankTransaction.select()}
    assert rows["Mari Maasikas"].state == "booked" and rows["Mari Maasikas"].receipt_id == receipts[0].id
    assert rows["KARU KATI"].state == "suggested" and rows["KARU KATI"].invoice_id == estonia.i1003.id
    assert rows["Elektrilevi OÜ"].state == "not_booked" and rows["Elektrilevi OÜ"].receipt_id is None
    bank_file = BankFile.get_by_id(bank_file_id)
    assert (bank_file.state, bank_file.booked_count, bank_file.transaction_count) == ("booked", 2, 4)
    # Booking again does nothing.
    assert book(client, bank_file_id).status_code == 302
    assert Receipt.select().count() == 2


def test_the_booked_file_lists_what_became_of_each_entry(estonia, login_as, client, upload):
    login_as("board")
    bank_file_id = file_id(upload(samples.CAMT053_V02))
    book(client, bank_file_id)
    html = page(client.get(f"/alpha/admin/bank/files/{bank_file_id}"))
    assert html.count('state-bank-booked">Booked') == 2 and "Deal with it" in html
    only = page(client.get(f"/alpha/admin/bank/files/{bank_file_id}?show=not_booked"))
    assert "Elektrilevi OÜ" in only and "Mari Maasikas" not in only
    listed = page(client.get("/alpha/admin/bank"))
    assert "statement.xml" in listed and 'state-bank-file-booked">Booked' in listed
    assert "1 payment waits in the bank queue." in listed


def test_the_same_file_twice_is_refused_naming_the_earlier_upload(estonia, login_as, client, upload):
    login_as("board")
    first = file_id(upload(samples.CAMT053_V02, "dec.xml"))
    again = upload(samples.CAMT053_V02, "dec-again.xml")
    assert again.status_code == 422
    html = page(again)
    assert "dec-again.xml was uploaded before" in html and "(“dec.xml”)" in html
    assert f"/alpha/admin/bank/files/{first}" in html and "Nothing was stored." in html
    assert BankFile.select().count() == 1


def test_an_overlapping_file_books_nothing_twice(estonia, login_as, client, upload):
    login_as("board")
    book(client, file_id(upload(samples.CAMT053_V02)))
    # The bank's notification of the first credit, and a statement that repeats the month with one new credit.
    notified = file_id(upload(samples.CAMT054_V08, "notification.xml"))
    assert "Already imported" in page(client.get(f"/alpha/admin/bank/files/{notified}"))
    book(client, notified)
    assert BankFile.get_by_id(notified).duplicate_count == 1 and Receipt.select().count() == 2
    longer = samples.CAMT053_V02.replace(b"LHV-20261231-0001", b"LHV-20270105-0001").replace(
        b"<AcctSvcrRef>EE-2026-12-0004</AcctSvcrRef>", b"<AcctSvcrRef>EE-2026-12-0009</AcctSvcrRef>"
    )
    overlapping = file_id(upload(longer, "dec-corrected.xml"))
    preview = page(client.get(f"/alpha/admin/bank/files/{overlapping}"))
    assert preview.count('state-bank-duplicate">Already imported') == 3 and "In “statement.xml”" in preview
    book(client, overlapping)
    assert Receipt.select().count() == 2 and paid(estonia.i1001) == 41670  # never twice
    assert BankFile.get_by_id(overlapping).duplicate_count == 3
    assert BankTransaction.select().where(BankTransaction.file == overlapping).count() == 1  # the new one only
    assert BankTransaction.select().count() == 5


def test_a_postcode_in_a_strangers_message_goes_to_the_queue_not_to_the_invoice_it_resembles(
    estonia, login_as, client, upload
):
    """Kati's address holds 10029, the 7-3-1 reference of Jüri's invoice: the board is asked, nothing is booked."""
    login_as("board")
    entry = BankEntry(dt.date(2026, 12, 7), 5000, "", "Kati Karu", "Kati Karu, Pärnu mnt 5-12, 10029 Tallinn")
    bank_file_id = file_id(upload(camt053([entry], iban="EE382200221020145685", currency="EUR")))
    html = page(client.get(f"/alpha/admin/bank/files/{bank_file_id}"))
    assert 'state-bank-suggested">Suggestion' in html and 'state-bank-matched">' not in html
    assert "Invoice 1002</a> · Jüri Tamm" in html and "Reference found in the message" in html
    book(client, bank_file_id)
    assert Receipt.select().count() == 0 and paid(estonia.i1002) == 0
    tx = BankTransaction.get()
    assert (tx.state, tx.invoice_id) == ("suggested", estonia.i1002.id)


def test_a_credit_paying_more_than_its_invoice_settles_the_oldest_then_stays_as_credit(
    alpha, estonia, login_as, client, upload
):
    login_as("board")
    older = make_invoice(alpha, estonia.mari, lines=[("Fee", 5000, 0)], number=990, issue_date=dt.date(2026, 10, 1),
                         due_date=dt.date(2026, 10, 31))  # fmt: skip
    data = camt053([BankEntry(dt.date(2026, 12, 3), 50000, "10016", "Mari Maasikas")], iban="EE382200221020145685",
                   currency="EUR")  # fmt: skip
    book(client, file_id(upload(data)))
    assert paid(estonia.i1001) == 41670 and paid(older) == 5000  # the named invoice first, then the oldest
    with client.application.app_context():
        assert allocation.credit_of(estonia.mari) == 50000 - 41670 - 5000


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (samples.CAMT053_V02.replace(b"<Amt Ccy=\"EUR\">55.20</Amt>", b"<Amt Ccy=\"EUR\">55,20</Amt>", 1),
         "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt"),
        (samples.BGMAX.replace(b"000000000000800000310", b"00000000000080000X310"), "line 7"),
        (samples.GPC.replace(b"0000000000124000000250000", b"0000000000124000000250OOO"), "line 4"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused_with_where_and_nothing_stored(app, estonia, login_as, client, upload, data, where):
    login_as("board")
    response = upload(data, "broken.txt")
    assert response.status_code == 422
    html = page(response)
    assert "broken.txt was not read" in html and f"Where: {where}" in html and "Nothing was stored." in html
    assert BankFile.select().count() == 0 and stored_files(app) == []


def test_an_xml_bomb_is_refused(app, estonia, login_as, client, upload):
    login_as("board")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'.encode() for n in range(1, 10)
        )
        + b']><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol9;</Document>'
    )
    response = upload(bomb, "bomb.xml")
    assert response.status_code == 422
    assert "declares a document type" in page(response)
    assert BankFile.select().count() == 0 and stored_files(app) == []


def test_no_file_and_an_empty_file_are_refused(estonia, login_as, client, upload):
    login_as("board")
    token = client.csrf("/alpha/admin/bank")
    nothing = client.post("/alpha/admin/bank", data={"csrf_token": token})
    assert nothing.status_code == 422 and "Choose the bank file to upload." in page(nothing)
    response = upload(b"", "empty.xml")
    assert response.status_code == 422 and "empty.xml is empty." in page(response)
    assert BankFile.select().count() == 0


def test_a_file_over_the_size_cap_is_refused(app, estonia, login_as, client, upload, monkeypatch):
    from blueprints.billing.bank import importing

    login_as("board")
    monkeypatch.setattr(importing, "MAX_BYTES", 1000)
    response = upload(samples.CAMT053_V02, "big.xml")
    assert response.status_code == 422 and "big.xml is larger than" in page(response)
    assert BankFile.select().count() == 0


# --- debits, reversals and other formats -------------------------------------------------------------


def test_debits_and_reversals_are_shown_and_never_booked(
    alpha, app, login_as, client, upload, make_person, frozen_clock
):
    frozen_clock.set(dt.datetime(2026, 12, 1, 9))
    alpha.currency = "EUR"
    alpha.save()
    make_billing(alpha, reference_standard=BillingSettings.RF)
    peeter = make_person(alpha, given_name="Peeter", surname="Pood")
    liis = make_person(alpha, given_name="Liis", surname="Lepp")
    first = make_invoice(alpha, peeter, lines=[("Fee", 12000, 0)], reference="RF401001", number=1001)
    second = make_invoice(alpha, liis, lines=[("Fee", 18000, 0)], reference="RF131002", number=1002)
    login_as("board")
    bank_file_id = file_id(upload(samples.CAMT053_V04, "nov.xml"))
    assert "Reversal" in page(client.get(f"/alpha/admin/bank/files/{bank_file_id}"))
    book(client, bank_file_id)
    assert paid(first) == 12000 and paid(second) == 18000  # the batch's two transfers, each by its RF reference
    reversal = BankTransaction.get(BankTransaction.kind == "reversal")
    assert (reversal.state, reversal.receipt_id, reversal.amount) == ("not_booked", None, 5000)
    assert Receipt.select().count() == 2


def test_bgmax_with_swedish_ocr_numbers(alpha, app, login_as, client, upload, make_person, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 10, 9))
    make_billing(alpha, reference_standard=BillingSettings.SE_OCR, ocr_length_digit=True, bankgiro="5050-1055")
    asa = make_person(alpha, given_name="Åsa", surname="Öberg")
    bertil = make_person(alpha, given_name="Bertil", surname="Nilsson")
    fee = dict(lines=[("Avgift", 416700, 0)], issue_date=dt.date(2026, 11, 1), due_date=dt.date(2026, 11, 30))
    a1 = make_invoice(alpha, asa, reference="100164", number=1001, **fee)
    b2 = make_invoice(alpha, bertil, reference="100263", number=1002, **fee)
    b3 = make_invoice(alpha, bertil, reference="100362", number=1003, **fee)
    login_as("board")
    bank_file_id = file_id(upload(samples.BGMAX, "BGMAX.TXT"))
    assert BankFile.get_by_id(bank_file_id).format == "bgmax"
    book(client, bank_file_id)
    assert paid(a1) == 416700
    assert paid(b2) == 416700 and paid(b3) == 800000 - 416700  # one payment naming several invoices
    states = sorted((t.payer_name, t.kind, t.state) for t in BankTransaction.select())
    assert states == [
        ("Bertil Nilsson", "credit", "booked"),
        ("Cecilia Berg", "credit", "unmatched"),
        ("Åsa Öberg", "credit", "booked"),
        ("Åsa Öberg", "debit", "not_booked"),  # the deduction (TK21)
    ]


def test_gpc_with_czech_variable_symbols(alpha, app, login_as, client, upload, make_person, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    alpha.currency = "CZK"
    alpha.save()
    make_billing(alpha, reference_standard=BillingSettings.CZ_VS)
    jan = make_person(alpha, given_name="Jan", surname="Novák")
    marie = make_person(alpha, given_name="Marie", surname="Dvořáková")
    v1 = make_invoice(alpha, jan, lines=[("Zálohy", 416700, 0)], reference="1001", number=1001)
    v2 = make_invoice(alpha, marie, lines=[("Zálohy", 250000, 0)], reference="1002", number=1002)
    login_as("board")
    book(client, file_id(upload(samples.GPC, "vypis.gpc")))
    assert paid(v1) == 416700 and paid(v2) == 250000
    assert BankTransaction.get(BankTransaction.kind == "reversal").state == "not_booked"
    assert Receipt.select().count() == 2


# --- discarding, downloading ---------------------------------------------------------------------------


def test_discard_asks_first_then_keeps_nothing_and_allows_a_new_upload(app, estonia, login_as, client, upload):
    login_as("board")
    bank_file_id = file_id(upload(samples.CAMT053_V02))
    path = f"/alpha/admin/bank/files/{bank_file_id}/discard"
    assert "Discard statement.xml?" in page(client.get(path))
    assert BankFile.get_by_id(bank_file_id).state == "preview"
    response = client.submit(path, {})
    assert response.status_code == 302
    assert BankFile.get_by_id(bank_file_id).state == "discarded" and stored_files(app) == []
    assert Receipt.select().count() == 0
    again = upload(samples.CAMT053_V02, "again.xml")
    assert again.status_code == 302 and file_id(again) == bank_file_id  # the same row takes the file again
    assert BankFile.get_by_id(bank_file_id).state == "preview"


def test_a_booked_file_cannot_be_discarded(estonia, login_as, client, upload):
    login_as("board")
    bank_file_id = file_id(upload(samples.CAMT053_V02))
    book(client, bank_file_id)
    path = f"/alpha/admin/bank/files/{bank_file_id}/discard"
    assert "Only a file not booked yet can be discarded." in page(client.get(path))
    assert client.submit(path, {}).status_code == 409
    assert BankFile.get_by_id(bank_file_id).state == "booked"


def test_the_file_is_downloaded_as_uploaded(estonia, login_as, client, upload):
    login_as("board")
    bank_file_id = file_id(upload(samples.GPC, "vypis 12.gpc"))
    response = client.get(f"/alpha/admin/bank/files/{bank_file_id}/download")
    assert response.status_code == 200 and response.data == samples.GPC
    assert "attachment" in response.headers["Content-Disposition"]


# --- hostile text ----------------------------------------------------------------------------------------


def test_hostile_names_messages_and_file_names_are_inert(estonia, login_as, client, upload):
    login_as("board")
    hostile = camt053(
        [BankEntry(dt.date(2026, 12, 3), 1234, "", '<script>alert("n")</script>', "<img src=x onerror=alert(1)>")],
        iban="EE382200221020145685",
        currency="EUR",
    )
    response = upload(hostile, "<b>bold</b>.xml")
    bank_file_id = file_id(response)
    for path in (f"/alpha/admin/bank/files/{bank_file_id}", "/alpha/admin/bank"):
        html = page(client.get(path))
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    html = page(client.get(f"/alpha/admin/bank/files/{bank_file_id}"))
    assert "&lt;script&gt;alert(&#34;n&#34;)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    book(client, bank_file_id)
    queue = page(client.get("/alpha/admin/bank/queue"))
    assert "&lt;script&gt;" in queue and "<script>alert" not in queue


# --- speed: the preview's queries do not grow with the file -----------------------------------------------


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def test_the_preview_makes_the_same_queries_for_a_small_and_a_large_file(alpha, estonia, login_as, client, upload):
    login_as("board")
    counts = []
    for size, start in ((3, 0), (60, 100)):
        entries = []
        for n in range(start, start + size):
            make_invoice(alpha, estonia.kati, lines=[("Fee", 1000 + n, 0)], number=5000 + n, reference=f"5000{n}")
            entries.append(BankEntry(dt.date(2026, 12, 1) + dt.timedelta(days=n % 28), 1000 + n, f"x{n}", "Kati Karu"))
        bank_file_id = file_id(upload(camt053(entries, iban="EE382200221020145685", currency="EUR"), f"{size}.xml"))
        path = f"/alpha/admin/bank/files/{bank_file_id}"
        client.application.extensions.pop("porch.bank_previews", None)  # read and matched anew, not remembered
        counts.append(int(client.get(path).headers["X-Query-Count"]))
    assert counts[0] == counts[1], counts


def test_a_remembered_preview_is_not_used_once_another_file_is_booked(estonia, login_as, client, upload):
    login_as("board")
    statement = file_id(upload(samples.CAMT053_V02))
    notification = file_id(upload(samples.CAMT054_V08, "notification.xml"))
    assert 'state-bank-duplicate">' not in page(client.get(f"/alpha/admin/bank/files/{notification}"))
    book(client, statement)
    assert 'state-bank-duplicate">Already imported' in page(client.get(f"/alpha/admin/bank/files/{notification}"))


def test_an_entry_the_bank_dated_weeks_later_is_still_booked_once(estonia, login_as, client, upload):
    login_as("board")
    book(client, file_id(upload(samples.CAMT053_V02)))
    redated = samples.CAMT054_V08.replace(b"<BookgDt><Dt>2026-12-03</Dt>", b"<BookgDt><Dt>2027-01-20</Dt>")
    later = file_id(upload(redated, "late-notification.xml"))
    done = book(client, later)
    assert done.status_code == 302
    assert BankFile.get_by_id(later).duplicate_count == 1 and Receipt.select().count() == 2
    assert paid(estonia.i1001) == 41670
