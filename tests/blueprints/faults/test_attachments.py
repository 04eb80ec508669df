"""Photos and files on reports (F1, F3): cleaned, checked by content, capped, stored under server-made names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from blueprints.faults import attachments, reporting
from blueprints.faults.attachments import AttachmentRefused
from core import uploads
from models import OutboundEmail
from models.faults import FaultAttachment, FaultEvent, FaultReport
from tests.blueprints.faults.conftest import jpeg_bytes, upload

GPS_IFD = 0x8825
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def report(app, in_request, make_report):
    return make_report()


@pytest.fixture
def uploads_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyPhone"  # Make
    exif[0x0131] = "SpyPhone Camera 1.0"  # Software
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (59.0, 19.0, 48.0), 3: "E", 4: (18.0, 4.0, 7.0)})
    data = jpeg_bytes(size=(2400, 1800), exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    return data


def test_a_photo_comes_back_without_its_gps_position(app, report, fault_world, uploads_dir):
    [stored] = attachments.store(report, None, [upload(photo_with_gps(), "IMG_0042.JPG")], fault_world.owner)

    file = attachments.path(report, stored)
    body = file.read_bytes()
    picture = Image.open(file)
    assert picture.format == "JPEG"
    assert not picture.getexif() and "exif" not in picture.info
    assert b"SpyPhone" not in body and b"Exif" not in body
    assert max(picture.size) == 1600  # shrunk to fit the box
    assert (stored.is_image, stored.content_type, stored.original_name) == (True, "image/jpeg", "IMG_0042.JPG")
    assert stored.size == len(body) and stored.uploaded_by_id == fault_world.owner.id
    assert file.parent == uploads_dir / str(fault_world.alpha.id) / "faults"


def test_a_file_claiming_to_be_a_picture_is_refused_with_a_message(app, report, fault_world, uploads_dir):
    fake = upload(b"MZ\x90\x00 this is a Windows program, not a photo" * 20, "holiday.jpg", "image/jpeg")

    with pytest.raises(AttachmentRefused) as refused:
        attachments.store(report, None, [fake], fault_world.owner)

    assert str(refused.value) == "holiday.jpg is not a picture or PDF."
    assert refused.value.field == "files"
    assert FaultAttachment.select().count() == 0
    assert files_under(uploads_dir) == []


def test_a_damaged_picture_is_refused_as_such(app, report, fault_world, uploads_dir):
    broken = upload(jpeg_bytes()[:40], "broken.jpg")
    with pytest.raises(AttachmentRefused, match="broken.jpg cannot be read as a picture"):
        attachments.store(report, None, [broken], fault_world.owner)
    assert files_under(uploads_dir) == []


def test_a_pdf_is_kept_as_it_is_and_anything_else_is_not(app, report, fault_world):
    [stored] = attachments.store(report, None, [upload(PDF, "invoice.pdf", "application/pdf")], fault_world.owner)
    assert attachments.path(report, stored).read_bytes() == PDF
    assert (stored.is_image, stored.content_type, stored.size) == (False, "application/pdf", len(PDF))
    assert stored.stored_name.startswith("file-") and stored.stored_name.endswith(".pdf")

    page = upload(b"<html><script>alert(1)</script></html>", "invoice.pdf", "application/pdf")
    with pytest.raises(AttachmentRefused, match="not a picture or PDF"):
        attachments.store(report, None, [page], fault_world.owner)


class EndlessUpload(io.RawIOBase):
    """A 1 GB upload that is never in memory: counts how much of it is read."""

    def __init__(self, size=1024**3):
        self.size, self.read_so_far = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        count = min(len(buffer), self.size - self.read_so_far)
        buffer[:count] = b"\xff\xd8\xff" + b"\0" * (count - 3) if self.read_so_far == 0 else b"\0" * count
        self.read_so_far += count
        return count


def test_an_oversized_file_is_refused_before_it_fills_the_disk(app, report, fault_world, uploads_dir):
    stream = EndlessUpload()
    huge = FileStorage(stream=io.BufferedReader(stream), filename="huge.jpg", content_type="image/jpeg")

    with pytest.raises(AttachmentRefused) as refused:
        attachments.store(report, None, [huge], fault_world.owner)

    assert str(refused.value) == "huge.jpg is larger than 10 MB."
    assert stream.read_so_far <= 10 * 1024 * 1024 + 2 * uploads.CHUNK  # stopped at the cap
    assert files_under(uploads_dir) == []
    assert FaultAttachment.select().count() == 0


@pytest.mark.parametrize("app_overrides", [{"FILE_MAX_BYTES": 2000}])
def test_the_cap_comes_from_the_settings(app, report, fault_world, uploads_dir, app_overrides):
    with pytest.raises(AttachmentRefused, match="larger than"):
        attachments.store(report, None, [upload(PDF + b"0" * 2000, "big.pdf")], fault_world.owner)
    [kept] = attachments.store(report, None, [upload(PDF, "small.pdf")], fault_world.owner)
    assert files_under(uploads_dir) == [attachments.path(report, kept)]


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\..\\windows\\win.ini.jpg", "win.ini.jpg"),
        ("/etc/cron.d/evil.jpg", "evil.jpg"),
        ("....//....//x.jpg", "x.jpg"),
        ("\x00bad\r\nname.jpg", "badname.jpg"),
        ("..", "file"),
    ],
)
def test_a_path_in_the_file_name_is_harmless(app, tmp_path, report, fault_world, uploads_dir, filename, shown):
    before = set(files_under(tmp_path))

    [stored] = attachments.store(report, None, [upload(jpeg_bytes(), filename)], fault_world.owner)

    assert stored.original_name == shown  # for showing only
    assert "/" not in stored.stored_name and ".." not in stored.stored_name
    assert stored.stored_name.startswith("fault-") and shown not in stored.stored_name
    written = set(files_under(tmp_path)) - before
    folder = uploads_dir / str(fault_world.alpha.id) / "faults"
    assert written == {folder / stored.stored_name}
    assert not (tmp_path / "etc").exists() and not Path("/etc/passwd.jpg").exists()


def test_empty_file_fields_are_skipped(app, report, fault_world):
    nothing = FileStorage(stream=io.BytesIO(b""), filename="", content_type="application/octet-stream")
    assert attachments.store(report, None, [nothing, None], fault_world.owner) == []
    assert attachments.store(report, None, None, fault_world.owner) == []


def test_at_most_five_files_at_a_time(app, report, fault_world, uploads_dir):
    with pytest.raises(AttachmentRefused, match="at most 5"):
        attachments.store(report, None, [upload(jpeg_bytes(), f"{i}.jpg") for i in range(6)], fault_world.owner)
    assert files_under(uploads_dir) == []
    assert len(attachments.store(report, None, [upload(jpeg_bytes()) for _ in range(5)], fault_world.owner)) == 5


def test_one_bad_file_leaves_none_of_the_others(app, report, fault_world, uploads_dir):
    good, bad = upload(jpeg_bytes(), "good.jpg"), upload(b"not a picture", "bad.png")
    with pytest.raises(AttachmentRefused, match="bad.png"):
        attachments.store(report, None, [good, bad], fault_world.owner)
    assert files_under(uploads_dir) == [] and FaultAttachment.select().count() == 0


def test_a_refused_file_refuses_the_whole_report(app, in_request, fault_world, uploads_dir, outbox):
    with pytest.raises(AttachmentRefused):
        reporting.report(
            fault_world.alpha,
            fault_world.owner,
            fault_world.membership(fault_world.owner),
            kind=FaultReport.FAULT,
            place=FaultReport.IN_UNIT,
            unit_id=fault_world.units["A1"].id,
            building_id=None,
            area="",
            responsible="",
            category="plumbing",
            severity=FaultReport.NORMAL,
            title="Leak",
            details="",
            contact_phone="",
            contact_email="",
            files=[upload(jpeg_bytes(), "fine.jpg"), upload(b"nope", "fake.jpg")],
        )
    assert FaultReport.select().count() == 0 and FaultEvent.select().count() == 0
    assert OutboundEmail.select().count() == 0 and files_under(uploads_dir) == []


def test_files_on_a_status_change_and_a_comment_belong_to_that_event(app, report, fault_world, outbox):
    event = reporting.change_status(
        report, FaultReport.RESOLVED, fault_world.board, note="Fixed.", files=[upload(PDF, "receipt.pdf")]
    )
    comment = reporting.comment(report, fault_world.owner, "Thanks!", files=[upload(jpeg_bytes())])
    assert [a.original_name for a in event.attachments] == ["receipt.pdf"]
    assert [a.original_name for a in comment.attachments] == ["photo.jpg"]
    assert FaultAttachment.select().where(FaultAttachment.report == report).count() == 2


def test_path_only_serves_an_attachment_of_that_report(app, in_request, make_report, fault_world):
    first, second = make_report(title="First"), make_report(title="Second")
    [photo] = attachments.store(first, None, [upload(jpeg_bytes())], fault_world.owner)
    assert attachments.path(first, photo).is_file()
    with pytest.raises(NotFound):
        attachments.path(second, photo)
    photo.stored_name = "../../../etc/passwd"
    with pytest.raises(NotFound):
        attachments.path(first, photo)


def test_files_go_again_when_the_change_does_not_commit(app, report, fault_world, uploads_dir, monkeypatch):
    from blueprints.faults import notifications

    def broken(*args, **kwargs):
        raise RuntimeError("mail template broken")

    monkeypatch.setattr(notifications, "closed", broken)
    before = files_under(uploads_dir)
    with pytest.raises(RuntimeError):
        reporting.change_status(
            report, FaultReport.RESOLVED, fault_world.board, note="Fixed.", files=[upload(jpeg_bytes())]
        )
    assert files_under(uploads_dir) == before
    assert FaultReport.get_by_id(report.id).status == FaultReport.NEW
    assert FaultAttachment.select().count() == 0
