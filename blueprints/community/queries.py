"""What a member may read in the discussions, loaded the same way on every page.

Every thread is loaded through Thread.visible_to (the document's folder or the topic's category must be
one the member's role reads), in the query itself: a thread, post or file of a thread the member cannot
read answers 404, by URL, by htmx and through its files. A thread's page is a range of post numbers
(1-30, 31-60…), never an OFFSET, and costs the same few queries however long the thread grows.
"""

from __future__ import annotations

import peewee as pw
from flask import abort, g, url_for

from blueprints.community import threads
from blueprints.community.forms import BODY_HINT, PostForm
from blueprints.documents.forms import FILES_ACCEPT
from core import clock, nav
from core.access import can
from core.rendering import url_with_id
from core.text import gettext as _
from core.text import markdown
from models import User
from models import permissions as perms
from models.community import Category, CommunitySettings, Post, PostAttachment, Subscription, Thread
from models.db import PreparedSelect, first_or_404
from models.documents import Document

PAGE = 30  # posts on a thread's page
TOPICS_PAGE = 20  # topics on a page of the list


# --- categories and topics ------------------------------------------------------------------------


def readable_categories(membership) -> list[Category]:
    """The categories the member's role reads, in the board's order (once per request)."""
    ordered = Category.visible_to(membership).order_by(Category.position, Category.id)
    return nav.once_per_request("readable_categories", lambda: list(ordered))


def readable_category(membership, category_id: int) -> Category:
    """A category the member reads, else 404."""
    for category in readable_categories(membership):
        if category.id == category_id:
            return category
    abort(404)


def topics_page(membership, page: int, category: Category | None = None) -> tuple[list[Thread], bool]:
    """One page of the topics the member reads (of one category, or all), newest activity first, with
    their category and author: one query (post_count and last_post_at are on the thread)."""
    query = (
        Thread.select(Thread, Category, User.id, User.name)
        .join(Category)
        .switch(Thread)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Thread.author == User.id))
        .where(
            (Thread.association == membership.association_id)
            & Thread.category.in_(Category.readable_ids(membership.role_id))
        )
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(TOPICS_PAGE + 1)
        .offset((page - 1) * TOPICS_PAGE)
    )
    if category is not None:
        query = query.where(Thread.category == category.id)
    found = list(query)
    return found[:TOPICS_PAGE], len(found) > TOPICS_PAGE


# --- threads ----------------------------------------------------------------------------------------


def visible_thread(membership, thread_id: int) -> Thread:
    """A thread the member reads, with its document or category, else 404."""
    found = _VISIBLE_THREAD(membership.association_id, membership.role_id, thread_id)
    if not found:
        abort(404)
    return found[0]


def _visible_thread_query(association_id, role_id, thread_id) -> pw.ModelSelect:
    """Thread.visible_to's rule and the thread's id (markers: built once, see PreparedSelect)."""
    return (
        Thread.select(Thread, Document, Category)
        .join(Document, pw.JOIN.LEFT_OUTER)
        .switch(Thread)
        .join(Category, pw.JOIN.LEFT_OUTER)
        .where((Thread.association == association_id) & Thread.readable_by(role_id) & (Thread.id == thread_id))
    )


# Every discussion page, post and poll asks it: the readers' rule is long to build (~3 ms in peewee).
_VISIBLE_THREAD = PreparedSelect(_visible_thread_query)


def thread_of_document(document: Document) -> Thread | None:
    """The thread below a document the caller has checked the member reads (None before its first post)."""
    thread = Thread.get_or_none(Thread.document == document.id)
    if thread is not None:
        thread.document = document
    return thread


def visible_post(membership, post_id: int) -> tuple[Post, Thread]:
    """A post of a thread the member reads (whatever its state: the template says what shows), else 404."""
    post = first_or_404(
        Post.select(Post, User.id, User.name)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Post.author == User.id))
        .where((Post.id == post_id) & (Post.association == membership.association_id))
    )
    return post, visible_thread(membership, post.thread_id)


def title_of(thread: Thread) -> str:
    return thread.document.title if thread.document_id else thread.title


def may_moderate() -> bool:
    return can(perms.DISCUSSIONS_MODERATE)


def may_post(thread: Thread | None) -> bool:
    """Whether the member may write in the thread (None: a document's, before its first post); the
    rules' pause and limits are asked when sending."""
    return can(perms.DISCUSSIONS_POST) and not (thread is not None and thread.locked)


def settings(membership) -> CommunitySettings:
    """The board's discussion rules (the edit window), read once per request."""
    association_id = membership.association_id
    return nav.once_per_request("community_settings", lambda: CommunitySettings.of_association(association_id))


# --- a thread's pages ---------------------------------------------------------------------------------


def last_standing(thread: Thread) -> int:
    """The number of the thread's last post that is not deleted (0 if none): a deleted post after it is
    not shown at all, and the pages end there. (Walks the (thread, number) index from the end.)"""
    found = _LAST_STANDING(thread.id, Post.DELETED)
    return found[0].number if found else 0


def _last_standing_query(thread_id, deleted) -> pw.ModelSelect:
    return (
        Post.select(Post.number)
        .where((Post.thread == thread_id) & (Post.state != deleted))
        .order_by(Post.number.desc())
        .limit(1)
    )


def page_count(last: int) -> int:
    return max(1, -(-last // PAGE))


def page_of(number: int) -> int:
    """The page holding post `number`."""
    return (number - 1) // PAGE + 1


def posts_between(membership, thread: Thread, first: int, last: int, standing: int) -> list[dict]:
    """The posts numbered first..last with what each shows (authors, files, quotes, may the member edit):
    a fixed number of queries however many there are. A deleted post after `standing` is left out."""
    posts = _POSTS_BETWEEN(thread.id, first, last)
    posts = [post for post in posts if post.state != Post.DELETED or post.number < standing]
    known = _Known.for_posts(membership, thread, posts)
    return [post_context(membership, post, thread, known=known) for post in posts]


def _posts_between_query(thread_id, first, last) -> pw.ModelSelect:
    quoted = Post.alias()
    return (
        Post.select(Post, User.id, User.name, quoted.id, quoted.number)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Post.author == User.id))
        .switch(Post)
        .join(quoted, pw.JOIN.LEFT_OUTER, on=(Post.quote_of == quoted.id))
        .where((Post.thread == thread_id) & (Post.number >= first) & (Post.number <= last))
        .order_by(Post.number)
    )


# Every page of a discussion (and the discussion below a document or a vote) asks these: built once.
_LAST_STANDING = PreparedSelect(_last_standing_query)
_POSTS_BETWEEN = PreparedSelect(_posts_between_query)


class _Known:
    """What a page's posts share, loaded for all of them at once: their files, and the latest post by
    someone other than the member (which closes an "until someone replies" edit window)."""

    def __init__(self, files: dict, last_by_others: int | None):
        self.files, self.last_by_others = files, last_by_others

    @classmethod
    def for_posts(cls, membership, thread: Thread, posts: list[Post]) -> _Known:
        ids = [post.id for post in posts]
        files: dict[int, list[PostAttachment]] = {post_id: [] for post_id in ids}
        if ids:
            for attachment in PostAttachment.select().where(PostAttachment.post.in_(ids)).order_by(PostAttachment.id):
                files[attachment.post_id].append(attachment)
        if membership is None or not posts:  # nothing on the page to edit
            return cls(files, None)
        # Asked whether or not the member wrote on this page, so every page costs the same queries.
        settings(membership)
        return cls(files, _last_by_others(thread, membership.user_id))


def _last_by_others(thread: Thread, user_id: int) -> int:
    """The number of the latest post in the thread by anyone but this member (0 if none): a reply after
    the member's post ends its edit window when the board's window is "until someone replies"."""
    return (
        Post.select(Post.number)
        .where((Post.thread == thread.id) & ((Post.author != user_id) | Post.author.is_null()))
        .order_by(Post.number.desc())
        .limit(1)
        .scalar()
        or 0
    )


def post_context(membership, post: Post, thread: Thread, *, known: _Known | None = None) -> dict:
    """Everything templates/community/_post.html shows of one post for this member; views re-render a
    post after an action with it (moderation's too). `known` carries what a page loaded for all its posts."""
    user_id = membership.user_id if membership is not None else None
    is_author = user_id is not None and post.author_id == user_id
    moderator = may_moderate()
    if known is None:
        known = _Known.for_posts(membership, thread, [post])
    # A hidden post's text stays readable to its author (with the board's reason) and to the board.
    shows_body = post.is_visible or (post.state == Post.HIDDEN and (is_author or moderator))
    replied = known.last_by_others is not None and known.last_by_others > post.number
    return dict(
        post=post,
        thread=thread,
        author_name=author_name(post),
        body_html=markdown(post.body, images_under=url_with_id("community.post", "post_id", post.id) + "/files/")
        if shows_body
        else "",
        shows_body=shows_body,
        is_author=is_author,
        may_edit=is_author and edit_refusal(membership, post, thread, replied=replied) is None,
        may_delete=is_author and post.state != Post.DELETED,
        may_moderate=moderator,
        may_quote=post.is_visible and may_post(thread) and membership is not None,
        may_flag=membership is not None and not is_author and post.is_visible,
        deleted_by_author=post.state == Post.DELETED and post.deleted_by_id == post.author_id,
        files=known.files.get(post.id, []) if shows_body else [],
        quote=post.quote_of if post.quote_of_id else None,  # its id and number (joined on a page)
    )


def author_name(post: Post) -> str:
    if post.author_id is None:
        return _("A former member")
    return post.author.name or _("A member")


def edit_refusal(membership, post: Post, thread: Thread, *, replied: bool | None = None) -> str | None:
    """Why the member may not edit this post now, or None: only its author, while it shows, in an open
    thread, within the board's window (CommunitySettings)."""
    if membership is None or post.author_id != membership.user_id:
        return _("Only the author edits a post.")
    if post.state != Post.VISIBLE:
        return _("This post can no longer be edited.")
    if thread.locked:
        return _("This discussion is locked: its posts can no longer be edited.")
    if replied is None:
        replied = _last_by_others(thread, membership.user_id) > post.number
    if not threads.within_edit_window(post, settings(membership), replied=replied, now=clock.utcnow_naive()):
        return _("The time to edit this post is over.")
    return None


# --- follows ------------------------------------------------------------------------------------------


def is_following(membership, thread: Thread) -> bool:
    """Whether the member follows the thread: its own row decides; without one, a follow of its
    category or its document's folder (one query)."""
    scope = Subscription.thread == thread.id
    if thread.category_id:
        scope |= Subscription.category == thread.category_id
    if thread.document_id:
        scope |= Subscription.folder == thread.document.folder_id
    rows = list(
        Subscription.select(Subscription.thread, Subscription.active).where(
            (Subscription.user == membership.user_id) & (Subscription.association == membership.association_id) & scope
        )
    )
    own = [row for row in rows if row.thread_id == thread.id]
    if own:
        return own[-1].active
    return any(row.active for row in rows)


def follows_scope(membership, *, category_id: int | None = None, folder_id: int | None = None) -> bool:
    """Whether the member follows every discussion of a category or of a folder's documents."""
    where = Subscription.category == category_id if category_id else Subscription.folder == folder_id
    return (
        Subscription.select()
        .where((Subscription.user == membership.user_id) & where & (Subscription.active == True))  # noqa: E712
        .exists()
    )


# --- the reply form, and the discussion below a document ------------------------------------------------


def reply_context(shown: Thread | None, form, message: str | None = None, document=None) -> dict:
    """What _reply_form.html needs: the form, where it posts, and why the last sending was refused."""
    if shown is not None:
        action = url_for("community.reply", thread_id=shown.id)
    else:
        action = url_for("community.document_reply", document_id=document.id)
    return dict(
        form=form,
        reply_action=action,
        reply_message=message,
        may_post=may_post(shown),
        body_hint=BODY_HINT,
        files_accept=FILES_ACCEPT,
        max_mb=g.association.document_max_mb or 5,
    )


def document_discussion(membership, document: Document) -> dict:
    """The thread below a document (its last page of posts) and the reply form, for the document's page."""
    shown = thread_of_document(document)
    found = dict(thread=shown, posts=[], earlier=False, following=False, since_number=0, page_number=1)
    if shown is not None:
        standing = last_standing(shown)
        last = page_count(standing)
        first = (last - 1) * PAGE + 1
        found.update(
            posts=posts_between(membership, shown, first, last * PAGE, standing),
            earlier=last > 1,
            following=is_following(membership, shown),
            since_number=shown.post_count,
            page_number=last,
        )
    found.update(reply_context(shown, PostForm(formdata=None), document=document))
    return found
