"""Names as people of a language sort them (SPEC X5): Czech puts Č after C and "ch" after "h",
Swedish puts Å, Ä and Ö after Z, Estonian puts Š, Z, Ž after S and Õ, Ä, Ö, Ü after W.

A name's sort key is ICU's collation key for the association's language, kept in the row beside the
name (Person.sort_key) so a list sorts by an indexed column on SQLite and PostgreSQL alike, rather
than by the database's own collation (which on SQLite knows only bytes).
"""

from __future__ import annotations

import threading

import icu

_local = threading.local()  # a collator per thread: ICU's are cheap to keep, not to share


def collator(language: str) -> icu.Collator:
    cache = _local.__dict__.setdefault("collators", {})
    found = cache.get(language)
    if found is None:
        found = cache[language] = icu.Collator.createInstance(icu.Locale(language or "en"))
    return found


def sort_key(text: str, language: str) -> bytes:
    """The bytes that order `text` as `language` orders it (compare them bytewise)."""
    return bytes(collator(language).getSortKey(text or ""))
