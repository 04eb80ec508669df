"""Documents in folders (issue 10 items 1 and 2): who reads and writes a folder, writing and publishing,
drafts, backdating, edits, attachments checked by content and size, and the print view."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest

from jobs.documents import read_text
from models import AuditLog
from models.documents import Document, DocumentAttachment, DocumentEdit, Folder, FolderAccess
from tests.blueprints.documents.conftest import docx_bytes, pdf_bytes


def text(response) -> str:
    return response.get_data(as_text=True)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in folder.rglob("doc-*") if p.is_file())


def test_new_associations_get_the_built_in_folders_with_their_readers(alpha, folders):
    assert list(folders) == ["notice_board", "information", "minutes", "board", "sidebar"]
    readers = {
        key: {row.role.key for row in FolderAccess.select().where(FolderAccess.folder == folder)}
        for key, folder in folders.items()
    }
    assert readers["board"] == {"board", "administrator"}
    assert readers["minutes"] == {"member", "board", "administrator"}
    assert "tenant" in readers["notice_board"]
    assert not folders["sidebar"].in_menu


def test_a_tenant_never_reaches_a_document_of_a_folder_it_does_not_read(
    client, alpha, login_as, folders, make_document
):
    minutes = make_document(folders["minutes"], "Minutes of May", "Secret decisions")
    notice = make_document(folders["notice_board"], "Cleaning day", "Saturday at 10")
    login_as("tenant")
    index = text(client.get("/alpha/documents"))
    assert "Notice board" in index and "Minutes" not in index and "Board only" not in index
    assert client.get(f"/alpha/documents/{minutes.id}").status_code == 404
    assert client.get(f"/alpha/documents/folders/{folders['minutes'].id}").status_code == 404
    assert client.get(f"/alpha/documents/{minutes.id}", headers={"HX-Request": "true"}).status_code == 404
    page = text(client.get(f"/alpha/documents/{notice.id}"))
    assert "Cleaning day" in page and "Saturday at 10" in page


def test_a_new_folder_is_read_by_nobody_until_the_board_ticks_roles(client, alpha, login_as, make_user):
    board = login_as("board")
    make_user(alpha, "maja@alpha.example", "member")
    response = client.submit("/alpha/documents/folders/new", {"name": "Garden group", "in_menu": "y"})
    assert response.status_code == 302
    garden = Folder.get(Folder.name == "Garden group")
    assert FolderAccess.select().where(FolderAccess.folder == garden).count() == 0
    assert garden.position > Folder.get((Folder.association == alpha) & (Folder.key == "sidebar")).position

    # The form says who a choice of roles comes to, by name.
    member_role = alpha.role("member")
    readers = text(client.get("/alpha/documents/folders/readers", query_string={f"access-{member_role.id}": "read"}))
    assert "Nobody" not in readers and "1 person: maja" in readers
    page = text(client.get(f"/alpha/documents/folders/{garden.id}/edit"))
    assert "Nobody: tick a role above." in page
    response = client.submit(
        f"/alpha/documents/folders/{garden.id}/edit",
        {"name": "Garden group", "in_menu": "y", f"access-{member_role.id}": "read"},
    )
    assert response.status_code == 302
    access = FolderAccess.get(FolderAccess.folder == garden)
    assert (access.role_id, access.may_write) == (member_role.id, False)
    assert board.email not in text(client.get(f"/alpha/documents/folders/{garden.id}/edit"))  # board role: not ticked
    assert AuditLog.select().where(AuditLog.action == "documents.folder_saved").count() == 2


def test_removing_a_folder_that_holds_documents_asks_where_they_go(client, alpha, login_as, folders, make_document):
    login_as("board")
    doc = make_document(folders["information"], "House rules")
    page = text(client.get(f"/alpha/documents/folders/{folders['information'].id}/remove"))
    assert "It holds 1 document" in page
    refused = client.submit(f"/alpha/documents/folders/{folders['information'].id}/remove", {"move_to": "0"})
    assert refused.status_code == 422 and "Choose the folder its documents go to." in text(refused)
    assert Folder.get_or_none(Folder.id == folders["information"].id) is not None
    moved = client.submit(
        f"/alpha/documents/folders/{folders['information'].id}/remove", {"move_to": str(folders["notice_board"].id)}
    )
    assert moved.status_code == 302
    assert Folder.get_or_none(Folder.id == folders["information"].id) is None
    assert Document.get_by_id(doc.id).folder_id == folders["notice_board"].id
    assert "1 document moved to “Notice board”." in text(client.get("/alpha/documents/folders"))


def test_folders_move_up_and_down(client, alpha, login_as, folders):
    login_as("board")
    token = client.csrf("/alpha/documents/folders")
    client.post(f"/alpha/documents/folders/{folders['minutes'].id}/move", data={"csrf_token": token, "direction": "up"})
    order = [f.key for f in Folder.ordered(alpha)]
    assert order[:3] == ["notice_board", "minutes", "information"]


def test_the_board_publishes_a_document_with_files_and_a_backdated_time(client, alpha, login_as, folders, app):
    budget = docx_bytes("Budget")  # made once: a zip holds the time it was written
    login_as("board")
    response = client.submit(
        "/alpha/documents/new",
        {
            "title": "Minutes of the annual meeting",
            "folder": str(folders["minutes"].id),
            "body": "The meeting **approved** the accounts.\n\n![plan](https://tracker.example/pixel.png)",
            "created_at": "2024-05-20T18:30",
            "files": [
                (io.BytesIO(pdf_bytes("Zápis ze schůze")), "zápis.pdf"),
                (io.BytesIO(budget), "budget.docx"),
            ],
            "publish": "1",
        },
        form_page="/alpha/documents/new",
    )
    assert response.status_code == 302, text(response)
    document = Document.get(Document.title == "Minutes of the annual meeting")
    assert document.state == Document.PUBLISHED and document.folder_id == folders["minutes"].id
    # Typed in the association's time (Stockholm, summer): stored in UTC.
    assert document.created_at == dt.datetime(2024, 5, 20, 16, 30)
    files = list(
        DocumentAttachment.select().where(DocumentAttachment.document == document).order_by(DocumentAttachment.id)
    )
    assert [f.original_name for f in files] == ["zápis.pdf", "budget.docx"]
    assert [f.content_type for f in files][0] == "application/pdf"
    # Without Redis the text job ran inline after the commit.
    assert [f.text_state for f in files] == ["done", "done"]
    assert "Zápis ze schůze" in files[0].text and "Budget" in files[1].text
    assert len(stored_files(app)) == 2

    page = text(client.get(response.location))
    assert "<strong>approved</strong>" in page
    assert "tracker.example" not in page  # pictures only from the document's own files
    assert "zápis.pdf" in page and "20/05/2024, 18:30" in page  # shown in the association's time
    download = client.get(f"/alpha/documents/{document.id}/files/{files[1].id}")
    assert download.status_code == 200 and download.data == budget  # the very bytes uploaded
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"].startswith("private")


def test_a_draft_is_its_authors_alone_until_published(
    client, alpha, login_as, folders, new_client, make_user, login, outbox
):
    login_as("board")
    response = client.submit(
        "/alpha/documents/new",
        {"title": "Plan for the roof", "folder": str(folders["notice_board"].id), "body": "Draft text", "draft": "1"},
        form_page="/alpha/documents/new",
    )
    assert response.status_code == 302
    draft = Document.get(Document.title == "Plan for the roof")
    assert draft.state == Document.DRAFT and draft.published_at is None
    assert "My drafts" in text(client.get("/alpha/documents")) and "Plan for the roof" in text(
        client.get("/alpha/documents")
    )
    assert "Plan for the roof" not in text(client.get(f"/alpha/documents/folders/{folders['notice_board'].id}"))

    make_user(alpha, "other@alpha.example", "board")
    other = new_client()
    login(other, "other@alpha.example")
    assert other.get(f"/alpha/documents/{draft.id}").status_code == 404

    client.submit(
        f"/alpha/documents/{draft.id}/edit",
        {"title": "Plan for the roof", "folder": str(folders["notice_board"].id), "body": "Final text", "publish": "1"},
    )
    published = Document.get_by_id(draft.id)
    assert published.state == Document.PUBLISHED and published.published_at is not None
    assert published.edited_at is None and DocumentEdit.select().count() == 0  # publishing is no edit
    assert other.get(f"/alpha/documents/{draft.id}").status_code == 200


def test_editing_keeps_the_creation_time_and_records_who_edited(client, alpha, login_as, folders, make_document):
    board = login_as("board")
    created = dt.datetime(2025, 1, 2, 9, 0, 41)
    doc = make_document(folders["notice_board"], "Lift service", "Monday", created_at=created)
    form = text(client.get(f"/alpha/documents/{doc.id}/edit"))
    assert 'value="2025-01-02T10:00"' in form  # in Stockholm's time, to the minute
    response = client.submit(
        f"/alpha/documents/{doc.id}/edit",
        {
            "title": "Lift service moved",
            "folder": str(folders["notice_board"].id),
            "body": "Tuesday",
            "created_at": "2025-01-02T10:00",
            "publish": "1",
        },
    )
    assert response.status_code == 302
    assert "The document is saved." in text(client.get(response.location))
    edited = Document.get_by_id(doc.id)
    assert (edited.title, edited.body, edited.created_at) == ("Lift service moved", "Tuesday", created)
    assert edited.edited_by_id == board.id
    assert DocumentEdit.select().where(DocumentEdit.document == doc).count() == 1
    assert "edited" in text(client.get(f"/alpha/documents/{doc.id}"))


def test_a_member_who_only_reads_cannot_write_or_edit(client, alpha, login_as, folders, make_document):
    doc = make_document(folders["minutes"], "Minutes")
    login_as("member")
    assert client.get("/alpha/documents/new").status_code == 403
    assert client.get(f"/alpha/documents/{doc.id}/edit").status_code == 403
    assert "Write a document" not in text(client.get("/alpha/documents"))


def test_a_writer_cannot_post_into_a_folder_it_does_not_write(client, alpha, login_as, folders):
    login_as("board")
    member_only = Folder.create(association=alpha, name="Members' corner", position=99)
    FolderAccess.create(folder=member_only, role=alpha.role("member"), may_write=True)
    response = client.submit(
        "/alpha/documents/new",
        {"title": "Sneaky", "folder": str(member_only.id), "publish": "1"},
        form_page="/alpha/documents/new",
    )
    assert response.status_code == 422  # not among the choices
    assert Document.select().count() == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00 an executable", "minutes.pdf", "is not a file a document takes"),
        (b"\x89PNG\r\n\x1a\nbroken", "photo.png", "cannot be read as a picture"),
        (b"", "empty.txt", "is empty"),
    ],
)
def test_files_are_checked_by_content(client, alpha, login_as, folders, app, data, name, message):
    login_as("board")
    response = client.submit(
        "/alpha/documents/new",
        {
            "title": "With a file",
            "folder": str(folders["notice_board"].id),
            "files": (io.BytesIO(data), name),
            "publish": "1",
        },
        form_page="/alpha/documents/new",
    )
    assert response.status_code == 422
    assert message in text(response)
    assert Document.select().count() == 0 and stored_files(app) == []


def test_an_oversized_file_is_refused_and_nothing_is_kept(client, alpha, login_as, folders, app):
    alpha.document_max_mb = 1
    alpha.save()
    login_as("board")
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = client.submit(
        "/alpha/documents/new",
        {
            "title": "Big",
            "folder": str(folders["notice_board"].id),
            "files": [(io.BytesIO(b"small text"), "ok.txt"), (io.BytesIO(big), "big.pdf")],
            "publish": "1",
        },
        form_page="/alpha/documents/new",
    )
    assert response.status_code == 422
    assert "big.pdf is larger than 1 MB." in text(response)
    assert Document.select().count() == 0 and stored_files(app) == []


def test_file_names_are_harmless(client, alpha, login_as, folders, app):
    login_as("board")
    client.submit(
        "/alpha/documents/new",
        {
            "title": "<script>alert(1)</script>",
            "folder": str(folders["notice_board"].id),
            "body": "<img src=x onerror=alert(1)>",
            "files": (io.BytesIO(b"plain words"), "../../etc/<script>passwd.txt"),
            "publish": "1",
        },
        form_page="/alpha/documents/new",
    )
    document = Document.get()
    file = DocumentAttachment.get()
    assert file.original_name == "<script>passwd.txt"
    assert re.fullmatch(r"doc-[0-9a-f]{32}\.txt", file.stored_name)
    page = text(client.get(f"/alpha/documents/{document.id}"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "onerror" not in page and "<script>passwd" not in page and "&lt;script&gt;passwd.txt" in page
    download = client.get(f"/alpha/documents/{document.id}/files/{file.id}")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        "passwd" in download.headers["Content-Disposition"]
        and "/" not in download.headers["Content-Disposition"].split("filename")[1]
    )


def test_deleting_a_document_removes_its_files(client, alpha, login_as, folders, app):
    login_as("board")
    client.submit(
        "/alpha/documents/new",
        {
            "title": "Old",
            "folder": str(folders["notice_board"].id),
            "files": (io.BytesIO(b"words"), "a.txt"),
            "publish": "1",
        },
        form_page="/alpha/documents/new",
    )
    document = Document.get()
    assert len(stored_files(app)) == 1
    response = client.submit(f"/alpha/documents/{document.id}/delete", {})
    assert response.status_code == 302
    assert Document.select().count() == 0 and DocumentAttachment.select().count() == 0
    assert stored_files(app) == []


def test_the_print_view_shows_the_document_alone(client, alpha, login_as, folders, make_document):
    doc = make_document(folders["notice_board"], "Water off on Monday", "From 8 to 12.")
    login_as("tenant")
    page = text(client.get(f"/alpha/documents/{doc.id}/print"))
    assert "Water off on Monday" in page and "From 8 to 12." in page
    assert 'class="tabs' not in page


def test_reading_text_of_each_kind():
    assert "Zápis" in read_text(pdf_bytes("Zápis ze schůze výboru"), "pdf")
    assert read_text(docx_bytes("Rozpočet"), "docx") == "Rozpočet"
    assert read_text("Årsmöte i föreningen".encode(), "txt") == "Årsmöte i föreningen"
