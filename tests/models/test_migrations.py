"""Migrations from empty to head, on SQLite here and on PostgreSQL in CI."""

import os

import pytest
from playhouse.schema_diff import diff_models

from models import ALL_MODELS
from models.db import db, make_database, migration_runner, upgrade


def test_empty_to_head_on_sqlite(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/fresh.sqlite3")
    db.initialize(database)
    with database.connection_context():
        applied = upgrade()
        assert applied and applied[0] == "0001_initial"
        assert upgrade() == []  # nothing left to do
        assert not diff_models(database, ALL_MODELS), "the migrations and the models disagree"
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.skipif(
    not os.environ.get("PORCH_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="runs against PostgreSQL in CI (make test with CI=true)",
)
def test_empty_to_head_on_postgresql():
    database = make_database(os.environ["PORCH_TEST_DATABASE_URL"])
    db.initialize(database)
    with database.connection_context():
        database.execute_sql("DROP SCHEMA IF EXISTS migration_check CASCADE")
        database.execute_sql("CREATE SCHEMA migration_check")
        database.execute_sql("SET search_path TO migration_check")
        try:
            assert upgrade()[0] == "0001_initial"
            assert all(m.applied for m in migration_runner().status())
            assert not diff_models(database, ALL_MODELS)
        finally:
            database.execute_sql("SET search_path TO public")
            database.execute_sql("DROP SCHEMA migration_check CASCADE")


def test_flask_db_upgrade_command(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_existing_associations_get_the_fault_contract_invoice_and_meter_tabs(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/old.sqlite3")
    db.initialize(database)
    with database.connection_context():
        migration_runner().up(target="0002_register")
        database.execute_sql(
            "INSERT INTO association (name, slug, locale, currency, timezone, welcome_text, contact_text, gdpr_text,"
            " theme_color, tabs, created_at) VALUES ('Old', 'old', 'en', 'EUR', 'UTC', '', '', '', '#1d5f8a',"
            " 'contact members units', '2026-01-01 00:00:00')"
        )
        upgrade()
        (tabs,) = database.execute_sql("SELECT tabs FROM association WHERE slug = 'old'").fetchone()
    assert tabs.split() == ["contact", "members", "units", "faults", "contracts", "invoices", "meters"]


def test_existing_board_roles_may_manage_invoices_after_0004(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/old.sqlite3")
    db.initialize(database)
    with database.connection_context():
        migration_runner().up(target="0003_faults")
        database.execute_sql(
            "INSERT INTO association (name, slug, locale, currency, timezone, welcome_text, contact_text, gdpr_text,"
            " theme_color, tabs, created_at) VALUES ('Old', 'old', 'en', 'EUR', 'UTC', '', '', '', '#1d5f8a',"
            " 'contact', '2026-01-01 00:00:00')"
        )
        for key, permissions in (("board", "invoices.view_all"), ("member", "votes.cast"), ("administrator", "")):
            database.execute_sql(
                "INSERT INTO role (association_id, key, name, permissions) VALUES (1, ?, ?, ?)", (key, key, permissions)
            )
        migration_runner().up(target="0004_billing")  # what 0004 did (0014 adds the board's moderation)
        roles = dict(database.execute_sql("SELECT key, permissions FROM role").fetchall())
    assert roles == {
        "board": "invoices.view_all invoices.manage",
        "member": "votes.cast",
        "administrator": "invoices.manage",
    }


def test_existing_associations_get_categories_and_their_board_moderates_after_0014(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/old.sqlite3")
    db.initialize(database)
    with database.connection_context():
        migration_runner().up(target="0013_events")
        database.execute_sql(
            "INSERT INTO association (name, slug, locale, currency, timezone, welcome_text, contact_text, gdpr_text,"
            " theme_color, tabs, created_at, document_max_mb, on_call_text) VALUES ('Old', 'old', 'cs', 'CZK', 'UTC', '', '', '',"
            " '#1d5f8a', 'contact', '2026-01-01 00:00:00', 5, '')"
        )
        for key in ("tenant", "member", "board", "administrator"):
            database.execute_sql(
                "INSERT INTO role (association_id, key, name, permissions) VALUES (1, ?, ?, ?)", (key, key, "")
            )
        migration_runner().up(target="0014_community")
        roles = dict(database.execute_sql("SELECT key, permissions FROM role").fetchall())
        categories = database.execute_sql("SELECT key, name FROM category ORDER BY position").fetchall()
        readers = database.execute_sql(
            "SELECT c.key, r.key FROM category_access a JOIN category c ON c.id = a.category_id"
            " JOIN role r ON r.id = a.role_id WHERE c.key = 'board' ORDER BY r.key"
        ).fetchall()
    assert roles == {
        "tenant": "",
        "member": "",
        "board": "discussions.moderate",
        "administrator": "discussions.moderate",
    }
    assert categories == [("everyone", "Všichni členové"), ("owners", "Jen vlastníci"), ("board", "Výbor")]
    assert readers == [("board", "administrator"), ("board", "board")]


def test_members_may_vote_per_rollam_and_the_board_may_run_such_votes_after_0015(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/old.sqlite3")
    db.initialize(database)
    with database.connection_context():
        migration_runner().up(target="0014_community")
        database.execute_sql(
            "INSERT INTO association (name, slug, locale, currency, timezone, welcome_text, contact_text, gdpr_text,"
            " theme_color, tabs, created_at, document_max_mb, on_call_text) VALUES ('Old', 'old', 'cs', 'CZK', 'UTC',"
            " '', '', '', '#1d5f8a', 'contact', '2026-01-01 00:00:00', 5, '')"
        )
        for key, permissions in (("tenant", "faults.report"), ("member", "votes.cast"), ("board", ""), ("x", "")):
            database.execute_sql(
                "INSERT INTO role (association_id, key, name, permissions) VALUES (1, ?, ?, ?)",
                (key, key, permissions),
            )
        migration_runner().up(target="0015_votes")
        migration_runner().up(target="0015_votes")
        roles = dict(database.execute_sql("SELECT key, permissions FROM role").fetchall())
        required = database.execute_sql("SELECT second_factor_permissions FROM association").fetchone()[0]
    assert roles == {
        "tenant": "faults.report",
        "member": "votes.cast votes.cast_per_rollam",
        "board": "votes.cast_per_rollam votes.manage_per_rollam",
        "x": "",
    }
    assert required == ""  # nothing asks for a second factor until the association chooses


def test_everyone_hands_in_readings_and_the_board_keeps_meters_after_0017(tmp_path):
    database = make_database(f"sqlite:///{tmp_path}/old.sqlite3")
    db.initialize(database)
    with database.connection_context():
        migration_runner().up(target="0016_balances")
        database.execute_sql(
            "INSERT INTO association (name, slug, locale, currency, timezone, welcome_text, contact_text, gdpr_text,"
            " theme_color, tabs, created_at, document_max_mb, on_call_text, second_factor_permissions) VALUES"
            " ('Old', 'old', 'et', 'EUR', 'UTC', '', '', '', '#1d5f8a', 'contact', '2026-01-01 00:00:00', 5, '', '')"
        )
        for key, permissions in (("tenant", "faults.report"), ("board", ""), ("x", "")):
            database.execute_sql(
                "INSERT INTO role (association_id, key, name, permissions) VALUES (1, ?, ?, ?)",
                (key, key, permissions),
            )
        migration_runner().up(target="0017_meters")
        migration_runner().up(target="0017_meters")
        roles = dict(database.execute_sql("SELECT key, permissions FROM role").fetchall())
        (tabs,) = database.execute_sql("SELECT tabs FROM association").fetchone()
        upgrade()
        after_0018 = dict(database.execute_sql("SELECT key, permissions FROM role").fetchall())
    assert roles == {"tenant": "faults.report meters.submit", "board": "meters.submit meters.manage", "x": ""}
    assert tabs == "contact meters"
    # 0018: the board keeps the listings of vacant homes.
    assert after_0018["board"] == "meters.submit meters.manage listings.manage"
    assert after_0018["tenant"] == "faults.report meters.submit" and after_0018["x"] == ""
