"""`flask backup` and `flask restore` (issue 16 item 5): the demo round-trips table by table and file by
file, on SQLite and (under PORCH_TEST_DATABASE_URL) on PostgreSQL; a damaged backup, a backup from a newer
Porch and a restore into an install that holds data are refused, and nothing is changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from app import create_app
from config import TestConfig
from core import backup
from models.db import db
from tests.conftest import PG_URL


def _rows(database_url: str) -> dict[str, list]:
    """Every table's rows, sorted, read straight from the database (not through the app)."""
    if urlsplit(database_url).scheme == "sqlite":
        with closing(sqlite3.connect(urlsplit(database_url).path[1:])) as connection:
            names = backup.table_counts(database_url)
            return {name: sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"'))) for name in names}
    import psycopg2

    with closing(psycopg2.connect(database_url)) as connection, connection.cursor() as cursor:
        tables = {}
        for name in backup.table_counts(database_url):
            cursor.execute(f'SELECT * FROM "{name}"')
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]
            tables[name] = sorted(map(repr, rows))
        return tables


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def second_install(tmp_path, app):
    """An empty install to restore into: its own database (on PostgreSQL made by `created_database`, which
    only the tests that restore need) and upload folder."""
    url = app.config["DATABASE_URL"]
    if PG_URL:
        name = f"{urlsplit(url).path.lstrip('/')}_restored"
        database_url = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    else:
        database_url = f"sqlite:///{tmp_path / 'restored' / 'porch.sqlite3'}"
    yield {
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": tmp_path / "restored" / "uploads",
        "OUTBOX_DIR": tmp_path / "restored" / "outbox",
        "INSTANCE_DIR": tmp_path / "restored",
        "REDIS_URL": None,
        "SMTP_URL": None,
    }
    db.close()


@pytest.fixture
def created_database(app, second_install):
    """The second install's PostgreSQL database, new and empty (SQLite makes its file itself)."""
    if not PG_URL:
        yield
        return
    import psycopg2

    name = urlsplit(second_install["DATABASE_URL"]).path.lstrip("/")
    admin = psycopg2.connect(app.config["DATABASE_URL"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _cli(settings: dict, *args: str):
    """Run a command in the second install; the tests' own database is the app's again afterwards."""
    ours = db.obj
    try:
        application = create_app(type("Config", (TestConfig,), settings))
        return application.test_cli_runner().invoke(args=list(args))
    finally:
        db.obj.close()
        db.initialize(ours)


def test_the_demo_round_trips_table_by_table_and_file_by_file(app, outbox, tmp_path, second_install, created_database):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    db.close()
    made = runner.invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    folder = next((tmp_path / "backups").glob("porch-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    uploads = Path(app.config["UPLOAD_DIR"])
    assert manifest["files"] and set(manifest["files"]) == set(_files(uploads))  # the demo's photos and PDFs
    assert manifest["tables"]["association"] == 4 and manifest["tables"]["invoice"] > 100
    assert f"{len(manifest['files'])} files" in made.output

    restored = _cli(second_install, "restore", str(folder))
    assert restored.exit_code == 0, restored.output
    assert "was restored" in restored.output
    original = _rows(app.config["DATABASE_URL"])
    assert _rows(second_install["DATABASE_URL"]) == original
    assert sum(len(rows) for rows in original.values()) == sum(manifest["tables"].values())
    assert _files(Path(second_install["UPLOAD_DIR"])) == _files(uploads)

    # A second restore over what is now there is refused: it holds files and data.
    again = _cli(second_install, "restore", str(folder))
    assert again.exit_code != 0 and "already holds files" in again.output
    shutil.rmtree(second_install["UPLOAD_DIR"])  # with the files gone, the database still holds data
    again = _cli(second_install, "restore", str(folder))
    assert again.exit_code != 0 and "already holds data" in again.output


def _small_install(app, make_association) -> Path:
    """An association and two uploaded files, backed up; the backup's folder."""
    make_association("hostile", name="Hostile <b>&amp; Co</b>")
    uploads = Path(app.config["UPLOAD_DIR"])
    (uploads / "1" / "documents").mkdir(parents=True)
    (uploads / "1" / "documents" / "doc-a.pdf").write_bytes(b"%PDF-1.4 minutes")
    (uploads / "logo-b.png").write_bytes(b"\x89PNG logo")
    db.close()
    made = app.test_cli_runner().invoke(args=["backup", "--to", str(Path(app.config["INSTANCE_DIR"]) / "b")])
    assert made.exit_code == 0, made.output
    return next((Path(app.config["INSTANCE_DIR"]) / "b").glob("porch-*"))


def _damage_file(folder: Path) -> str:
    (folder / "files" / "logo-b.png").write_bytes(b"\x89PNG tampered")
    return "files/logo-b.png has changed"


def _lose_file(folder: Path) -> str:
    (folder / "files" / "1" / "documents" / "doc-a.pdf").unlink()
    return "files/1/documents/doc-a.pdf is missing"


def _add_file(folder: Path) -> str:
    (folder / "files" / "stray.txt").write_text("not ours")
    return "files/stray.txt is not in the manifest"


def _damage_database(folder: Path) -> str:
    manifest = json.loads((folder / "manifest.json").read_text())
    with (folder / manifest["database_file"]).open("ab") as handle:
        handle.write(b"\0")
    return f"the database file {manifest['database_file']} has changed"


def _break_manifest(folder: Path) -> str:
    (folder / "manifest.json").write_text('{"format": 1, "backend": ')
    return "cannot be read"


def _swap_database_file(folder: Path) -> str:
    """A manifest naming a decoy as the database, while the real file beside it is the one a restore reads."""
    manifest = json.loads((folder / "manifest.json").read_text())
    decoy = "database.pgdump" if manifest["backend"] == "sqlite" else "database.sqlite3"
    (folder / decoy).write_bytes(b"decoy")
    manifest["database_file"], manifest["database_sha256"] = decoy, hashlib.sha256(b"decoy").hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return f"the database file {decoy} is missing"


def _link_a_file(folder: Path) -> str:
    target = folder / "files" / "logo-b.png"
    target.unlink()
    target.symlink_to("/etc/hostname")
    return "files/logo-b.png is a link"


@pytest.mark.parametrize(
    "damage",
    [_damage_file, _lose_file, _add_file, _damage_database, _break_manifest, _swap_database_file, _link_a_file],
)
def test_a_damaged_backup_is_refused_and_nothing_is_restored(app, make_association, second_install, damage):
    folder = _small_install(app, make_association)
    reason = damage(folder)
    for args in (["restore", "--check-only", str(folder)], ["restore", str(folder)]):
        result = _cli(second_install, *args)
        assert result.exit_code != 0
        assert reason in result.output, result.output
    assert not Path(second_install["UPLOAD_DIR"]).exists()
    if not PG_URL:
        assert not Path(urlsplit(second_install["DATABASE_URL"]).path[1:]).exists()


def test_a_restore_refuses_a_newer_porchs_backup_and_a_folder_that_holds_files(app, make_association, second_install):
    folder = _small_install(app, make_association)
    checked = _cli(second_install, "restore", "--check-only", str(folder))
    assert checked.exit_code == 0 and "is complete" in checked.output

    manifest = json.loads((folder / "manifest.json").read_text())
    newer = folder.parent / "newer"
    shutil.copytree(folder, newer)
    manifest["migrations"].append("0999_from_the_future")
    (newer / "manifest.json").write_text(json.dumps(manifest))
    result = _cli(second_install, "restore", str(newer))
    assert result.exit_code != 0 and "made by a newer Porch" in result.output

    Path(second_install["UPLOAD_DIR"]).mkdir(parents=True)
    (Path(second_install["UPLOAD_DIR"]) / "someone-elses.pdf").write_bytes(b"%PDF")
    result = _cli(second_install, "restore", str(folder))
    assert result.exit_code != 0 and "already holds files" in result.output


def test_backups_are_kept_to_the_newest_few_and_a_cut_off_one_never_counts(app, make_association, frozen_clock):
    target = Path(app.config["INSTANCE_DIR"]) / "nightly"
    (target / ".porch-20261201T000000Z.partial").mkdir(parents=True)  # a backup cut off halfway
    for day in (1, 2, 3):
        frozen_clock.set(dt.datetime(2026, 12, day, 2, 0))
        result = app.test_cli_runner().invoke(args=["backup", "--to", str(target), "--keep", "2"])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.glob("porch-*")) == ["porch-20261202T020000Z", "porch-20261203T020000Z"]
    assert "Removed the older backup" in result.output


def test_pg_tools_keep_libpq_options_and_never_see_the_password_in_their_arguments():
    url = "postgresql://porch:s3cr%40t@db.internal:5433/porch?sslmode=verify-full&max_connections=32&stale_timeout=300"
    argument = backup._libpq_url(url, with_password=False)
    assert argument == "postgresql://porch@db.internal:5433/porch?sslmode=verify-full"
    assert backup._tool_environment(url)["PGPASSWORD"] == "s3cr@t"
    assert "s3cr" in backup._libpq_url(url)  # in-process connections keep it
