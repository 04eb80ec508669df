"""Writing in the discussions (C1): a new topic, a reply (also the first post below a document), an edit
within the board's window, an author's delete, quotes, @mentions and follows.

Every write asks rules.refusal() first (a posting pause, the rate limits) and raises PostingRefused with
a sentence for the member, so the view answers 422 with the form still holding what they typed. A post
is numbered from its thread's count, raised in the same transaction (the UPDATE holds the thread's row,
so two replies at once get two numbers). The listeners in signals.py run inside that transaction.

Mentions: "@" followed by a member's name as they have it ("@Anna Berg") or with dots for the spaces
("@anna.berg"), compared as the search does (case and accents aside), against the association's members
whose access is current. A mentioned member who cannot read the thread is not stored (and so not told).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import peewee as pw

from blueprints.community import attachments, rules, signals
from core import clock
from core.text import fold
from core.text import gettext as _
from models import Association, Membership, User
from models.community import (
    Category,
    CommunitySettings,
    Post,
    PostMention,
    PostRevision,
    Subscription,
    Thread,
)
from models.db import transaction
from models.documents import Document

# An edit in the first minutes leaves no mark and no revision (Discourse allows five; the issue ten).
UNMARKED_EDIT = dt.timedelta(minutes=10)
MAX_BODY = 50_000


class PostingRefused(Exception):  # noqa: N818 (what the views catch)
    """A post not written: `message` says why, `field` which form field it belongs to (None: the form)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass
class Draft:
    """What the member typed: the text, the post it quotes, the files chosen."""

    body: str
    quote_of: int | None = None
    files: list = field(default_factory=list)


# --- writing -----------------------------------------------------------------------------------------


def start_topic(membership, category: Category, title: str, draft: Draft) -> Thread:
    """A standalone topic with its first post, in a category the caller checked the member reads."""
    checked = _checked(membership, draft)
    now = clock.utcnow_naive()
    stored = []
    try:
        with transaction():
            thread = Thread.create(
                association=membership.association_id,
                category=category,
                title=title.strip(),
                author=membership.user_id,
                created_at=now,
                last_post_at=now,
            )
            _, stored = _write(membership, thread, draft, checked)
    except BaseException:
        attachments.discard_files(membership.association, stored)
        raise
    return thread


def reply(membership, thread: Thread, draft: Draft) -> Post:
    """A new post at the end of a thread the caller checked the member reads."""
    if thread.locked:
        raise PostingRefused(_("This discussion is locked: it takes no new posts."))
    checked = _checked(membership, draft)
    stored = []
    try:
        with transaction():
            post, stored = _write(membership, thread, draft, checked)
    except BaseException:
        attachments.discard_files(membership.association, stored)
        raise
    return post


def reply_to_document(membership, document: Document, draft: Draft) -> Post:
    """A post below a document the caller checked the member reads; the first one makes its thread."""
    thread = Thread.get_or_none(Thread.document == document.id)
    if thread is None:
        _checked(membership, draft)  # refuse before making an empty thread
        try:
            with transaction():
                thread = Thread.create(
                    association=document.association_id, document=document, author=membership.user_id
                )
        except pw.IntegrityError:  # someone else's first post made it a moment ago
            thread = Thread.get(Thread.document == document.id)
    thread.document = document
    return reply(membership, thread, draft)


def edit(membership, post: Post, thread: Thread, body: str) -> Post:
    """The author's new text. In the first minutes nothing shows it; later the post is marked "edited"
    and its previous text kept as a revision the board can read. The caller checked the window."""
    body = _body(body)
    now = clock.utcnow_naive()
    with transaction():
        if now - post.created_at > UNMARKED_EDIT:
            PostRevision.create(
                post=post,
                body=post.body,
                written_at=post.edited_at or post.created_at,
                replaced_at=now,
                editor=membership.user_id,
            )
            post.edited_at = now
        post.body = body
        post.save()
        _record_mentions(membership, thread, post)
        _changed(post)
    return post


def delete_by_author(membership, post: Post) -> None:
    """The author takes back their post: its row stays (numbers and quotes keep their place) and shows
    "Deleted by its author." while later posts follow it; its files are not served any more."""
    with transaction():
        post.state, post.deleted_by = Post.DELETED, membership.user_id
        post.save()
        _changed(post)


def within_edit_window(post: Post, settings: CommunitySettings, *, replied: bool, now: dt.datetime) -> bool:
    """Whether the author may still edit: for edit_hours after writing, and under "until someone replies"
    only while nobody else has posted after it."""
    if now - post.created_at >= dt.timedelta(hours=settings.edit_hours or 0):
        return False
    return not (settings.edit_window == CommunitySettings.UNTIL_REPLY and replied)


def quoted(post: Post, author_name: str) -> str:
    """A post's text as a quote to start a reply with: who wrote it, then its lines after "> "."""
    lines = (post.body or "").strip().splitlines() or [""]
    quote = "\n".join("> " + line if line.strip() else ">" for line in lines)
    return _("%(name)s wrote:", name=author_name) + "\n" + quote + "\n\n"


# --- follows ------------------------------------------------------------------------------------------


def toggle_follow(membership, thread: Thread, following: bool) -> bool:
    """Follow or unfollow one thread (its own row outweighs a category's or folder's follow); the new state."""
    with transaction():
        row = _thread_subscription(membership.user_id, thread.id)
        if row is None:
            Subscription.create(
                association=membership.association_id, user=membership.user_id, thread=thread, active=not following
            )
        else:
            row.active = not following
            row.save()
    return not following


def toggle_scope_follow(membership, *, category_id: int | None = None, folder_id: int | None = None) -> bool:
    """Follow or stop following every discussion of a category or of a folder's documents; the new state."""
    where = Subscription.category == category_id if category_id else Subscription.folder == folder_id
    with transaction():
        row = Subscription.select().where((Subscription.user == membership.user_id) & where).first()
        if row is None:
            Subscription.create(
                association=membership.association_id,
                user=membership.user_id,
                category=category_id,
                folder=folder_id,
                active=True,
            )
            return True
        row.active = not row.active
        row.save()
        return row.active


# --- inside -----------------------------------------------------------------------------------------------


def _checked(membership, draft: Draft) -> list:
    """Refuse before writing: the board's pause and limits, an empty text, a file we do not keep."""
    message = rules.refusal(membership.association, membership.user_id)
    if message:
        raise PostingRefused(message)
    draft.body = _body(draft.body)
    try:
        return attachments.check(draft.files, membership.association)
    except attachments.AttachmentRefused as refused:
        raise PostingRefused(refused.message, "files") from refused


def _body(text: str) -> str:
    body = (text or "").strip()
    if not body:
        raise PostingRefused(_("Write something first."), "body")
    if len(body) > MAX_BODY:
        raise PostingRefused(_("A post holds at most %(count)d characters.", count=MAX_BODY), "body")
    return body


def _write(membership, thread: Thread, draft: Draft, checked: list) -> tuple[Post, list]:
    """The post, numbered after the thread's last, its files, mentions and the author's follow."""
    now = clock.utcnow_naive()
    # The UPDATE takes the thread's row for this transaction: the number read back is ours alone.
    Thread.update(post_count=Thread.post_count + 1, last_post_at=now).where(Thread.id == thread.id).execute()
    number = Thread.select(Thread.post_count).where(Thread.id == thread.id).scalar()
    thread.post_count, thread.last_post_at = number, now
    post = Post.create(
        thread=thread,
        association=thread.association_id,
        number=number,
        author=membership.user_id,
        body=draft.body,
        quote_of=_quote_in(thread, draft.quote_of),
        created_at=now,
    )
    stored = attachments.store(post, checked, membership.association)
    _follow(membership.association_id, membership.user_id, thread)
    _record_mentions(membership, thread, post)
    for listener in signals.on_post_written:
        listener(post)
    return post, stored


def _quote_in(thread: Thread, post_id: int | None) -> int | None:
    """The quoted post, if it is one of this thread's (an id from elsewhere is dropped)."""
    if not post_id:
        return None
    found = Post.get_or_none((Post.id == post_id) & (Post.thread == thread.id))
    return found.id if found is not None else None


def _changed(post: Post) -> None:
    for listener in signals.on_post_changed:
        listener(post)


def _thread_subscription(user_id: int, thread_id: int) -> Subscription | None:
    return Subscription.select().where((Subscription.user == user_id) & (Subscription.thread == thread_id)).first()


def _follow(association_id: int, user_id: int, thread: Thread) -> None:
    """Writing in (or being named in) a thread follows it, unless the member unfollowed it."""
    if _thread_subscription(user_id, thread.id) is None:
        Subscription.create(association=association_id, user=user_id, thread=thread, active=True)


def _record_mentions(membership, thread: Thread, post: Post) -> None:
    """PostMention rows (and follows) for the members the post names with @ who read the thread."""
    if "@" not in post.body:
        return
    already = {row.user_id for row in PostMention.select(PostMention.user).where(PostMention.post == post.id)}
    for user_id in mentioned(membership.association, thread, post.body) - already - {post.author_id}:
        PostMention.create(post=post, user=user_id)
        _follow(membership.association_id, user_id, thread)


def mentioned(association: Association, thread: Thread, body: str) -> set[int]:
    """The ids of the members named with @ in `body` who may read the thread."""
    text = fold(body)
    if "@" not in text:
        return set()
    today = association.today()
    found: dict[int, int] = {}  # user id -> role id
    members = (
        Membership.select(
            Membership.user, Membership.role, Membership.valid_from, Membership.valid_to, User.id, User.name
        )
        .join(User)
        .where((Membership.association == association.id) & (User.state == User.ACTIVE))
    )
    for membership in members:
        name = fold(membership.user.name).strip()
        if not name or not membership.is_current(today):
            continue
        for written in {name, name.replace(" ", ".")}:
            if re.search(r"@" + re.escape(written) + r"(?![\w])", text):
                found[membership.user_id] = membership.role_id
    if not found:
        return set()
    readers = set()
    for role_id in set(found.values()):
        if Thread.select().where((Thread.id == thread.id) & Thread.readable_by(role_id)).exists():
            readers.add(role_id)
    return {user_id for user_id, role_id in found.items() if role_id in readers}
