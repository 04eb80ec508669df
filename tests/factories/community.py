"""Discussions for tests, written straight to the database (not through the posting service)."""

from __future__ import annotations

from core import clock
from models.community import Category, Post, Thread


def make_topic(association, title: str = "Bicycle room", *, category: Category | None = None, author=None) -> Thread:
    """A standalone topic, by default in the "All members" category."""
    if category is None:
        category = Category.get((Category.association == association) & (Category.key == Category.EVERYONE))
    return Thread.create(association=association, category=category, title=title, author=author)


def make_document_thread(document, author=None) -> Thread:
    return Thread.create(association=document.association_id, document=document, author=author)


def make_post(thread: Thread, author, body: str = "Hello", **fields) -> Post:
    """The thread's next post, numbered and counted as the posting service does."""
    number = thread.post_count + 1
    now = fields.pop("created_at", None) or clock.utcnow_naive()
    post = Post.create(
        thread=thread,
        association=thread.association_id,
        number=number,
        author=author,
        body=body,
        created_at=now,
        **fields,
    )
    Thread.update(post_count=number, last_post_at=now).where(Thread.id == thread.id).execute()
    thread.post_count, thread.last_post_at = number, now
    return post
