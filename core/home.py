"""The home page's panels (SPEC P9): each domain registers a panel, and the home page reads all of them
in one round trip whose SQL is built once.

Core knows no domain. A panel gives two functions: `values(membership)`, the values its query needs
for this member (ids, times, as the database takes them), or None when the panel is not for them;
and `build(*values)`, its query selecting COLUMNS (its own ORDER BY and LIMIT inside) from those
values, which here are markers. The home page joins the shown panels' queries with UNION ALL, keeps
the SQL text per set of panels (building it cost more than running it: ~7 ms a request) and binds
each member's values, so adding a panel adds no query and little time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from models.db import db

# What every panel's query selects, in this order, named so.
COLUMNS = ("id", "title", "at", "detail", "text", "link_id")


@dataclass
class Row:
    """One line of a panel: what it links to and shows."""

    id: int
    title: str
    at: dt.datetime | None
    detail: str | None
    text: str | None
    link_id: int | None
    state: str = ""  # a CSS state class beside the word in `detail`, when the panel sets one


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    values: Callable[[object], tuple | None]  # (membership) -> the query's values, or None: not shown
    build: Callable[..., pw.SelectQuery]  # (*values) -> the panel's query
    # In Python, after the query: words for a row's values (a status), or rows worked out from the
    # query's (an event's next occurrence); returns the rows to show.
    present: Callable[[list[Row]], list[Row]] | None = None


_panels: list[Panel] = []
_compiled: dict[tuple, tuple[str, list, list]] = {}  # (dialect, panel keys) -> (sql, params, slots)


def panel(key: str, order: int, values, build, present=None) -> None:
    """Register a home-page panel (once: importing a domain's package twice adds nothing)."""
    if any(existing.key == key for existing in _panels):
        return
    _panels.append(Panel(key, order, values, build, present))
    _panels.sort(key=lambda p: p.order)


def rows(membership) -> dict[str, list[Row]]:
    """Every panel's rows for this member, by panel key: one query for all of them."""
    shown = [(p, values) for p in _panels if (values := p.values(membership)) is not None]
    if not shown:
        return {}
    sql, params, slots = _sql(shown)
    values = [value for _panel, panel_values in shown for value in panel_values]
    bound = [param if slot is None else values[slot] for param, slot in zip(params, slots, strict=True)]
    found: dict[str, list[Row]] = {p.key: [] for p, _values in shown}
    for key, *columns in db.execute_sql(sql, bound).fetchall():
        found[key].append(Row(*columns[:2], _as_datetime(columns[2]), *columns[3:]))
    for shown_panel, _values in shown:
        if shown_panel.present is not None:
            found[shown_panel.key] = shown_panel.present(found[shown_panel.key])
    return found


def _sql(shown: list[tuple[Panel, tuple]]) -> tuple[str, list, list]:
    """The union of these panels' queries, built with markers where the values go (see PreparedSelect)."""
    key = (type(db.obj), tuple(p.key for p, _values in shown))
    if key not in _compiled:
        markers: list[str] = []
        union = None
        for shown_panel, values in shown:
            own = [f"\x00porch-home-{len(markers) + i}\x00" for i in range(len(values))]
            markers += own
            query = shown_panel.build(*[pw.Value(m, converter=False) for m in own])
            inner = query.alias(f"panel_{shown_panel.key.replace('.', '_')}")
            columns = [pw.Value(shown_panel.key).alias("panel"), *(_typed(inner, name) for name in COLUMNS)]
            part = pw.Select([inner], columns)
            union = part if union is None else union.union_all(part)
        sql, params = db.get_sql_context().sql(union).query()
        slots = [markers.index(p) if isinstance(p, str) and p in markers else None for p in params]
        _compiled[key] = (sql, params, slots)
    return _compiled[key]


# One type per column for every part: PostgreSQL types a bare NULL as text and then refuses to
# UNION it with a number. (`at` is left alone: SQLite has no timestamp type to cast to.)
CASTS = {"id": "INTEGER", "title": "TEXT", "detail": "TEXT", "text": "TEXT", "link_id": "INTEGER"}


def _typed(inner, name: str):
    column = pw.Column(inner, name)
    return pw.Cast(column, CASTS[name]).alias(name) if name in CASTS else column


def _as_datetime(value) -> dt.datetime | None:
    # A bare SELECT gives SQLite's stored text, where a model query would convert it.
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
