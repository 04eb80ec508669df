"""Writing in the discussions (issue 11 item 1): a topic and its first post, replies, a post below a
document, quotes, @mentions, follows, files, a locked thread, and a member the rules refuse (a posting
pause, the rate limits) keeping what they typed."""

from __future__ import annotations

import datetime as dt
import io
import re

from models.community import Post, PostAttachment, PostingPause, PostMention, Subscription, Thread
from models.documents import Document
from tests.factories.community import make_post, make_topic


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_member_starts_a_topic_with_its_first_post(client, alpha, login_as, categories):
    owner = login_as("member")
    page = text(client.get("/alpha/discussions/new"))
    assert "Owners only" in page and ">Board<" not in page  # only the categories the member reads
    response = client.submit(
        "/alpha/discussions/new",
        {"title": "Bicycle room", "category": str(categories["owners"].id), "body": "The lock is **broken**."},
    )
    assert response.status_code == 302
    thread = Thread.get(Thread.title == "Bicycle room")
    assert thread.category_id == categories["owners"].id and thread.post_count == 1 and thread.author_id == owner.id
    [post] = thread.posts
    assert post.number == 1 and post.body == "The lock is **broken**." and post.author_id == owner.id
    assert Subscription.get(Subscription.thread == thread).user_id == owner.id  # writing follows it
    shown = text(client.get(response.location))
    assert "<strong>broken</strong>" in shown and "Bicycle room" in shown
    assert "Bicycle room" in text(client.get("/alpha/discussions"))


def test_a_member_cannot_start_a_topic_in_a_category_it_does_not_read(client, alpha, login_as, categories):
    login_as("tenant")
    response = client.submit(
        "/alpha/discussions/new", {"title": "Secret", "category": str(categories["owners"].id), "body": "Hi"}
    )
    assert response.status_code == 422  # not one of the choices
    assert Thread.select().where(Thread.title == "Secret").count() == 0


def test_a_reply_is_numbered_after_the_last_post_and_shows(client, alpha, login_as, make_user):
    first = make_user(alpha, "anna@alpha.example", "member")
    topic = make_topic(alpha, author=first)
    make_post(topic, first, "Who has the key?")
    login_as("tenant")
    response = client.submit(f"/alpha/discussions/{topic.id}/posts", {"body": "The caretaker has it."})
    assert response.status_code == 302
    reply = Post.get((Post.thread == topic) & (Post.number == 2))
    assert response.location.endswith(f"/alpha/discussions/{topic.id}?page=1#post-{reply.id}")
    topic = Thread.get_by_id(topic.id)
    assert topic.post_count == 2 and topic.last_post_at == reply.created_at
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert page.index("Who has the key?") < page.index("The caretaker has it.")


def test_a_reply_by_htmx_redirects_and_a_refusal_swaps_the_form_in_place(client, alpha, login_as):
    topic = make_topic(alpha)
    login_as("member")
    token = client.csrf(f"/alpha/discussions/{topic.id}")
    response = client.post(
        f"/alpha/discussions/{topic.id}/posts",
        data={"csrf_token": token, "body": "   "},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert text(response).lstrip().startswith('<form id="reply-form"') and "Write something first." in text(response)
    response = client.post(
        f"/alpha/discussions/{topic.id}/posts", data={"csrf_token": token, "body": "Hi"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "#post-" in response.headers["HX-Redirect"]


def test_the_first_post_below_a_document_makes_its_thread(client, alpha, login_as, folders):
    document = Document.create(
        association=alpha, folder=folders["notice_board"], title="Cleaning day", body="Saturday", state="published"
    )
    login_as("tenant")
    page = text(client.get(f"/alpha/documents/{document.id}"))
    assert "Nobody has written about this document yet." in page and f"/alpha/documents/{document.id}/posts" in page
    response = client.submit(
        f"/alpha/documents/{document.id}/posts",
        {"body": "I will bring gloves."},
        form_page=f"/alpha/documents/{document.id}",
    )
    assert response.status_code == 302 and response.location.startswith(f"/alpha/documents/{document.id}#post-")
    thread = Thread.get(Thread.document == document)
    assert thread.post_count == 1 and thread.category_id is None
    page = text(client.get(f"/alpha/documents/{document.id}"))
    assert "I will bring gloves." in page
    # The thread's own page names the document and leads back to it.
    page = text(client.get(f"/alpha/discussions/{thread.id}"))
    assert "Cleaning day" in page and f'href="/alpha/documents/{document.id}"' in page


def test_a_draft_document_takes_no_posts(client, alpha, login_as, folders):
    board = login_as("board")
    draft = Document.create(
        association=alpha, folder=folders["notice_board"], title="Draft", state="draft", author=board
    )
    response = client.submit(f"/alpha/documents/{draft.id}/posts", {"body": "Hi"}, form_page="/alpha/discussions")
    assert response.status_code == 404 and Thread.select().count() == 0


def test_quoting_fills_the_reply_with_the_post_and_remembers_it(client, alpha, login_as, make_user):
    anna = make_user(alpha, "anna@alpha.example", "member")
    anna.name = "Anna Berg"
    anna.save()
    topic = make_topic(alpha)
    quoted = make_post(topic, anna, "Line one\n\nLine two")
    login_as("member")
    page = text(client.get(f"/alpha/discussions/{topic.id}?quote={quoted.id}"))
    assert "Anna Berg wrote:\n&gt; Line one\n&gt;\n&gt; Line two" in page
    assert f'name="quote_of" type="hidden" value="{quoted.id}"' in page
    part = text(client.get(f"/alpha/discussions/{topic.id}?quote={quoted.id}", headers={"HX-Request": "true"}))
    assert part.lstrip().startswith('<form id="reply-form"') and "&gt; Line two" in part
    response = client.submit(
        f"/alpha/discussions/{topic.id}/posts",
        {"body": "Anna Berg wrote:\n> Line one\n\nAgreed.", "quote_of": str(quoted.id)},
        form_page=f"/alpha/discussions/{topic.id}",
    )
    assert response.status_code == 302
    reply = Post.get(Post.number == 2)
    assert reply.quote_of_id == quoted.id
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert "<blockquote>" in page and "In reply to #1" in page


def test_a_quote_of_a_post_elsewhere_is_dropped(client, alpha, login_as, make_user):
    other = make_topic(alpha, "Elsewhere")
    elsewhere = make_post(other, make_user(alpha, "anna@alpha.example"), "Over there")
    topic = make_topic(alpha)
    login_as("member")
    client.submit(
        f"/alpha/discussions/{topic.id}/posts",
        {"body": "Hi", "quote_of": str(elsewhere.id)},
        form_page=f"/alpha/discussions/{topic.id}",
    )
    assert Post.get(Post.thread == topic).quote_of_id is None


def test_mentions_store_rows_and_follows_for_members_who_read_the_thread(
    client, alpha, login_as, make_user, categories, frozen_clock
):
    anna = make_user(alpha, "anna@alpha.example", "member")
    anna.name = "Anna Berg"
    anna.save()
    tenant = make_user(alpha, "tomas@alpha.example", "tenant")
    tenant.name = "Tomáš Novák"
    tenant.save()
    topic = make_topic(alpha, "Owners' matter", category=categories["owners"])
    login_as("board")
    body = "Thanks @anna.berg, and @Tomas Novak (who cannot read this)."
    client.submit(f"/alpha/discussions/{topic.id}/posts", {"body": body}, form_page=f"/alpha/discussions/{topic.id}")
    post = Post.get(Post.thread == topic)
    assert [m.user_id for m in PostMention.select().where(PostMention.post == post)] == [anna.id]
    assert Subscription.get((Subscription.thread == topic) & (Subscription.user == anna)).active
    assert not Subscription.select().where(Subscription.user == tenant).exists()
    # In a topic everyone reads, the tenant is named too, written as their name with accents left out.
    open_topic = make_topic(alpha, "Garden")
    frozen_clock.advance(dt.timedelta(minutes=1))
    client.submit(
        f"/alpha/discussions/{open_topic.id}/posts", {"body": "@Tomas Novak: the hose?"}, form_page="/alpha/discussions"
    )
    post = Post.get(Post.thread == open_topic)
    assert [m.user_id for m in PostMention.select().where(PostMention.post == post)] == [tenant.id]


def test_a_locked_thread_takes_no_posts(client, alpha, login_as):
    topic = make_topic(alpha)
    Thread.update(locked=True).where(Thread.id == topic.id).execute()
    login_as("member")
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    assert "This discussion is locked: it takes no new posts." in page and 'id="body"' not in page
    assert "data-poll" not in page  # no poll in a locked thread
    response = client.submit(
        f"/alpha/discussions/{topic.id}/posts", {"body": "Still here"}, form_page="/alpha/discussions"
    )
    assert response.status_code == 422 and "This discussion is locked" in text(response)
    assert Post.select().count() == 0


def test_a_paused_member_is_refused_and_keeps_the_typed_text(client, alpha, login_as, frozen_clock):
    topic = make_topic(alpha)
    member = login_as("member")
    PostingPause.create(association=alpha, user=member, until=dt.date(2026, 3, 20), reason="Heated")
    for headers in ({}, {"HX-Request": "true"}):
        response = client.submit(
            f"/alpha/discussions/{topic.id}/posts", {"body": "My long careful answer"}, headers=headers,
            form_page=f"/alpha/discussions/{topic.id}",
        )  # fmt: skip
        page = text(response)
        assert response.status_code == 422
        assert "The board has paused your posting until" in page and "My long careful answer</textarea>" in page
    # A new topic too.
    response = client.submit(
        "/alpha/discussions/new", {"title": "Mine", "category": str(topic.category_id), "body": "Typed"}
    )
    assert (
        response.status_code == 422 and "paused your posting" in text(response) and "Typed</textarea>" in text(response)
    )
    assert Post.select().count() == 0 and Thread.select().count() == 1


def test_a_member_posting_twice_within_15_seconds_is_asked_to_wait(client, alpha, login_as, frozen_clock):
    topic = make_topic(alpha)
    login_as("member")
    url = f"/alpha/discussions/{topic.id}/posts"
    assert client.submit(url, {"body": "First"}, form_page=f"/alpha/discussions/{topic.id}").status_code == 302
    frozen_clock.advance(dt.timedelta(seconds=5))
    for headers in ({}, {"HX-Request": "true"}):
        response = client.submit(
            url, {"body": "Second thought"}, headers=headers, form_page=f"/alpha/discussions/{topic.id}"
        )
        assert response.status_code == 422
        assert "please wait 10 seconds" in text(response) and "Second thought</textarea>" in text(response)
    frozen_clock.advance(dt.timedelta(seconds=10))
    assert client.submit(url, {"body": "Second thought"}, form_page=f"/alpha/discussions/{topic.id}").status_code == 302
    assert [p.body for p in Post.select().order_by(Post.number)] == ["First", "Second thought"]


def test_a_post_carries_files_under_the_documents_rules(client, app, alpha, login_as, frozen_clock):
    topic = make_topic(alpha)
    login_as("member")
    url = f"/alpha/discussions/{topic.id}/posts"
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = client.submit(
        url,
        {"body": "The quote", "files": [(io.BytesIO(pdf), "quote.pdf")]},
        form_page=f"/alpha/discussions/{topic.id}",
    )
    assert response.status_code == 302
    [file] = PostAttachment.select()
    page = text(client.get(f"/alpha/discussions/{topic.id}"))
    href = re.search(r'href="([^"]+)">quote.pdf<', page).group(1)
    served = client.get(href)
    assert served.status_code == 200 and served.data == pdf and file.content_type == "application/pdf"
    # A file that is not what it says is refused, and the text stays.
    frozen_clock.advance(dt.timedelta(minutes=1))
    response = client.submit(
        url, {"body": "Another", "files": [(io.BytesIO(b"MZ\x90\x00binary"), "virus.pdf")]},
        form_page=f"/alpha/discussions/{topic.id}",
    )  # fmt: skip
    assert response.status_code == 422 and "virus.pdf is not a file" in text(response)
    assert "Another</textarea>" in text(response) and Post.select().count() == 1


def test_following_a_thread_toggles_in_place(client, alpha, login_as):
    topic = make_topic(alpha)
    member = login_as("member")
    token = client.csrf(f"/alpha/discussions/{topic.id}")
    response = client.post(
        f"/alpha/discussions/{topic.id}/follow", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "Unfollow" in text(response)
    assert Subscription.get(Subscription.user == member).active
    client.post(f"/alpha/discussions/{topic.id}/follow", data={"csrf_token": token})
    assert not Subscription.get(Subscription.user == member).active
    # An unfollowed thread stays unfollowed when the member writes in it again.
    client.submit(f"/alpha/discussions/{topic.id}/posts", {"body": "Hi"}, form_page=f"/alpha/discussions/{topic.id}")
    assert [s.active for s in Subscription.select().where(Subscription.user == member)] == [False]


def test_following_a_category_and_a_folder(client, alpha, login_as, categories, folders):
    member = login_as("member")
    token = client.csrf("/alpha/discussions")
    client.post(f"/alpha/discussions/categories/{categories['everyone'].id}/follow", data={"csrf_token": token})
    client.post(f"/alpha/documents/folders/{folders['minutes'].id}/follow-discussions", data={"csrf_token": token})
    rows = Subscription.select().where((Subscription.user == member) & Subscription.active)
    assert {(r.category_id, r.folder_id) for r in rows} == {
        (categories["everyone"].id, None),
        (None, folders["minutes"].id),
    }
    topic = make_topic(alpha)
    assert "You follow this discussion" in text(client.get(f"/alpha/discussions/{topic.id}"))
