"""Reading the discussions (issue 11 item 1): who reads which thread, a thread's pages by number range
with constant queries, the poll for new posts, the topics place, the thread below a document, and
hostile text coming out inert."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models.community import Post, PostAttachment, Thread
from models.documents import Document
from tests.factories.community import make_document_thread, make_post, make_topic

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r">#(\d+)</a>", page)]


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path, headers=None) -> tuple[int, str]:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"]), text(response)


def fill(topic, writers, count, start=dt.datetime(2026, 1, 1)):
    for n in range(count):
        post = make_post(
            topic, writers[n % len(writers)], f"Post {topic.post_count + 1}", created_at=start + dt.timedelta(minutes=n)
        )
        if n % 7 == 0:
            PostAttachment.create(
                post=post, stored_name=f"doc-{n:032x}.pdf", original_name=f"f{n}.pdf", content_type="application/pdf"
            )
        if n % 5 == 1:
            Post.update(quote_of=post.id - 1).where(Post.id == post.id).execute()


def test_a_thread_page_costs_the_same_queries_with_5_or_100_posts(client, alpha, login_as, make_user):
    member = login_as("member")
    writers = [member] + [make_user(alpha, f"writer{i}@alpha.example") for i in range(4)]
    topic = make_topic(alpha)
    fill(topic, writers, 5)
    client.get(f"/alpha/discussions/{topic.id}")  # the first page view makes the board's settings row
    few, page = queries(client, f"/alpha/discussions/{topic.id}")
    assert numbers(page) == [1, 2, 3, 4, 5]
    fill(topic, writers, 95)
    for page_number in (1, 2, 4):
        many, page = queries(client, f"/alpha/discussions/{topic.id}?page={page_number}")
        assert many == few, page_number
    assert numbers(page) == list(range(91, 101))
    assert numbers(queries(client, f"/alpha/discussions/{topic.id}?page=2")[1]) == list(range(31, 61))
    assert "Page 2 of 4" in text(client.get(f"/alpha/discussions/{topic.id}?page=2"))
    # Past the end: the last page.
    assert numbers(text(client.get(f"/alpha/discussions/{topic.id}?page=99"))) == list(range(91, 101))


def test_the_topics_place_costs_the_same_queries_however_many_topics(client, alpha, login_as, categories):
    member = login_as("member")
    for n in range(3):
        make_post(make_topic(alpha, f"Topic {n}", author=member), member)
    few, page = queries(client, "/alpha/discussions")
    for n in range(3, 45):
        make_post(make_topic(alpha, f"Topic {n}", category=categories["owners"], author=member), member)
    many, page = queries(client, "/alpha/discussions")
    assert many == few
    assert "Older topics" in page and page.index("Topic 44") < page.index("Topic 43")


def test_the_poll_brings_new_posts_on_the_last_page_only(client, alpha, login_as, make_user):
    login_as("member")
    anna = make_user(alpha, "anna@alpha.example")
    topic = make_topic(alpha)
    fill(topic, [anna], 31)
    first = text(client.get(f"/alpha/discussions/{topic.id}?page=1"))
    assert "data-poll" not in first
    last = text(client.get(f"/alpha/discussions/{topic.id}?page=2"))
    assert f'hx-get="/alpha/discussions/{topic.id}/since/31"' in last and 'hx-trigger="every 10s"' in last
    nothing = text(client.get(f"/alpha/discussions/{topic.id}/since/31", headers=HTMX))
    assert numbers(nothing) == [] and "/since/31" in nothing
    make_post(topic, anna, "Fresh news")
    fresh = text(client.get(f"/alpha/discussions/{topic.id}/since/31", headers=HTMX))
    assert numbers(fresh) == [32] and "Fresh news" in fresh and "/since/32" in fresh
    # Locked: the answer no longer polls.
    Thread.update(locked=True).where(Thread.id == topic.id).execute()
    locked = text(client.get(f"/alpha/discussions/{topic.id}/since/32", headers=HTMX))
    assert "data-poll" not in locked and "hx-trigger" not in locked


def test_a_tenant_never_reaches_an_owners_topic(client, alpha, login_as, make_user, categories):
    owner = make_user(alpha, "anna@alpha.example")
    topic = make_topic(alpha, "Owners' budget", category=categories["owners"])
    post = make_post(topic, owner, "Secret numbers")
    login_as("tenant")
    assert "Owners' budget" not in text(client.get("/alpha/discussions"))
    for path in (
        f"/alpha/discussions/{topic.id}", f"/alpha/posts/{post.id}", f"/alpha/posts/{post.id}/link",
        f"/alpha/discussions/{topic.id}/since/0", f"/alpha/discussions/categories/{categories['owners'].id}",
    ):  # fmt: skip
        for headers in ({}, HTMX):
            assert client.get(path, headers=headers).status_code == 404, path


def test_another_associations_member_gets_nothing(client, alpha, make_association, make_user, login):
    topic = make_topic(alpha)
    post = make_post(topic, make_user(alpha, "anna@alpha.example"), "Ours")
    beta = make_association("beta")
    make_user(beta, "bo@beta.example", "board")
    login(client, "bo@beta.example")
    assert client.get(f"/beta/discussions/{topic.id}").status_code == 404
    assert client.get(f"/beta/posts/{post.id}").status_code == 404
    assert client.get(f"/alpha/discussions/{topic.id}").status_code == 403


def test_the_permalink_leads_to_the_page_holding_the_post(client, alpha, login_as):
    member = login_as("member")
    topic = make_topic(alpha)
    fill(topic, [member], 65)
    post = Post.get((Post.thread == topic) & (Post.number == 64))
    response = client.get(f"/alpha/posts/{post.id}/link")
    assert response.status_code == 302
    assert response.location == f"/alpha/discussions/{topic.id}?page=3#post-{post.id}"


def test_the_document_page_shows_the_last_page_of_its_thread(client, alpha, login_as, folders, make_user):
    anna = make_user(alpha, "anna@alpha.example")
    document = Document.create(
        association=alpha, folder=folders["notice_board"], title="Cleaning day", state="published"
    )
    thread = make_document_thread(document)
    fill(thread, [anna], 35)
    login_as("tenant")
    page = text(client.get(f"/alpha/documents/{document.id}"))
    assert numbers(page) == list(range(31, 36))
    assert "The whole discussion: 35 posts" in page and f"/alpha/discussions/{thread.id}?page=1" in page
    assert f'action="/alpha/discussions/{thread.id}/posts"' in page


def test_the_document_page_costs_the_same_queries_with_5_or_100_posts(client, alpha, login_as, folders, make_user):
    anna = make_user(alpha, "anna@alpha.example")
    document = Document.create(
        association=alpha, folder=folders["notice_board"], title="Cleaning day", state="published"
    )
    thread = make_document_thread(document)
    login_as("member")
    fill(thread, [anna], 5)
    client.get(f"/alpha/documents/{document.id}")  # the first view makes the board's settings row
    few, _page = queries(client, f"/alpha/documents/{document.id}")
    fill(thread, [anna], 95)
    assert queries(client, f"/alpha/documents/{document.id}")[0] == few


HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))")


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_titles_posts_and_names_come_out_inert(client, alpha, login_as, make_user, payload, frozen_clock):
    writer = make_user(alpha, "anna@alpha.example")
    writer.name = payload
    writer.save()
    topic = make_topic(alpha, payload, author=writer)
    make_post(topic, writer, f"Before {payload} after")
    member = login_as("member")
    client.submit("/alpha/discussions/new", {"title": payload, "category": str(topic.category_id), "body": payload})
    assert Thread.select().where((Thread.title == payload) & (Thread.author == member)).exists()
    for path in ("/alpha/discussions", f"/alpha/discussions/{topic.id}", f"/alpha/discussions/{topic.id}?quote=1"):
        page = text(client.get(path))
        assert "<script>alert" not in page and "onerror=" not in page.replace("onerror=alert(1)&gt;", "")
        assert "javascript:" not in page.replace("[x](javascript:alert(1))", "")
        assert "<img src=x" not in page


def test_quoting_from_an_early_page_opens_the_reply_form_on_the_last(client, alpha, login_as, make_user):
    login_as("member")
    topic = make_topic(alpha)
    fill(topic, [make_user(alpha, "anna@alpha.example")], 31)
    first_page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert numbers(first_page)[0] == 1 and 'id="reply-form"' in first_page  # htmx swaps the form in here
    quoting = text(client.get(f"/alpha/discussions/{topic.id}?quote={Post.get(Post.number == 1).id}"))
    assert numbers(quoting) == [31] and "wrote:\n&gt; Post 1\n" in quoting
