"""The bank queue: credits that matched no invoice wait for the board, who books each for an invoice or a person,
confirms a suggestion, or leaves it unbooked with a reason; each is done once, with who and when."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from blueprints.billing import allocation
from models.billing import BankFile, BankTransaction, Invoice, Receipt
from tests.blueprints.billing.bank import samples
from tests.blueprints.billing.bank.conftest import page

HTMX = {"HX-Request": "true"}


@pytest.fixture
def queued(estonia, login_as, client, upload):
    """The December statement booked: Kati's 200.00 waits as a suggestion for invoice 1003."""
    board = login_as("board")
    response = upload(samples.CAMT053_V02)
    bank_file_id = int(re.search(r"/files/(\d+)", response.location).group(1))
    client.submit(
        f"/alpha/admin/bank/files/{bank_file_id}/book", {}, form_page=f"/alpha/admin/bank/files/{bank_file_id}"
    )
    estonia.board = board
    estonia.tx = BankTransaction.get(BankTransaction.payer_name == "KARU KATI")
    estonia.path = f"/alpha/admin/bank/transactions/{estonia.tx.id}"
    return estonia


def paid(invoice) -> int:
    return Invoice.get_by_id(invoice.id).paid_total


def test_the_queue_lists_waiting_credits_and_the_home_page_says_how_many(queued, client):
    html = page(client.get("/alpha/admin/bank/queue"))
    assert "1 payment waits." in html and "KARU KATI" in html and "Invoice 1003 of Kati Karu?" in html
    assert "Mari Maasikas" not in html  # booked from the file
    assert f'hx-get="{queued.path}"' in html and f'href="{queued.path}"' in html  # opens without JavaScript too
    assert "1 payment waits in the bank queue" in page(client.get("/alpha/"))


def test_confirming_a_suggestion_books_it_and_it_leaves_the_queue(queued, client):
    html = page(client.get(queued.path))
    assert "Suggested: invoice 1003 to Kati Karu" in html
    response = client.submit(f"{queued.path}/confirm", {}, form_page=queued.path)
    assert response.status_code == 302
    assert paid(queued.i1003) == 20000
    tx = BankTransaction.get_by_id(queued.tx.id)
    assert (tx.state, tx.handled_by_id, tx.invoice_id) == ("booked", queued.board.id, queued.i1003.id)
    assert tx.handled_at is not None and Receipt.get_by_id(tx.receipt_id).bank_file_id == tx.file_id
    assert BankFile.get_by_id(tx.file_id).booked_count == 3
    queue = page(client.get("/alpha/admin/bank/queue"))
    assert "No payment waits" in queue and "Dealt with lately" in queue and "Invoice 1003" in queue
    assert "board" in queue  # who dealt with it
    assert "payments wait in the bank queue" not in page(client.get("/alpha/"))


def test_assigning_to_an_invoice_by_number(queued, client):
    response = client.submit(f"{queued.path}/assign", {"invoice_number": "1003"}, form_page=queued.path)
    assert response.status_code == 302
    assert paid(queued.i1003) == 20000
    receipt = Receipt.get_by_id(BankTransaction.get_by_id(queued.tx.id).receipt_id)
    assert (receipt.person_id, receipt.amount, receipt.source) == (queued.kati.id, 20000, "bank_file")


def test_assigning_to_a_paid_invoice_keeps_the_money_as_its_recipients_credit(queued, client):
    client.submit(f"{queued.path}/assign", {"invoice_number": "1002"}, form_page=queued.path)
    assert paid(queued.i1002) == 10000 and paid(queued.i1003) == 0
    with client.application.app_context():
        assert allocation.credit_of(queued.jyri) == 20000


def test_assigning_to_a_person_pays_their_oldest_then_keeps_credit(queued, client):
    response = client.submit(f"{queued.path}/assign", {"person": str(queued.kati.id)}, form_page=queued.path)
    assert response.status_code == 302
    assert paid(queued.i1003) == 20000
    tx = BankTransaction.get_by_id(queued.tx.id)
    assert (tx.state, tx.person_id, tx.invoice_id) == ("booked", queued.kati.id, None)
    file_page = page(client.get(f"/alpha/admin/bank/files/{tx.file_id}?show=booked"))
    assert "For Kati Karu" in file_page


def test_assign_needs_an_existing_invoice_or_a_person(queued, client):
    nothing = client.submit(f"{queued.path}/assign", {}, form_page=queued.path)
    assert nothing.status_code == 422 and "Give an invoice number or choose a person." in page(nothing)
    unknown = client.submit(f"{queued.path}/assign", {"invoice_number": "777"}, form_page=queued.path)
    assert unknown.status_code == 422 and "There is no invoice number 777." in page(unknown)
    assert BankTransaction.get_by_id(queued.tx.id).state == "suggested" and Receipt.select().count() == 2


@pytest.mark.parametrize("number", ["²", "1003²", "١٠٠٣", "99999999999"])
def test_an_invoice_number_of_other_than_ascii_digits_is_refused_with_a_message(queued, client, number):
    response = client.submit(f"{queued.path}/assign", {"invoice_number": number}, form_page=queued.path)
    assert response.status_code == 422 and f"There is no invoice number {number}." in page(response)
    assert BankTransaction.get_by_id(queued.tx.id).state == "suggested" and Receipt.select().count() == 2


def test_an_invoice_changed_meanwhile_is_said_and_nothing_is_booked(queued, client, monkeypatch):
    def raced(*args, **kwargs):  # what allocation.receive raises when another allocation came first
        raise allocation.AllocationError("The payment or the invoice changed meanwhile; try again.")

    monkeypatch.setattr(allocation, "receive", raced)
    for action, data in (("assign", {"invoice_number": "1003"}), ("confirm", {})):
        response = client.submit(f"{queued.path}/{action}", data, form_page=queued.path)
        assert response.status_code == 409 and "The payment or the invoice changed meanwhile" in page(response)
        assert "Book the payment" in page(response)  # still waiting: the board can try again
    tx = BankTransaction.get_by_id(queued.tx.id)
    assert (tx.state, tx.receipt_id, tx.handled_by_id) == ("suggested", None, None) and paid(queued.i1003) == 0


def test_ignoring_needs_a_reason_which_is_kept(queued, client):
    empty = client.submit(f"{queued.path}/ignore", {"reason": "  "}, form_page=queued.path)
    assert empty.status_code == 422 and "Say why this payment is not booked." in page(empty)
    assert BankTransaction.get_by_id(queued.tx.id).state == "suggested"
    response = client.submit(f"{queued.path}/ignore", {"reason": "Sent back to the payer"}, form_page=queued.path)
    assert response.status_code == 302
    tx = BankTransaction.get_by_id(queued.tx.id)
    assert (tx.state, tx.ignore_reason, tx.handled_by_id) == ("ignored", "Sent back to the payer", queued.board.id)
    assert tx.receipt_id is None and paid(queued.i1003) == 0
    assert "Why: Sent back to the payer" in page(client.get("/alpha/admin/bank/queue"))


def test_a_credit_is_dealt_with_once(queued, client):
    client.submit(f"{queued.path}/assign", {"person": str(queued.kati.id)}, form_page=queued.path)
    again = client.submit(f"{queued.path}/assign", {"person": str(queued.kati.id)}, form_page=queued.path)
    assert again.status_code == 409 and "dealt with already" in page(again)
    ignored = client.submit(f"{queued.path}/ignore", {"reason": "twice"}, form_page=queued.path)
    assert ignored.status_code == 409
    assert Receipt.select().where(Receipt.person == queued.kati.id).count() == 1
    assert BankTransaction.get_by_id(queued.tx.id).state == "booked"


def test_with_htmx_the_entry_is_swapped_in_place(queued, client):
    part = client.get(queued.path, headers=HTMX)
    html = page(part)
    assert html.lstrip().startswith('<div class="bank-queue-more bank-tx"') and "<html" not in html
    token = client.csrf(queued.path)
    done = client.post(f"{queued.path}/confirm", data={"csrf_token": token}, headers=HTMX)
    html = page(done)
    assert done.status_code == 200 and "€200.00 is booked for invoice 1003." in html and "<html" not in html
    # The queue row's word follows out of band: no longer "Waiting".
    assert (
        f'<span id="bank-tx-state-{queued.tx.id}" hx-swap-oob="true" class="state state-bank-booked">Booked</span>'
        in html
    )
    refused = client.post(f"{queued.path}/ignore", data={"csrf_token": token, "reason": ""}, headers=HTMX)
    # Booked a moment ago: htmx gets the entry's new state and why nothing more is done (a 409 is not swapped).
    assert refused.status_code == 200 and "This payment has been dealt with already." in page(refused)


def test_a_debit_is_not_in_the_queue_and_cannot_be_booked(queued, client):
    debit = BankTransaction.get(BankTransaction.kind == "debit")
    path = f"/alpha/admin/bank/transactions/{debit.id}"
    assert "Book the payment" not in page(client.get(path))
    response = client.submit(f"{path}/assign", {"person": str(queued.kati.id)}, form_page=path)
    assert response.status_code == 409
    assert BankTransaction.get_by_id(debit.id).state == "not_booked" and Receipt.select().count() == 2


def test_another_associations_transaction_is_not_found(queued, client, make_association, make_user, login):
    beta = make_association("beta")
    make_user(beta, "board@beta.example", "board")
    other = client.application.test_client()
    from tests.helpers import Client

    outsider = Client(other)
    login(outsider, "board@beta.example", slug="beta")
    assert outsider.get(f"/beta/admin/bank/transactions/{queued.tx.id}").status_code == 404
    assert outsider.get(f"/beta/admin/bank/files/{queued.tx.file_id}").status_code == 404


def test_queue_day_and_amount_are_those_of_the_bank(queued, client):
    html = page(client.get(queued.path))
    assert "Payment of €200.00" in html and "20 Dec 2026" in html and "üür detsember" in html
    assert dt.date(2026, 12, 20) == BankTransaction.get_by_id(queued.tx.id).booked_on


def test_each_open_entry_has_its_own_element_ids(queued, client):
    """Several entries open on one page: a label leads to its own entry's field (no repeated ids)."""
    html = page(client.get(queued.path, headers=HTMX))
    tx_id = queued.tx.id
    for name in ("invoice_number", "person", "reason"):
        assert f'id="tx{tx_id}-{name}"' in html and f'for="tx{tx_id}-{name}"' in html
        assert f'id="{name}"' not in html
    assert 'name="invoice_number"' in html and 'name="reason"' in html  # the fields keep their names
