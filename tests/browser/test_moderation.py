"""Moderation on a phone (360×740): a resident flags a post in place; the board hides it from the queue
with a reason, and the author reads the reason while another member reads only that the board hid it;
the board locks the thread, pauses a member and reads the log. Without JavaScript the same forms work."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from models.community import ModerationLog, Post, PostFlag, Thread
from tests.browser.test_register import log_in
from tests.factories.community import make_post, make_topic


def test_a_flag_reaches_the_board_which_hides_the_post_and_locks_the_thread(new_context, alpha, make_user, shots_dir):
    make_user(alpha, "board@example.com", "board")
    author = make_user(alpha, "author@example.com", "member")
    make_user(alpha, "reader@example.com", "member")
    topic = make_topic(alpha, "Laundry room", author=author)
    post = make_post(topic, author, "Whoever leaves socks in the dryer is **a fool**.")

    reader = new_context().new_page()
    log_in(reader, "reader@example.com")
    reader.goto(f"/alpha/discussions/{topic.id}")
    article = reader.locator(f"#post-{post.id}")
    article.get_by_role("link", name="Flag…").click()
    article.get_by_label("What is wrong with this post?").fill("Calling neighbours fools.")
    reader.screenshot(path=shots_dir / "flag-form-360.png", full_page=True)
    article.get_by_role("button", name="Send to the board").click()
    expect(reader.locator(f"#post-{post.id}")).to_contain_text("Thank you: the board will look at the post.")
    assert reader.url.endswith(f"/alpha/discussions/{topic.id}")  # in place: the page stayed
    assert PostFlag.get().reason == "Calling neighbours fools."

    board = new_context().new_page()
    log_in(board, "board@example.com")
    expect(board.get_by_text("1 flagged post to look at")).to_be_visible()
    board.get_by_role("link", name="1 flagged post to look at").click()
    item = board.locator(f"#queue-post-{post.id}")
    expect(item).to_contain_text("Calling neighbours fools.")
    expect(item).to_contain_text("Whoever leaves socks in the dryer is a fool.")
    board.screenshot(path=shots_dir / "moderation-queue-360.png", full_page=True)
    item.get_by_label("Reason (the author reads it)").fill("Please speak kindly of your neighbours.")
    item.get_by_role("button", name="Hide the post").click()
    expect(board.locator(f"#queue-post-{post.id}")).to_contain_text("The post is hidden.")
    assert Post.get_by_id(post.id).state == Post.HIDDEN

    author_page = new_context().new_page()
    log_in(author_page, "author@example.com")
    author_page.goto(f"/alpha/discussions/{topic.id}")
    expect(author_page.locator(f"#post-{post.id}")).to_contain_text("Please speak kindly of your neighbours.")
    author_page.screenshot(path=shots_dir / "hidden-post-author-360.png", full_page=True)
    reader.goto(f"/alpha/discussions/{topic.id}")
    expect(reader.locator(f"#post-{post.id}")).to_contain_text("Hidden by the board")
    expect(reader.locator(f"#post-{post.id}")).not_to_contain_text("fool")

    # The board shows it again in place, then locks the thread (the page reloads without the reply form).
    board.goto(f"/alpha/discussions/{topic.id}")
    board.locator(f"#post-{post.id}").get_by_role("button", name="Show it again").click()
    expect(board.locator(f"#post-{post.id}")).to_contain_text("The post is shown again.")
    board.get_by_role("button", name="Lock the thread").click()
    expect(board.get_by_text("The thread is locked: it takes no new posts.")).to_be_visible()
    expect(board.get_by_role("button", name="Unlock the thread")).to_be_visible()
    expect(board.locator("form#reply-form")).to_have_count(0)
    assert Thread.get_by_id(topic.id).locked

    # A posting pause, and the log that holds all of it.
    board.goto("/alpha/moderation/pauses")
    board.get_by_label("Member").select_option(label="author (author@example.com)")
    board.get_by_label("Paused until (that day included)").fill((alpha.today() + dt.timedelta(days=7)).isoformat())
    board.get_by_label("Reason").fill("Three warnings this month.")
    board.get_by_role("button", name="Pause the member").click()
    expect(board.locator(".pauses-current")).to_contain_text("Three warnings this month.")
    board.get_by_role("link", name="Log", exact=True).click()
    board.get_by_label("Action").select_option(label="Hid a post")
    board.get_by_role("button", name="Filter").click()
    expect(board.locator(".moderation-log")).to_contain_text("Please speak kindly of your neighbours.")
    expect(board.locator(".moderation-log li")).to_have_count(1)
    board.screenshot(path=shots_dir / "moderation-log-360.png", full_page=True)
    board.get_by_role("link", name="Rules for discussions").click()
    board.get_by_label("Posts per member in 24 hours").fill("-1")
    board.get_by_role("button", name="Save the rules").click()
    expect(board.get_by_text("Give between 0 and 1000 posts.")).to_be_visible()
    actions = sorted(row.action for row in ModerationLog.select())
    assert actions == ["hide", "lock", "pause", "restore"]


def test_without_javascript_the_board_hides_and_deletes_after_asking(new_context, alpha, make_user):
    make_user(alpha, "board@example.com", "board")
    author = make_user(alpha, "author@example.com", "member")
    topic = make_topic(alpha, "Parking", author=author)
    first = make_post(topic, author, "First post")
    second = make_post(topic, author, "Second post")

    board = new_context(java_script_enabled=False).new_page()
    log_in(board, "board@example.com")
    board.goto(f"/alpha/discussions/{topic.id}")
    board.locator(f"#post-{first.id}").get_by_role("link", name="Hide…").click()
    expect(board.get_by_role("heading", name="Hide the post")).to_be_visible()
    board.get_by_role("button", name="Hide the post").click()  # no reason: refused, the page stays
    expect(board.get_by_text("Give the reason: the author will read it.")).to_be_visible()
    board.get_by_label("Reason (the author reads it)").fill("Off topic.")
    board.get_by_role("button", name="Hide the post").click()
    expect(board.get_by_text("The post is hidden. Its author sees your reason.")).to_be_visible()
    expect(board.locator(f"#post-{first.id}")).to_contain_text("Off topic.")

    board.locator(f"#post-{second.id}").get_by_role("link", name="Delete…").click()
    expect(board.get_by_text("Delete this post for good?")).to_be_visible()
    assert Post.get_by_id(second.id).state == Post.VISIBLE
    board.get_by_role("button", name="Delete the post").click()
    expect(board.get_by_text("The post is deleted.")).to_be_visible()
    assert Post.get_by_id(second.id).state == Post.DELETED
