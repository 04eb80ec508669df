"""A small association with meters and a year of readings, shared by the window, period, export, import and
history tests: units 1..n in House A, each with a cold- and a hot-water meter installed on 31 December 2025,
read monthly through October 2026 (cold: 3 m³ a month, hot: 1 m³), and the window for November 2026."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

from models.meters import Meter, Reading, ReadingWindow
from tests.factories.meters import make_meter, make_window
from tests.factories.register import make_unit

INSTALLED = dt.date(2025, 12, 31)
NOVEMBER = dt.date(2026, 11, 30)


def month_end(month: int, year: int = 2026) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def furnish(association, count: int, start: int = 1) -> list:
    """`count` units with two meters each and their readings through October (a few inserts per unit)."""
    units = []
    for number in range(start, start + count):
        unit = make_unit(association, str(number))
        rows = []
        for kind, monthly in ((Meter.COLD_WATER, 3), (Meter.HOT_WATER, 1)):
            meter = make_meter(unit, kind, serial=f"{kind[:1].upper()}W-{number}", installed_on=INSTALLED)
            rows.append(dict(meter=meter.id, read_on=INSTALLED, value=Decimal(0), source=Reading.INSTALLED))
            for month in range(1, 11):
                rows.append(dict(meter=meter.id, read_on=month_end(month), value=Decimal(monthly * month),
                                 source=Reading.BOARD))  # fmt: skip
        Reading.insert_many(rows).execute()
        units.append(unit)
    return units


def november(association, **fields) -> ReadingWindow:
    return make_window(association, NOVEMBER, **fields)


def words(response) -> str:
    """The page's words, without tags, entities decoded and spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"[\s\xa0\u202f]+", " ", text)
