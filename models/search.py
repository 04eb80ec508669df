"""The quick search's index (SPEC D3): one row per searchable thing, whatever its kind.

The rows hold the text as written (titles, bodies, attachments' text) for the
snippets; the words are indexed by the database, folded (core.text.fold):
on SQLite in the FTS5 table `search_fts` (made by migration 0012, no model:
its content is this table), on PostgreSQL in `vector` with a GIN index
(NULL on SQLite). core/search.py writes and reads both.
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
    """A searchable thing: its kind ("document"; later "vote", "post"), its id, and what the search shows."""

    kind = pw.CharField(max_length=20)
    object_id = pw.IntegerField()
    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    # The folder whose readers may find it (documents); NULL for kinds whose rule is another one.
    folder_id = pw.IntegerField(null=True)
    title = pw.TextField(default="")
    body = pw.TextField(default="")
    files = pw.TextField(default="")  # the attachments' text
    at = pw.DateTimeField(default=clock.utcnow_naive)  # the time hits are ordered by, newest first
    vector = TSVectorField(null=True)

    class Meta:
        indexes = (
            (("kind", "object_id"), True),
            (("association", "at"), False),
            (("vector",), False),  # GIN on PostgreSQL
        )
