"""The quick search's index (issue 10 item 3): search_entry, one row per searchable thing, its text in
search_text, and the words indexed by the backend: an FTS5 table on SQLite (its content: search_text),
a tsvector with a GIN index on PostgreSQL (and the text search configuration porch_search, 'simple'
plus unaccent, for the snippets, when the unaccent extension can be created).
Documents already published are indexed by `flask search rebuild`.
"""

from peewee import *


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    db.execute_sql(
        'CREATE TABLE "search_entry" ("id" BIGINT NOT NULL PRIMARY KEY, "kind" VARCHAR(20) NOT NULL,'
        ' "object_id" INTEGER NOT NULL, "association_id" INTEGER NOT NULL'
        ' REFERENCES "association" ("id") ON DELETE CASCADE, "folder_id" INTEGER,'
        ' "at" TIMESTAMP NOT NULL, "title" VARCHAR(200) NOT NULL, "vector" TSVECTOR)'
        if postgres
        # The id is the entry's time in microseconds (core.search.put). INTEGER PRIMARY KEY: SQLite's
        # rowid itself (64 bits), the order FTS5 returns its rows in.
        else 'CREATE TABLE "search_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "kind" VARCHAR(20) NOT NULL,'
        ' "object_id" INTEGER NOT NULL, "association_id" INTEGER NOT NULL'
        ' REFERENCES "association" ("id") ON DELETE CASCADE, "folder_id" INTEGER,'
        ' "at" DATETIME NOT NULL, "title" VARCHAR(200) NOT NULL, "vector" TSVECTOR)'
    )
    db.execute_sql(
        'CREATE TABLE "search_text" ("id" %s NOT NULL PRIMARY KEY'
        ' REFERENCES "search_entry" ("id") ON DELETE CASCADE,'
        ' "title" TEXT NOT NULL, "body" TEXT NOT NULL, "files" TEXT NOT NULL)' % ("BIGINT" if postgres else "INTEGER")
    )
    db.execute_sql('CREATE UNIQUE INDEX "searchentry_kind_object_id" ON "search_entry" ("kind", "object_id")')
    db.execute_sql('CREATE INDEX "searchentry_association_id_at" ON "search_entry" ("association_id", "at")')
    db.execute_sql('CREATE INDEX "searchentry_association_id" ON "search_entry" ("association_id")')
    if postgres:
        db.execute_sql('CREATE INDEX "searchentry_vector" ON "search_entry" USING GIN ("vector")')
        available = db.execute_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'").fetchone()
        if available:
            try:
                with db.atomic():
                    db.execute_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
                    db.execute_sql("CREATE TEXT SEARCH CONFIGURATION porch_search (COPY = simple)")
                    db.execute_sql(
                        "ALTER TEXT SEARCH CONFIGURATION porch_search"
                        " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple"
                    )
            except DatabaseError:  # not allowed to create it: the words are folded in Python all the same
                pass
    else:
        db.execute_sql('CREATE INDEX "searchentry_vector" ON "search_entry" ("vector")')
        db.execute_sql(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, files, content='search_text',"
            " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS porch_search")
    else:
        db.execute_sql('DROP TABLE IF EXISTS "search_fts"')
    db.execute_sql('DROP TABLE "search_text"')
    db.execute_sql('DROP TABLE "search_entry"')
