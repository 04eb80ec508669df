"""The quick search's index (SPEC D3): one row per searchable thing, whatever its kind.

SearchEntry is narrow (what a hit shows and what the reading rule and the order
need), so a search that matches thousands of rows reads little; SearchText holds
the text as written (titles, bodies, attachments' text) for the snippets. The
words are indexed by the database, folded (core.text.fold): on SQLite in the
FTS5 table `search_fts` (made by migration 0012, no model: its content is
search_text), on PostgreSQL in `vector` with a GIN index (NULL on SQLite).
core/search.py writes and reads them.
"""

from __future__ import annotations

import peewee as pw

from core import clock
from models.db import BaseModel
from models.portal import Association


class TSVectorField(pw.Field):
    """PostgreSQL's tsvector (SQLite keeps the column, always NULL: its words are in search_fts)."""

    field_type = "TSVECTOR"


class SearchEntry(BaseModel):
    """A searchable thing: its kind ("document"; later "vote", "post"), its id, and what a hit shows.

    On SQLite the id is the time in microseconds (core.search.put), so FTS5, whose rows come in id
    order, gives the newest hits first without sorting them all."""

    id = pw.BigIntegerField(primary_key=True)
    kind = pw.CharField(max_length=20)
    object_id = pw.IntegerField()
    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    # The folder whose readers may find it (documents); NULL for kinds whose rule is another one.
    folder_id = pw.IntegerField(null=True)
    # The discussion category whose readers may find it (topics' posts); NULL for other kinds.
    category_id = pw.IntegerField(null=True)
    at = pw.DateTimeField(default=clock.utcnow_naive)  # the time hits are ordered by, newest first
    title = pw.CharField(max_length=200, default="")
    vector = TSVectorField(null=True)

    class Meta:
        indexes = (
            (("kind", "object_id"), True),
            (("association", "at"), False),
            (("vector",), False),  # GIN on PostgreSQL
        )


class SearchText(BaseModel):
    """A search entry's text as written: what the snippets are made of (and, on SQLite, what FTS5 reads)."""

    entry = pw.ForeignKeyField(SearchEntry, primary_key=True, column_name="id", on_delete="CASCADE")
    title = pw.TextField(default="")
    body = pw.TextField(default="")
    files = pw.TextField(default="")  # the attachments' text
