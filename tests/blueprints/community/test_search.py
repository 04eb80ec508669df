"""Posts in the quick search (issue 11 item 6): found by the members who read their thread (a topic's
category, a document's folder), never when hidden or deleted, by their new words after an edit, and by
`flask search rebuild`; a hit is labelled "Post" and opens the post."""

from __future__ import annotations

import re

import pytest

from core import search
from models.community import Category, Post
from models.documents import Document, Folder
from models.search import SearchEntry
from tests.blueprints.community.notify_helpers import change, write
from tests.factories.community import make_document_thread, make_topic


@pytest.fixture
def categories(alpha):
    return {c.key: c for c in Category.of(alpha).where(Category.key.is_null(False))}


@pytest.fixture
def folders(alpha):
    return {f.key: f for f in Folder.of(alpha).where(Folder.key.is_null(False))}


@pytest.fixture
def writer(alpha, make_user):
    return make_user(alpha, "writer@alpha.example", "board")


def found(client, words) -> str:
    response = client.get("/alpha/search", query_string={"q": words})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def hits(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"><strong>', page)


def test_a_post_in_an_owners_topic_is_found_by_an_owner_and_not_by_a_tenant(
    app, alpha, categories, writer, new_client, login, make_user, outbox
):
    make_user(alpha, "tenant@alpha.example", "tenant")
    make_user(alpha, "member@alpha.example", "member")
    topic = make_topic(alpha, "Roof repair costs", category=categories["owners"])
    post = write(app, topic, writer, "The quote for the roof is 400000 kronor.")

    owner = new_client()
    login(owner, "member@alpha.example")
    page = found(owner, "quote roof")
    assert hits(page) == [f"/alpha/posts/{post.id}/link"]
    assert "Roof repair costs" in page and "Post ·" in page

    tenant = new_client()
    login(tenant, "tenant@alpha.example")
    page = found(tenant, "quote roof")
    assert hits(page) == [] and "kronor" not in page and "Roof repair" not in page


def test_a_post_below_a_board_only_document_is_found_by_the_board_only(
    app, alpha, folders, writer, new_client, login, make_user, outbox
):
    make_user(alpha, "member@alpha.example", "member")
    document = Document.create(
        association=alpha, folder=folders["board"], title="Caretaker contract", state=Document.PUBLISHED
    )
    post = write(app, make_document_thread(document), writer, "Negotiate the caretaker's hourly rate.")

    board = new_client()
    login(board, "writer@alpha.example")
    page = found(board, "hourly rate")
    assert hits(page) == [f"/alpha/posts/{post.id}/link"] and "Caretaker contract" in page

    member = new_client()
    login(member, "member@alpha.example")
    assert hits(found(member, "hourly rate")) == []


def test_a_hidden_or_deleted_post_is_not_found_and_a_restored_one_is(app, alpha, writer, client, login, outbox):
    topic = make_topic(alpha, "Laundry room")
    rude = write(app, topic, writer, "Whoever leaves lint everywhere is a pig.")
    kept = write(app, topic, writer, "Please clean the lint filter.")
    login(client, "writer@alpha.example")
    assert len(hits(found(client, "lint"))) == 2

    change(app, rude, state=Post.HIDDEN, hidden_reason="Be kind")
    assert hits(found(client, "lint")) == [f"/alpha/posts/{kept.id}/link"]
    assert hits(found(client, "pig")) == []
    change(app, rude, state=Post.VISIBLE)
    assert len(hits(found(client, "pig"))) == 1
    change(app, kept, state=Post.DELETED)
    assert hits(found(client, "filter")) == []


def test_an_edited_post_is_found_by_its_new_words_only(app, alpha, writer, client, login, outbox):
    post = write(app, make_topic(alpha, "Parking"), writer, "The gate code is changed on Mondy.")
    change(app, post, body="The gate code is changed on Monday.")
    login(client, "writer@alpha.example")
    assert hits(found(client, "monday")) == [f"/alpha/posts/{post.id}/link"]
    assert hits(found(client, "mondy")) == []


def test_a_document_moved_to_the_board_folder_takes_its_posts_along(
    app, alpha, folders, writer, new_client, login, make_user, outbox
):
    from blueprints.community.search import document_changed

    make_user(alpha, "member@alpha.example", "member")
    document = Document.create(
        association=alpha, folder=folders["notice_board"], title="Garden day", state=Document.PUBLISHED
    )
    write(app, make_document_thread(document), writer, "Bring spades and gloves.")
    member = new_client()
    login(member, "member@alpha.example")
    assert len(hits(found(member, "spades"))) == 1

    Document.update(folder=folders["board"]).where(Document.id == document.id).execute()
    with app.app_context():
        document_changed(document.id)  # as library.on_change calls it after the commit
    assert hits(found(member, "spades")) == []

    Document.delete().where(Document.id == document.id).execute()
    with app.app_context():
        document_changed(document.id)
    assert not SearchEntry.select().where(SearchEntry.kind == "post").exists()


def test_rebuild_indexes_every_visible_post(app, alpha, categories, writer, client, login, outbox):
    topic = make_topic(alpha, "Recycling", category=categories["board"])
    write(app, topic, writer, "Glass bins are emptied on Fridays.")
    gone = write(app, topic, writer, "Paper bins too.")
    Post.update(state=Post.DELETED).where(Post.id == gone.id).execute()
    SearchEntry.delete().execute()
    with app.app_context():
        assert search.rebuild(alpha.id) == 1
    (entry,) = SearchEntry.select().where(SearchEntry.kind == "post")
    assert entry.category_id == categories["board"].id and entry.folder_id is None
    login(client, "writer@alpha.example")
    assert len(hits(found(client, "glass fridays"))) == 1


def test_hostile_post_text_is_inert_in_the_results(app, alpha, writer, client, login, outbox):
    topic = make_topic(alpha, "<img src=x onerror=alert(1)>")
    write(app, topic, writer, "needle <script>alert(2)</script> [x](javascript:alert(3))")
    login(client, "writer@alpha.example")
    page = found(client, "needle")
    assert len(hits(page)) == 1
    assert "<script>alert(2)" not in page and "<img src=x" not in page and "javascript:alert" not in page


def test_a_topic_moved_to_the_board_category_is_no_longer_found_by_members(
    app, alpha, categories, writer, new_client, login, make_user, outbox
):
    from blueprints.community import moderation

    make_user(alpha, "member@alpha.example", "member")
    topic = make_topic(alpha, "Neighbour dispute", category=categories["everyone"])
    write(app, topic, writer, "The noise from flat 12 continues at night.")
    member = new_client()
    login(member, "member@alpha.example")
    assert len(hits(found(member, "noise"))) == 1

    with app.test_request_context():
        moderation.move(topic, categories["board"], writer, "Only for the board")
    assert hits(found(member, "noise")) == []
    board = new_client()
    login(board, "writer@alpha.example")
    assert len(hits(found(board, "noise"))) == 1
