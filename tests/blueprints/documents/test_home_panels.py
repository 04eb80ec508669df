"""The home page's panels (issue 10 item 6): the newest documents the member reads (a PDF-only one opens
its PDF), the Sidebar folder beside the welcome text, and "my open faults", in one query for all."""

from __future__ import annotations

import datetime as dt

import pytest

from models.documents import DocumentAttachment
from models.faults import FaultReport


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def home(client):
    response = client.get("/alpha/")
    assert response.status_code == 200
    return response.get_data(as_text=True), int(response.headers["X-Query-Count"])


def test_the_home_page_shows_what_the_member_reads_in_one_more_query(client, alpha, login_as, folders, make_document):
    tenant = login_as("tenant")
    _page, empty = home(client)
    make_document(folders["notice_board"], "Cleaning day", created_at=dt.datetime(2026, 3, 1, 9))
    make_document(folders["minutes"], "Minutes of March", created_at=dt.datetime(2026, 3, 2, 9))
    make_document(folders["board"], "Board: the plumber's offer", created_at=dt.datetime(2026, 3, 3, 9))
    make_document(folders["sidebar"], "Caretaker", "Call **Jan** on 777 123 456")
    minutes_pdf = make_document(folders["notice_board"], "Annual report 2025", created_at=dt.datetime(2026, 3, 4, 9))
    pdf = DocumentAttachment.create(
        document=minutes_pdf, stored_name="doc-" + "0" * 32 + ".pdf", original_name="report.pdf",
        content_type="application/pdf", size=10, text_state="none",
    )  # fmt: skip
    FaultReport.create(association=alpha, title="Lamp out in the stairwell", reporter=tenant)
    FaultReport.create(association=alpha, title="Fixed long ago", reporter=tenant, status=FaultReport.RESOLVED)

    page, queries = home(client)
    assert queries == empty  # every panel comes in the one query the panels already cost
    newest = page[page.index("Newest documents") : page.index("All documents")]
    assert newest.index("Annual report 2025") < newest.index("Cleaning day")  # newest first
    assert f"/alpha/documents/{minutes_pdf.id}/files/{pdf.id}" in newest and "(PDF)" in newest
    assert "Minutes of March" not in page and "plumber" not in page  # folders a tenant does not read
    assert "Caretaker" in page and "Call <strong>Jan</strong> on 777 123 456" in page
    assert "Caretaker" not in newest  # the Sidebar stands beside, not among the newest
    assert "Lamp out in the stairwell" in page and "Fixed long ago" not in page


def test_the_home_page_costs_at_most_four_queries(client, login_as, folders, make_document):
    login_as("member")
    make_document(folders["notice_board"], "Notice")
    assert home(client)[1] <= 4
