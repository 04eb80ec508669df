"""Access matrix entries for the discussions (issue 11 items 1 and 2).

In world() a topic in alpha's "Owners only" category with one post (and its PDF) by the member: the
tenant does not read the category, so the topic, its posts, their files and the poll are a 404 for the
tenant, as for anything that is not there. Only the post's author (the member) edits or deletes it; the
board reads its earlier versions. Below a document: documents.py's Minutes document and folder, which the
tenant does not read either.

The post's file is the first PostAttachment of a fresh database (id 1), as documents.py's file is the
first DocumentAttachment: the two routes share the URL value name `file_id`.
"""

import secrets

from models.community import Category, Post, PostAttachment, Thread
from tests.access.common import BOARD_UP, LOGIN, holders_of, members
from tests.access.faults import _write_when_the_app_runs

READERS = ("member", "board", "administrator")


def reading(status=200):
    """Who reads the Owners-only topic gets `status`; the tenant 404, as for a topic that is not there."""
    expected = holders_of(READERS, status)
    expected["tenant"] = 404
    return expected


def authors(status=200):
    """The member wrote the post: they get `status`; the board and the administrator 403; the tenant 404."""
    expected = holders_of(("member",), status)
    expected["tenant"] = 404
    return expected


MATRIX = {
    ("community.topics", "GET"): members(),
    ("community.category", "GET"): reading(),
    ("community.category_follow", "POST"): reading(302),
    ("community.topic_new", "GET"): members(),
    ("community.topic_new", "POST"): members(422),  # nothing typed
    ("community.thread", "GET"): reading(),
    ("community.thread_since", "GET"): reading(),
    ("community.reply", "POST"): reading(422),  # nothing typed
    ("community.document_reply", "POST"): reading(422),  # nothing typed
    ("community.follow", "POST"): reading(302),
    ("community.folder_follow", "POST"): reading(302),
    ("community.post", "GET"): reading(),
    ("community.post_permalink", "GET"): reading(302),
    ("community.post_file", "GET"): reading(),
    ("community.post_edit", "GET"): authors(),
    ("community.post_edit", "POST"): authors(422),  # nothing typed
    ("community.post_delete", "GET"): authors(),
    ("community.post_delete", "POST"): authors(302),
    ("community.post_revisions", "GET"): holders_of(BOARD_UP),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """ "Bicycle room" in Owners only, with the member's post and its quote PDF."""
    owners = Category.get((Category.association == alpha) & (Category.key == Category.OWNERS))
    topic = Thread.create(
        association=alpha, category=owners, title="Bicycle room", author=users["member"], post_count=1
    )
    post = Post.create(thread=topic, association=alpha, number=1, author=users["member"], body="The lock is broken.")
    stored_name = f"doc-{secrets.token_hex(16)}.pdf"
    _write_when_the_app_runs(alpha.id, stored_name, b"%PDF-1.4\n%%EOF\n", folder="discussions")
    PostAttachment.create(
        post=post, stored_name=stored_name, original_name="quote.pdf", content_type="application/pdf", size=15
    )
    return {"category_id": owners.id, "thread_id": topic.id, "post_id": post.id, "number": 0}
