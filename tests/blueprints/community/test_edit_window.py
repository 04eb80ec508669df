"""The edit window (issue 11 item 2): the author edits in place; in the first ten minutes without a mark,
later marked "edited" with the earlier text kept for the board; after the board's window (until someone
replies, or a number of hours) not at all, by URL or by htmx. Nobody else edits. Authors delete their own
posts; hidden and deleted posts show what they should to whom."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from models.community import CommunitySettings, Post, PostAttachment, PostRevision
from tests.factories.community import make_post, make_topic

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def written(app, alpha, login_as, client, frozen_clock):
    """The signed-in member's post #1 in a topic, written at the frozen clock's time."""
    author = login_as("member")
    topic = make_topic(alpha)
    post = make_post(topic, author, "The meeting is on Tuesdy.")
    return topic, post


def edit(client, post, body, headers=None):
    token = client.csrf(f"/alpha/discussions/{post.thread_id}")
    return client.post(
        f"/alpha/posts/{post.id}/edit", data={"csrf_token": token, f"edit{post.id}-body": body}, headers=headers or {}
    )


def test_an_edit_in_the_first_minutes_swaps_in_place_and_leaves_no_mark(client, written, frozen_clock):
    topic, post = written
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert f'hx-get="/alpha/posts/{post.id}/edit"' in page
    form = client.get(f"/alpha/posts/{post.id}/edit", headers=HTMX)
    assert form.status_code == 200
    assert text(form).lstrip().startswith(f'<article id="post-{post.id}"') and "Tuesdy.</textarea>" in text(form)
    assert f'hx-get="/alpha/posts/{post.id}"' in text(form)  # Cancel swaps the post back
    frozen_clock.advance(dt.timedelta(minutes=9))
    response = edit(client, post, "The meeting is on Tuesday.", HTMX)
    assert response.status_code == 200
    swapped = text(response)
    assert swapped.lstrip().startswith(f'<article id="post-{post.id}"') and "The meeting is on Tuesday." in swapped
    assert "edited" not in swapped
    post = Post.get_by_id(post.id)
    assert post.body == "The meeting is on Tuesday." and post.edited_at is None
    assert PostRevision.select().count() == 0


def test_a_later_edit_is_marked_and_keeps_the_earlier_text_for_the_board(
    client, written, frozen_clock, new_client, login, make_user, alpha
):
    topic, post = written
    frozen_clock.advance(dt.timedelta(minutes=30))
    response = edit(client, post, "The meeting is on Tuesday.", HTMX)
    assert response.status_code == 200 and "edited" in text(response)
    post = Post.get_by_id(post.id)
    assert post.edited_at == dt.datetime(2026, 3, 2, 9, 30)
    [revision] = PostRevision.select()
    assert revision.body == "The meeting is on Tuesdy." and revision.written_at == post.created_at
    assert "edited" in text(client.get(f"/alpha/discussions/{topic.id}"))
    # The author (a member) cannot open the history; the board can.
    assert client.get(f"/alpha/posts/{post.id}/revisions").status_code == 403
    make_user(alpha, "board@alpha.example", "board")
    board = new_client()
    login(board, "board@alpha.example")
    history = text(board.get(f"/alpha/posts/{post.id}/revisions"))
    assert "The meeting is on Tuesdy." in history
    assert f'href="/alpha/posts/{post.id}/revisions"' in text(board.get(f"/alpha/discussions/{topic.id}"))


def test_without_javascript_the_edit_page_saves_and_leads_back_to_the_thread(client, written):
    topic, post = written
    page = client.get(f"/alpha/posts/{post.id}/edit")
    assert page.status_code == 200 and "<h1>Edit your post</h1>" in text(page)
    response = edit(client, post, "Tuesday, then.")
    assert response.status_code == 302
    assert response.location == f"/alpha/discussions/{topic.id}?page=1#post-{post.id}"
    assert Post.get_by_id(post.id).body == "Tuesday, then."
    empty = edit(client, post, "  ")
    assert empty.status_code == 422 and "Write something first." in text(empty)


def test_a_reply_by_someone_else_closes_the_window(client, written, make_user, alpha):
    topic, post = written
    make_post(topic, make_user(alpha, "anna@alpha.example"), "Tuesday it is.")
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert f"/alpha/posts/{post.id}/edit" not in page  # no Edit button
    for headers in ({}, HTMX):
        refused = client.get(f"/alpha/posts/{post.id}/edit", headers=headers)
        assert refused.status_code == 403 and "The time to edit this post is over." in text(refused)
        assert edit(client, post, "Changed", headers).status_code == 403
    # By htmx the post comes back with the sentence, and porch.js lets it swap.
    refused = client.get(f"/alpha/posts/{post.id}/edit", headers=HTMX)
    assert refused.headers["X-Porch-Swap"] == "1" and text(refused).lstrip().startswith(f'<article id="post-{post.id}"')
    assert Post.get_by_id(post.id).body == "The meeting is on Tuesdy."


def test_the_authors_own_later_post_leaves_the_window_open(client, written, frozen_clock, alpha):
    topic, post = written
    frozen_clock.advance(dt.timedelta(minutes=1))
    make_post(topic, post.author, "And bring coffee.")
    assert client.get(f"/alpha/posts/{post.id}/edit").status_code == 200


def test_the_window_ends_after_the_boards_hours(client, written, frozen_clock, alpha, make_user):
    topic, post = written
    settings = CommunitySettings.of_association(alpha.id)
    frozen_clock.advance(dt.timedelta(hours=23, minutes=59))
    assert client.get(f"/alpha/posts/{post.id}/edit").status_code == 200
    frozen_clock.advance(dt.timedelta(minutes=1))
    assert client.get(f"/alpha/posts/{post.id}/edit").status_code == 403
    # "hours": a reply does not close it, only the hours.
    settings.edit_window, settings.edit_hours = CommunitySettings.HOURS, 48
    settings.save()
    make_post(topic, make_user(alpha, "anna@alpha.example"), "Tuesday it is.")
    assert client.get(f"/alpha/posts/{post.id}/edit").status_code == 200
    frozen_clock.advance(dt.timedelta(hours=24))
    assert client.get(f"/alpha/posts/{post.id}/edit", headers=HTMX).status_code == 403


@pytest.mark.parametrize("role", ["member", "board", "administrator"])
def test_nobody_else_ever_edits_a_post(client, alpha, make_user, login_as, role):
    topic = make_topic(alpha)
    post = make_post(topic, make_user(alpha, "anna@alpha.example"), "Mine")
    login_as(role, f"{role}2@alpha.example")
    assert f"/alpha/posts/{post.id}/edit" not in text(client.get(f"/alpha/discussions/{topic.id}"))
    for headers in ({}, HTMX):
        assert client.get(f"/alpha/posts/{post.id}/edit", headers=headers).status_code == 403
    assert edit(client, post, "Theirs").status_code == 403
    assert Post.get_by_id(post.id).body == "Mine"


def test_a_locked_thread_keeps_its_posts_as_they_are(client, written):
    topic, post = written
    topic.locked = True
    topic.save()
    assert client.get(f"/alpha/posts/{post.id}/edit").status_code == 403


def test_cancel_brings_the_post_back(client, written):
    _topic, post = written
    response = client.get(f"/alpha/posts/{post.id}", headers=HTMX)
    assert response.status_code == 200 and text(response).lstrip().startswith(f'<article id="post-{post.id}"')
    assert "<h1>" in text(client.get(f"/alpha/posts/{post.id}"))  # a page of its own without htmx


def test_the_author_deletes_a_post_after_confirming(client, written, alpha, make_user, frozen_clock):
    topic, post = written
    later = make_post(topic, make_user(alpha, "anna@alpha.example"), "Tuesday it is.")
    confirm = client.get(f"/alpha/posts/{post.id}/delete")
    assert confirm.status_code == 200 and "Delete the post" in text(confirm)
    assert Post.get_by_id(post.id).state == Post.VISIBLE  # asking deletes nothing
    token = client.csrf(f"/alpha/posts/{post.id}/delete")
    response = client.post(f"/alpha/posts/{post.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    post = Post.get_by_id(post.id)
    assert post.state == Post.DELETED and post.deleted_by_id == post.author_id
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert "Deleted by its author." in page and "Tuesdy" not in page and "Tuesday it is." in page
    # Someone else's post is not theirs to delete.
    assert client.get(f"/alpha/posts/{later.id}/delete").status_code == 403
    assert client.post(f"/alpha/posts/{later.id}/delete", data={"csrf_token": token}).status_code == 403


def test_a_deleted_last_post_is_not_shown_and_its_files_are_not_served(client, app, written, frozen_clock):
    topic, post = written
    frozen_clock.advance(dt.timedelta(minutes=1))
    response = client.submit(
        f"/alpha/discussions/{topic.id}/posts",
        {"body": "See the plan", "files": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "plan.pdf")]},
    )
    assert response.status_code == 302
    last = Post.get(Post.number == 2)
    href = re.search(r'href="([^"]+)">plan.pdf<', text(client.get(f"/alpha/discussions/{topic.id}"))).group(1)
    assert client.get(href).status_code == 200
    token = client.csrf(f"/alpha/posts/{last.id}/delete")
    client.post(f"/alpha/posts/{last.id}/delete", data={"csrf_token": token})
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert f'id="post-{last.id}"' not in page and "Deleted by its author." not in page
    assert client.get(href).status_code == 404
    assert PostAttachment.select().count() == 1  # the row stays (the board may restore the post)


def test_a_hidden_post_shows_its_reason_to_its_author_only(client, written, alpha, make_user, new_client, login):
    topic, post = written
    Post.update(state=Post.HIDDEN, hidden_reason="Names a neighbour").where(Post.id == post.id).execute()
    own = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert "Hidden by the board: Names a neighbour" in own and "Tuesdy" in own
    make_user(alpha, "anna@alpha.example", "member")
    other = new_client()
    login(other, "anna@alpha.example")
    theirs = text(other.get(f"/alpha/discussions/{topic.id}"))
    assert "Hidden by the board." in theirs and "Names a neighbour" not in theirs and "Tuesdy" not in theirs
