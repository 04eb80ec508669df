"""Money in minor units: parsing per currency, VAT per line rounded half up, totals that add up, no floats."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blueprints.billing import money
from blueprints.billing.money import AmountError, Line, parse_amount, parse_rate, to_decimal, totals, vat_on


def _all_ints(value) -> bool:
    """True when every number inside (dataclass fields, dict keys and values) is an int, never a float."""
    if dataclasses.is_dataclass(value):
        return all(_all_ints(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return all(_all_ints(k) and _all_ints(v) for k, v in value.items())
    if isinstance(value, str):
        return True
    return type(value) is int


# --- currencies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "digits"), [("EUR", 2), ("SEK", 2), ("CZK", 2), ("JPY", 0), ("ISK", 0), ("KWD", 3)]
)
def test_minor_units_follow_the_currency(currency, digits):
    assert money.exponent(currency) == digits


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1 234,50", "EUR", 123450),
        ("1234.5", "EUR", 123450),
        ("1234.5", "SEK", 123450),
        ("1\u00a0234,50", "SEK", 123450),  # a no-break space, as Swedish and Czech locales print thousands
        ("1\u202f234,50", "CZK", 123450),  # a narrow no-break space
        ("1'234.50", "EUR", 123450),  # Swiss grouping
        ("0,05", "EUR", 5),
        ("12", "EUR", 1200),
        ("  12  ", "SEK", 1200),
        ("-12,30", "EUR", -1230),
        ("+7", "EUR", 700),
        ("1234", "JPY", 1234),
        ("1234", "ISK", 1234),
        ("1.234", "KWD", 1234),
        ("1,5", "KWD", 1500),
        ("0", "EUR", 0),
    ],
)
def test_parse_amount(text, currency, minor):
    value = parse_amount(text, currency)
    assert value == minor
    assert type(value) is int


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1.234", "EUR"),  # three decimals: a thousands separator, or a typo; never guessed
        ("1,234", "SEK"),
        ("12.5", "JPY"),
        ("12,5", "ISK"),
        ("1.2345", "KWD"),
        ("1,234.50", "EUR"),  # two separators
        ("12.", "EUR"),
        (".5", "EUR"),
        ("1e3", "EUR"),
        ("12 EUR", "EUR"),
        ("€12", "EUR"),
        ("twelve", "EUR"),
        ("", "EUR"),
        ("   ", "EUR"),
        (None, "EUR"),
        ("NaN", "EUR"),
        ("Infinity", "EUR"),
    ],
)
def test_parse_amount_refuses(text, currency):
    with pytest.raises(AmountError):
        parse_amount(text, currency)
    assert issubclass(AmountError, ValueError)  # forms catch ValueError


def test_parse_amount_refuses_amounts_no_column_can_hold():
    with pytest.raises(AmountError):
        parse_amount("100000000000000000000", "EUR")  # 10^22 minor units > 2^63 - 1


def test_to_decimal_is_exact():
    assert to_decimal(1230, "EUR") == Decimal("12.30")
    assert str(to_decimal(1230, "EUR")) == "12.30"
    assert str(to_decimal(5, "EUR")) == "0.05"
    assert str(to_decimal(1234, "JPY")) == "1234"
    assert str(to_decimal(1234, "KWD")) == "1.234"
    assert isinstance(to_decimal(1, "SEK"), Decimal)


@given(minor=st.integers(min_value=-(10**15), max_value=10**15), currency=st.sampled_from(["EUR", "JPY", "KWD"]))
def test_to_decimal_and_parse_amount_round_trip(minor, currency):
    assert parse_amount(str(to_decimal(minor, currency)), currency) == minor


# --- VAT rates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "points"),
    [("25", 2500), ("12,5", 1250), ("12.5", 1250), ("6", 600), ("0", 0), ("", 0), (" 25 % ", 2500), ("100", 10000)],
)
def test_parse_rate(text, points):
    value = parse_rate(text)
    assert value == points
    assert type(value) is int


@pytest.mark.parametrize("text", ["-5", "101", "12.345", "abc", "25 percent", "NaN", "Infinity"])
def test_parse_rate_refuses(text):
    with pytest.raises(AmountError):
        parse_rate(text)


@pytest.mark.parametrize("text", ["sNaN", "NaN", "Infinity", "1e2", "25.555", "-5", "101"])
def test_parse_rate_refuses_what_is_not_a_plain_percentage(text):
    with pytest.raises(AmountError):
        parse_rate(text)


@pytest.mark.parametrize(
    ("net", "rate", "vat"),
    [
        (10000, 2500, 2500),
        (1, 2500, 0),  # 0.25 -> 0
        (2, 2500, 1),  # 0.5 -> 1: half up
        (6, 2500, 2),  # 1.5 -> 2
        (10, 1250, 1),  # 1.25 -> 1
        (12, 1250, 2),  # 1.5 -> 2
        (-2, 2500, -1),  # a credit note mirrors its invoice: half away from zero
        (-6, 2500, -2),
        (416700, 0, 0),
        (999, 600, 60),  # 59.94 -> 60
        (10**15, 2500, 25 * 10**13),  # large amounts stay exact
    ],
)
def test_vat_is_rounded_half_up_per_line(net, rate, vat):
    value = vat_on(net, rate)
    assert value == vat
    assert type(value) is int


def test_totals_add_up_per_line():
    lines = [
        Line("Monthly fee", 416700, 0),
        Line("Parking", 80000, 2500),
        Line("Storage", 3, 2500),  # 0.75 -> 1
        Line("Laundry", 2, 2500),  # 0.5 -> 1
        Line("Water", 999, 1200),  # 119.88 -> 120
    ]
    result = totals(lines)
    assert result.net == 416700 + 80000 + 3 + 2 + 999
    assert result.vat == 0 + 20000 + 1 + 1 + 120
    assert result.total == result.net + result.vat == sum(line.total for line in lines)
    assert result.vat_by_rate == {2500: 20002, 1200: 120}
    assert _all_ints(result)
    # rounding per line: the same nets in one line would give 20001 at 25 %, not 20002
    assert vat_on(80000 + 3 + 2, 2500) == 20001


def test_totals_of_nothing_are_zero():
    result = totals([])
    assert (result.net, result.vat, result.total, result.vat_by_rate) == (0, 0, 0, {})
    assert _all_ints(result)


def test_a_credit_note_cancels_its_invoice_exactly():
    lines = [Line("Parking", 80003, 2500), Line("Fee", 17, 600)]
    credit = [Line(line.description, -line.amount, line.vat_rate) for line in lines]
    assert totals(lines).total + totals(credit).total == 0
    assert totals(lines).vat == -totals(credit).vat


lines_strategy = st.lists(
    st.builds(
        Line,
        description=st.text(max_size=20),
        amount=st.integers(min_value=-(10**12), max_value=10**12),
        vat_rate=st.sampled_from([0, 600, 1000, 1200, 1250, 2000, 2100, 2200, 2400, 2500]) | st.integers(0, 10000),
    ),
    max_size=30,
)


@given(lines=lines_strategy)
def test_line_totals_sum_to_the_invoice_total(lines):
    result = totals(lines)
    assert sum(line.total for line in lines) == result.total
    assert sum(line.vat for line in lines) == result.vat == sum(result.vat_by_rate.values())
    assert sum(line.amount for line in lines) == result.net
    assert result.net + result.vat == result.total
    assert _all_ints(result)
    assert all(type(line.vat) is int and type(line.total) is int for line in lines)


@given(net=st.integers(min_value=-(10**15), max_value=10**15), rate=st.integers(min_value=0, max_value=10000))
def test_vat_is_the_exact_share_rounded_half_up(net, rate):
    exact = Decimal(net) * rate / 10000
    vat = vat_on(net, rate)
    assert type(vat) is int
    assert abs(Decimal(vat) - exact) <= Decimal("0.5")
    if abs(Decimal(vat) - exact) == Decimal("0.5"):  # a tie goes away from zero
        assert abs(vat) > abs(exact)
