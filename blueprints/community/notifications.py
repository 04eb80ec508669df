"""Mail about new posts (C2, seed 004 §4.2): it waits POST_MAIL_DELAY (five minutes) and then carries the
posts as they are, so a typo fixed in the meantime reaches readers and a post deleted or hidden sends nothing.

A new post opens the thread's PostDigest (due in five minutes) or joins the one already waiting; the job
jobs.community.send_digest sends it when due (RQ's scheduler), and the periodic sweep sends any due digest
whose job was lost or that waits without Redis. Edits mail nobody: only on_post_written is listened to.

Who gets it: active members whose role reads the thread today (Thread.readable_by, the page's rule), who
follow it (a thread follow, or a folder's or category's follow the member has not undone for this thread)
and kept "New posts" on, or who are mentioned in one of its posts and kept "Mentions" on. Each reads the
posts of others only: nobody is mailed their own post. One mail per recipient, in their language, with a
one-click unfollow link (follow_views.py) in the body and in List-Unsubscribe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw
from flask import current_app

from blueprints.community import signals
from core import clock, notifications
from core.mail import external_url, mail_language, queue_mail
from core.queue import dispatch, dispatch_at, enqueue_at
from core.security import read_signed_ids, signed_ids
from core.text import lazy_gettext as _l
from core.text import markdown
from models import Association, Membership, User
from models.community import Post, PostDigest, PostMention, Subscription, Thread
from models.db import transaction
from models.documents import Document

NEW_POSTS = "community.posts"
MENTIONS = "community.mentions"
SEND = "jobs.community.send_digest"

notifications.register(
    notifications.Kind(
        NEW_POSTS,
        _l("New posts in discussions you follow"),
        order=30,
        hint=_l("A mail a few minutes after new posts in a discussion you follow, several posts in one mail."),
    )
)
notifications.register(
    notifications.Kind(
        MENTIONS,
        _l("When someone mentions you"),
        order=31,
        hint=_l("A mail when someone names you with @ in a post, even in a discussion you do not follow."),
    )
)


def job_id(digest_id: int) -> str:
    return f"post-digest-{digest_id}"


def delay() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config.get("POST_MAIL_DELAY", 300))


# --- a new post opens or joins the thread's waiting mail --------------------------------------------


def post_written(post: Post) -> None:
    """Have the new post mailed with the thread's waiting ones (inside the posting transaction)."""
    # A no-op UPDATE rather than a SELECT: it waits for a job claiming the digest at this moment, and
    # then finds it sent, so the post opens a new digest instead of joining one already on its way.
    joined = (
        PostDigest.update(state=PostDigest.WAITING)
        .where((PostDigest.thread == post.thread_id) & (PostDigest.state == PostDigest.WAITING))
        .execute()
    )
    if joined:
        return
    due = clock.utcnow_naive() + delay()
    digest = PostDigest.create(thread=post.thread_id, first_number=post.number, due_at=due)
    enqueue_at(SEND, digest.id, at=due, job_id=job_id(digest.id))


if post_written not in signals.on_post_written:
    signals.on_post_written.append(post_written)


# --- sending ----------------------------------------------------------------------------------------


def send_due() -> int:
    """Send (or hand to a worker) every digest that is due; how many. The periodic tick runs it."""
    due = (
        PostDigest.select(PostDigest.id)
        .where((PostDigest.state == PostDigest.WAITING) & (PostDigest.due_at <= clock.utcnow_naive()))
        .order_by(PostDigest.due_at)
    )
    sent = 0
    for (digest_id,) in due.tuples():
        sent += dispatch(SEND, digest_id, job_id=job_id(digest_id), scheduled_waits=True)
    return sent


def send(digest_id: int) -> str:
    """Mail one digest's posts, once: "sent", "early" (scheduled again), or "skipped" (already sent)."""
    with transaction():
        digest = _claim(digest_id)
        if digest is None:
            return _not_claimed(digest_id)
        thread = Thread.get_by_id(digest.thread_id)
        last = thread.post_count
        # Posts that opened a digest of their own in a race with this one go with this mail.
        PostDigest.update(state=PostDigest.SENT, sent_at=clock.utcnow_naive(), last_number=last).where(
            (PostDigest.thread == thread.id)
            & (PostDigest.state == PostDigest.WAITING)
            & (PostDigest.first_number <= last)
        ).execute()
        mails = _mail(thread, digest.first_number, last)
        PostDigest.update(last_number=last, mails=mails).where(PostDigest.id == digest_id).execute()
    return "sent"


def _claim(digest_id: int) -> PostDigest | None:
    """Move the digest from waiting to sent if it is due; the one job that does so mails it."""
    now = clock.utcnow_naive()
    claimed = (
        PostDigest.update(state=PostDigest.SENT, sent_at=now)
        .where((PostDigest.id == digest_id) & (PostDigest.state == PostDigest.WAITING) & (PostDigest.due_at <= now))
        .execute()
    )
    return PostDigest.get_by_id(digest_id) if claimed == 1 else None


def _not_claimed(digest_id: int) -> str:
    digest = PostDigest.get_or_none(PostDigest.id == digest_id)
    if digest is None or digest.state != PostDigest.WAITING:
        return "skipped"
    # Run before its time (clocks of two hosts apart): again when due, under an id of its own, as this
    # job's id is still running. The sweep sends it if that fails too.
    stamp = int(clock.now().timestamp())
    dispatch_at(SEND, digest_id, at=digest.due_at, job_id=f"{job_id(digest_id)}-{stamp}")
    return "early"


@dataclass
class Written:
    """A post as it goes into the mail: its current text, rendered and sanitised."""

    post: Post
    author_name: str  # "" when the author has no name or is gone: the mail says "A member"
    html: object
    link: str


def _mail(thread: Thread, first: int, last: int) -> int:
    """Queue one mail to each recipient for the visible posts first..last; how many mails."""
    posts = list(
        Post.select(Post, User)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Post.author == User.id))
        .where((Post.thread == thread.id) & Post.number.between(first, last) & (Post.state == Post.VISIBLE))
        .order_by(Post.number)
    )
    if not posts:
        return 0
    association = Association.get_by_id(thread.association_id)
    title = title_of(thread)
    mentioned = _mentioned(posts)
    written = [_written(p, association.slug) for p in posts]  # rendered once for every recipient
    sent = 0
    for user in recipients(association, thread, posts, mentioned):
        theirs = [w for w in written if w.post.author_id != user.id]
        if not theirs:
            continue  # nobody is mailed their own post
        language = mail_language(user, association)
        link = external_url(
            "community.unfollow", slug=association.slug, follow_token=unfollow_token(user.id, thread.id)
        )
        queue_mail(
            "post_digest",
            user.email,
            language=language,
            association=association,
            user=user,
            title=title,
            posts=theirs,
            mentioned=any(user.id in mentioned.get(w.post.id, ()) for w in theirs),
            thread_link=external_url("community.thread", slug=association.slug, thread_id=thread.id),
            unfollow_link=link,
            unsubscribe_url=link,
        )
        sent += 1
    return sent


def _written(post: Post, slug: str) -> Written:
    name = post.author.name if post.author_id else ""
    link = external_url("community.post_permalink", slug=slug, post_id=post.id)
    return Written(post, name, markdown(post.body), link)


def _mentioned(posts: list[Post]) -> dict[int, set[int]]:
    """post id -> the members it mentions (one query)."""
    found: dict[int, set[int]] = {}
    rows = PostMention.select(PostMention.post, PostMention.user).where(PostMention.post.in_([p.id for p in posts]))
    for post_id, user_id in rows.tuples():
        found.setdefault(post_id, set()).add(user_id)
    return found


def title_of(thread: Thread) -> str:
    """A topic's title, or its document's."""
    if thread.document_id is None:
        return thread.title
    return Document.select(Document.title).where(Document.id == thread.document_id).scalar() or thread.title


def recipients(association: Association, thread: Thread, posts: list[Post], mentioned: dict) -> list[User]:
    """The members mailed about these posts (one query, whatever their number; see the module's text)."""
    today = association.today()
    mentioned_ids = {user_id for users in mentioned.values() for user_id in users}
    query = (
        User.select(User)
        .join(Membership, on=(Membership.user == User.id))
        .where(
            (Membership.association == association.id)
            & (Membership.valid_from.is_null() | (Membership.valid_from <= today))
            & (Membership.valid_to.is_null() | (Membership.valid_to >= today))
            & Membership.role.in_(reader_roles(thread))
            & (User.state == User.ACTIVE)
            & (
                (follows(thread) & User.id.not_in(notifications.switched_off(association.id, NEW_POSTS)))
                | (
                    User.id.in_(sorted(mentioned_ids))
                    & User.id.not_in(notifications.switched_off(association.id, MENTIONS))
                )
            )
        )
        .order_by(User.id)
        .distinct()
    )
    return list(query)


def reader_roles(thread: Thread) -> pw.ModelSelect:
    """The roles that read the thread, by Thread.readable_by (the rule of the thread's page): a subquery."""
    from models.portal import Role

    readable = Thread.select(Thread.id).where((Thread.id == thread.id) & Thread.readable_by(Role.id))
    return Role.select(Role.id).where((Role.association == thread.association_id) & pw.fn.EXISTS(readable))


def follows(thread: Thread) -> pw.Expression:
    """The user follows the thread, or its folder or category without having unfollowed the thread."""
    S = Subscription
    by_thread = S.select(S.user).where((S.thread == thread.id) & (S.active == True))  # noqa: E712 (SQL)
    unfollowed = S.select(S.user).where((S.thread == thread.id) & (S.active == False))  # noqa: E712 (SQL)
    if thread.document_id is not None:
        folder = Document.select(Document.folder).where(Document.id == thread.document_id)
        broad = S.folder.in_(folder)
    else:
        broad = S.category == thread.category_id
    by_place = S.select(S.user).where(broad & (S.active == True) & S.user.not_in(unfollowed))  # noqa: E712 (SQL)
    return User.id.in_(by_thread) | User.id.in_(by_place)


# --- unfollowing by a link in the mail ---------------------------------------------------------------


UNFOLLOW_SALT = "community.unfollow"


def unfollow_token(user_id: int, thread_id: int) -> str:
    """The signed part of a mail's unfollow link: who stops mail about which thread."""
    return signed_ids(UNFOLLOW_SALT, user_id, thread_id)


def read_unfollow_token(token: str) -> tuple[int, int] | None:
    return read_signed_ids(UNFOLLOW_SALT, token, 2)


def unfollow(user_id: int, thread: Thread) -> None:
    """The member stops following the thread, also where they follow its folder or category."""
    with transaction():
        S = Subscription
        changed = S.update(active=False).where((S.user == user_id) & (S.thread == thread.id)).execute()
        if not changed:
            S.create(association=thread.association_id, user=user_id, thread=thread.id, active=False)
