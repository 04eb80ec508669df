"""Access matrix entries for the bank pages (issue 13 item 4): bank files, a CSV's column mapping, the bank queue
and its actions. All need invoices.manage (the board and the administrator); members and tenants get 403, beta's
board 403 (not a member of alpha).

In world(): `bank_file_id`, a camt.053 file of alpha in preview with its bytes kept (they are written once the
first request tells which app's UPLOAD_DIR that is); `csv_file_id`, a CSV file in preview; and
`bank_transaction_id`, a credit from a booked file waiting in the queue as a suggestion for an invoice of its own.
An empty post to the upload or to assign and ignore is refused (422); booking and discarding the previewed file
and confirming the suggestion succeed (302).
"""

import datetime as dt
import hashlib
import secrets
from pathlib import Path

from flask import appcontext_pushed

from models import Person
from models.billing import BankFile, BankTransaction, Invoice
from tests.access.common import BOARD_UP, LOGIN, holders_of
from tests.blueprints.billing.bank import samples


def managers(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.bank_files", "GET"): managers(),
    ("billing.bank_files", "POST"): managers(422),  # no file chosen
    ("billing.bank_file", "GET"): managers(),
    ("billing.bank_file_book", "POST"): managers(302),  # booked, back to the file
    ("billing.bank_file_discard", "GET"): managers(),
    ("billing.bank_file_discard", "POST"): managers(302),  # discarded, back to the list
    ("billing.bank_file_download", "GET"): managers(),
    ("billing.bank_file_mapping", "GET"): managers(),
    ("billing.bank_file_mapping", "POST"): managers(422),  # no columns chosen
    ("billing.bank_queue", "GET"): managers(),
    ("billing.bank_transaction", "GET"): managers(),
    ("billing.bank_transaction_assign", "POST"): managers(422),  # neither an invoice nor a person
    ("billing.bank_transaction_confirm", "POST"): managers(302),  # the suggestion booked, back to the queue
    ("billing.bank_transaction_ignore", "POST"): managers(422),  # no reason
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    member = Person.get((Person.user == users["member"]) & (Person.association == alpha))
    statement = _file(alpha, users, "camt053", samples.CAMT053_V02, "december.xml")
    csv = _file(alpha, users, "csv", samples.CSV_TEXT.encode(), "export.csv")
    booked = BankFile.create(
        association=alpha, format="camt053", original_name="november.xml", sha256="0" * 64, state=BankFile.BOOKED,
        transaction_count=1,
    )  # fmt: skip
    invoice = Invoice.create(
        association=alpha, number=9301, recipient=member, recipient_name=member.full_name,
        issue_date=dt.date(2026, 11, 1), due_date=dt.date(2026, 11, 30), currency=alpha.currency, net_total=20000,
        total=20000,
    )  # fmt: skip
    waiting = BankTransaction.create(
        association=alpha, file=booked, key="iso:TEST:1", booked_on=dt.date(2026, 11, 20), amount=20000,
        currency=alpha.currency, payer_name=member.full_name, state=BankTransaction.SUGGESTED, invoice=invoice,
        person=member,
    )  # fmt: skip
    return {"bank_file_id": statement.id, "csv_file_id": csv.id, "bank_transaction_id": waiting.id}


def _file(alpha, users, format: str, data: bytes, name: str) -> BankFile:
    stored_name = f"bank-{secrets.token_hex(16)}.dat"
    _write_when_the_app_runs(alpha.id, stored_name, data)
    return BankFile.create(
        association=alpha, format=format, original_name=name, stored_name=stored_name,
        sha256=hashlib.sha256(data).hexdigest(), created_by=users["board"],
    )  # fmt: skip


def _write_when_the_app_runs(association_id: int, stored_name: str, body: bytes) -> None:
    """Keep the file where the app keeps bank files, once the first request tells which app that is
    (world() runs outside an application context; see faults.py)."""

    def write(app, **_extra):
        appcontext_pushed.disconnect(write)
        directory = Path(app.config["UPLOAD_DIR"]) / "bank" / str(association_id)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / stored_name).write_bytes(body)

    appcontext_pushed.connect(write, weak=False)
