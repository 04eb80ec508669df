"""A meter's use per period as a bar chart, worked out here and drawn as SVG by templates/meters/_chart.html
(no chart library, no script): bars with the period below and a scale on the left. An estimated period is
drawn hatched and says "estimated" in its title, so colour is never the only sign; the same numbers are in
the table beside the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

# The drawing's own units: the SVG scales to the page's width, and stops growing at this height.
WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 28, 12, 40
MOST_LABELS = 5  # period names under the bars: every n-th, so they never overlap at 360 px


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the period, e.g. "Nov 2026"
    value: str  # the use, formatted
    estimated: bool
    show_label: bool


@dataclass
class Tick:
    y: float
    text: str


@dataclass
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    base: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - BOTTOM + 16


def nice_ceiling(value: Decimal) -> Decimal:
    """The scale's top: the use rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(float(value)))
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= power * step:
            return power * step
    return power * 10


def bars(title: str, points: list[tuple[str, Decimal | None, bool]], fmt) -> Chart:
    """The chart of (period label, use or None, estimated) in order; `fmt` writes a number for people.
    A period without a use (the first reading) has no bar; a negative use (a meter read low) draws none
    either, and its number stays in the table."""
    chart = Chart(title=title)
    if not points:
        return chart
    top = nice_ceiling(max((use for _label, use, _est in points if use is not None), default=Decimal(0)))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(points)
    every = max(1, math.ceil(len(points) / MOST_LABELS))
    for index, (label, use, estimated) in enumerate(points):
        shown = max(Decimal(0), use) if use is not None else Decimal(0)
        height = float(shown / top) * plot_height
        chart.bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                label=label,
                value=fmt(use) if use is not None else "",
                estimated=estimated,
                show_label=(len(points) - 1 - index) % every == 0,
            )
        )
    chart.ticks = [Tick(y=round(TOP + plot_height * (1 - share), 2), text=fmt(top * Decimal(str(share))))
                   for share in (0, 0.5, 1)]  # fmt: skip
    return chart
