"""Payment codes on invoices: the exact EPC and SPD strings, QR codes a scanner reads back, bankgiro fields."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from blueprints.billing import payment_codes, references
from blueprints.billing.payment_codes import bankgiro_fields, qr_code, qr_payload
from models.billing import BillingSettings, Invoice
from tests.factories.billing import make_billing, make_invoice, make_payment

ZBARIMG = "/usr/bin/zbarimg"


@pytest.fixture
def resident(alpha, make_person):
    return make_person(alpha, given_name="Mari", surname="Tamm", street="Kase 5-12", postcode="10115", city="Tallinn")


def _use_currency(association, currency: str) -> None:
    association.currency = currency
    association.save()


def _reload(invoice: Invoice) -> Invoice:
    return Invoice.get_by_id(invoice.id)


def _decode_png(path: Path) -> str:
    """What a bank app reads: the symbol's bytes (zbarimg -Sbinary: no charset guessing, which would take
    UTF-8 "ü" for Shift JIS) decoded as UTF-8, the character set both payloads declare."""
    result = subprocess.run([ZBARIMG, "--raw", "-q", "-Sbinary", str(path)], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


# --- EPC QR (EUR) ---------------------------------------------------------------------------


@pytest.fixture
def eur_invoice(alpha, resident):
    _use_currency(alpha, "EUR")
    settings = make_billing(alpha, payee_name="Korteriühistu Kase 5")  # EE IBAN, HABAEE2X, Estonian references
    invoice = make_invoice(alpha, resident, number=1001, reference=references.generate(references.EE, "1001"))
    return settings, invoice


def test_epc_payload_for_an_estonian_reference(eur_invoice):
    settings, invoice = eur_invoice
    assert invoice.reference == "10016"
    assert qr_payload(settings, invoice) == (
        "epc",
        "BCD\n002\n1\nSCT\nHABAEE2X\nKorteriühistu Kase 5\nEE382200221020145685\nEUR4167.00\n\n\n10016",
    )


def test_epc_payload_for_an_rf_reference_uses_the_structured_line(alpha, resident):
    _use_currency(alpha, "EUR")
    settings = make_billing(
        alpha, payee_name="Kase 5", iban="FI21 1234 5600 0007 85", bic="", reference_standard=BillingSettings.RF
    )
    invoice = make_invoice(alpha, resident, number=7, reference="RF18539007547034", lines=[("Fee", 1230, 0)])
    kind, payload = qr_payload(settings, invoice)
    assert kind == "epc"
    # BIC may be empty in version 002; the IBAN is printed without spaces; the reference is structured
    assert payload == "BCD\n002\n1\nSCT\n\nKase 5\nFI2112345600000785\nEUR12.30\n\nRF18539007547034"
    assert payload.split("\n")[9] == "RF18539007547034"


def test_epc_payload_without_a_reference_names_the_invoice(alpha, resident):
    _use_currency(alpha, "EUR")
    settings = make_billing(alpha, payee_name="Kase 5")
    invoice = make_invoice(alpha, resident, number=1002, reference="", lines=[("Fee", 5, 0)])
    assert qr_payload(settings, invoice)[1].split("\n")[7:] == ["EUR0.05", "", "", "Invoice 1002"]


def test_epc_amount_is_what_is_still_to_pay(eur_invoice):
    settings, invoice = eur_invoice
    make_payment(invoice, 100050)
    invoice = _reload(invoice)
    assert invoice.outstanding == 316650
    assert qr_payload(settings, invoice)[1].split("\n")[7] == "EUR3166.50"


def test_epc_amount_with_vat_lines(alpha, resident):
    _use_currency(alpha, "EUR")
    settings = make_billing(alpha)
    invoice = make_invoice(alpha, resident, lines=[("Parking", 4000, 2200), ("Sauna", 3, 2400)])  # 48.80 + 0.04
    assert qr_payload(settings, invoice)[1].split("\n")[7] == "EUR48.84"


def test_nothing_to_pay_means_no_code(eur_invoice):
    settings, invoice = eur_invoice
    make_payment(invoice, invoice.total)
    assert qr_payload(settings, _reload(invoice)) is None


def test_an_overpaid_invoice_has_no_code(eur_invoice):
    settings, invoice = eur_invoice
    make_payment(invoice, invoice.total + 500)
    assert qr_payload(settings, _reload(invoice)) is None


def test_a_credited_invoice_and_a_credit_note_have_no_code(alpha, resident, eur_invoice):
    settings, invoice = eur_invoice
    Invoice.update(credited_total=invoice.total).where(Invoice.id == invoice.id).execute()
    assert qr_payload(settings, _reload(invoice)) is None
    credit = make_invoice(alpha, resident, lines=[("Fee", -416700, 0)], kind=Invoice.CREDIT_NOTE, credits=invoice)
    assert qr_payload(settings, credit) is None


@pytest.mark.parametrize("iban", ["", "EE382200221020145686", "EE38 2200", "not an iban"])
def test_no_code_without_a_valid_iban(alpha, resident, iban):
    _use_currency(alpha, "EUR")
    settings = make_billing(alpha, iban=iban)
    invoice = make_invoice(alpha, resident, reference="10016")
    assert qr_payload(settings, invoice) is None


def test_epc_refuses_amounts_beyond_the_standard(alpha, resident):
    _use_currency(alpha, "EUR")
    settings = make_billing(alpha)
    invoice = make_invoice(alpha, resident, lines=[("Building", 100_000_000_000, 0)])  # EUR 1,000,000,000.00
    assert qr_payload(settings, invoice) is None


def test_epc_bad_bic_is_left_out_and_names_are_one_line(alpha, resident):
    _use_currency(alpha, "EUR")
    settings = make_billing(alpha, bic="not-a-bic", payee_name="Kase 5\nKorteriühistu\r\n" + "x" * 100)
    invoice = make_invoice(alpha, resident, reference="10016")
    lines = qr_payload(settings, invoice)[1].split("\n")
    assert len(lines) == 11
    assert lines[4] == ""
    assert lines[5].startswith("Kase 5 Korteriühistu xxx")
    assert len(lines[5]) == 70


def test_epc_payload_stays_within_331_bytes(alpha, resident):
    _use_currency(alpha, "EUR")
    settings = make_billing(alpha, payee_name="住宅協同組合" * 20, reference_standard=BillingSettings.FREE)
    invoice = make_invoice(alpha, resident, reference="请支付" * 11)  # 33 characters of 3 bytes each
    kind, payload = qr_payload(settings, invoice)
    assert len(payload.encode("utf-8")) <= 331
    lines = payload.split("\n")
    assert lines[6] == "EE382200221020145685" and lines[7] == "EUR4167.00"
    assert lines[10] == "请支付" * 11  # the reference survives; the name gave way
    assert lines[5] and ("住宅協同組合" * 20).startswith(lines[5])
    assert qr_code(payload).version <= 13  # EPC069-12: version 13 at most


def test_epc_is_only_for_euro(alpha, resident):
    settings = make_billing(alpha)  # alpha is in SEK
    invoice = make_invoice(alpha, resident, reference="10016")
    assert invoice.currency == "SEK"
    assert qr_payload(settings, invoice) is None
    assert payment_codes.epc_payload(settings, invoice) is None


# --- Czech QR platba (CZK) --------------------------------------------------------------------


@pytest.fixture
def czk_invoice(alpha, resident):
    _use_currency(alpha, "CZK")
    settings = make_billing(
        alpha,
        payee_name="SVJ Korunní 12",
        iban="CZ65 0800 0000 1920 0014 5399",
        bic="gibaczpx",
        reference_standard=BillingSettings.CZ_VS,
    )
    invoice = make_invoice(
        alpha, resident, number=1001, reference="1001", lines=[("Záloha na služby", 123450, 0)], message=""
    )
    return settings, invoice


def test_spd_payload(czk_invoice):
    settings, invoice = czk_invoice
    assert qr_payload(settings, invoice) == (
        "spd",
        "SPD*1.0*ACC:CZ6508000000192000145399+GIBACZPX*AM:1234.50*CC:CZK*RN:SVJ Korunní 12"
        "*X-VS:1001*DT:20261130*MSG:Invoice 1001",
    )


def test_spd_message_escapes_the_separator_and_is_cut_at_60(czk_invoice):
    settings, invoice = czk_invoice
    invoice.message = "Nájem*listopad\n" + "a" * 80
    payload = qr_payload(settings, invoice)[1]
    message = payload.split("*MSG:")[1]
    assert message.startswith("Nájem%2Alistopad aaa")
    assert len(message) == 60
    # splitting on the separator still gives exactly the fields written
    keys = [part.split(":")[0] for part in payload.split("*")[2:]]
    assert keys == ["ACC", "AM", "CC", "RN", "X-VS", "DT", "MSG"]


def test_spd_without_bic_or_variable_symbol(alpha, resident):
    _use_currency(alpha, "CZK")
    settings = make_billing(
        alpha, payee_name="SVJ", iban="CZ6508000000192000145399", bic="", reference_standard=BillingSettings.RF
    )
    invoice = make_invoice(alpha, resident, reference="RF18539007547034", due_date=dt.date(2027, 1, 5))
    payload = qr_payload(settings, invoice)[1]
    assert payload == (
        "SPD*1.0*ACC:CZ6508000000192000145399*AM:4167.00*CC:CZK*RN:SVJ*DT:20270105*MSG:RF18539007547034 Invoice 1001"
    )
    assert "X-VS" not in payload


def test_spd_takes_a_variable_symbol_only_when_the_association_uses_them(czk_invoice):
    settings, invoice = czk_invoice
    settings.reference_standard = BillingSettings.EE  # "1001" is digits, but not meant as a variable symbol
    payload = qr_payload(settings, invoice)[1]
    assert "X-VS" not in payload
    assert payload.endswith("*MSG:1001 Invoice 1001")


def test_spd_amount_is_what_is_still_to_pay_and_nothing_when_paid(czk_invoice):
    settings, invoice = czk_invoice
    make_payment(invoice, 23450)
    assert "*AM:1000.00*" in qr_payload(settings, _reload(invoice))[1]
    make_payment(invoice, 100000)
    assert qr_payload(settings, _reload(invoice)) is None


def test_spd_needs_a_valid_iban(czk_invoice):
    settings, invoice = czk_invoice
    settings.iban = "CZ6508000000192000145398"
    assert qr_payload(settings, invoice) is None


# --- QR codes a scanner reads back ------------------------------------------------------------


def test_epc_qr_code_decodes_to_the_payload(eur_invoice, tmp_path):
    settings, invoice = eur_invoice
    payload = qr_payload(settings, invoice)[1]
    qr = qr_code(payload)
    assert qr.error == "M"
    qr.save(tmp_path / "epc.png", scale=4, border=4)
    assert _decode_png(tmp_path / "epc.png") == payload


def test_spd_qr_code_decodes_to_the_payload(czk_invoice, tmp_path):
    settings, invoice = czk_invoice
    invoice.message = "Nájem * listopad – Žluťoučký kůň"
    payload = qr_payload(settings, invoice)[1]
    qr_code(payload).save(tmp_path / "spd.png", scale=4, border=4)
    assert _decode_png(tmp_path / "spd.png") == payload


# --- Swedish bankgiro (SEK) --------------------------------------------------------------------


@pytest.fixture
def sek_invoice(alpha, resident):
    settings = make_billing(
        alpha,
        payee_name="Brf Alpha",
        iban="SE4550000000058398257466",
        bic="ESSESESS",
        bankgiro="50501055",
        reference_standard=BillingSettings.SE_OCR,
        ocr_length_digit=True,
    )
    reference = references.generate(references.SE_OCR, "1001", length_digit=True)
    invoice = make_invoice(alpha, resident, number=1001, reference=reference)
    return settings, invoice


def test_sek_has_no_qr_code_but_bankgiro_fields(sek_invoice):
    settings, invoice = sek_invoice
    assert invoice.currency == "SEK"
    assert qr_payload(settings, invoice) is None
    fields = bankgiro_fields(settings, invoice)
    assert invoice.reference == "100164"
    assert references.validate(references.SE_OCR, invoice.reference, length_digit=True)
    assert fields == {
        "bankgiro": "5050-1055",
        "ocr": "100164",
        "reference": "100164",
        "amount": 416700,
        "amount_decimal": fields["amount_decimal"],
        "kronor": "4167",
        "ore": "00",
        "currency": "SEK",
        "due_date": dt.date(2026, 11, 30),
        "payee": "Brf Alpha",
    }
    assert str(fields["amount_decimal"]) == "4167.00"
    assert type(fields["amount"]) is int


def test_bankgiro_amount_is_what_is_still_to_pay(sek_invoice):
    settings, invoice = sek_invoice
    make_payment(invoice, 16750)
    fields = bankgiro_fields(settings, _reload(invoice))
    assert (fields["amount"], fields["kronor"], fields["ore"]) == (399950, "3999", "50")
    make_payment(invoice, 399950)
    assert bankgiro_fields(settings, _reload(invoice)) is None


def test_bankgiro_fields_need_a_valid_bankgiro(sek_invoice):
    settings, invoice = sek_invoice
    settings.bankgiro = ""
    assert bankgiro_fields(settings, invoice) is None
    settings.bankgiro = "5050-1056"  # wrong check digit
    assert bankgiro_fields(settings, invoice) is None


def test_bankgiro_fields_without_ocr_show_the_reference(alpha, resident):
    settings = make_billing(alpha, bankgiro="991-2346", reference_standard=BillingSettings.RF)
    invoice = make_invoice(alpha, resident, reference="RF18539007547034")
    fields = bankgiro_fields(settings, invoice)
    assert fields["bankgiro"] == "991-2346"
    assert fields["ocr"] is None
    assert fields["reference"] == "RF18 5390 0754 7034"


def test_bankgiro_fields_are_only_for_kronor(eur_invoice):
    settings, invoice = eur_invoice
    settings.bankgiro = "5050-1055"
    assert bankgiro_fields(settings, invoice) is None
