"""Leaving Porch (SPEC I3): the whole association as one ZIP made by a job, and nothing of another association.

The job runs inline; the ZIP is read back as the board downloads it. BATCH is made small so the rows are read
in several batches (the export never holds a table in memory).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from blueprints.exchange import leaving
from core.storage import storage
from models import DataExport, Document, Folder, Person

FORMULA = '=HYPERLINK("http://evil.example")'


@pytest.fixture
def two_associations(app, alpha, make_association, make_person, make_unit, make_owner, frozen_clock):
    beta = make_association("beta")
    uploads = Path(app.config["UPLOAD_DIR"])
    for association, given, surname, email in (
        (alpha, FORMULA, "Alphason", "al@alpha.example"),
        (beta, "Betty", "Betaonly", "betty@beta.example"),
    ):
        person = make_person(association, email, given_name=given, surname=surname)
        make_owner(make_unit(association, f"{association.slug}-1"), person)
        for number in range(5):  # several batches of people
            make_person(association, f"p{number}@{association.slug}.example", surname=f"{surname}{number}")
        folder = Folder.create(association=association, name=f"Minutes of {association.slug}")
        Document.create(
            association=association, folder=folder, title=f"<b>Rules</b> of {surname}", state=Document.PUBLISHED,
            body="# House rules\n\n**Quiet** after 22.\n\n<script>alert(1)</script>",
        )  # fmt: skip
        photo = uploads / str(association.id) / "faults" / f"f-{association.slug}.jpg"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(f"photo of {association.slug}".encode())
        bank = uploads / "bank" / str(association.id) / f"b-{association.slug}.xml"
        bank.parent.mkdir(parents=True, exist_ok=True)
        bank.write_bytes(f"<bank of {association.slug}/>".encode())
    return beta


def test_the_board_exports_everything_of_its_association_and_nothing_else(
    app, client, login_as, alpha, two_associations, outbox, monkeypatch
):
    monkeypatch.setattr(leaving, "BATCH", 2)
    login_as("board")
    page = client.get("/alpha/admin/leaving").get_data(as_text=True)
    assert "Nothing has been exported yet." in page
    assert client.submit("/alpha/admin/leaving", {}).status_code == 302

    export = DataExport.get(DataExport.kind == DataExport.ASSOCIATION)
    assert export.state == DataExport.READY and export.done == export.total > 0
    status = client.get(f"/alpha/admin/leaving/{export.id}").get_data(as_text=True)
    assert "Ready" in status and f"/alpha/admin/leaving/{export.id}/download" in status
    (mail,) = outbox.rows(kind="data_export_ready")
    assert f"/alpha/admin/leaving/{export.id}/download" in mail.body_text

    response = client.get(f"/alpha/admin/leaving/{export.id}/download")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())

    # Every table that can hold an association's rows, as CSV and JSON, and nothing of beta anywhere.
    for model in leaving.tables():
        assert f"tables/{model._meta.table_name}.csv" in names and f"tables/{model._meta.table_name}.json" in names
    for name in names:
        body = archive.read(name)
        assert b"Betaonly" not in body and b"beta.example" not in body and b"of beta" not in body, name

    # The people: alpha's seven (six and the board member), read in batches of two; the formula made text.
    people = json.loads(archive.read("tables/person.json"))
    assert len(people) == Person.select().where(Person.association == alpha).count() == 7
    rows = list(csv.DictReader(io.StringIO(archive.read("tables/person.csv").decode("utf-8-sig"))))
    assert len(rows) == 7
    assert {r["given_name"] for r in rows} >= {"'" + FORMULA}
    assert "password_hash" not in archive.read("tables/user.csv").decode()
    assert "sort_key" not in rows[0]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tables"]["person"] == 7 and manifest["association"]["slug"] == "alpha"

    # Every file alpha uploaded, as stored.
    assert archive.read(f"files/{alpha.id}/faults/f-alpha.jpg") == b"photo of alpha"
    assert archive.read(f"files/bank/{alpha.id}/b-alpha.xml") == b"<bank of alpha/>"
    assert not [n for n in names if n.startswith(f"files/{two_associations.id}/")]

    # The documents as they appear: the Markdown rendered and cleaned, the title escaped.
    document = Document.get(Document.association == alpha)
    html = archive.read(leaving.document_file(document)).decode()
    assert "<strong>Quiet</strong>" in html and "House rules" in html  # as the portal shows it
    assert "<script>" not in html and "&lt;b&gt;Rules&lt;/b&gt; of Alphason" in html
    assert leaving.document_file(document).removeprefix("documents/") in archive.read("documents/index.html").decode()


def test_another_boards_export_is_not_found(app, client, login_as, alpha, two_associations, new_client, login,
                                             make_user, outbox):  # fmt: skip
    login_as("board")
    client.submit("/alpha/admin/leaving", {})
    export = DataExport.get()
    make_user(two_associations, "board@beta.example", "board")
    beta_board = new_client()
    login(beta_board, "board@beta.example")
    assert beta_board.get(f"/beta/admin/leaving/{export.id}/download").status_code == 404
    assert beta_board.get(f"/beta/admin/leaving/{export.id}").status_code == 404


def test_on_s3_the_export_reads_the_files_from_the_bucket_and_keeps_its_zip_there(
    app, client, login_as, alpha, make_association, outbox, s3_storage, s3_server
):
    """STORAGE_URL=s3://…: the association's files are read from the bucket, the ZIP is stored as an object
    (nothing on this machine's disk) and downloaded through the app after the board's check."""
    beta = make_association("beta")
    storage(app).put(f"{alpha.id}/faults/f-alpha.jpg", b"photo of alpha")
    storage(app).put(f"{beta.id}/faults/f-beta.jpg", b"photo of beta")
    login_as("board")
    assert client.submit("/alpha/admin/leaving", {}).status_code == 302
    export = DataExport.get(DataExport.kind == DataExport.ASSOCIATION)
    assert export.state == DataExport.READY
    assert f"porch/{export.stored_name}" in s3_server.keys(s3_storage["bucket"])
    assert not Path(app.config["UPLOAD_DIR"]).exists()
    response = client.get(f"/alpha/admin/leaving/{export.id}/download")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.read(f"files/{alpha.id}/faults/f-alpha.jpg") == b"photo of alpha"
    assert not [n for n in archive.namelist() if n.startswith(f"files/{beta.id}/")]
