"""Cells as the import reads them: spreadsheet values and typed text made into the plain text the register's
forms take (dates as ISO days, yes/no as a checkbox posts it), and the keys rows are matched by.

Nothing here decides whether a value is allowed: the forms and services of the register and billing do.
"""

from __future__ import annotations

import datetime as dt
import re

from core.text import fold

MONTH_FORMATS = ("%Y-%m", "%m/%Y", "%m.%Y", "%Y%m", "%m-%Y")
# Yes and no in English, Swedish, Danish, Czech and Estonian (folded: no accents).
YES = {"1", "y", "yes", "true", "x", "ja", "j", "ano", "a", "jah", "on"}
NO = {"0", "n", "no", "false", "nej", "ne", "ei", "off", "-"}
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_SPACES = re.compile(r"\s+")
_NOT_KEY = re.compile(r"[^0-9A-Z]")
# ASCII letters that upper() makes of another character too (ß → SS, ﬁ → FI, ı → I), and that lower() makes of
# another (the Kelvin sign K → k, İ → i̇): a stored value may hold that other character where its key has the
# letter, so the LIKE patterns below let anything stand there (a test recomputes both sets).
UPPER_MADE_ELSEWHERE = frozenset("AFHIJLNSTWY")
LOWER_MADE_ELSEWHERE = frozenset("ik")


def text(value) -> str:
    """A cell as text: a spreadsheet's whole number without ".0", its dates as ISO days, text trimmed, every
    run of spaces (line breaks in a cell too) one space."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _SPACES.sub(" ", str(value)).strip()


# Day formats seen in the seeds' countries: 2026-01-31 (SE, EE ISO), 31.1.2026 and 31. 1. 2026 (CZ, EE),
# 31-01-2026 (DK), 31/01/2026, 20260131, 31.01.26. Patterns, not strptime: that tries each format at 60 µs
# a try, and a year of invoices and payments holds 50,000 days.
_DAYS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})"), (3, 2, 1)),
    (re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})"), (3, 2, 1)),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{2})"), (3, 2, 1)),
)


def day_text(value) -> str:
    """A day in one of the formats above as an ISO day for a form's DateField; anything else as it was (the form
    then says it is not a date)."""
    raw = text(value)
    for pattern, (year, month, day) in _DAYS:
        match = pattern.fullmatch(raw)
        if match:
            digits = int(match[year])
            try:
                return dt.date(
                    digits + 2000 if digits < 100 else digits, int(match[month]), int(match[day])
                ).isoformat()
            except ValueError:
                return raw
    return raw


def parse_day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(day_text(value))
    except ValueError:
        return None


def parse_month(value) -> dt.date | None:
    """The first day of a month written 2026-01, 01/2026, 1.2026 (or any day of it)."""
    raw = text(value)
    match = _ISO_MONTH.fullmatch(raw)
    if match and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    for pattern in MONTH_FORMATS:
        try:
            return dt.datetime.strptime(raw, pattern).date().replace(day=1)
        except ValueError:
            continue
    day = parse_day(raw)
    return day.replace(day=1) if day else None


def flag(value) -> bool | None:
    """yes / no in the seeds' languages; None when the cell says neither (or is empty)."""
    word = fold(text(value)).lower()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def id_key(personal_id: str) -> str:
    """A personal or company id as it is matched: letters and digits only, upper case (so 800101-1234,
    8001011234 and "800101 1234" are the same person)."""
    return _NOT_KEY.sub("", text(personal_id).upper())


def email_key(email: str) -> str:
    return text(email).lower()


def id_key_pattern(key: str) -> str:
    """A LIKE pattern (case aside) that every personal id whose id_key() is `key` matches, and a few others:
    the key's characters in order with anything between them. The database narrows, id_key() decides."""
    return "%" + "".join(f"{c}%" for c in key if c not in UPPER_MADE_ELSEWHERE)


def email_key_pattern(address: str) -> str:
    """A LIKE pattern (case aside, backslash escaping) that every e-mail whose email_key() is `address`
    matches, and a few others: its plain ASCII characters as they are, anything else (and spaces, which
    text() collapses) may be anything. The database narrows, email_key() decides."""
    parts = ["%"]
    for c in address:
        if c.isascii() and not c.isspace() and c not in LOWER_MADE_ELSEWHERE:
            parts.append(f"\\{c}" if c in "%_\\" else c)
        elif parts[-1] != "%":
            parts.append("%")
    if parts[-1] != "%":
        parts.append("%")
    return "".join(parts)


def name_key(given: str, surname: str) -> str:
    """A name as duplicates are found by: accents, case and order of the words aside."""
    return " ".join(sorted(fold(f"{given} {surname}").lower().split()))
