"""A fault photo kept in S3 (STORAGE_URL=s3://…, a real S3 API server on loopback): uploaded through the
report form, stored as an object under the prefix, served through the app only after the report's check."""

from __future__ import annotations

import io
from pathlib import Path

from models.faults import FaultAttachment, FaultReport
from tests.blueprints.faults.conftest import jpeg_bytes
from tests.blueprints.faults.test_pages import form


def test_a_photo_goes_to_the_bucket_and_is_served_only_to_who_may_see_the_report(
    app, client, new_client, login, fault_world, outbox, s3_storage, s3_server
):
    login(client, "owner@alpha.example")
    response = client.submit(
        "/alpha/faults/new",
        form(
            place=f"unit:{fault_world.units['A1'].id}",
            title="Cracked window",
            files=(io.BytesIO(jpeg_bytes()), "w.jpg"),
        ),
    )
    assert response.status_code == 302
    report = FaultReport.get(FaultReport.title == "Cracked window")
    photo = FaultAttachment.get(FaultAttachment.report == report)
    key = f"porch/{fault_world.alpha.id}/faults/{photo.stored_name}"
    assert s3_server.keys(s3_storage["bucket"]) == [key]
    assert not Path(app.config["UPLOAD_DIR"]).exists()  # nothing on this machine's disk

    served = client.get(f"/alpha/faults/{report.id}/files/{photo.id}")
    stored = s3_server.client().get_object(Bucket=s3_storage["bucket"], Key=key)["Body"].read()
    assert served.status_code == 200 and served.get_data() == stored and stored.startswith(b"\xff\xd8")
    assert served.mimetype == "image/jpeg" and served.headers["Content-Disposition"].startswith("inline")
    assert served.headers["Cache-Control"] == "private, max-age=3600"
    assert served.headers["X-Content-Type-Options"] == "nosniff"

    # A neighbour in alpha gets the 404 of a report that does not exist; beta's board is no member here.
    for email, slug, refused in (("neighbour@alpha.example", "alpha", 404), ("outsider@beta.example", "beta", 403)):
        other = new_client()
        login(other, email, slug=slug)
        answer = other.get(f"/alpha/faults/{report.id}/files/{photo.id}")
        assert answer.status_code == refused and answer.get_data() != stored, email
    assert new_client().get(f"/alpha/faults/{report.id}/files/{photo.id}").status_code == 302  # to the login

    s3_server.client().delete_object(Bucket=s3_storage["bucket"], Key=key)  # gone from the bucket: a 404
    assert client.get(f"/alpha/faults/{report.id}/files/{photo.id}").status_code == 404
