"""The stored working of a late-interest charge reads back as it was written."""

import datetime as dt
from fractions import Fraction

from blueprints.billing.interest import Piece, dump, pieces_of, round_half_up


def test_pieces_round_trip_and_their_exact_amount():
    pieces = [
        Piece(dt.date(2028, 2, 1), dt.date(2028, 2, 29), 100000, 1200, 366),
        Piece(dt.date(2028, 3, 1), dt.date(2028, 3, 10), 40000, 1250, 366),
    ]
    assert pieces_of(dump(pieces)) == pieces
    assert pieces[0].days == 29  # a leap February
    assert pieces[0].exact == Fraction(29 * 100000 * 1200, 10_000 * 366)


def test_rounding_is_half_up():
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(249, 100)) == 2
    assert round_half_up(Fraction(0)) == 0
