"""The quick search's index (issue 10 item 3): search_entry, one row per searchable thing, and the words
indexed by the backend: an FTS5 table on SQLite, a tsvector with a GIN index on PostgreSQL (with the
text search configuration porch_search, 'simple' plus unaccent, when the unaccent extension is there).
Documents already published are indexed by `flask search rebuild`.
"""
from peewee import *


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    if postgres:
        db.execute_sql(
            'CREATE TABLE "search_entry" ("id" SERIAL NOT NULL PRIMARY KEY, "kind" VARCHAR(20) NOT NULL,'
            ' "object_id" INTEGER NOT NULL, "association_id" INTEGER NOT NULL'
            ' REFERENCES "association" ("id") ON DELETE CASCADE, "folder_id" INTEGER,'
            ' "title" TEXT NOT NULL, "body" TEXT NOT NULL, "files" TEXT NOT NULL,'
            ' "at" TIMESTAMP NOT NULL, "vector" TSVECTOR)'
        )
    else:
        # AUTOINCREMENT: an id is never used twice, so words left in search_fts by a row its
        # association's deletion removed can never be taken for a new row's.
        db.execute_sql(
            'CREATE TABLE "search_entry" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,'
            ' "kind" VARCHAR(20) NOT NULL, "object_id" INTEGER NOT NULL, "association_id" INTEGER NOT NULL'
            ' REFERENCES "association" ("id") ON DELETE CASCADE, "folder_id" INTEGER,'
            ' "title" TEXT NOT NULL, "body" TEXT NOT NULL, "files" TEXT NOT NULL,'
            ' "at" DATETIME NOT NULL, "vector" TSVECTOR)'
        )
    db.execute_sql('CREATE UNIQUE INDEX "search_entry_kind_object_id" ON "search_entry" ("kind", "object_id")')
    db.execute_sql('CREATE INDEX "search_entry_association_id_at" ON "search_entry" ("association_id", "at")')
    db.execute_sql('CREATE INDEX "search_entry_association_id" ON "search_entry" ("association_id")')
    if postgres:
        db.execute_sql('CREATE INDEX "search_entry_vector" ON "search_entry" USING GIN ("vector")')
        available = db.execute_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'").fetchone()
        if available:
            try:
                with db.atomic():
                    db.execute_sql('CREATE EXTENSION IF NOT EXISTS unaccent')
                    db.execute_sql('CREATE TEXT SEARCH CONFIGURATION porch_search (COPY = simple)')
                    db.execute_sql(
                        'ALTER TEXT SEARCH CONFIGURATION porch_search'
                        ' ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple'
                    )
            except DatabaseError:  # not allowed to create it: the words are folded in Python all the same
                pass
    else:
        db.execute_sql('CREATE INDEX "search_entry_vector" ON "search_entry" ("vector")')
        db.execute_sql(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, files, content='search_entry',"
            " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TEXT SEARCH CONFIGURATION IF EXISTS porch_search')
    else:
        db.execute_sql('DROP TABLE IF EXISTS "search_fts"')
    db.execute_sql('DROP TABLE "search_entry"')
