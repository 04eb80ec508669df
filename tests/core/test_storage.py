"""The storage contract (core/storage.py, issue 16 item 6): the same tests on the local folder and on a real S3
API server (moto in server mode on loopback): what is put is read back whole, listed, served after the
view's check and removed; no key reaches outside the folder or the prefix; `flask doctor` says whether the
storage takes files."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.exceptions import NotFound

from core import doctor, storage
from tests.s3 import S3Server


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    """A storage of each kind, empty; S3's under a prefix, beside another prefix's object it must never see."""
    if request.param == "local":
        return storage.LocalStorage(tmp_path / "uploads")
    server: S3Server = request.getfixturevalue("s3_server")
    bucket = server.new_bucket()
    server.client().put_object(Bucket=bucket, Key="other-install/1/secret.pdf", Body=b"not ours")
    return storage.S3Storage(bucket, "/porch/", server.endpoint)


def test_what_is_put_is_read_back_whole_and_listed_by_folder(store):
    store.put("1/faults/fault-a.jpg", b"\xff\xd8 photo")
    store.put("1/documents/doc-b.pdf", b"%PDF-1.4 minutes")
    store.put("attachments/c.pdf", b"%PDF-1.4 invoice")
    assert store.read("1/faults/fault-a.jpg") == b"\xff\xd8 photo"
    assert store.exists("attachments/c.pdf") and not store.exists("attachments/d.pdf")
    assert store.size("1/documents/doc-b.pdf") == len(b"%PDF-1.4 minutes")
    assert list(store.keys()) == ["1/documents/doc-b.pdf", "1/faults/fault-a.jpg", "attachments/c.pdf"]
    assert list(store.keys("1")) == ["1/documents/doc-b.pdf", "1/faults/fault-a.jpg"]
    assert list(store.keys("1/faults")) == ["1/faults/fault-a.jpg"]
    assert list(store.keys("2")) == []
    store.put("1/faults/fault-a.jpg", b"replaced")
    assert store.read("1/faults/fault-a.jpg") == b"replaced"


def test_removing_and_reading_what_is_not_there(store):
    store.put("bank/1/bank-x.dat", b"rows")
    store.delete("bank/1/bank-x.dat")
    store.delete("bank/1/bank-x.dat")  # twice: gone is gone
    assert not store.exists("bank/1/bank-x.dat") and list(store.keys()) == []
    with pytest.raises(FileNotFoundError):
        store.read("bank/1/bank-x.dat")


def test_only_files_older_than_asked_are_listed_as_old(store):
    store.put("meter-imports/1/a.dat", b"new")
    assert list(store.keys("meter-imports/1", older_than=3600)) == []
    assert list(store.keys("meter-imports/1", older_than=-60)) == ["meter-imports/1/a.dat"]


HOSTILE_KEYS = [
    "../outside.pdf",
    "1/../../outside.pdf",
    "/etc/passwd",
    "1//x.pdf",
    "1/./x.pdf",
    ".hidden",
    "1\\..\\x.pdf",
    "1/x.pdf\x00.jpg",
    "",
    "1/<script>.pdf",
]


@pytest.mark.parametrize("hostile", HOSTILE_KEYS)
def test_no_key_reaches_outside_the_folder_or_the_prefix(store, hostile, tmp_path):
    for attempt in (
        lambda: store.put(hostile, b"x"),
        lambda: store.read(hostile),
        lambda: store.exists(hostile),
        lambda: store.delete(hostile),
        lambda: store.file(hostile),
    ):
        with pytest.raises(ValueError):
            attempt()
    assert list(store.keys()) == []
    assert not (tmp_path / "outside.pdf").exists()


def test_a_link_inside_the_folder_that_points_out_is_not_followed(tmp_path):
    local = storage.LocalStorage(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    (tmp_path / "uploads" / "1").symlink_to(tmp_path)
    with pytest.raises(ValueError):
        local.read("1/secret.txt")
    assert list(local.keys()) == []


def test_s3_objects_live_under_the_prefix_and_other_prefixes_stay_unseen(s3_server):
    bucket = s3_server.new_bucket()
    s3_server.client().put_object(Bucket=bucket, Key="porch-other/1/x.pdf", Body=b"neighbour")
    store = storage.S3Storage(bucket, "porch", s3_server.endpoint)
    store.put("1/faults/file-a.pdf", b"%PDF")
    assert s3_server.keys(bucket) == ["porch-other/1/x.pdf", "porch/1/faults/file-a.pdf"]
    assert list(store.keys()) == ["1/faults/file-a.pdf"]  # "porch-other" is not under "porch/"


def test_a_file_handle_works_like_a_path_on_both(store):
    store.put("print/batch-1-a.pdf", b"%PDF-1.4 batch")
    file = store.file("print/batch-1-a.pdf")
    assert file.name == "batch-1-a.pdf" and file.is_file() and file.exists()
    assert file.read_bytes() == b"%PDF-1.4 batch" and file.stat().st_size == 14
    file.unlink(missing_ok=True)
    assert not file.is_file()
    with pytest.raises(FileNotFoundError):
        file.unlink()


def test_serving_streams_the_file_with_its_name_and_answers_a_repeat_with_304(app, store):
    store.put("1/documents/doc-a.pdf", b"%PDF-1.4 minutes")
    with app.test_request_context():
        response = store.serve(
            "1/documents/doc-a.pdf", mimetype="application/pdf", as_attachment=True, download_name="Protokoll å.pdf",
            max_age=3600,
        )  # fmt: skip
        response.direct_passthrough = False
        assert response.status_code == 200 and response.get_data() == b"%PDF-1.4 minutes"
        assert response.mimetype == "application/pdf" and response.content_length == 16
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and "UTF-8''Protokoll%20%C3%A5.pdf" in disposition
        etag = response.headers["ETag"]
        with pytest.raises(NotFound):
            store.serve("1/documents/gone.pdf", mimetype="application/pdf", as_attachment=True, download_name="x")
    with app.test_request_context(headers={"If-None-Match": etag}):
        again = store.serve(
            "1/documents/doc-a.pdf", mimetype="application/pdf", as_attachment=True, download_name="x.pdf",
            max_age=3600,
        )  # fmt: skip
        assert again.status_code == 304


def test_the_settings_choose_the_storage(tmp_path):
    local = storage.from_settings({"STORAGE_URL": None, "UPLOAD_DIR": tmp_path})
    assert isinstance(local, storage.LocalStorage) and local.root == tmp_path
    s3 = storage.from_settings(
        {"STORAGE_URL": "s3://homes/porch/prod", "UPLOAD_DIR": tmp_path, "STORAGE_ENDPOINT_URL": "http://127.0.0.1:9"}
    )
    assert (s3.bucket, s3.prefix, s3.endpoint_url) == ("homes", "porch/prod", "http://127.0.0.1:9")
    for wrong in ("file:///srv/uploads", "s3:///no-bucket", "/srv/uploads"):
        with pytest.raises(ValueError, match="s3://bucket/prefix"):
            storage.from_settings({"STORAGE_URL": wrong, "UPLOAD_DIR": tmp_path})


def _doctor(config) -> dict:
    return {f.subject: (f.state, f.message) for f in doctor.examine(config, lambda: [])}


def test_doctor_writes_and_reads_an_object_in_the_bucket(app, s3_storage, s3_server):
    found = _doctor(app.config)
    assert found["STORAGE_URL"][0] == doctor.OK and "is writable" in found["STORAGE_URL"][1]
    assert "UPLOAD_DIR" not in found  # not used with S3
    assert s3_server.keys(s3_storage["bucket"]) == []  # the probe is removed again


def test_doctor_says_what_to_fix_when_the_bucket_takes_nothing(app, s3_server):
    settings = dict(app.config) | {
        "STORAGE_URL": "s3://no-such-bucket/porch",
        "STORAGE_ENDPOINT_URL": s3_server.endpoint,
    }
    state, message = _doctor(settings)["STORAGE_URL"]
    assert state == doctor.FAIL and "NoSuchBucket" in message and "STORAGE_ENDPOINT_URL" in message
    state, message = _doctor(dict(app.config) | {"STORAGE_URL": "ftp://x/y"})["STORAGE_URL"]
    assert state == doctor.FAIL and "s3://bucket/prefix" in message


def test_the_local_folder_is_what_it_always_was(app):
    with app.app_context():
        assert isinstance(storage.storage(), storage.LocalStorage)
        assert storage.storage().root == Path(app.config["UPLOAD_DIR"])


def test_a_pdf_takes_the_logo_from_the_bucket_and_nothing_outside_it(app, alpha, s3_storage, s3_server):
    import io

    from PIL import Image

    from core import images
    from core import pdf as pdf_engine

    picture = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 200)).save(picture, "PNG")
    with app.test_request_context():
        alpha.logo = images.store_image(io.BytesIO(picture.getvalue()), alpha, kind="logo", max_size=(400, 120)).name
        url = pdf_engine.logo_url(alpha)
        assert url == f"porch-storage:{alpha.id}/{alpha.logo}"
        assert s3_server.keys(s3_storage["bucket"]) == [f"porch/{alpha.id}/{alpha.logo}"]
        fetcher = pdf_engine.LocalFetcher()
        assert fetcher.fetch(url).read().startswith(b"\x89PNG")
        for hostile in ("porch-storage:../secret", "porch-storage:/etc/passwd", f"porch-storage:{alpha.id}/gone.png"):
            with pytest.raises(ValueError):
                fetcher.fetch(hostile)
        from weasyprint import HTML

        rendered = HTML(string=f'<img src="{url}" alt="">', url_fetcher=pdf_engine.LocalFetcher()).write_pdf()
        assert rendered.startswith(b"%PDF-") and b"/Subtype /Image" in rendered
