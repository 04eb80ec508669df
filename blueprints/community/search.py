"""Posts in the quick search (issue 11 item 6, SPEC D3): every visible post is one entry, under its
topic's or its document's title, found by the members who read its thread.

Who reads a post is who reads its thread: for a document's thread the document's folder (folder_id, as
documents are found), for a topic its category (category_id). A post enters the index when written
(signals.on_post_written) and follows each edit, hiding, restoring and deletion (on_post_changed); a
document edited, moved to another folder, unpublished or deleted takes its thread's posts along
(library.on_change). Hits open the post in its thread (community.post_permalink).
"""

from __future__ import annotations

import html
import logging

import nh3
import peewee as pw
from flask import url_for

from blueprints.community import signals
from blueprints.documents import library
from core import search
from core.text import lazy_gettext as _l
from core.text import markdown
from models.community import Category, Post, Thread
from models.documents import Document, Folder
from models.search import SearchEntry

KIND = "post"
log = logging.getLogger(__name__)


def _plain(source: str) -> str:
    """A post's Markdown as the words a reader sees (no markup, no addresses of links)."""
    return html.unescape(nh3.clean(str(markdown(source)), tags=set()))


def _entry(post: Post, thread: Thread, document: Document | None) -> search.Entry:
    return search.Entry(
        kind=KIND,
        object_id=post.id,
        association_id=post.association_id,
        folder_id=document.folder_id if document else None,
        category_id=thread.category_id if document is None else None,
        title=document.title if document else thread.title,
        body=_plain(post.body),
        files="",
        at=post.created_at,
    )


def _findable(post: Post, document: Document | None) -> bool:
    return post.is_visible and (document is None or document.state == Document.PUBLISHED)


def index_post(post: Post) -> None:
    """Put the post in the index as it is now, or take it out (hidden, deleted, its document unpublished)."""
    try:
        thread = Thread.get_by_id(post.thread_id)
        document = Document.get_by_id(thread.document_id) if thread.document_id else None
        if _findable(post, document):
            search.put(_entry(post, thread, document))
        else:
            search.remove(KIND, post.id)
    except Exception:  # the post itself is written: `flask search rebuild` puts the index right
        log.exception("could not index post %s for the search", post.id)


def index_thread(thread_id: int) -> None:
    """Index a thread's posts again (its document or topic changed: title, folder, category)."""
    thread = Thread.get_or_none(Thread.id == thread_id)
    if thread is None:
        return
    for post in Post.select().where(Post.thread == thread_id).iterator():
        index_post(post)


def thread_moved(thread: Thread) -> None:
    """A topic moved to another category: its posts are found by that category's readers only."""
    index_thread(thread.id)


def document_changed(document_id: int) -> None:
    """A document edited, moved, unpublished or deleted: its thread's posts follow (after the commit)."""
    try:
        thread_id = Thread.select(Thread.id).where(Thread.document == document_id).scalar()
        if thread_id is not None:
            index_thread(thread_id)
        elif Document.get_or_none(Document.id == document_id) is None:
            _forget_removed_posts()
    except Exception:
        log.exception("could not index the posts of document %s for the search", document_id)


def _forget_removed_posts() -> None:
    """Take out posts deleted with their document (the thread's rows went with it, the index's did not)."""
    gone = SearchEntry.select(SearchEntry.object_id).where(
        (SearchEntry.kind == KIND) & SearchEntry.object_id.not_in(Post.select(Post.id))
    )
    for (post_id,) in gone.tuples():
        search.remove(KIND, post_id)


def entries(association_id: int):
    """Every findable post of the association, for `flask search rebuild`."""
    posts = (
        Post.select(Post, Thread, Document)
        .join(Thread)
        .join(Document, on=(Thread.document == Document.id), join_type=pw.JOIN.LEFT_OUTER)
        .where((Post.association == association_id) & (Post.state == Post.VISIBLE))
        .order_by(Post.id)
    )
    for post in posts.iterator():
        thread = post.thread
        document = thread.document if thread.document_id else None
        if _findable(post, document):
            yield _entry(post, thread, document)


def readable_condition(membership):
    """Posts of document threads in folders the role reads, and of topics in categories it reads."""
    role = membership.role_id
    return SearchEntry.folder_id.in_(Folder.readable_ids(role)) | SearchEntry.category_id.in_(
        Category.readable_ids(role)
    )


def url_for_hit(hit: search.Hit) -> str:
    return url_for("community.post_permalink", post_id=hit.object_id)


search.register_kind(KIND, _l("Post"), url_for_hit, readable_condition, entries)
for _listeners, _listener in (
    (signals.on_post_written, index_post),
    (signals.on_post_changed, index_post),
    (library.on_change, document_changed),
    (signals.on_thread_moved, thread_moved),
):
    if _listener not in _listeners:
        _listeners.append(_listener)
