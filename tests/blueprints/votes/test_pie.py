"""The results' pie drawn as SVG (V2): slices from exact fractions that add up to the whole, meet without
gaps, a single slice drawn as a circle, and none for options nobody chose."""

from __future__ import annotations

import math
import re
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from blueprints.votes import pie


def test_slices_follow_each_other_and_make_the_whole():
    drawn = pie.slices([("Yes", Fraction(3, 10)), ("No", Fraction(4, 10)), ("Abstain", Fraction(0))])
    assert [(s.number, s.label, s.share) for s in drawn] == [(1, "Yes", Fraction(3, 7)), (2, "No", Fraction(4, 7))]
    assert drawn[0].start == 0 and drawn[1].start == drawn[0].end and drawn[1].end == 1
    # The first starts at the top; "No" is the larger part, so its arc is the long way round.
    assert drawn[0].path.startswith("M100 100L100 4A96 96 0 0 1")
    assert " 0 1 1 " in drawn[1].path and drawn[1].path.endswith("100 4Z")


def test_one_option_is_a_whole_circle():
    (only,) = pie.slices([("Yes", Fraction(1, 3)), ("No", Fraction(0))])
    assert only.whole and only.share == 1 and only.path == "" and (only.label_x, only.label_y) == (100, 100)


def test_an_empty_pie_has_no_slices_and_the_rest_comes_last():
    assert pie.slices([("Yes", Fraction(0)), ("No", Fraction(0))]) == []
    drawn = pie.slices([("For", Fraction(1, 4))], rest=("Not voted", Fraction(3, 4)))
    assert [(s.number, s.share) for s in drawn] == [(1, Fraction(1, 4)), (0, Fraction(3, 4))]
    assert drawn[1].colour == pie.REST_COLOUR and drawn[1].pattern == "plain"


def test_each_slice_looks_different_past_the_palette():
    looks = {pie.look(number)[:2] for number in range(1, 31)}
    assert len(looks) == 30
    # Within a palette's worth of options the patterns differ too: colour is not the only difference.
    assert len({pie.look(number)[1] for number in range(1, len(pie.PALETTE) + 1)}) == len(pie.PALETTE)


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 10**4)), min_size=1, max_size=12))
def test_slices_always_add_up_and_their_arcs_meet(weights):
    parts = [(f"Option {i}", Fraction(n, d)) for i, (n, d) in enumerate(weights)]
    drawn = pie.slices(parts)
    if not any(weight for _label, weight in parts):
        assert drawn == []
        return
    assert sum(s.share for s in drawn) == 1 and drawn[0].start == 0 and drawn[-1].end == 1
    for before, after in zip(drawn, drawn[1:], strict=False):
        assert before.end == after.start
        ends_at = re.findall(r"[-\d.]+", before.path)[-2:]
        starts_at = re.findall(r"[-\d.]+", after.path)[2:4]
        assert [float(v) for v in ends_at] == [float(v) for v in starts_at]  # no gap between them
    for piece in drawn:
        assert math.isclose(float(piece.share), float(piece.weight) / float(sum(w for _l, w in parts)), rel_tol=1e-9)
