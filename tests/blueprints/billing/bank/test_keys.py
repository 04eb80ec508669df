"""Each entry's key, which decides what "already imported" means: unique for its own account over time, never
the statement's running number (NtryRef) nor the file's list of accounts; and the preview looks keys up as
booking does, so what it says is what booking does."""

from __future__ import annotations

import re

from blueprints.billing.bank import bgmax, camt, gpc
from models.billing import BankFile, BankTransaction, Invoice, Receipt
from tests.blueprints.billing.bank import samples
from tests.blueprints.billing.bank.conftest import page

IBAN = "EE382200221020145685"
ENTRY_REF = re.compile(rb"\n        <AcctSvcrRef>[^<]*</AcctSvcrRef>")


def file_id(response) -> int:
    return int(re.search(r"/admin/bank/files/(\d+)", response.location).group(1))


def book(client, bank_file_id: int):
    path = f"/alpha/admin/bank/files/{bank_file_id}"
    return client.submit(f"{path}/book", {}, form_page=path)


def without_entry_refs(data: bytes) -> bytes:
    """The sample as banks send it that number their entries 1, 2, 3… each month: no entry-level AcctSvcrRef
    (the first entry keeps its transaction's Refs/AcctSvcrRef)."""
    stripped = ENTRY_REF.sub(b"", data)
    assert stripped.count(b"<AcctSvcrRef>") == 1 and stripped.count(b"<NtryRef>") == 4
    return stripped


# --- camt: which identifier keys an entry ---------------------------------------------------------------


def test_a_camt_entry_is_never_keyed_by_its_ntryref():
    statement = camt.parse(without_entry_refs(samples.CAMT053_V02))
    keys = [entry.key for entry in statement.entries]
    assert keys[0] == f"iso:{IBAN}:EE-2026-12-0001"  # the transaction's own AcctSvcrRef, in a single-entry Ntry
    assert all(key.startswith("h:") for key in keys[1:])  # nothing else: the content's fingerprint
    assert not any(key.endswith((":1", ":2", ":3", ":4")) for key in keys)


def test_a_senders_id_keys_an_entry_with_its_day_and_amount_and_notprovided_is_no_id():
    data = without_entry_refs(samples.CAMT053_V02).replace(
        b"<Refs><AcctSvcrRef>EE-2026-12-0001</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>",
        b"<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>",
    )
    assert camt.parse(data).entries[0].key.startswith("h:")
    with_id = data.replace(b"<EndToEndId>NOTPROVIDED</EndToEndId>", b"<EndToEndId>E2E-77</EndToEndId>")
    assert camt.parse(with_id).entries[0].key == f"iso:{IBAN}:id:20261203:41670:E2E-77"
    tx_id = data.replace(b"<EndToEndId>NOTPROVIDED</EndToEndId>", b"<TxId>TX-5</TxId><EndToEndId>E2E-77</EndToEndId>")
    assert camt.parse(tx_id).entries[0].key == f"iso:{IBAN}:id:20261203:41670:TX-5"


def test_next_months_statement_numbered_alike_is_booked_not_skipped(estonia, login_as, client, upload):
    """The bank numbers each statement's entries 1, 2, 3…: January's are new payments, not December's again,
    and the preview says so as booking does."""
    login_as("board")
    december = without_entry_refs(samples.CAMT053_V02)
    book(client, file_id(upload(december, "dec.xml")))
    assert Receipt.select().count() == 2
    january = december.replace(b"2026-12", b"2027-01")
    later = file_id(upload(january, "jan.xml"))
    preview = page(client.get(f"/alpha/admin/bank/files/{later}"))
    assert 'state-bank-duplicate">' not in preview
    # Mari's by reference; Jüri's "arve 10029" names an invoice paid in December: the board decides.
    assert preview.count('state-bank-matched">Will be booked') == 1
    assert preview.count('state-bank-suggested">Suggestion') == 2
    assert book(client, later).status_code == 302
    bank_file = BankFile.get_by_id(later)
    assert (bank_file.duplicate_count, bank_file.booked_count) == (0, 1)
    assert Receipt.select().count() == 3
    assert BankTransaction.select().where(BankTransaction.file == later).count() == 4


def test_the_preview_finds_an_entry_the_bank_redated_weeks_later_as_booking_does(estonia, login_as, client, upload):
    login_as("board")
    book(client, file_id(upload(samples.CAMT053_V02)))
    redated = samples.CAMT054_V08.replace(b"<BookgDt><Dt>2026-12-03</Dt>", b"<BookgDt><Dt>2027-01-20</Dt>")
    later = file_id(upload(redated, "late-notification.xml"))
    assert BankFile.get_by_id(later).duplicate_count == 1
    assert 'state-bank-duplicate">Already imported' in page(client.get(f"/alpha/admin/bank/files/{later}"))
    book(client, later)
    assert BankFile.get_by_id(later).duplicate_count == 1 and Receipt.select().count() == 2


# --- several accounts in one file -------------------------------------------------------------------------

OTHER_STMT = b"""    <Stmt>
      <Id>20261231-EE000000000000000000</Id>
      <Acct><Id><IBAN>EE000000000000000000</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">12.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-31</Dt></BookgDt>
        <AcctSvcrRef>EE-2026-12-0001</AcctSvcrRef>
        <AddtlNtryInf>Account fee</AddtlNtryInf>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>"""


def two_accounts(data: bytes) -> bytes:
    """The same statement with a second account's after it (whose entry has the same bank reference)."""
    return data.replace(b"  </BkToCstmrStmt>", OTHER_STMT)


def test_an_entry_has_the_same_key_alone_or_beside_another_accounts_statement():
    alone = camt.parse(samples.CAMT053_V02)
    both = camt.parse(two_accounts(samples.CAMT053_V02))
    assert [entry.key for entry in both.entries[:4]] == [entry.key for entry in alone.entries]
    assert both.entries[4].key == "iso:EE000000000000000000:EE-2026-12-0001" != both.entries[0].key
    assert both.account.startswith(f"{IBAN}, EE")  # the file's accounts, for display


def test_a_payment_in_a_one_account_and_a_two_account_file_is_booked_once(estonia, login_as, client, upload):
    login_as("board")
    book(client, file_id(upload(samples.CAMT053_V02, "dec.xml")))
    combined = file_id(upload(two_accounts(samples.CAMT053_V02), "all-accounts.xml"))
    preview = page(client.get(f"/alpha/admin/bank/files/{combined}"))
    assert preview.count('state-bank-duplicate">Already imported') == 4
    book(client, combined)
    assert BankFile.get_by_id(combined).duplicate_count == 4
    assert Receipt.select().count() == 2 and Invoice.get_by_id(estonia.i1001.id).paid_total == 41670
    assert BankTransaction.select().where(BankTransaction.file == combined).count() == 1  # the other account's fee


def test_bgmax_sections_and_gpc_statements_key_their_entries_by_their_own_account():
    sections = samples.BGMAX_LINES[1:16]
    other = [line.replace("0050501055", "0099887766", 1) if line.startswith("05") else line for line in sections]
    end = "7000000006000000020000000200000002".ljust(80)
    both = ("\r\n".join([samples.BGMAX_LINES[0], *sections, *other, end]) + "\r\n").encode("iso-8859-1")
    alone = [entry.key for entry in bgmax.parse(samples.BGMAX).entries]
    keys = [entry.key for entry in bgmax.parse(both).entries]
    assert keys[:4] == alone and all(":99887766:" in key for key in keys[4:])
    header = samples.GPC_LINES[0].replace("0000192000145399", "0000000123456789", 1)
    gpc_both = ("\r\n".join([*samples.GPC_LINES, header, *samples.GPC_LINES[1:]]) + "\r\n").encode("cp1250")
    alone = [entry.key for entry in gpc.parse(samples.GPC).entries]
    keys = [entry.key for entry in gpc.parse(gpc_both).entries]
    assert keys[:4] == alone and all(":123456789:" in key for key in keys[4:])
