"""Late interest (issue 13 item 2): what an overdue invoice costs, day by day, and how it was worked out.

Interest runs on the overdue principal (what is still owed on the invoice) for each day after the due
date and the grace days, at the yearly rate in force that day, divided by the days of that day's year
(actual/actual: 365, or 366 in a leap year). The exact sum is kept as a fraction and rounded half up
to a whole minor unit once per invoice and charge, so no rounding piles up day by day. A charge covers
days first..last of one invoice and never overlaps another charge of it: no day is charged twice.

The working is stored with each charge (InterestCharge.calculation) as pieces: stretches of days with
the same principal and rate. Statements show them; `pieces_of` reads them back.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Piece:
    """Days first..last (inclusive) at one principal (minor units) and one yearly rate (basis points)."""

    first: dt.date
    last: dt.date
    principal: int
    rate: int
    year_days: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def exact(self) -> Fraction:
        """days × principal × rate / (10,000 × days in the year), in minor units, unrounded."""
        return Fraction(self.days * self.principal * self.rate, 10_000 * self.year_days)

    def as_json(self) -> dict:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "days": self.days,
            "principal": self.principal,
            "rate": self.rate,
            "year_days": self.year_days,
            "exact": f"{self.exact.numerator}/{self.exact.denominator}",
        }


def round_half_up(amount: Fraction) -> int:
    """A fraction of minor units to a whole one, halves away from zero (interest is never negative here)."""
    whole, rest = divmod(amount.numerator, amount.denominator)
    return whole + (1 if 2 * rest >= amount.denominator else 0)


def dump(pieces: list[Piece]) -> str:
    """The calculation column's text for these pieces."""
    return json.dumps([piece.as_json() for piece in pieces], separators=(",", ":"))


def pieces_of(calculation: str) -> list[Piece]:
    """The pieces a charge's calculation column holds, in order."""
    return [
        Piece(
            first=dt.date.fromisoformat(item["from"]),
            last=dt.date.fromisoformat(item["to"]),
            principal=int(item["principal"]),
            rate=int(item["rate"]),
            year_days=int(item["year_days"]),
        )
        for item in json.loads(calculation or "[]")
    ]
