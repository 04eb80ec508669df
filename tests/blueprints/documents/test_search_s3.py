"""A document attachment kept in S3 (STORAGE_URL=s3://…, a real S3 API server on loopback): uploaded, read
by the text-extraction job (a real RQ worker on a real Redis) from the bucket, found by the search, and
downloaded through the app after the folder's read check."""

from __future__ import annotations

import io

from rq import Queue, SimpleWorker

from models.documents import Document, DocumentAttachment
from tests.blueprints.documents.conftest import pdf_bytes
from tests.blueprints.documents.test_search import count_of, found


def test_an_attachment_in_the_bucket_is_read_found_and_served(
    client, app, alpha, login_as, folders, redis, new_client, login, make_user, s3_storage, s3_server
):
    login_as("board")
    response = client.submit(
        "/alpha/documents/new",
        {
            "title": "Stämmoprotokoll",
            "folder": str(folders["minutes"].id),
            "body": "",
            "files": [(io.BytesIO(pdf_bytes("Beslut om takbyte på gården")), "protokoll.pdf")],
            "publish": "1",
        },
        form_page="/alpha/documents/new",
    )
    assert response.status_code == 302
    document = Document.get(Document.title == "Stämmoprotokoll")
    attachment = DocumentAttachment.get(DocumentAttachment.document == document)
    key = f"porch/{alpha.id}/documents/{attachment.stored_name}"
    assert s3_server.keys(s3_storage["bucket"]) == [key]

    with app.app_context():
        SimpleWorker([Queue(app.config["RQ_QUEUE"], connection=redis)], connection=redis).work(burst=True)
    assert DocumentAttachment.get_by_id(attachment.id).text_state == DocumentAttachment.DONE
    page = found(client, "takbyte")
    assert count_of(page) == 1 and f"/alpha/documents/{document.id}" in page

    path = f"/alpha/documents/{document.id}/files/{attachment.id}"
    assert path in client.get(f"/alpha/documents/{document.id}").get_data(as_text=True)
    served = client.get(path)
    assert served.status_code == 200 and served.get_data().startswith(b"%PDF-")
    assert served.get_data() == s3_server.client().get_object(Bucket=s3_storage["bucket"], Key=key)["Body"].read()
    tenant = new_client()
    login(tenant, make_user(alpha, "tenant@alpha.example", "tenant").email)
    assert tenant.get(path).status_code == 404  # Minutes are not the tenants' to read
