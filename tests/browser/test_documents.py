"""Documents on a phone (360×740): the board writes a document with a PDF and publishes it; a resident
finds it from the search box by a word inside the PDF, and on the home page, and opens the PDF. Without
JavaScript the form works too."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from models.documents import Document, DocumentAttachment
from tests.blueprints.documents.conftest import pdf_bytes
from tests.browser.test_register import log_in


def test_the_board_publishes_a_document_with_a_pdf_and_a_resident_reads_it(
    new_context, alpha, make_user, tmp_path, shots_dir, outbox
):
    make_user(alpha, "board@example.com", "board")
    make_user(alpha, "owner@example.com", "member")
    minutes_pdf = tmp_path / "minutes.pdf"
    minutes_pdf.write_bytes(pdf_bytes("The meeting chose Östra Rörservice for the new pipes."))

    board = new_context().new_page()
    log_in(board, "board@example.com")
    board.goto("/alpha/documents")
    board.get_by_role("link", name="Write a document").click()
    board.get_by_label("Title").fill("Minutes of the spring meeting")
    board.get_by_label("Folder").select_option(label="Minutes")
    board.get_by_label("Text").fill("The minutes are **attached**.")
    board.get_by_label("Attachments").set_input_files(str(minutes_pdf))
    board.screenshot(path=shots_dir / "document-form-360.png", full_page=True)
    board.get_by_role("button", name="Publish").click()
    expect(board.get_by_text("The document is published.")).to_be_visible()
    expect(board.get_by_role("heading", name="Minutes of the spring meeting")).to_be_visible()
    expect(board.get_by_role("link", name="minutes.pdf")).to_be_visible()
    board.screenshot(path=shots_dir / "document-360.png", full_page=True)

    # The board's folder pages and the document's print view (axe checks each page loaded).
    board.get_by_role("link", name="Print view").click()
    expect(board.locator("h1")).to_have_text("Minutes of the spring meeting")
    board.goto("/alpha/documents/folders")
    expect(board.get_by_text("Read by nobody")).to_have_count(0)
    board.get_by_role("link", name="Add a folder").click()
    board.get_by_label("Name").fill("Garden group")
    board.get_by_label("Member", exact=True).select_option(label="Reads")
    expect(board.locator("#folder-readers")).to_contain_text("1 person: owner")
    board.get_by_role("button", name="Save the folder").click()
    expect(board.get_by_text("The folder “Garden group” is saved.")).to_be_visible()
    board.goto("/alpha/documents")
    board.get_by_role("link", name="Minutes").click()
    expect(board.locator("#document-list")).to_contain_text("Minutes of the spring meeting")

    document = Document.get(Document.title == "Minutes of the spring meeting")
    attachment = DocumentAttachment.get(DocumentAttachment.document == document)
    assert attachment.text_state == "done" and "Östra Rörservice" in attachment.text

    owner = new_context().new_page()
    log_in(owner, "owner@example.com")
    # A word only inside the PDF, typed without its accents, from the header's search.
    owner.get_by_role("link", name="Search").click()
    owner.get_by_label("Search titles, texts and attached files").press_sequentially("rorservice", delay=40)
    results = owner.locator("#search-results")
    expect(results).to_contain_text("1 result")
    expect(results.locator("mark").first).to_have_text("Rörservice")
    owner.screenshot(path=shots_dir / "search-pdf-360.png", full_page=True)
    results.get_by_role("link", name="Minutes of the spring meeting").click()
    expect(owner.get_by_role("heading", name="Minutes of the spring meeting")).to_be_visible()
    owner.goto("/alpha/")
    newest = owner.locator(".home-documents")
    expect(newest).to_contain_text("Minutes of the spring meeting")
    owner.screenshot(path=shots_dir / "home-documents-360.png", full_page=True)
    newest.get_by_role("link", name="Minutes of the spring meeting").click()
    expect(owner.locator(".document-body")).to_contain_text("The minutes are attached.")
    # The PDF opens in the browser (inline), with the owner's session: the read check passed.
    href = owner.get_by_role("link", name="minutes.pdf").get_attribute("href")
    response = owner.context.request.get(href)
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"


def test_without_javascript_a_draft_is_saved_and_published(new_context, alpha, make_user):
    make_user(alpha, "board@example.com", "board")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "board@example.com")
    page.goto("/alpha/documents/new")
    page.get_by_label("Title").fill("Roof offers")
    page.get_by_label("Folder").select_option(label="Board only")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Only you see this draft until it is published.")).to_be_visible()
    page.goto("/alpha/documents")
    expect(page.locator("#my-drafts")).to_contain_text("Roof offers")
    page.locator("#my-drafts").get_by_role("link", name="Roof offers").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The document is published.")).to_be_visible()
    assert Document.get(Document.title == "Roof offers").state == Document.PUBLISHED
    expect(page).to_have_url(re.compile(r"/alpha/documents/\d+$"))
