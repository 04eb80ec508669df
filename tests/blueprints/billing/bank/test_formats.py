"""Reading bank files: camt.053 in three versions, camt.054, BgMax, GPC and CSV into one statement shape, and
refusing what is wrong with the line or element that is wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.billing.bank import bgmax, camt, csvfile, gpc
from blueprints.billing.bank.reading import Unmapped, read
from blueprints.billing.bank.statement import BankFileError
from tests.blueprints.billing.bank import samples


def entries_of(statement):
    return [(e.kind, e.amount, e.currency, e.reference, e.payer_name, e.booked_on) for e in statement.entries]


# --- ISO 20022 -------------------------------------------------------------------------------------


def test_camt053_v02_reads_entries_references_parties_and_leaves_pending_out():
    statement = camt.parse(samples.CAMT053_V02)
    assert (statement.format, statement.version) == ("camt053", "camt.053.001.02")
    assert statement.account == "EE382200221020145685"
    assert (statement.first_day, statement.last_day) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert entries_of(statement) == [
        ("credit", 41670, "EUR", "10016", "Mari Maasikas", dt.date(2026, 12, 3)),
        ("credit", 10000, "EUR", "", "Jüri Tamm", dt.date(2026, 12, 5)),
        ("debit", 5520, "EUR", "", "Elektrilevi OÜ", dt.date(2026, 12, 10)),
        ("credit", 20000, "EUR", "", "KARU KATI", dt.date(2026, 12, 20)),  # BookgDt as a DtTm
    ]
    first, second, debit = statement.entries[:3]
    assert first.payer_account == "EE471000001020145685" and first.value_on == dt.date(2026, 12, 3)
    assert second.message == "arve 10029 tasumine"
    assert debit.payer_account == "EE701700017000273007"  # money out: the creditor is the other side
    assert statement.left_out == 1  # the pending (PDNG) entry
    assert first.key == "iso:EE382200221020145685:EE-2026-12-0001"


def test_camt053_v04_splits_a_batch_booking_and_reads_a_reversal():
    statement = camt.parse(samples.CAMT053_V04)
    assert statement.version == "camt.053.001.04"
    assert entries_of(statement) == [
        ("credit", 12000, "EUR", "RF40 1001", "Peeter Pood", dt.date(2026, 11, 27)),
        ("credit", 18000, "EUR", "RF131002", "Liis Lepp", dt.date(2026, 11, 27)),
        ("reversal", 5000, "EUR", "RF401001", "Peeter Pood", dt.date(2026, 11, 28)),
    ]
    # Each transaction of the batch keeps its own bank reference: a later file repeats them.
    assert [e.key.rsplit(":", 1)[1] for e in statement.entries] == [
        "B-20261127-77-1",
        "B-20261127-77-2",
        "B-20261128-02",
    ]


def test_camt053_v08_reads_party_choice_status_code_and_the_end_to_end_id():
    statement = camt.parse(samples.CAMT053_V08)
    assert statement.version == "camt.053.001.08"
    assert entries_of(statement) == [
        ("credit", 416700, "CZK", "VS:1001", "Novák Jan", dt.date(2026, 12, 2)),
        ("credit", 250000, "CZK", "", "Dvořáková Marie", dt.date(2026, 12, 5)),
        ("credit", 10000, "EUR", "1001", "Novák Jan", dt.date(2026, 12, 7)),
    ]
    assert statement.entries[0].payer_account == "2213456789/6210"
    assert "/VS/1002/" in statement.entries[1].message


def test_camt054_is_read_with_the_same_keys_as_the_statement():
    notification = camt.parse(samples.CAMT054_V08)
    statement = camt.parse(samples.CAMT053_V02)
    assert (notification.format, notification.version) == ("camt054", "camt.054.001.08")
    assert entries_of(notification) == [("credit", 41670, "EUR", "10016", "Mari Maasikas", dt.date(2026, 12, 3))]
    assert notification.entries[0].key == statement.entries[0].key


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (("<Amt Ccy=\"EUR\">416.70</Amt>\n        <CdtDbtInd>", "<Amt Ccy=\"EUR\">41x.70</Amt>\n        <CdtDbtInd>"),
         "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", "is not an amount"),
        (("<Amt Ccy=\"EUR\">100.00</Amt>\n        <CdtDbtInd>CRDT", "<Amt Ccy=\"EUR\">100.005</Amt>\n        <CdtDbtInd>CRDT"),
         "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt", "more decimals"),
        (("<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DEBIT</CdtDbtInd>"),
         "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/CdtDbtInd", "CRDT or DBIT"),
        (("<BookgDt><Dt>2026-12-05</Dt></BookgDt>\n        <ValDt><Dt>2026-12-05</Dt></ValDt>", "<BookgDt><Dt>2026-12-32</Dt></BookgDt>"),
         "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/BookgDt/Dt", "not a date"),
        (("<Acct><Id><IBAN>EE382200221020145685</IBAN></Id>", "<Acct><Id></Id>"),
         "/Document/BkToCstmrStmt/Stmt[1]/Acct/Id", "no IBAN"),
        (("</Ntry>\n      <Ntry>\n        <NtryRef>2</NtryRef>", "</Ntry>\n      <Ntry>\n        <NtryRef>2</NtryRef></Ntry>"),
         "line", "not well formed"),
    ],
)  # fmt: skip
def test_a_wrong_element_is_named_by_its_path(change, where, words):
    old, new = change
    assert old in samples.CAMT053_V02.decode()
    with pytest.raises(BankFileError) as refused:
        camt.parse(samples.CAMT053_V02.decode().replace(old, new, 1).encode())
    assert refused.value.where.startswith(where)
    assert words in str(refused.value.message)


def test_a_batch_that_does_not_add_up_is_refused():
    broken = samples.CAMT053_V04.replace(b'<Amt Ccy="EUR">180.00</Amt>', b'<Amt Ccy="EUR">170.00</Amt>')
    with pytest.raises(BankFileError) as refused:
        camt.parse(broken)
    assert refused.value.where == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls"


def test_another_xml_message_is_not_a_statement():
    with pytest.raises(BankFileError) as refused:
        camt.parse(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>')
    assert refused.value.where == "/Document" and "camt.053" in str(refused.value.message)


@pytest.mark.parametrize(
    "hostile",
    [
        # The billion laughs: entities expanding into entities.
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol3;</BkToCstmrStmt></Document>',
        # An external entity that would read a file of the server.
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&xxe;</BkToCstmrStmt></Document>',
        # A document type alone, pointing elsewhere.
        b'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "http://example.org/camt.dtd"><Document/>',
    ],
)
def test_a_document_type_and_its_entities_are_refused(hostile):
    with pytest.raises(BankFileError) as refused:
        camt.parse(hostile)
    assert "document type" in str(refused.value.message)


def test_an_undeclared_entity_is_a_well_formedness_error():
    with pytest.raises(BankFileError) as refused:
        camt.parse(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&nope;</Document>')
    assert refused.value.where.startswith("line 1")


# --- BgMax -------------------------------------------------------------------------------------------


def test_bgmax_reads_payments_deductions_names_and_extra_references():
    statement = bgmax.parse(samples.BGMAX)
    assert statement.account == "50501055"
    assert entries_of(statement) == [
        ("credit", 416700, "SEK", "100164", "Åsa Öberg", dt.date(2026, 12, 2)),
        ("credit", 800000, "SEK", "100263", "Bertil Nilsson", dt.date(2026, 12, 2)),
        ("credit", 129000, "SEK", "", "Cecilia Berg", dt.date(2026, 12, 2)),
        ("debit", 12900, "SEK", "100560", "Åsa Öberg", dt.date(2026, 12, 2)),  # TK21, a deduction
    ]
    several = statement.entries[1]
    assert "100362" in several.message and "100461" in several.message and "Avgift nov och dec" in several.message
    assert statement.entries[2].message == "Hyra lgh 1102"
    assert statement.entries[0].key == "bgmax:50501055:20261202:20:000000000001"


@pytest.mark.parametrize(
    ("line", "replacement", "words"),
    [
        (3, "200009912346                   1001640000000000004167OO210000000000010          ", "digits"),
        (16, "15000000000000000000000584100000100982026120200042000000000001332700SEK00000004 ", "deposit"),
        (17, "7000000004000000010000000100000001                                              ", "counts"),
        (4, "99Åsa Öberg                                                                     ", "not a BgMax record"),
        (2, "05ABCDEFGHIJ          SEK                                                       ", "digits"),
    ],
)
def test_bgmax_errors_name_the_line(line, replacement, words):
    lines = list(samples.BGMAX_LINES)
    lines[line - 1] = replacement
    with pytest.raises(BankFileError) as refused:
        bgmax.parse(("\r\n".join(lines) + "\r\n").encode("iso-8859-1"))
    assert refused.value.where == f"line {line}"
    assert words in str(refused.value.message)


def test_bgmax_without_its_end_record_is_refused():
    with pytest.raises(BankFileError) as refused:
        bgmax.parse(("\r\n".join(samples.BGMAX_LINES[:-1])).encode("iso-8859-1"))
    assert "end record" in str(refused.value.message)


# --- GPC ---------------------------------------------------------------------------------------------


def test_gpc_reads_items_symbols_messages_and_storno():
    statement = gpc.parse(samples.GPC)
    assert statement.account == "19-2000145399"
    assert entries_of(statement) == [
        ("credit", 416700, "CZK", "1001", "Novák Jan", dt.date(2026, 12, 2)),
        ("credit", 250000, "CZK", "", "Dvořáková Marie", dt.date(2026, 12, 5)),
        ("debit", 1234500, "CZK", "", "ČEZ Prodej", dt.date(2026, 12, 10)),
        ("reversal", 100000, "CZK", "1001", "Novák Jan", dt.date(2026, 12, 15)),
    ]
    first = statement.entries[0]
    assert first.payer_account == "2213456789/6210"
    assert first.message == "KS 0308 Zaloha na sluzby 12/2026"  # constant symbol, then the 078 message
    assert first.key == "gpc:19-2000145399:0000000000123"


@pytest.mark.parametrize(
    ("line", "change", "words"),
    [
        (2, (60, "7"), "accounting code"),
        (4, (50, "X"), "digits"),
        (6, (93, "9"), "not a date"),  # value date 10/12/26 becomes 90/12/26
    ],
)
def test_gpc_errors_name_the_line(line, change, words):
    lines = list(samples.GPC_LINES)
    position, character = change
    lines[line - 1] = lines[line - 1][:position] + character + lines[line - 1][position + 1 :]
    with pytest.raises(BankFileError) as refused:
        gpc.parse(("\r\n".join(lines)).encode("cp1250"))
    assert refused.value.where == f"line {line}"
    assert words in str(refused.value.message)


def test_gpc_item_before_its_header_is_refused():
    with pytest.raises(BankFileError) as refused:
        gpc.parse(("\r\n".join(samples.GPC_LINES[1:])).encode("cp1250"))
    assert refused.value.where == "line 1"


# --- CSV ---------------------------------------------------------------------------------------------


def test_csv_header_rows_and_a_guessed_mapping():
    table = csvfile.read_table(samples.CSV_TEXT.encode(), ("utf-8",))
    assert table.delimiter == ";" and table.header[0] == "Bokföringsdag"
    mapping = csvfile.guess(table, "sv")
    assert (mapping["booked_on"], mapping["amount"], mapping["payer_name"]) == ("Bokföringsdag", "Belopp", "Avsändare")
    assert (mapping["reference"], mapping["message"], mapping["bank_ref"]) == (
        "Referens",
        "Meddelande",
        "Verifikationsnummer",
    )
    assert mapping["currency"] == "" and mapping["decimal"] == ","  # "Valutadag" is the value date
    statement = csvfile.parse(table, mapping, "SEK")
    assert entries_of(statement) == [
        ("credit", 416700, "SEK", "100164", "Åsa Öberg", dt.date(2026, 12, 2)),
        ("credit", 129000, "SEK", "", "Cecilia Berg", dt.date(2026, 12, 3)),
        ("debit", 35000, "SEK", "", "Vattenfall AB", dt.date(2026, 12, 4)),
    ]


def test_csv_in_latin1_is_read_as_such_and_a_czech_one_as_windows_1250():
    latin = csvfile.read_table(samples.CSV_TEXT.encode("iso-8859-1"), csvfile.encodings_for("sv"))
    assert latin.encoding == "iso-8859-1" and latin.rows[0][1][3] == "Åsa Öberg"
    czech = "Datum;Částka;Název protiúčtu\n02.12.2026;4167,00;Dvořáková Marie\n".encode("cp1250")
    table = csvfile.read_table(czech, csvfile.encodings_for("cs"))
    assert table.encoding == "cp1250" and table.header[1] == "Částka" and table.rows[0][1][2] == "Dvořáková Marie"


def test_csv_with_separate_credit_and_debit_columns():
    text = 'Date,Credit,Debit,Name\n31/12/2026,"1,250.00",,Ann Lee\n31/12/2026,,99.90,Power Ltd\n'
    table = csvfile.read_table(text.encode(), ("utf-8",))
    mapping = dict(booked_on="Date", amount="", credit="Credit", debit="Debit", payer_name="Name",
                   date_format="%d/%m/%Y", decimal=".")  # fmt: skip
    assert csvfile.problems(mapping, table.header) == {}
    statement = csvfile.parse(table, mapping, "EUR")
    assert [(e.kind, e.amount, e.payer_name) for e in statement.entries] == [
        ("credit", 125000, "Ann Lee"),
        ("debit", 9990, "Power Ltd"),
    ]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("2026-12-05;;12.50;Sam;;;", "decimal sign"),  # a point where the mapping says comma
        ("05.12.2026;;12,50;Sam;;;", "not a date"),
        ("2026-12-05;;1-2;Sam;;;", "not an amount"),
        ("2026-12-05;;;Sam;;;", "no amount"),
    ],
)
def test_csv_errors_name_the_line(row, words):
    table = csvfile.read_table((samples.CSV_TEXT + row + "\n").encode(), ("utf-8",))
    with pytest.raises(BankFileError) as refused:
        csvfile.parse(table, csvfile.guess(table, "sv"), "SEK")
    assert refused.value.where == "line 5"
    assert words in str(refused.value.message)


def test_a_mapping_needs_a_date_and_an_amount_and_existing_columns():
    table = csvfile.read_table(samples.CSV_TEXT.encode(), ("utf-8",))
    found = csvfile.problems({"booked_on": "", "amount": "Nope", "date_format": "%Y-%m-%d", "decimal": ","},
                             table.header)  # fmt: skip
    assert set(found) == {"booked_on", "amount"}


# --- telling formats apart ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "format"),
    [
        (samples.CAMT053_V02, "camt053"),
        (samples.CAMT054_V08, "camt054"),
        (samples.BGMAX, "bgmax"),
        (samples.GPC, "gpc"),
    ],
)
def test_the_format_is_told_from_the_content(data, format):
    assert read(data, language="en", currency="EUR", mapping_for=lambda key: None).format == format


def test_a_csv_without_a_mapping_comes_back_unmapped_then_reads_with_one():
    data = samples.CSV_TEXT.encode()
    unmapped = read(data, language="sv", currency="SEK", mapping_for=lambda key: None)
    assert isinstance(unmapped, Unmapped) and unmapped.table.header[2] == "Belopp"
    mapping = csvfile.guess(unmapped.table, "sv")
    mapped = read(data, language="sv", currency="SEK", mapping_for={unmapped.table.key: mapping}.get)
    assert len(mapped.entries) == 3


@pytest.mark.parametrize(
    "data", [b"", b"   \n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"just one column\nand another line\n"]
)
def test_what_is_no_bank_file_is_refused(data):
    with pytest.raises(BankFileError):
        read(data, language="en", currency="EUR", mapping_for=lambda key: None)
