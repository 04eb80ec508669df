"""Mass mail on a phone (360×740): the board finds Mass mail in the menu, writes a mailing with a Markdown
text and a PDF, sees who cannot get it (greyed, with the reason), narrows the list in place with htmx,
sends a test to itself, sends after a question that gives the count, and reads each recipient's state.
The recipients page once more on a desktop (1280×800), and the whole way once without JavaScript."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from core import clock
from models import OutboundEmail, Person, User
from models.community import Mailing, MailingAttachment, MailingRecipient
from tests.blueprints.community.mailing_helpers import make_people
from tests.browser.test_register import log_in

MIN_TAP = 44  # px: the smallest comfortable touch target
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BOARD = "board@alpha.example"
# The six people make_people() puts in the register: four can get mail, Cy has no address, Di's bounced.
EVERYONE = "6 people listed · 4 can get the mail"
# An address and an error without a space to break at: they must wrap, not widen the page.
LONG_ADDRESS = "bo.berg.the.tenant.of.b1@a-rather-long-mail-provider.example"
LONG_ERROR = (
    "SMTPRecipientsRefused:{'bo.berg.the.tenant.of.b1@a-rather-long-mail-provider.example':(552,'5.2.2-mailbox-full')}"
)


def fits(page: Page, width: int = 360) -> None:
    """Nothing on the page is wider than the screen (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def small_targets(page: Page) -> list[str]:
    """Links, buttons and boxes in the page's content that are under MIN_TAP px tall (their text).

    The "back" link above each page's heading is left out: it is the whole portal's (p.back, unstyled), not
    mass mail's, and is reported to the lead rather than changed here."""
    return page.evaluate(
        """(min) => [...document.querySelectorAll('main a, main button, main label.check, main select')]
          .filter(e => !e.closest('p.back'))
          .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < min)
          .map(e => e.textContent.trim().slice(0, 60) || e.outerHTML.slice(0, 60))""",
        MIN_TAP,
    )


def recipient(page: Page, name: str):
    return page.locator("#mailing-recipients li.row").filter(has_text=name)


def write_draft(alpha, subject: str = "Spring cleaning") -> Mailing:
    """A draft the board member wrote earlier (for the runs that start at its recipients)."""
    author = User.get(User.email == BOARD)
    return Mailing.create(association=alpha, author=author, subject=subject, body="We clean the yard on **Saturday**.")


def test_the_board_writes_chooses_tests_and_sends_a_mailing_on_a_phone(new_context, alpha, outbox, shots_dir):
    people = make_people(alpha)
    Person.update(email=LONG_ADDRESS).where(Person.id == people["bo"].id).execute()
    board = new_context().new_page()
    log_in(board, BOARD)

    # Mass mail is a place in the board's menu.
    board.goto("/alpha/menu")
    board.get_by_role("link", name="Mass mail").first.click()
    expect(board.get_by_role("heading", name="Mass mail")).to_be_visible()
    expect(board.get_by_text("No mailings yet.")).to_be_visible()
    board.get_by_role("link", name="Write a mailing").click()

    # A new mailing: subject, Markdown text and a PDF.
    expect(board.get_by_role("heading", name="Write a mailing")).to_be_visible()
    board.get_by_label("Subject").fill("Spring cleaning")
    board.get_by_label("Text", exact=True).fill("We clean the yard on **Saturday** at 10.\n\n- rakes\n- gloves")
    expect(board.get_by_label("This is a newsletter", exact=False)).to_have_accessible_description(
        "Leave it unticked for mail everyone must get (a meeting, a notice): it always goes."
    )
    board.get_by_label("Attachments").set_input_files(
        {"name": "Yard plan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    fits(board)
    board.screenshot(path=shots_dir / "mailing-form-360.png", full_page=True)
    board.get_by_role("button", name="Save and choose recipients").click()

    # The recipients: everyone who can get it is ticked; Cy and Di are greyed, with the reason.
    expect(board.get_by_text("The draft is saved. Choose who gets it.")).to_be_visible()
    expect(board.get_by_role("heading", name="Who gets “Spring cleaning”?")).to_be_visible()
    expect(board.locator("#mailing-recipients [role=status]")).to_have_text(EVERYONE)
    for name in ("Ann Andersson", "Bo Berg", "Bea Board", "Eve Ek"):
        expect(recipient(board, name).get_by_role("checkbox")).to_be_checked()
    cy, di = recipient(board, "Cy Carlsson"), recipient(board, "Di Dahl")
    expect(cy.get_by_role("checkbox")).to_be_disabled()
    expect(cy).to_contain_text("Cannot be chosen: no e-mail address")
    expect(di.get_by_role("checkbox")).to_be_disabled()
    expect(di).to_contain_text("Cannot be chosen: address bounced on 1 Feb 2026")
    expect(di.get_by_role("checkbox")).to_have_accessible_description("Cannot be chosen: address bounced on 1 Feb 2026")
    fits(board)
    assert small_targets(board) == []
    board.screenshot(path=shots_dir / "mailing-recipients-360.png", full_page=True)

    # A filter narrows the list in place (the page stays: its marker survives), and back again.
    board.evaluate("window.porchMarker = 'same page'")
    board.get_by_label("Building").select_option(label="House B")
    expect(board.locator("#mailing-recipients [role=status]")).to_have_text("1 person listed · 1 can get the mail")
    expect(recipient(board, "Bo Berg")).to_be_visible()
    expect(recipient(board, "Ann Andersson")).to_have_count(0)
    assert board.evaluate("window.porchMarker") == "same page"
    board.screenshot(path=shots_dir / "mailing-recipients-filtered-360.png", full_page=True)
    board.get_by_label("Building").select_option(label="All buildings")
    expect(board.locator("#mailing-recipients [role=status]")).to_have_text(EVERYONE)
    assert board.evaluate("window.porchMarker") == "same page"
    recipient(board, "Eve Ek").get_by_role("checkbox").uncheck()
    board.get_by_role("button", name="Save the recipients").click()

    # The draft's page: the mail as it will read, the file, then a test to the board member alone.
    expect(board.get_by_text("The recipients are saved: 3 people.")).to_be_visible()
    expect(board.locator(".mailing-preview strong")).to_have_text("Saturday")
    expect(board.locator(".mailing-preview")).to_contain_text("Yard plan.pdf")
    fits(board)
    board.screenshot(path=shots_dir / "mailing-draft-360.png", full_page=True)
    board.get_by_role("link", name="Edit the mail").click()
    expect(board.get_by_label("Text", exact=True)).to_have_value(
        "We clean the yard on **Saturday** at 10.\n\n- rakes\n- gloves"
    )
    expect(board.get_by_label("Remove Yard plan.pdf")).not_to_be_checked()
    fits(board)
    assert small_targets(board) == []
    board.screenshot(path=shots_dir / "mailing-edit-360.png", full_page=True)
    board.get_by_label("Subject").fill("Spring cleaning")
    board.get_by_role("button", name="Save", exact=True).click()
    expect(board.get_by_text("The draft is saved.", exact=True)).to_be_visible()
    board.get_by_role("button", name="Send a test to me").click()
    expect(board.get_by_text(f"A test is on its way to {BOARD}, without the attachments.")).to_be_visible()
    assert [row.to_address for row in outbox.rows()] == [BOARD]
    expect(board.get_by_text("Last test:")).to_be_visible()

    # Send asks first, with the count; then each recipient's state.
    board.get_by_role("link", name="Send…").click()
    expect(board.get_by_role("heading", name="Send to 3 people?")).to_be_visible()
    expect(board.get_by_text("With 1 attachment: Yard plan.pdf")).to_be_visible()
    fits(board)
    board.screenshot(path=shots_dir / "mailing-send-360.png", full_page=True)
    assert len(outbox.rows()) == 1  # asking sent nothing
    board.get_by_role("button", name="Send to 3 people").click()
    expect(board.get_by_text("The mail is on its way to 3 people.")).to_be_visible()
    expect(board.get_by_role("heading", name="Spring cleaning")).to_be_visible()
    rows = board.locator("#mailing-status li.row")
    expect(rows).to_have_count(3)
    for name in ("Ann Andersson", "Bo Berg", "Bea Board"):
        expect(rows.filter(has_text=name).locator(".state")).to_have_text("Sent")
    expect(board.locator("#mailing-status [role=status]")).to_have_text("3 sent")
    fits(board)
    assert small_targets(board) == []
    board.screenshot(path=shots_dir / "mailing-sent-360.png", full_page=True)
    mailed = {row.to_address for row in outbox.rows()[1:]}
    assert mailed == {"ann@example.com", BOARD, LONG_ADDRESS} and len(outbox.rows()) == 4
    assert Mailing.get().state == Mailing.SENT
    assert MailingAttachment.get().original_name == "Yard plan.pdf"

    # Later Bo's mail fails and Ann's bounces: each state is a word, and the long error wraps.
    E, sent = OutboundEmail, {r.name: r.email_id for r in MailingRecipient.select()}
    E.update(status=E.FAILED, last_error=LONG_ERROR).where(E.id == sent["Bo Berg"]).execute()
    E.update(bounced_at=clock.utcnow_naive(), bounce_reason="5.1.1 user unknown").where(
        E.id == sent["Ann Andersson"]
    ).execute()
    board.reload()
    expect(board.locator("#mailing-status [role=status]")).to_have_text("1 sent · 1 failed · 1 bounced")
    expect(rows.filter(has_text="Bo Berg").locator(".state")).to_have_text("Failed")
    expect(rows.filter(has_text="Bo Berg")).to_contain_text(f"Error: {LONG_ERROR}")
    expect(rows.filter(has_text="Ann Andersson").locator(".state")).to_have_text("Bounced")
    expect(rows.filter(has_text="Ann Andersson")).to_contain_text("Bounced: 5.1.1 user unknown")
    fits(board)
    board.screenshot(path=shots_dir / "mailing-failed-360.png", full_page=True)
    board.get_by_role("link", name="Failed (1)").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Bo Berg")

    # The list of mailings says the same in words.
    board.get_by_role("link", name="Mass mail").first.click()
    expect(board.locator(".mailings li.row")).to_contain_text("Sent")
    expect(board.locator(".mailings li.row")).to_contain_text("1 sent · 1 failed · 1 bounced")
    fits(board)
    board.screenshot(path=shots_dir / "mailings-360.png", full_page=True)


def test_the_recipients_page_on_a_desktop(new_context, alpha, outbox, shots_dir):
    make_people(alpha)
    draft = write_draft(alpha)
    board = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(board, BOARD)
    board.goto(f"/alpha/mailings/{draft.id}/recipients")
    expect(board.locator("#mailing-recipients [role=status]")).to_have_text(EVERYONE)
    board.get_by_label("Owners only").check()
    expect(board.locator("#mailing-recipients [role=status]")).to_have_text("2 people listed · 1 can get the mail")
    expect(recipient(board, "Bo Berg")).to_have_count(0)
    fits(board, 1280)
    board.screenshot(path=shots_dir / "mailing-recipients-1280.png", full_page=True)


def test_without_javascript_the_board_filters_tests_and_sends_after_the_question(new_context, alpha, outbox, shots_dir):
    make_people(alpha)
    draft = write_draft(alpha)
    board = new_context(java_script_enabled=False).new_page()
    log_in(board, BOARD)
    board.goto(f"/alpha/mailings/{draft.id}/recipients")

    # The filter is a plain GET form: Show narrows the list, and shows everyone again.
    board.get_by_label("Building").select_option(label="House A")
    board.get_by_role("button", name="Show").click()
    expect(board.locator("#mailing-recipients [role=status]")).to_have_text("2 people listed · 1 can get the mail")
    expect(recipient(board, "Bo Berg")).to_have_count(0)
    expect(recipient(board, "Cy Carlsson")).to_contain_text("Cannot be chosen: no e-mail address")
    board.get_by_label("Building").select_option(label="All buildings")
    board.get_by_role("button", name="Show").click()
    expect(board.locator("#mailing-recipients [role=status]")).to_have_text(EVERYONE)
    recipient(board, "Bo Berg").get_by_role("checkbox").uncheck()
    board.get_by_role("button", name="Save the recipients").click()
    expect(board.get_by_text("The recipients are saved: 3 people.")).to_be_visible()

    board.get_by_role("button", name="Send a test to me").click()
    expect(board.get_by_text(f"A test is on its way to {BOARD}, without the attachments.")).to_be_visible()
    board.get_by_role("link", name="Send…").click()
    expect(board.get_by_role("heading", name="Send to 3 people?")).to_be_visible()
    board.screenshot(path=shots_dir / "mailing-send-nojs-360.png", full_page=True)
    assert [row.to_address for row in outbox.rows()] == [BOARD]  # the test alone: asking sent nothing
    board.get_by_role("button", name="Send to 3 people").click()
    expect(board.get_by_text("The mail is on its way to 3 people.")).to_be_visible()
    rows = board.locator("#mailing-status li.row")
    expect(rows).to_have_count(3)
    expect(rows.locator(".state")).to_have_text(["Sent", "Sent", "Sent"])
    expect(board.locator("#mailing-status")).not_to_contain_text("Bo Berg")
    board.screenshot(path=shots_dir / "mailing-sent-nojs-360.png", full_page=True)
    names = {r.name for r in MailingRecipient.select().where(MailingRecipient.mailing == draft.id)}
    assert names == {"Ann Andersson", "Bea Board", "Eve Ek"}
    assert sorted(row.to_address for row in outbox.rows()[1:]) == ["ann@example.com", BOARD, "eve@example.com"]
