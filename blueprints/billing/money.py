"""Money in integers of minor units: parsing, VAT and totals (DESIGN: never a float).

How many minor units a currency has comes from the currency itself (CLDR via
Babel: 2 for EUR, SEK, CZK; 0 for JPY, ISK; 3 for KWD), so amounts typed,
VAT computed and totals printed all round to what the currency can hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision
from flask_babel import get_locale

from models.billing import BankTransaction, Charge, Contract, Invoice, Payment, Receipt

BASIS_POINTS = 10_000  # a VAT rate of 2500 basis points is 25 %
# Far beyond any housing association's invoice, far within a BIGINT column (2^63 - 1).
MAX_MINOR_UNITS = 10**15


def exponent(currency: str) -> int:
    """Digits after the decimal point the currency uses (its minor unit)."""
    return get_currency_precision(currency)


class AmountError(ValueError):
    """Text that is not an amount of this currency."""


_AMOUNT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_RATE = re.compile(r"^\d{1,3}(?:[.,]\d{1,2})?$")


def parse_amount(text: str, currency: str) -> int:
    """ "1 234,50" or "1234.5" -> 123450 minor units; refuses more decimals than the currency has."""
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text or "")
    if not _AMOUNT.match(cleaned):
        raise AmountError(text)
    value = Decimal(cleaned.replace(",", "."))
    digits = exponent(currency)
    if value.as_tuple().exponent < -digits:
        raise AmountError(text)
    minor_units = int(value.scaleb(digits))
    if abs(minor_units) > MAX_MINOR_UNITS:
        raise AmountError(text)
    return minor_units


def to_decimal(minor_units: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal of major units (for payment codes and forms)."""
    return Decimal(minor_units).scaleb(-exponent(currency))


def parse_rate(text: str) -> int:
    """ "25", "12,5" or "0" percent -> basis points (2500, 1250, 0)."""
    cleaned = (text or "").strip().rstrip("%").strip() or "0"
    if not _RATE.match(cleaned):  # plain digits only: no exponents, NaN or infinity
        raise AmountError(text)
    points = Decimal(cleaned.replace(",", ".")) * 100
    if not 0 <= points <= BASIS_POINTS:
        raise AmountError(text)
    return int(points)


def vat_on(net: int, rate: int) -> int:
    """VAT on a net amount in minor units, rounded half away from zero to a whole minor unit."""
    exact = Decimal(net) * Decimal(rate) / BASIS_POINTS
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Line:
    description: str
    amount: int  # net, minor units
    vat_rate: int = 0  # basis points

    @property
    def vat(self) -> int:
        return vat_on(self.amount, self.vat_rate)

    @property
    def total(self) -> int:
        return self.amount + self.vat


@dataclass(frozen=True)
class Totals:
    net: int
    vat: int
    total: int
    vat_by_rate: dict[int, int]  # basis points -> VAT in minor units


def totals(lines: Iterable[Line]) -> Totals:
    """Sums per invoice: VAT is rounded per line, so the lines a resident reads add up to the total."""
    net = vat = 0
    by_rate: dict[int, int] = {}
    for line in lines:
        net += line.amount
        vat += line.vat
        if line.vat_rate:
            by_rate[line.vat_rate] = by_rate.get(line.vat_rate, 0) + line.vat
    return Totals(net=net, vat=vat, total=net + vat, vat_by_rate=by_rate)


def amounts_exist(association) -> bool:
    """Whether the association keeps any amount in its currency (charges, rents, invoices, payments,
    money received, bank entries).

    Amounts are integers of the currency's minor units: read in another currency they would mean
    something else (SEK 65.00 stored as 6500 öre is ISK 6,500), so the currency is fixed once one exists."""
    return any(
        model.select(model.id).where(model.association == association).exists()
        for model in (Charge, Contract, Invoice, Payment, Receipt, BankTransaction)
    )


# --- amounts in forms: typed and pre-filled with the page's decimal sign ("2 442,50" in Czech) ------


def decimal_sign() -> str:
    """The page's decimal sign: "," in Czech, Swedish and Estonian, "." in English."""
    return _symbols().get("decimal", ".")


def _symbols() -> dict:
    return get_locale().number_symbols.get("latn", {})


def amount_text(minor_units: int, currency: str) -> str:
    """Minor units as people type them in the page's language: 244250 CZK -> "2 442,50" in Czech, "2442.50"
    in English. Thousands are grouped with a plain space where the language groups with a space (parse_amount
    skips spaces), never with a comma, which would read as a decimal sign."""
    whole, _, fraction = f"{to_decimal(abs(minor_units), currency):f}".partition(".")
    if _symbols().get("group", ",") in (" ", "\u00a0", "\u202f"):
        whole = f"{int(whole):,}".replace(",", " ")
    sign = "-" if minor_units < 0 else ""
    return sign + whole + (decimal_sign() + fraction if fraction else "")


def rate_text(basis_points: int) -> str:
    """2500 -> "25", 1250 -> "12,5" (in the locale's decimal sign)."""
    whole, rest = divmod(basis_points, 100)
    return str(whole) if not rest else f"{whole}{decimal_sign()}{rest:02d}".rstrip("0")


def amount_example(currency: str) -> str:
    """An amount as hints show one: "1 234,50" in Czech, "1 234.50" in English, "1 234" in ISK."""
    digits = exponent(currency)
    return "1 234" + (decimal_sign() + "50".ljust(digits, "0") if digits else "")
