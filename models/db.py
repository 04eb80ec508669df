"""The deferred database, the base model, transactions and migrations."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

import peewee as pw
from flask import abort
from playhouse.migrations import Runner
from playhouse.pool import PooledPostgresqlDatabase

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class CountingMixin:
    """Counts statements per request when COUNT_QUERIES is on (bench/ reads it)."""

    counter: Callable[[], None] | None = None

    def execute_sql(self, sql, params=None, *args, **kwargs):
        if self.counter is not None:
            self.counter()
        return super().execute_sql(sql, params, *args, **kwargs)


class PorchSqlite(CountingMixin, pw.SqliteDatabase):
    pass


class PorchPostgres(CountingMixin, PooledPostgresqlDatabase):
    pass


db = pw.DatabaseProxy()


def _in_subquery_is_never_empty() -> None:
    """`x IN (SELECT …)` without building the subquery's SQL twice.

    To write `IN ()` as `0 = 1` (which PostgreSQL needs), peewee builds the SQL of every IN's right-hand
    side once to see whether it is `()`, then again to write it. A subquery is never `()`, but the check
    compiles it anyway, and each subquery inside it twice more: the cost doubles with every level of
    nesting. The moderation count (threads a role reads, of documents in folders it reads) took 5 ms to
    build and 0.1 ms to run; the board's home page spent a third of its time there."""
    check = pw.Expression._is_rhs_empty

    def is_rhs_empty(self, rhs, ctx) -> bool:
        return False if isinstance(rhs, pw.SelectBase) else check(self, rhs, ctx)

    pw.Expression._is_rhs_empty = is_rhs_empty


_in_subquery_is_never_empty()


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class PreparedSelect:
    """A select whose SQL text is built once; later calls only bind new values.

    peewee rebuilds a query's SQL on every execution, and for the queries
    every request or every list page runs that costs more than the database
    takes to answer them (a list's query with its joins: ~0.5 ms). `build`
    receives one marker per value, to use where the value goes; call with the
    values as the database takes them (str, int, an ISO date string).

    Keyword arguments are the query's shape: what changes its SQL text (a
    filter given or not, a permission the viewer holds). `build` receives them
    as they are, and the SQL is built once per shape; keep their values few
    (flags and choices, never ids or search words). Past KEPT shapes (a search
    of many words can take many), a new one is built every time it is used.
    """

    KEPT = 256

    def __init__(self, build: Callable[..., pw.ModelSelect]):
        self.build = build
        self._compiled: dict[tuple, tuple] = {}  # per database dialect and shape

    def __call__(self, *values: str | int | None, **shape) -> list:
        query, cursor = self._execute(values, shape)
        return list(query._get_cursor_wrapper(cursor))

    def raw(self, *values: str | int | None, **shape) -> list[tuple]:
        """The rows as the database driver gives them: no model and no conversion (a time is the text SQLite
        stores). For a list that renders few of its rows (core.rendering.RenderedRows keeps the rest), where
        peewee's conversion of every column of every row costs as much as the database's answer."""
        return self._execute(values, shape)[1].fetchall()

    def _execute(self, values: tuple, shape: dict):
        database = db.obj
        key = (type(database), *sorted(shape.items()))
        compiled = self._compiled.get(key)
        if compiled is None:
            markers = [f"\x00porch-parameter-{i}\x00" for i in range(len(values))]
            # converter=False: the marker must reach the SQL as is, not through a field's db_value().
            query = self.build(*[pw.Value(marker, converter=False) for marker in markers], **shape)
            sql, params = query.sql()
            slots = [markers.index(p) if isinstance(p, str) and p in markers else None for p in params]
            compiled = (query, sql, params, slots)
            if len(self._compiled) < self.KEPT:
                self._compiled[key] = compiled
        query, sql, params, slots = compiled
        bound = [value if slot is None else values[slot] for value, slot in zip(params, slots, strict=True)]
        return query, database.execute_sql(sql, bound)


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere, its own % and _ taken literally (for like())."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like(column, pattern) -> pw.Expression:
    """`column` matches like_pattern()'s `pattern` (a string, or a PreparedSelect marker bound to one),
    ignoring case as peewee's contains() does: ILIKE, which SQLite writes as LIKE."""
    value = pattern if isinstance(pattern, pw.Node) else pw.Value(pattern, converter=False)
    escape = pw.NodeList((value, pw.SQL("ESCAPE"), pw.Value("\\", converter=False)))
    return pw.Expression(column, pw.OP.ILIKE, escape)


class AssociationScoped:
    """For models with an `association` field: every load goes through these.

    Views load what a member may open with visible_to(membership) and
    get_visible(membership, id); services and jobs that work for the association
    itself use of(association). What exists but is not the member's is a 404,
    never a 403, which would tell an outsider that the id exists.
    """

    @classmethod
    def of(cls, association) -> pw.ModelSelect:
        """Rows of this association only."""
        return cls.select().where(cls.association == association)

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """The rows this member may open. By default all of the association's: the view's
        @requires decides who reaches them. Models whose rows belong to someone narrow it."""
        return cls.of(membership.association)

    @classmethod
    def get_visible(cls, membership, row_id: int):
        """The row with this id if the member may open it, else 404."""
        return first_or_404(cls.visible_to(membership).where(cls.id == row_id))


def loaded(model: type[pw.Model], **values) -> pw.Model:
    """An instance holding columns read by hand from a query's rows (a foreign key as its id).

    Made without working out every field's default first (clock.now() for each created_at...), as
    peewee makes its own results, and with the values put in place at once rather than one field
    at a time through each field's descriptor: 0.6 µs for a row of fifteen columns instead of 7."""
    instance = model(__no_default__=True)
    instance.__data__.update(values)
    return instance


def first_or_404(query: pw.ModelSelect):
    """The query's first row, or a 404 when it has none (for loads by id through visible_to)."""
    row = query.first()
    if row is None:
        abort(404)
    return row


def make_database(url: str) -> pw.Database:
    """SQLite (WAL, foreign keys on) for sqlite:///path, PostgreSQL for postgresql://."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db or sqlite:////absolute/path.db, as SQLAlchemy writes them.
        path = unquote(parsed.path)[1:]
        if path not in (":memory:", ""):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return PorchSqlite(
            path or ":memory:",
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": "normal",
                "busy_timeout": 5000,
                "cache_size": -16000,
            },
            check_same_thread=False,
        )
    if parsed.scheme in ("postgres", "postgresql"):
        options = dict(parse_qsl(parsed.query))
        options.setdefault("max_connections", 32)
        options.setdefault("stale_timeout", 300)
        return PorchPostgres(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
            **options,
        )
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


def migration_runner() -> Runner:
    return Runner(db.obj, directory=str(MIGRATIONS_DIR))


def upgrade() -> list[str]:
    """Apply every pending migration; returns the names applied."""
    return migration_runner().up()


# Jobs (mail, PDFs) must not start before the rows they read are committed.
# Work queued inside transaction() waits here until the outermost block commits.
_pending = threading.local()


def _pending_list() -> list:
    if not hasattr(_pending, "items"):
        _pending.items = []
        _pending.depth = 0
    return _pending.items


@contextmanager
def transaction():
    """An atomic block; callbacks registered with after_commit() run once it commits."""
    items = _pending_list()
    _pending.depth += 1
    try:
        with db.atomic():
            yield
    except BaseException:
        _pending.depth -= 1
        if _pending.depth == 0:
            items.clear()
        raise
    _pending.depth -= 1
    if _pending.depth == 0:
        callbacks = list(items)
        items.clear()
        for callback in callbacks:
            callback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` after the surrounding transaction() commits, or now if none."""
    items = _pending_list()
    if _pending.depth:
        items.append(callback)
    else:
        callback()
