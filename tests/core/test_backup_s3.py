"""`flask backup` and `flask restore` with the files in S3 (STORAGE_URL=s3://…, a real S3 API server on
loopback): the objects are in the backup with their checksums, a restore puts them into another bucket, and a
bucket prefix that already holds files is refused."""

from __future__ import annotations

import json

from core.storage import storage
from models.db import db
from tests.core import test_backup
from tests.core.test_backup import _cli, _rows

# The fixtures of the local round trip: an empty second install, and its PostgreSQL database when on one.
second_install = test_backup.second_install
created_database = test_backup.created_database


def test_the_objects_round_trip_through_a_backup_into_another_bucket(
    app,
    make_association,
    tmp_path,
    s3_storage,
    s3_server,
    second_install,
    created_database,
):
    make_association("hostile", name="Hostile <b>&amp; Co</b>")
    files = {"1/documents/doc-a.pdf": b"%PDF-1.4 minutes", "1/logo-b.png": b"\x89PNG logo", "attachments/c.pdf": b""}
    with app.app_context():
        for stored, body in files.items():
            storage().put(stored, body)
    db.close()
    made = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    folder = next((tmp_path / "backups").glob("porch-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == set(files) and "3 files" in made.output
    assert (folder / "files" / "1" / "documents" / "doc-a.pdf").read_bytes() == b"%PDF-1.4 minutes"

    target = s3_server.new_bucket()
    into_s3 = second_install | s3_server.settings(target, "restored")
    restored = _cli(into_s3, "restore", str(folder))
    assert restored.exit_code == 0, restored.output
    assert s3_server.keys(target) == sorted(f"restored/{stored}" for stored in files)
    for stored, body in files.items():
        assert s3_server.client().get_object(Bucket=target, Key=f"restored/{stored}")["Body"].read() == body
    assert _rows(second_install["DATABASE_URL"]) == _rows(app.config["DATABASE_URL"])

    again = _cli(into_s3, "restore", str(folder))  # the prefix holds files now (and the database data)
    assert again.exit_code != 0 and "already holds files" in again.output and f"s3://{target}/restored" in again.output
