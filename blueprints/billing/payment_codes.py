"""Payment codes printed on an invoice (B3): EPC QR for EUR, Czech "QR platba" (SPD) for CZK,
and the Swedish bankgiro/OCR fields for SEK.

Everything is built from the invoice's outstanding amount in minor units and
converted with money.to_decimal: no float on the way to the payer's bank app.
"""

from __future__ import annotations

import re
from decimal import Decimal

import segno
from flask_babel import force_locale
from markupsafe import Markup, escape

from blueprints.billing import money, references
from core.text import lazy_gettext as _l
from core.text import locale_for
from models.billing import BillingSettings, Invoice

EPC, SPD = "epc", "spd"
EPC_MAX_BYTES = 331  # EPC069-12: the whole payload
EPC_MAX_AMOUNT = Decimal("999999999.99")
SPD_MAX_AMOUNT = Decimal("9999999.99")  # AM holds at most 10 characters
QUIET_ZONE = 4

_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


def _one_line(text: str) -> str:
    return " ".join(_LINE_BREAKS.sub(" ", text or "").split())


def _bic(settings: BillingSettings) -> str:
    bic = (settings.bic or "").strip().upper()
    return bic if _BIC.match(bic) else ""


def _amount(invoice: Invoice) -> Decimal:
    """The outstanding amount as an exact Decimal with the currency's decimals (12.30, not 12.3)."""
    return money.to_decimal(invoice.outstanding, invoice.currency)


def _reference_is(invoice: Invoice, standard: str) -> bool:
    return bool(invoice.reference) and references.validate(standard, invoice.reference)


def _text_for_the_payee(invoice: Invoice) -> str:
    """The payment's message when nothing else says what it is for, in the association's language:
    it lands on the association's bank statement, whoever pays."""
    with force_locale(locale_for(invoice.association.locale)):
        return str(_l("Invoice %(number)s", number=invoice.number))


def _payee(settings: BillingSettings) -> str:
    return _one_line(settings.payee_name or settings.association.name)


# --- EPC QR (SEPA credit transfer) ----------------------------------------------------


def epc_payload(settings: BillingSettings, invoice: Invoice) -> str | None:
    """EPC069-12 version 002, UTF-8, SCT; None unless EUR, a valid IBAN and 0.01–999,999,999.99 to pay."""
    if invoice.currency != "EUR" or not references.valid_iban(settings.iban):
        return None
    amount = _amount(invoice)
    if not Decimal("0.01") <= amount <= EPC_MAX_AMOUNT:
        return None
    structured = unstructured = ""
    if _reference_is(invoice, references.RF):
        structured = references.normalize(invoice.reference)  # creditor reference: the structured line
    elif invoice.reference:
        unstructured = _one_line(invoice.reference)  # other national references travel as text
    else:
        unstructured = _text_for_the_payee(invoice)
    name = _payee(settings)[:70]
    unstructured = unstructured[:140]

    def build() -> str:
        lines = ["BCD", "002", "1", "SCT", _bic(settings), name, references.normalize_iban(settings.iban)]
        lines += [f"EUR{amount:.2f}", "", structured, unstructured]
        return "\n".join(lines).rstrip("\n")  # the last filled element ends the payload

    payload = build()
    # Only multi-byte names and texts get here. The reference is what matches the payment to the
    # invoice, so the name gives way first (the IBAN says who is paid; the name is only shown).
    while len(payload.encode("utf-8")) > EPC_MAX_BYTES:
        if len(name) > 1:
            name = name[:-1]
        else:
            unstructured = unstructured[:-1]
        payload = build()
    return payload


# --- Czech QR platba (Short Payment Descriptor) ---------------------------------------


def _spd_value(text: str, limit: int) -> str:
    """A value for one SPD field: one line, '*' escaped as %2A (the field separator), at most `limit` long."""
    out = ""
    for char in _one_line(text):
        piece = "%2A" if char == "*" else char
        if len(out) + len(piece) > limit:
            break
        out += piece
    return out


def spd_payload(settings: BillingSettings, invoice: Invoice) -> str | None:
    """SPD 1.0 ("QR platba", Czech Banking Association); None unless CZK and a valid IBAN."""
    if invoice.currency != "CZK" or not references.valid_iban(settings.iban):
        return None
    amount = _amount(invoice)
    if not Decimal("0.01") <= amount <= SPD_MAX_AMOUNT:
        return None
    account = references.normalize_iban(settings.iban)
    if _bic(settings):
        account += "+" + _bic(settings)
    fields = [("ACC", account), ("AM", f"{amount:.2f}"), ("CC", "CZK")]
    payee = _spd_value(_payee(settings), 35)
    if payee:
        fields.append(("RN", payee))
    is_vs = settings.reference_standard == references.CZ_VS and _reference_is(invoice, references.CZ_VS)
    if is_vs:
        fields.append(("X-VS", references.normalize(invoice.reference)))
    fields.append(("DT", invoice.due_date.strftime("%Y%m%d")))
    # A reference that is not a variable symbol has no SPD field of its own: it leads the message.
    lead = "" if is_vs or not invoice.reference else invoice.reference + " "
    message = _spd_value(lead + (invoice.message or _text_for_the_payee(invoice)), 60)
    if message:
        fields.append(("MSG", message))
    return "SPD*1.0*" + "*".join(f"{key}:{value}" for key, value in fields)


# --- what the PDF prints ----------------------------------------------------------------


def qr_payload(settings: BillingSettings, invoice: Invoice) -> tuple[str, str] | None:
    """("epc", payload) for EUR, ("spd", payload) for CZK; None without an IBAN, for other
    currencies, for credit notes and when nothing is left to pay."""
    if invoice.kind != Invoice.INVOICE or invoice.outstanding <= 0:
        return None
    if invoice.currency == "EUR":
        payload = epc_payload(settings, invoice)
        return (EPC, payload) if payload else None
    if invoice.currency == "CZK":
        payload = spd_payload(settings, invoice)
        return (SPD, payload) if payload else None
    return None


def qr_code(payload: str) -> segno.QRCode:
    """The QR code of a payload: UTF-8 bytes, error correction M (as EPC069-12 requires) and no more."""
    return segno.make_qr(payload.encode("utf-8"), error="m", boost_error=False)


def qr_svg(payload: str, label: str) -> Markup:
    """The payment QR code as inline SVG for a screen (the same payload as the PDF's): sized by CSS,
    named for screen readers by `label`."""
    svg = qr_code(payload).svg_inline(scale=1, border=QUIET_ZONE, omitsize=True, svgclass="payment-qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def bankgiro_fields(settings: BillingSettings, invoice: Invoice) -> dict | None:
    """What a Swedish payer types into the bank: bankgiro, OCR number (or reference), amount and due date.

    None unless the invoice is in SEK, the association has a valid bankgiro and something is left to pay."""
    if invoice.currency != "SEK" or invoice.kind != Invoice.INVOICE or invoice.outstanding <= 0:
        return None
    if not references.valid_bankgiro(settings.bankgiro):
        return None
    is_ocr = settings.reference_standard == references.SE_OCR and _reference_is(invoice, references.SE_OCR)
    amount = _amount(invoice)
    kronor, _, ore = f"{amount:.2f}".partition(".")
    return {
        "bankgiro": references.display_bankgiro(settings.bankgiro),
        "ocr": references.normalize(invoice.reference) if is_ocr else None,
        "reference": references.display(settings.reference_standard, invoice.reference) if invoice.reference else "",
        "amount": invoice.outstanding,  # minor units: print with |money(currency)
        "amount_decimal": amount,
        "kronor": kronor,
        "ore": ore,
        "currency": invoice.currency,
        "due_date": invoice.due_date,
        "payee": _payee(settings),
    }
