"""The one clock the app reads, so tests can move time instead of sleeping."""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time in UTC (timezone-aware)."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def utcnow_naive() -> dt.datetime:
    """UTC without tzinfo, as stored in the database (SQLite keeps no zone)."""
    return now().replace(tzinfo=None)


def today(tz: str = "UTC") -> dt.date:
    """Today's date in a time zone (an association's day starts at its midnight)."""
    return now().astimezone(ZoneInfo(tz)).date()


def set_time(value: dt.datetime | None) -> None:
    global _frozen
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    _frozen = value


@contextmanager
def frozen(value: dt.datetime):
    """Run a block with the clock stopped at `value`."""
    previous = _frozen
    set_time(value)
    try:
        yield
    finally:
        set_time(previous)


def to_local(stored: dt.datetime, association) -> dt.datetime:
    """A stored (naive UTC) time in the association's time zone."""
    return stored.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(association.timezone))


def to_utc_naive(local: dt.datetime, association) -> dt.datetime:
    """A time typed in the association's time zone, as stored (naive UTC)."""
    zoned = local.replace(tzinfo=ZoneInfo(association.timezone)) if local.tzinfo is None else local
    return zoned.astimezone(dt.UTC).replace(tzinfo=None)
