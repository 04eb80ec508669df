"""Discussions on a phone (360×740): a resident starts a topic from the Discussions place, replies, and
fixes a typo in place with htmx (the page does not reload); another resident quotes the post below a
document. Without JavaScript the edit page does the same."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from models.community import Post, PostRevision
from models.documents import Document, Folder
from tests.browser.test_register import log_in


def test_a_resident_writes_a_post_and_edits_it_in_place(new_context, alpha, make_user, shots_dir, frozen_clock):
    make_user(alpha, "owner@example.com", "member")
    owner = new_context().new_page()
    log_in(owner, "owner@example.com")
    owner.goto("/alpha/menu")
    owner.get_by_role("link", name="Discussions").first.click()
    expect(owner.get_by_role("heading", name="Discussions")).to_be_visible()
    owner.get_by_role("link", name="Start a topic").click()
    owner.get_by_label("Title").fill("Bicycle room")
    owner.get_by_label("Category").select_option(label="Owners only")
    owner.get_by_label("First post").fill("The lock on the bicycle room is broekn.")
    owner.get_by_role("button", name="Start the topic").click()
    expect(owner.get_by_role("heading", name="Bicycle room")).to_be_visible()
    expect(owner.locator(".post-body")).to_have_text("The lock on the bicycle room is broekn.")
    owner.screenshot(path=shots_dir / "discussion-thread-360.png", full_page=True)

    # The typo fixed in place: the post swaps into a form and back, the page stays (its marker survives).
    owner.evaluate("window.porchMarker = 'same page'")
    post = owner.locator("article.post").first
    post.get_by_role("link", name=re.compile("^Edit")).click()
    editing = owner.get_by_label("Text", exact=True)
    expect(editing).to_have_value("The lock on the bicycle room is broekn.")
    owner.screenshot(path=shots_dir / "discussion-edit-360.png", full_page=True)
    editing.fill("The lock on the bicycle room is broken.")
    owner.get_by_role("button", name="Save").click()
    expect(owner.locator("article.post .post-body")).to_have_text("The lock on the bicycle room is broken.")
    assert owner.evaluate("window.porchMarker") == "same page"
    expect(owner.locator("article.post").first).not_to_contain_text("edited")  # within the first minutes
    assert Post.get().body == "The lock on the bicycle room is broken." and PostRevision.select().count() == 0

    # Cancel brings the post back unchanged.
    owner.locator("article.post").first.get_by_role("link", name=re.compile("^Edit")).click()
    owner.get_by_role("link", name="Cancel").click()
    expect(owner.locator("article.post .post-body")).to_have_text("The lock on the bicycle room is broken.")
    assert owner.evaluate("window.porchMarker") == "same page"

    # A reply, then the topics place lists the topic with its two posts.
    frozen_clock.advance(__import__("datetime").timedelta(minutes=1))
    owner.get_by_label("Your post").fill("The caretaker knows.")
    owner.get_by_role("button", name="Send").click()
    expect(owner.locator("article.post")).to_have_count(2)
    owner.goto("/alpha/discussions")
    expect(owner.locator("#topic-list")).to_contain_text("2 posts")


def test_a_resident_quotes_a_post_below_a_document_and_edits_without_javascript(
    new_context, alpha, make_user, shots_dir
):
    anna = make_user(alpha, "anna@example.com", "member")
    anna.name = "Anna Berg"
    anna.save()
    make_user(alpha, "tenant@example.com", "tenant")
    notices = Folder.get((Folder.association == alpha) & (Folder.key == Folder.NOTICE_BOARD))
    document = Document.create(
        association=alpha, folder=notices, title="Cleaning day", body="Saturday at 10.", state="published"
    )

    first = new_context().new_page()
    log_in(first, "anna@example.com")
    first.goto(f"/alpha/documents/{document.id}")
    first.get_by_label("Your post").fill("I will bring **gloves**.")
    first.get_by_role("button", name="Send").click()
    expect(first.locator(".discussion article.post")).to_contain_text("I will bring gloves.")
    assert first.evaluate("location.hash") == f"#post-{Post.get().id}"

    # Without JavaScript the author's edit is a page of its own that leads back to the thread (before
    # anyone replies: a reply ends the window).
    plain = new_context(java_script_enabled=False).new_page()
    log_in(plain, "anna@example.com")
    plain.goto(f"/alpha/documents/{document.id}")
    plain.locator("article.post").first.get_by_role("link", name=re.compile("^Edit")).click()
    expect(plain.get_by_role("heading", name="Edit your post")).to_be_visible()
    plain.get_by_label("Text", exact=True).fill("I will bring **gloves** and bags.")
    plain.get_by_role("button", name="Save").click()
    expect(plain.get_by_text("Your post is saved.")).to_be_visible()
    expect(plain.locator("article.post").first).to_contain_text("I will bring gloves and bags.")

    tenant = new_context().new_page()
    log_in(tenant, "tenant@example.com")
    tenant.goto(f"/alpha/documents/{document.id}")
    tenant.get_by_role("link", name=re.compile("^Quote")).click()
    reply = tenant.get_by_label("Your post")
    expect(reply).to_have_value(re.compile(r"^Anna Berg wrote:\n> I will bring \*\*gloves\*\* and bags\."))
    reply.press("Control+End")
    reply.type("Me too.")
    tenant.get_by_role("button", name="Send").click()
    expect(tenant.locator(".discussion article.post")).to_have_count(2)
    expect(tenant.locator(".discussion blockquote")).to_contain_text("I will bring gloves and bags.")
    expect(tenant.locator(".discussion article.post").last.locator(".post-body > p").last).to_have_text("Me too.")
    tenant.screenshot(path=shots_dir / "discussion-document-360.png", full_page=True)


def test_a_resident_edits_in_place_and_the_board_hides_the_post_with_a_reason_the_author_reads(
    new_context, alpha, make_user, shots_dir
):
    """Issue 11's flow: a resident writes and fixes a post in place; a board member, in a browser of
    their own, hides it in place with a reason; the author reads the reason, another member does not."""
    make_user(alpha, "owner@example.com", "member")
    make_user(alpha, "board@example.com", "board")
    make_user(alpha, "neighbour@example.com", "member")
    owner = new_context().new_page()
    log_in(owner, "owner@example.com")
    owner.goto("/alpha/discussions/new")
    owner.get_by_label("Title").fill("Noise at night")
    owner.get_by_label("First post").fill("The people in flat 12 are idoits.")
    owner.get_by_role("button", name="Start the topic").click()
    post = Post.get()
    owner.evaluate("window.porchMarker = 'same page'")
    owner.locator(f"#post-{post.id}").get_by_role("link", name=re.compile("^Edit")).click()
    owner.get_by_label("Text", exact=True).fill("The people in flat 12 are idiots.")
    owner.get_by_role("button", name="Save").click()
    expect(owner.locator(f"#post-{post.id} .post-body")).to_have_text("The people in flat 12 are idiots.")
    assert owner.evaluate("window.porchMarker") == "same page"

    board = new_context().new_page()
    log_in(board, "board@example.com")
    board.goto(f"/alpha/discussions/{post.thread_id}")
    board.evaluate("window.porchMarker = 'same page'")
    article = board.locator(f"#post-{post.id}")
    article.get_by_role("link", name="Hide…").click()
    article.get_by_label("Reason (the author reads it)").fill("Please write about the noise, not about people.")
    board.screenshot(path=shots_dir / "discussion-hide-form-360.png", full_page=True)
    article.get_by_role("button", name="Hide the post").click()
    expect(board.locator(f"#post-{post.id}")).to_contain_text("Hidden")
    assert board.evaluate("window.porchMarker") == "same page"  # hidden in place
    assert Post.get_by_id(post.id).state == Post.HIDDEN

    owner.reload()
    expect(owner.locator(f"#post-{post.id}")).to_contain_text("Please write about the noise, not about people.")
    owner.screenshot(path=shots_dir / "discussion-hidden-author-360.png", full_page=True)
    neighbour = new_context().new_page()
    log_in(neighbour, "neighbour@example.com")
    neighbour.goto(f"/alpha/discussions/{post.thread_id}")
    expect(neighbour.locator(f"#post-{post.id}")).to_contain_text("Hidden by the board.")
    expect(neighbour.locator(f"#post-{post.id}")).not_to_contain_text("idiots")
    expect(neighbour.locator(f"#post-{post.id}")).not_to_contain_text("not about people")


def test_the_other_discussion_pages_read_well_on_a_phone(app, new_context, alpha, make_user):
    """Pages the flows above do not reach, each loaded so axe-core checks it: a category, a post's earlier
    versions, moving a topic, the author's delete page, and the mail's unfollow and newsletter pages."""
    import datetime as dt

    from blueprints.community.mailing import unsubscribe_token
    from blueprints.community.notifications import unfollow_token
    from models.community import Thread
    from tests.factories.community import make_post, make_topic

    owner = make_user(alpha, "owner@example.com", "member")
    make_user(alpha, "board@example.com", "board")
    topic = make_topic(alpha, "Bicycle room", author=owner)
    post = make_post(topic, owner, "The lock is new.", edited_at=dt.datetime(2026, 12, 1, 9, 0))
    PostRevision.create(post=post, body="The lock is broekn.", written_at=dt.datetime(2026, 12, 1, 8, 0))
    extra = make_post(topic, owner, "A second thought.")

    board = new_context(java_script_enabled=False).new_page()
    log_in(board, "board@example.com")
    board.goto(f"/alpha/discussions/{topic.id}")
    board.locator(f"#post-{post.id}").get_by_role("link", name=re.compile("^Earlier versions")).click()
    expect(board.get_by_role("heading", name=f"Earlier versions of post #{post.number}")).to_be_visible()
    expect(board.locator("main")).to_contain_text("The lock is broekn.")
    board.goto(f"/alpha/discussions/{topic.id}")
    board.get_by_role("link", name="Move to another category…").click()
    board.get_by_role("combobox").select_option(label="Owners only")
    board.get_by_role("button", name="Move the topic").click()
    assert Thread.get_by_id(topic.id).category.key == "owners"

    resident = new_context().new_page()
    log_in(resident, "owner@example.com")
    resident.goto("/alpha/discussions")
    resident.get_by_role("link", name="Owners only").first.click()
    expect(resident.locator("main")).to_contain_text("Bicycle room")
    resident.goto(f"/alpha/posts/{extra.id}/delete")
    resident.get_by_role("button", name="Delete the post").click()
    assert Post.get_by_id(extra.id).state == Post.DELETED

    with app.test_request_context():
        unfollow = f"/alpha/unfollow/{unfollow_token(owner.id, topic.id)}"
        newsletters = f"/alpha/newsletters/unsubscribe/{unsubscribe_token(alpha.id, owner.id)}"
    stranger = new_context().new_page()  # from the mail, without signing in
    stranger.goto(unfollow)
    stranger.get_by_role("button", name="Stop the mail").click()
    expect(stranger.locator("main")).to_contain_text("You no longer follow")
    stranger.goto(newsletters)
    stranger.get_by_role("button", name="Stop the newsletters").click()
    expect(stranger.get_by_role("button", name="Stop the newsletters")).to_have_count(0)
