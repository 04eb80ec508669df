"""Payment references in each national standard, accounts (IBAN, bankgiro) and their check digits (B2).

A reference is generated from a base (usually the invoice number) by adding
the standard's check digit(s), and validated on input:

- ``se_ocr``: Swedish OCR number, Luhn (mod 10) check digit, optionally a
  length digit before it (total length incl. both digits, mod 10); 2–25 digits.
- ``ee``: Estonian reference number, 7-3-1 weights from the right; 2–20 digits.
- ``fi``: Finnish reference number, the same 7-3-1 method; 4–20 digits. The
  base needs at least 3 digits: a shorter base is padded with leading zeros
  ("7" -> "0071"). Leading zeros do not change a 7-3-1 check digit and keep
  the reference unique, where any other padding would collide with a longer
  invoice number ("7" -> "1007" would also be invoice 1007's base).
- ``cz_vs``: Czech variable symbol, 1–10 digits, no check digit.
- ``rf``: ISO 11649 creditor reference, "RF" + 2 check digits (ISO 7064 mod 97-10)
  + 1–21 letters or digits.
- ``free``: any printable text up to 35 characters.
"""

from __future__ import annotations

import re

from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp

SE_OCR, EE, CZ_VS, FI, RF, FREE = "se_ocr", "ee", "cz_vs", "fi", "rf", "free"  # = BillingSettings.*
STANDARDS = (SE_OCR, EE, CZ_VS, FI, RF, FREE)
# What payers call the reference in each standard, as their bank's form says it.
LABELS = {
    SE_OCR: _l("OCR number"),
    EE: _l("Reference number"),
    FI: _l("Reference number"),
    CZ_VS: _l("Variable symbol"),
    RF: _lp("payment reference", "Reference"),
    FREE: _lp("payment reference", "Reference"),
}

MAX_LENGTH = 35  # what Invoice.reference and a SEPA remittance can hold

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DIGITS = re.compile(r"^\d+$")
_RF = re.compile(r"^RF(\d{2})([A-Z0-9]{1,21})$")
_ALNUM = re.compile(r"^[A-Z0-9]+$")


class ReferenceBaseError(ValueError):
    """A base a reference cannot be generated from (wrong characters or length)."""


# --- check digits ---------------------------------------------------------------------


def luhn_check_digit(digits: str) -> str:
    """The Luhn (mod 10) digit to append to `digits`."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: the rightmost digit of the base sits next to the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(digits: str) -> bool:
    return bool(_DIGITS.match(digits)) and len(digits) >= 2 and luhn_check_digit(digits[:-1]) == digits[-1]


def check_digit_731(digits: str) -> str:
    """The 7-3-1 check digit (Estonian and Finnish reference numbers) of `digits`."""
    weights = (7, 3, 1)
    total = sum(int(char) * weights[position % 3] for position, char in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _mod97(text: str) -> int:
    """ISO 7064 mod 97 of text with letters as numbers (A=10 … Z=35), as in IBAN and RF."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def rf_check_digits(base: str) -> str:
    return f"{98 - _mod97(base + 'RF00'):02d}"


# --- references -----------------------------------------------------------------------


def normalize(reference: str, standard: str | None = None) -> str:
    """What was typed or printed, as stored: without spaces, letters in capitals.

    Free-text references keep their case and inner spaces (only the ends are trimmed)."""
    text = reference or ""
    if standard == FREE:
        return _SPACES.sub(" ", text).strip()
    return _SPACES.sub("", text).upper()


def _digits_of(base: str, standard: str) -> str:
    digits = normalize(base)
    if not _DIGITS.match(digits):
        raise ReferenceBaseError(f"a {standard} reference is made of digits only, not {base!r}")
    return digits


def generate(standard: str, base: str, *, length_digit: bool = False) -> str:
    """The reference of `base` (e.g. an invoice number) in `standard`, with its check digit(s).

    Raises ReferenceBaseError (a ValueError) when the base does not fit the standard."""
    base = str(base)
    if standard == SE_OCR:
        digits = _digits_of(base, standard)
        if length_digit:
            digits += str((len(digits) + 2) % 10)
        if len(digits) + 1 > 25:
            raise ReferenceBaseError("a Swedish OCR number has at most 25 digits")
        return digits + luhn_check_digit(digits)
    if standard == EE:
        digits = _digits_of(base, standard)
        if len(digits) > 19:
            raise ReferenceBaseError("an Estonian reference number has at most 20 digits")
        return digits + check_digit_731(digits)
    if standard == FI:
        digits = _digits_of(base, standard).zfill(3)
        if len(digits) > 19:
            raise ReferenceBaseError("a Finnish reference number has at most 20 digits")
        return digits + check_digit_731(digits)
    if standard == CZ_VS:
        digits = _digits_of(base, standard)
        if len(digits) > 10:
            raise ReferenceBaseError("a Czech variable symbol has at most 10 digits")
        return digits
    if standard == RF:
        text = normalize(base)
        if not _ALNUM.match(text) or len(text) > 21:
            raise ReferenceBaseError("an RF creditor reference is built from 1–21 letters or digits")
        return "RF" + rf_check_digits(text) + text
    if standard == FREE:
        text = normalize(base, FREE)
        if not text or len(text) > MAX_LENGTH or not text.isprintable():
            raise ReferenceBaseError(f"a free-text reference is 1–{MAX_LENGTH} printable characters")
        return text
    raise ReferenceBaseError(f"unknown reference standard {standard!r}")


def validate(standard: str, reference: str, *, length_digit: bool = False) -> bool:
    """Whether `reference` (as typed: spaces allowed) is valid in `standard`.

    With length_digit, a Swedish OCR number must also carry a correct length digit."""
    if standard == FREE:
        text = normalize(reference, FREE)
        return 0 < len(text) <= MAX_LENGTH and text.isprintable()
    text = normalize(reference)
    if standard == SE_OCR:
        if not (2 <= len(text) <= 25 and luhn_valid(text)):
            return False
        return not length_digit or (len(text) >= 3 and text[-2] == str(len(text) % 10))
    if standard == EE:
        return 2 <= len(text) <= 20 and bool(_DIGITS.match(text)) and check_digit_731(text[:-1]) == text[-1]
    if standard == FI:
        return 4 <= len(text) <= 20 and bool(_DIGITS.match(text)) and check_digit_731(text[:-1]) == text[-1]
    if standard == CZ_VS:
        return 1 <= len(text) <= 10 and bool(_DIGITS.match(text))
    if standard == RF:
        match = _RF.match(text)
        # 00, 01 and 99 are congruent to a valid pair (97, 98) but never generated: refuse them.
        return bool(match) and 2 <= int(match.group(1)) <= 98 and _mod97(text[4:] + text[:4]) == 1
    return False


def display(standard: str, reference: str) -> str:
    """The reference as printed: RF in groups of four from the left ("RF18 5390 0754 7034"),
    Finnish in groups of five from the right ("12 34561", as Finance Finland prints it);
    Swedish OCR, Estonian and Czech numbers unspaced."""
    if standard == FREE:
        return normalize(reference, FREE)
    text = normalize(reference)
    if standard == RF:
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
    if standard == FI:
        head = len(text) % 5
        groups = ([text[:head]] if head else []) + [text[i : i + 5] for i in range(head, len(text), 5)]
        return " ".join(groups)
    return text


# --- accounts -------------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27,
    "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TL": 23, "TN": 24, "TR": 26, "UA": 29,
    "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip  # ISO 13616 registry (SWIFT IBAN registry)

_IBAN = re.compile(r"^([A-Z]{2})(\d{2})([A-Z0-9]+)$")


def normalize_iban(text: str) -> str:
    """ "se45 5000 0000 0583 9825 7466" -> "SE4550000000058398257466"."""
    return re.sub(r"[\s\u00a0\u202f-]+", "", text or "").upper()


def valid_iban(text: str) -> bool:
    """ISO 13616: a known country, its length, and mod 97 == 1 with the first four characters moved to the end."""
    iban = normalize_iban(text)
    match = _IBAN.match(iban)
    if not match or IBAN_LENGTHS.get(match.group(1)) != len(iban):
        return False
    return 2 <= int(match.group(2)) <= 98 and _mod97(iban[4:] + iban[:4]) == 1


def display_iban(text: str) -> str:
    """An IBAN in groups of four, as printed on paper."""
    iban = normalize_iban(text)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def normalize_bankgiro(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f-]+", "", text or "")


def valid_bankgiro(text: str) -> bool:
    """A Swedish bankgiro number: 7 or 8 digits, the last a Luhn check digit ("5050-1055")."""
    digits = normalize_bankgiro(text)
    return 7 <= len(digits) <= 8 and luhn_valid(digits)


def display_bankgiro(text: str) -> str:
    """NNN-NNNN or NNNN-NNNN, as Bankgirot prints it."""
    digits = normalize_bankgiro(text)
    return f"{digits[:-4]}-{digits[-4:]}"
