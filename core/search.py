"""The quick search (SPEC D3): one index for every kind of thing members find, in the database itself.

Kinds register here (documents in blueprints/documents/search_views.py, posts in
blueprints/community/search.py; votes later, without changing this module):

    register_kind("vote", _l("Vote"), url_for_hit, readable_condition, entries)

`readable_condition(membership)` is the SQL condition (on SearchEntry) for the
rows of that kind the member may read, or None when the member reads none: it
goes into the query itself, so counts and pages are right and no snippet of an
unreadable row is ever made. `url_for_hit(hit)` is a hit's address; `entries(
association_id)` yields every Entry of the kind, for `flask search rebuild`.

The words are folded (core.text.fold: no case, no accents) before they are
indexed and before they are looked for, so "zapis" finds "Zápis" and "ostra"
finds "östra". SQLite: an FTS5 table (unicode61, remove_diacritics 2) whose
content is search_text, so snippet() shows the text as written; the entries' ids
follow their time, so FTS5 gives the newest first without sorting. PostgreSQL: a
stripped tsvector ('simple': no stemming of Czech, Swedish or Estonian words)
with a GIN index; the snippets are cut in Python around the first word found,
by a pattern that matches each letter with or without its accent. Every word typed must be found; the last may be the start of
a word ("zap" finds "zápis" while typing).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import peewee as pw
from markupsafe import Markup, escape

from core import clock
from core.text import fold
from models.db import db, transaction
from models.documents import Folder
from models.search import SearchEntry, SearchText

PAGE = 20
MAX_WORDS = 8  # words of a query that count; more only make it slower
MAX_WORD = 60  # characters of a word
MAX_TEXT = 1_000_000  # characters of a body or of the attachments' text indexed (PostgreSQL's tsvector has a limit)
# Matches are counted up to this many; beyond, the page says "more than 1,000 results" and PostgreSQL
# finds a page by walking the entries newest first (each page of 20 comes within 20 * entries / matches).
# Counting every match of a common word costs PostgreSQL a visit to each matching row (25 ms for 30,000
# of 100,000 documents) for a number nobody pages through: 50 pages are there; another word narrows it.
COUNT_UP_TO = 1000
START, STOP = "\x02", "\x03"  # marks around a found word in a snippet, made <mark> after escaping
_UNSAFE = str.maketrans({START: " ", STOP: " ", "\x00": " "})
_WORD = re.compile(r"[^\W_]+")


# --- kinds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What the index holds of one thing."""

    kind: str
    object_id: int
    association_id: int
    folder_id: int | None
    title: str
    body: str
    files: str
    at: object  # a naive UTC datetime
    category_id: int | None = None  # the discussion category whose readers find it (topics' posts)


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # a lazy string
    url_for_hit: Callable[[Hit], str]
    readable_condition: Callable[[object], pw.Expression | None]
    entries: Callable[[int], Iterable[Entry]] | None


KINDS: dict[str, Kind] = {}


def register_kind(
    kind: str,
    label,
    url_for_hit: Callable[[Hit], str],
    readable_condition: Callable[[object], pw.Expression | None],
    entries: Callable[[int], Iterable[Entry]] | None = None,
) -> None:
    """Make a kind of thing findable (see the module's text)."""
    KINDS[kind] = Kind(kind, label, url_for_hit, readable_condition, entries)


# --- writing the index ------------------------------------------------------------------------------


def _postgres() -> bool:
    return isinstance(db.obj, pw.PostgresqlDatabase)


def _clean(text: str | None, limit: int) -> str:
    return (text or "")[:limit].translate(_UNSAFE)


_EPOCH = dt.datetime(1970, 1, 1)


def _time_id(at: dt.datetime) -> int:
    """An unused id that sorts as `at` does: its time in microseconds (then the next free one)."""
    wanted = (at - _EPOCH) // dt.timedelta(microseconds=1)
    taken = {
        row_id
        for (row_id,) in SearchEntry.select(SearchEntry.id)
        .where((SearchEntry.id >= wanted) & (SearchEntry.id < wanted + 1000))
        .tuples()
    }
    while wanted in taken:
        wanted += 1
    return wanted


def put(entry: Entry) -> None:
    """Index `entry`, or index it again as it is now."""
    at = entry.at or clock.utcnow_naive()
    title, body, files = _clean(entry.title, 1000), _clean(entry.body, MAX_TEXT), _clean(entry.files, MAX_TEXT)
    with transaction():
        _remove(entry.kind, entry.object_id)
        row_id = _time_id(at)
        values = dict(
            id=row_id,
            kind=entry.kind,
            object_id=entry.object_id,
            association=entry.association_id,
            folder_id=entry.folder_id,
            category_id=entry.category_id,
            at=at,
            title=title[:200],
        )
        folded = (fold(title), fold(body), fold(files))
        if _postgres():
            values["vector"] = pw.fn.strip(pw.fn.to_tsvector(pw.SQL("'simple'"), " ".join(folded)))
        SearchEntry.insert(**values).execute()
        SearchText.insert(entry=row_id, title=title, body=body, files=files).execute()
        if not _postgres():
            db.execute_sql("INSERT INTO search_fts (rowid, title, body, files) VALUES (?, ?, ?, ?)", (row_id, *folded))


def remove(kind: str, object_id: int) -> None:
    """Take a thing out of the index (nothing happens if it is not there)."""
    with transaction():
        _remove(kind, object_id)


def _remove(kind: str, object_id: int) -> None:
    ids = [
        row_id
        for (row_id,) in SearchEntry.select(SearchEntry.id)
        .where((SearchEntry.kind == kind) & (SearchEntry.object_id == object_id))
        .tuples()
    ]
    if not ids:
        return
    if not _postgres():
        # An external-content FTS5 table forgets a row's words when told them again: the words the
        # row was indexed with are its stored text, folded as when it was put.
        texts = SearchText.select(SearchText.entry, SearchText.title, SearchText.body, SearchText.files)
        for row_id, title, body, files in texts.where(SearchText.entry.in_(ids)).tuples():
            db.execute_sql(
                "INSERT INTO search_fts (search_fts, rowid, title, body, files) VALUES ('delete', ?, ?, ?, ?)",
                (row_id, fold(title), fold(body), fold(files)),
            )
    SearchText.delete().where(SearchText.entry.in_(ids)).execute()
    SearchEntry.delete().where(SearchEntry.id.in_(ids)).execute()


def rebuild(association_id: int | None = None) -> int:
    """Index every registered kind's things again, for one association or all; returns how many."""
    from models import Association

    ids = [association_id] if association_id else [a.id for a in Association.select(Association.id)]
    count = 0
    if association_id is None and not _postgres():
        # Everything: start from an empty index, which also drops the words of rows gone with an
        # association (deleting an association deletes its rows, not their words in search_fts).
        with transaction():
            SearchText.delete().execute()
            SearchEntry.delete().execute()
            db.execute_sql("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
    for one in ids:
        with transaction():
            kinds = SearchEntry.select(SearchEntry.kind, SearchEntry.object_id).where(SearchEntry.association == one)
            for kind, object_id in kinds.tuples():
                _remove(kind, object_id)
            for kind in KINDS.values():
                for entry in kind.entries(one) if kind.entries else ():
                    put(entry)
                    count += 1
    return count


# --- searching --------------------------------------------------------------------------------------


def words_of(query: str | None) -> list[str]:
    """The words of what was typed, folded; anything else (quotes, *, -, brackets) is a space."""
    return [word[:MAX_WORD] for word in _WORD.findall(fold(query or ""))][:MAX_WORDS]


@dataclass
class Hit:
    kind: str
    object_id: int
    folder_id: int | None
    folder_name: str | None
    title: str
    at: object
    snippet: Markup = Markup("")

    @property
    def url(self) -> str:
        return KINDS[self.kind].url_for_hit(self)

    @property
    def label(self):
        return KINDS[self.kind].label


@dataclass
class Results:
    words: list[str]
    hits: list[Hit]
    total: int  # at most COUNT_UP_TO
    page: int
    more: bool = False  # more matches than COUNT_UP_TO: total says "at least"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE))


def search(membership, query: str | None, page: int = 1) -> Results:
    """A page of what the member may read that holds every word typed, newest first, with the total.

    At most three queries: the total (on SQLite unless the page is the last one and not full; first on
    PostgreSQL, where it chooses the page's plan), the page, and the
    page's snippets (of rows already known to be readable). The total is counted up to COUNT_UP_TO."""
    words = words_of(query)
    page = max(page, 1)
    readable = _readable(membership)
    if not words or readable is None:
        return Results(words, [], 0, page)
    where = _match(words) & (SearchEntry.association == membership.association_id) & readable
    total = None
    if _postgres():
        matching = SearchEntry.select().where(where)
        # Counted first (from the GIN index, up to COUNT_UP_TO), the total chooses the page's plan. Left
        # to itself PostgreSQL walks the entries newest first until a page matches, which reads the whole
        # index for a word found a few times (130 ms for none at all among 100,000); a rare word's few
        # matches are sorted instead (id + 0 hides the index's order).
        total = _count(matching)
        if total == 0:
            return Results(words, [], 0, page)
        newest_first = SearchEntry.id.desc() if total > COUNT_UP_TO else (SearchEntry.id + 0).desc()
    else:
        # FTS5 hands its rows over in rowid order, the entries' time: the page needs no sort. CROSS JOIN
        # makes SQLite start from FTS5's matches: without ANALYZE's statistics (a new install has none)
        # it starts from the association's entries and asks FTS5 about each (2,000 documents: 120 ms).
        matching = (
            SearchEntry.select()
            .from_(_FTS)
            .join(SearchEntry, pw.JOIN.CROSS)
            .where((_FTS.rowid == SearchEntry.id) & where)
        )
        newest_first = _FTS.rowid.desc()
    rows = list(
        matching.select(
            SearchEntry.id,
            SearchEntry.kind,
            SearchEntry.object_id,
            SearchEntry.folder_id,
            SearchEntry.title,
            SearchEntry.at,
            Folder.name.alias("folder_name"),
        )
        .join_from(SearchEntry, Folder, pw.JOIN.LEFT_OUTER, on=(SearchEntry.folder_id == Folder.id))
        .order_by(newest_first)
        .limit(PAGE)
        .offset((page - 1) * PAGE)
        .dicts()
    )
    if total is None:
        # A page that is not full is the last one: the total follows from it without counting.
        full = len(rows) == PAGE or (not rows and page > 1)
        total = _count(matching) if full else (page - 1) * PAGE + len(rows)
    snippets = _snippets(words, [row["id"] for row in rows])
    hits = [
        Hit(
            row["kind"],
            row["object_id"],
            row["folder_id"],
            row["folder_name"],
            row["title"],
            row["at"],
            snippets.get(row["id"], Markup("")),
        )
        for row in rows
    ]
    return Results(words, hits, min(total, COUNT_UP_TO), page, more=total > COUNT_UP_TO)


def _count(matching: pw.ModelSelect) -> int:
    """How many rows match, counted up to one past COUNT_UP_TO (the database stops there)."""
    return matching.select(SearchEntry.id).limit(COUNT_UP_TO + 1).count()


_FTS = pw.Table("search_fts", ("rowid",))


def _readable(membership) -> pw.Expression | None:
    """What the member may read, of every kind: each kind's condition, or None when none."""
    conditions = []
    for kind in KINDS.values():
        condition = kind.readable_condition(membership)
        if condition is not None:
            conditions.append((SearchEntry.kind == kind.key) & condition)
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined | condition
    return combined


def _match(words: list[str]) -> pw.Expression:
    if _postgres():
        return pw.Expression(SearchEntry.vector, "@@", pw.fn.to_tsquery(pw.SQL("'simple'"), _tsquery(words)))
    return pw.Expression(pw.SQL("search_fts"), "MATCH", _fts_query(words))


def _fts_query(words: list[str]) -> str:
    """FTS5's query: every word as a quoted string (nothing typed is syntax), the last a prefix."""
    return " ".join(f'"{word}"' for word in words) + "*"


def _tsquery(words: list[str]) -> str:
    return " & ".join(f"'{word}'" for word in words) + ":*"


def _snippets(words: list[str], ids: list[int]) -> dict[int, Markup]:
    """Each hit's words around what was found (of rows already known to be readable)."""
    if not ids:
        return {}
    if _postgres():
        # Cut here rather than by ts_headline(), which parses each hit's whole text with unaccent (20 hits
        # with their attachments' text: 11 ms of a 14 ms search); a regular expression finds the words.
        texts = SearchText.select(SearchText.entry, SearchText.body, SearchText.files).where(SearchText.entry.in_(ids))
        pattern = _pattern(words)
        rows = [(row_id, _cut(pattern, body) or _cut(pattern, files)) for row_id, body, files in texts.tuples()]
    else:
        # From the body, or from the files where the body does not hold a word typed (the title is shown
        # beside the snippet anyway).
        # FTS5 narrows by a range of rowids (given a list, it reads every match): the page's range, then
        # its rows only (+rowid: a filter, not for FTS5), so no snippet is made of a row not on the page.
        marks = ", ".join("?" for _ in ids)
        found = db.execute_sql(
            f"SELECT rowid, snippet(search_fts, 1, ?1, ?2, '…', 16), snippet(search_fts, 2, ?1, ?2, '…', 16)"
            f" FROM search_fts WHERE search_fts MATCH ?3 AND rowid BETWEEN ?4 AND ?5 AND +rowid IN ({marks})",
            (START, STOP, _fts_query(words), min(ids), max(ids), *ids),
        ).fetchall()
        rows = [(row_id, files if START not in body and START in files else body) for row_id, body, files in found]
    return {row_id: marked(text or "") for row_id, text in rows}


SNIPPET_BEFORE, SNIPPET_AFTER = 60, 140  # characters of text around the first word found


@lru_cache(maxsize=1)
def _letter_variants() -> dict[str, str]:
    """Each folded letter and the letters that fold to it ("a": "aáäåàâãą…"), from Latin's accented letters."""
    variants: dict[str, set[str]] = {}
    for code in range(0x00C0, 0x0250):
        letter = chr(code)
        base = fold(letter)
        if len(base) == 1 and base.isalpha():
            variants.setdefault(base, {base}).add(letter)
    return {base: "".join(sorted(letters)) for base, letters in variants.items()}


def _pattern(words: list[str]) -> re.Pattern:
    """What finds the (folded) words in the text as written: any case and accent; the last may be a start."""
    variants = _letter_variants()

    def letters(word: str) -> str:
        return "".join(f"[{re.escape(variants[ch])}]" if ch in variants else re.escape(ch) for ch in word)

    whole = [letters(word) + r"(?!\w)" for word in words[:-1]]
    alternatives = [*whole, letters(words[-1]) + r"\w*"]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def _cut(pattern: re.Pattern, text: str) -> str:
    """The text around the first word found, between word boundaries, the found words between START and
    STOP ("" when no word is in it)."""
    first = pattern.search(text or "")
    if first is None:
        return ""
    start, end = max(first.start() - SNIPPET_BEFORE, 0), min(first.end() + SNIPPET_AFTER, len(text))
    if start > 0:
        space = text.find(" ", start, first.start())
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space >= 0 else end
    window = pattern.sub(lambda found: START + found.group(0) + STOP, " ".join(text[start:end].split()))
    return ("… " if start > 0 else "") + window + (" …" if end < len(text) else "")


def marked(snippet: str) -> Markup:
    """The snippet's text escaped, and only then its found words in <mark>."""
    return Markup(str(escape(snippet)).replace(START, "<mark>").replace(STOP, "</mark>"))
