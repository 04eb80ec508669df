"""The home page's panels (SPEC P9): each domain registers a panel with a query, and the home page
reads all of them in one round trip.

Core knows no domain. A domain's panel gives a query selecting the columns
COLUMNS (its own ORDER BY and LIMIT inside), for the member; the home page
asks each panel, joins their queries with UNION ALL and runs that once, so
adding a panel does not add a query. A panel with nothing for this member
returns None and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from models.db import db

# What every panel's query selects, in this order, named so.
COLUMNS = ("id", "title", "at", "detail", "text", "link_id")


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    query: Callable[[object], pw.SelectQuery | None]  # (membership) -> the panel's rows, or None
    # In Python, after the query: words for a row's values (a status), or rows worked out from the
    # query's (an event's next occurrence); returns the rows to show.
    present: Callable[[list[Row]], list[Row]] | None = None


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


_panels: list[Panel] = []


def panel(key: str, order: int, query: Callable[[object], pw.SelectQuery | None], present=None) -> None:
    """Register a home-page panel (once: importing a domain's package twice adds nothing)."""
    if any(existing.key == key for existing in _panels):
        return
    _panels.append(Panel(key, order, query, present))
    _panels.sort(key=lambda p: p.order)


def rows(membership) -> dict[str, list[Row]]:
    """Every panel's rows for this member, by panel key: one query for all of them."""
    parts = [(p, q) for p in _panels if (q := p.query(membership)) is not None]
    if not parts:
        return {}
    union = None
    for shown, query in parts:
        key = shown.key
        inner = query.alias(f"panel_{key.replace('.', '_')}")
        part = pw.Select([inner], [pw.Value(key).alias("panel"), *(_typed(inner, name) for name in COLUMNS)])
        union = part if union is None else union.union_all(part)
    found: dict[str, list[Row]] = {shown.key: [] for shown, _query in parts}
    for values in db.execute(union).fetchall():
        key, *columns = values
        found[key].append(Row(*columns[:2], _as_datetime(columns[2]), *columns[3:]))
    for shown, _query in parts:
        if shown.present is not None:
            found[shown.key] = shown.present(found[shown.key])
    return found


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
