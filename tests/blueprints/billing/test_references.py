"""Payment references, IBANs and bankgiro numbers: published examples, changed digits, generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blueprints.billing import references as ref
from blueprints.billing.references import CZ_VS, EE, FI, FREE, RF, SE_OCR, ReferenceBaseError
from models.billing import BillingSettings

# Published examples. RF: ISO 11649 and the EPC's guidance; FI: Finance Finland's "Kotimaisen viitteen
# rakenneohje" (1232 is base 123 + check 2; 12 34561 is its printed example); EE: the Estonian Banking
# Association's 7-3-1 example (base 123456 -> 1234561); SE: Luhn's textbook number and Bankgirot's rule
# that a length digit equals the total length mod 10 (a 7-digit OCR with length digit has 7 second to last).
KNOWN_GOOD = [
    (RF, "RF18539007547034"),
    (RF, "RF18 5390 0754 7034"),
    (RF, "rf45g72uur"),
    (RF, "RF45G72UUR"),
    (RF, "RF712348231"),
    (FI, "1232"),
    (FI, "1511890656"),
    (FI, "12 34561"),
    (FI, "00000000000001234561"),  # the machine-readable form: padded to 20 digits
    (EE, "1234561"),
    (EE, "123453"),  # base 12345: 5*7 + 4*3 + 3*1 + 2*7 + 1*3 = 67 -> 3
    (EE, "13"),  # the shortest: base 1 -> 7 -> 3
    (SE_OCR, "79927398713"),  # Luhn's own example
    (SE_OCR, "1234566"),  # base 123456 with its Luhn digit
    (SE_OCR, "1234574"),  # base 12345, length digit 7 (7 digits), check 4
    (CZ_VS, "1234567890"),
    (CZ_VS, "7"),
    (FREE, "Invoice 1001 / flat 12"),
]


@pytest.mark.parametrize(("standard", "reference"), KNOWN_GOOD)
def test_published_examples_validate(standard, reference):
    assert ref.validate(standard, reference)


def _change_one_digit(text: str, index: int, delta: int) -> str:
    digit = (int(text[index]) + delta) % 10
    return text[:index] + str(digit) + text[index + 1 :]


@pytest.mark.parametrize(
    ("standard", "reference"),
    [(s, r) for s, r in KNOWN_GOOD if s in (RF, FI, EE, SE_OCR)],
)
def test_a_changed_digit_fails(standard, reference):
    text = ref.normalize(reference)
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    for index in positions:
        for delta in range(1, 10):
            changed = _change_one_digit(text, index, delta)
            assert not ref.validate(standard, changed), (standard, reference, changed)


@pytest.mark.parametrize(
    ("standard", "reference"),
    [
        (RF, "RF19539007547034"),  # check digits off by one
        (RF, "RF18539007547035"),
        (RF, "RF00G72UUR"),  # 00/01/99 are never check digits
        (RF, "RF45G72UUR!"),
        (RF, "RF45"),  # no reference part
        (RF, "RF" + "0" * 24),  # too long (26 characters)
        (RF, "XX45G72UUR"),
        (FI, "123"),  # too short: at least 3 digits and the check digit
        (FI, "1233"),
        (FI, "1" * 21),
        (FI, "12a2"),
        (EE, "1234562"),
        (EE, "3"),  # too short
        (EE, "1" * 21),
        (SE_OCR, "1234567"),
        (SE_OCR, "0"),
        (SE_OCR, "1" * 26),
        (SE_OCR, "12-34566"),
        (CZ_VS, "12345678901"),  # 11 digits
        (CZ_VS, "12A"),
        (CZ_VS, ""),
        (FREE, ""),
        (FREE, "x" * 36),
        (FREE, "line\x00break"),
        ("nonsense", "1234561"),
    ],
)
def test_bad_references_fail(standard, reference):
    assert not ref.validate(standard, reference)


def test_length_digit_is_checked_when_asked():
    assert ref.validate(SE_OCR, "1234574", length_digit=True)
    # Luhn-valid, but its second-to-last digit (6) is not its length (7)
    assert ref.validate(SE_OCR, "1234566")
    assert not ref.validate(SE_OCR, "1234566", length_digit=True)


def test_generate_known_values():
    assert ref.generate(RF, "539007547034") == "RF18539007547034"
    assert ref.generate(RF, "g72uur") == "RF45G72UUR"
    assert ref.generate(FI, "123") == "1232"
    assert ref.generate(FI, "151189065") == "1511890656"
    assert ref.generate(EE, "123456") == "1234561"
    assert ref.generate(SE_OCR, "123456") == "1234566"
    assert ref.generate(SE_OCR, "12345", length_digit=True) == "1234574"
    # 10 or more digits: only the ones of the length are written (12 -> 2)
    assert ref.generate(SE_OCR, "1234567891", length_digit=True)[-2] == "2"
    assert ref.generate(CZ_VS, "0012345") == "0012345"
    assert ref.generate(FREE, "  Flat 12  ") == "Flat 12"


def test_finnish_short_bases_are_padded_with_leading_zeros():
    # Zeros before the base do not change a 7-3-1 check digit; padding keeps invoice 7 apart from invoice 1007.
    assert ref.generate(FI, "7") == "0071"
    assert ref.generate(FI, "42") == "0424"  # 2*7 + 4*3 = 26 -> 4
    assert ref.validate(FI, "0071")
    assert ref.check_digit_731("007") == ref.check_digit_731("7")
    assert ref.generate(FI, "7") not in {ref.generate(FI, "107"), ref.generate(FI, "1007")}


@pytest.mark.parametrize(
    ("standard", "base", "message"),
    [
        (SE_OCR, "12A", "digits only"),
        (SE_OCR, "1" * 25, "at most 25"),
        (SE_OCR, "1" * 24, "at most 25"),  # with the length digit below
        (EE, "1" * 20, "at most 20"),
        (FI, "1" * 20, "at most 20"),
        (CZ_VS, "12345678901", "at most 10"),
        (RF, "A" * 22, "1–21"),
        (RF, "ÅÄÖ", "1–21"),
        (FREE, "", "1–35"),
        (FREE, "x" * 36, "1–35"),
        ("nonsense", "1", "unknown"),
    ],
)
def test_generate_refuses_bases_that_do_not_fit(standard, base, message):
    with pytest.raises(ReferenceBaseError, match=message):
        ref.generate(standard, base, length_digit=(base == "1" * 24))


def test_generate_accepts_the_longest_bases():
    assert len(ref.generate(SE_OCR, "1" * 24)) == 25
    assert len(ref.generate(SE_OCR, "1" * 23, length_digit=True)) == 25
    assert len(ref.generate(EE, "1" * 19)) == 20
    assert len(ref.generate(FI, "1" * 19)) == 20
    assert len(ref.generate(RF, "A" * 21)) == 25
    assert ref.validate(RF, ref.generate(RF, "A" * 21))


def test_standards_match_the_settings_model():
    assert ref.STANDARDS == tuple(BillingSettings.REFERENCE_STANDARDS)


def test_normalize_and_display():
    assert ref.normalize(" rf18 5390\u00a00754 7034 ") == "RF18539007547034"
    assert ref.normalize("  Flat  12 ", FREE) == "Flat 12"
    assert ref.display(RF, "RF18539007547034") == "RF18 5390 0754 7034"
    assert ref.display(RF, "rf45g72uur") == "RF45 G72U UR"
    assert ref.display(FI, "1234561") == "12 34561"
    assert ref.display(FI, "1511890656") == "15118 90656"
    assert ref.display(SE_OCR, "1234 566") == "1234566"
    assert ref.display(EE, "1234561") == "1234561"
    assert ref.display(CZ_VS, "1234567890") == "1234567890"
    assert ref.display(FREE, "Flat 12") == "Flat 12"


# --- generated references ------------------------------------------------------------

digit_bases = st.text(alphabet="0123456789", min_size=1, max_size=19)
rf_bases = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=21)


@given(base=digit_bases, length_digit=st.booleans())
def test_generated_swedish_ocr_validates(base, length_digit):
    reference = ref.generate(SE_OCR, base, length_digit=length_digit)
    assert ref.validate(SE_OCR, reference, length_digit=length_digit)
    assert reference.startswith(base)


@given(standard=st.sampled_from([EE, FI, CZ_VS]), base=digit_bases)
def test_generated_digit_references_validate(standard, base):
    if standard == CZ_VS:
        base = base[:10]
    reference = ref.generate(standard, base)
    assert ref.validate(standard, reference)
    assert reference.endswith(base) or reference[:-1].endswith(base)


@given(base=rf_bases)
def test_generated_rf_validates(base):
    reference = ref.generate(RF, base)
    assert ref.validate(RF, reference)
    assert reference == "RF" + reference[2:4] + base
    assert ref.validate(RF, ref.display(RF, reference))


@given(base=st.text(min_size=1, max_size=35).filter(lambda t: ref.normalize(t, FREE) and t.isprintable()))
def test_generated_free_text_validates(base):
    assert ref.validate(FREE, ref.generate(FREE, base))


@given(
    standard=st.sampled_from([SE_OCR, EE, FI, RF]),
    base=digit_bases,
    length_digit=st.booleans(),
    data=st.data(),
)
def test_changing_any_one_digit_of_a_generated_reference_fails(standard, base, length_digit, data):
    reference = ref.generate(standard, base, length_digit=length_digit and standard == SE_OCR)
    positions = [i for i, c in enumerate(reference) if c.isdigit()]
    index = data.draw(st.sampled_from(positions))
    delta = data.draw(st.integers(min_value=1, max_value=9))
    assert not ref.validate(standard, _change_one_digit(reference, index, delta))


# --- accounts -------------------------------------------------------------------------

GOOD_IBANS = [
    "SE4550000000058398257466",
    "EE382200221020145685",
    "CZ6508000000192000145399",
    "FI2112345600000785",
    "DE89370400440532013000",
    "DK5000400440116243",
    "NO9386011117947",
    "LV80BANK0000435195001",
    "LT121000011101001000",
    "SK3112000000198742637541",
    "PL61109010140000071219812874",
    "AT611904300234573201",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "ES9121000418450200051332",
    "IT60X0542811101000000123456",
    "GB29NWBK60161331926819",
]


@pytest.mark.parametrize("iban", GOOD_IBANS)
def test_published_ibans_validate(iban):
    assert ref.valid_iban(iban)
    assert ref.valid_iban(ref.display_iban(iban).lower())


@pytest.mark.parametrize("iban", GOOD_IBANS)
def test_an_iban_with_a_changed_digit_fails(iban):
    for index in range(2, len(iban)):
        if iban[index].isdigit():
            assert not ref.valid_iban(_change_one_digit(iban, index, 1)), index


@pytest.mark.parametrize(
    "iban",
    [
        "",
        "SE455000000005839825746",  # one short for Sweden
        "SE45500000000583982574660",  # one long
        "XX4550000000058398257466",  # no such country
        "EE38 2200 2210 2014 568!",
        "4550000000058398257466SE",
    ],
)
def test_bad_ibans_fail(iban):
    assert not ref.valid_iban(iban)


def test_normalize_and_display_iban():
    assert ref.normalize_iban(" se45 5000-0000 0583 9825 7466") == "SE4550000000058398257466"
    assert ref.display_iban("SE4550000000058398257466") == "SE45 5000 0000 0583 9825 7466"


@pytest.mark.parametrize("bankgiro", ["5050-1055", "50501055", "991-2346", "9912346"])
def test_bankgiro_numbers_validate(bankgiro):
    assert ref.valid_bankgiro(bankgiro)


@pytest.mark.parametrize("bankgiro", ["5050-1056", "991-2345", "123456", "123456789", "5050-105A", ""])
def test_bad_bankgiro_numbers_fail(bankgiro):
    assert not ref.valid_bankgiro(bankgiro)


def test_bankgiro_display():
    assert ref.display_bankgiro("50501055") == "5050-1055"
    assert ref.display_bankgiro("991 2346") == "991-2346"
