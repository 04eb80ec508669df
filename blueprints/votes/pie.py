"""The results' pie chart (V2), drawn on the server as SVG: no chart library, no script.

Slices come from exact fractions: each starts where the one before it ended (the sums are Fractions), so
they meet without gaps and the last ends exactly where the first began; only the points on the circle
are rounded, for drawing. A slice that is the whole pie is a circle (an arc cannot start and end at one
point). Each slice has a colour from a fixed palette that white text reads on (at least 4.5:1), a
pattern, and its number from the legend written on it when it is wide enough: the colour is never the
only way to tell slices apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

SIZE = 200
CENTRE = SIZE / 2
RADIUS = 96
# Dark enough for white text and lines (contrast with #fff at least 4.5:1), and far enough apart.
PALETTE = ("#1d4e89", "#a4262c", "#1e6b34", "#6c3483", "#7a4b00", "#0e6655", "#8e1f5c", "#3d4b5c")
PATTERNS = ("plain", "stripes", "dots", "cross", "vertical", "checks", "horizontal", "rings")
REST_COLOUR = "#e1e5ea"  # "Not voted": light, with dark text, and no pattern
LABELLED_FROM = Fraction(1, 20)  # a slice narrower than this has no number on it (the legend has)


@dataclass(frozen=True)
class Slice:
    number: int  # 1, 2, … as in the legend; 0 for the rest ("Not voted")
    label: str
    weight: Fraction
    share: Fraction  # of the whole pie
    start: Fraction  # in turns from the top, clockwise
    colour: str
    pattern: str
    text_colour: str
    path: str  # "" when the slice is the whole pie (drawn as a circle)
    label_x: float
    label_y: float

    @property
    def end(self) -> Fraction:
        return self.start + self.share

    @property
    def whole(self) -> bool:
        return self.share == 1

    @property
    def labelled(self) -> bool:
        return self.share >= LABELLED_FROM


def point(turns: Fraction, radius: float = RADIUS) -> tuple[float, float]:
    """Where a turn (0 at the top, clockwise) meets the circle of `radius`, rounded for the SVG."""
    angle = 2 * math.pi * float(turns)
    return round(CENTRE + radius * math.sin(angle), 3), round(CENTRE - radius * math.cos(angle), 3)


def slices(parts: list[tuple[str, Fraction]], rest: tuple[str, Fraction] | None = None) -> list[Slice]:
    """The pie of `parts` (label, weight), in their order, and `rest` last ("Not voted"), if any weight.

    Parts of no weight get no slice; an empty pie is an empty list."""
    drawn = [(number, label, weight) for number, (label, weight) in enumerate(parts, start=1) if weight > 0]
    if rest is not None and rest[1] > 0:
        drawn.append((0, rest[0], rest[1]))
    total = sum((weight for _n, _l, weight in drawn), Fraction(0))
    found, start = [], Fraction(0)
    for number, label, weight in drawn:
        share = weight / total
        colour, pattern, text = look(number)
        middle = point(start + share / 2, RADIUS * 0.62) if share < 1 else (CENTRE, CENTRE)
        found.append(Slice(number, label, weight, share, start, colour, pattern, text, _path(start, share), *middle))
        start += share
    return found


def look(number: int) -> tuple[str, str, str]:
    if number == 0:
        return REST_COLOUR, "plain", "#1b1f24"
    index = (number - 1) % len(PALETTE)
    # Past the palette the patterns shift, so no two slices of one pie look the same.
    pattern = PATTERNS[(number - 1 + (number - 1) // len(PALETTE)) % len(PATTERNS)]
    return PALETTE[index], pattern, "#ffffff"


def _path(start: Fraction, share: Fraction) -> str:
    if share >= 1:
        return ""
    x0, y0 = point(start)
    x1, y1 = point(start + share)
    large = 1 if share > Fraction(1, 2) else 0
    return f"M{CENTRE:g} {CENTRE:g}L{x0:g} {y0:g}A{RADIUS} {RADIUS} 0 {large} 1 {x1:g} {y1:g}Z"
