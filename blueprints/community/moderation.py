"""The board keeps the discussions civil (SPEC C3, issue 11 item 4): flags, hiding, deleting, locking, moving,
posting pauses, and a log of every one of these.

Each action is one transaction: the change, the ModerationLog row, the post's open flags resolved, and the
listeners of signals.on_post_changed (search, notifications) told about a post whose state changed. Views
load what they act on through the discussions' queries.py, which scopes it to the association and to the
threads the member's role reads, so a post that is not theirs to see answers 404; the lists here do the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from blueprints.community import rules, signals
from core import clock
from core.text import lazy_gettext as _l
from models import Association, Membership, User
from models import permissions as perms
from models.community import Category, ModerationLog, Post, PostFlag, PostingPause, Thread
from models.db import PreparedSelect, first_or_404, transaction
from models.documents import Document

LOG = ModerationLog
ACTION_LABELS = {
    LOG.HIDE: _l("Hid a post"),
    LOG.RESTORE: _l("Restored a post"),
    LOG.DELETE: _l("Deleted a post"),
    LOG.LOCK: _l("Locked a thread"),
    LOG.UNLOCK: _l("Unlocked a thread"),
    LOG.MOVE: _l("Moved a topic"),
    LOG.PAUSE: _l("Paused a member's posting"),
    LOG.LIFT_PAUSE: _l("Lifted a posting pause"),
    LOG.DISMISS_FLAGS: _l("Dismissed the flags on a post"),
}
REASON_MAX = 1000
QUEUE_PAGE = 20
LOG_PAGE = 50


class ModerationError(Exception):
    """A refused action, with the sentence the member reads beside the form (`field`: which field)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- loading what is acted on (the discussions' queries.py loads posts and threads) -----------------


def topic_categories(association_id: int) -> list[Category]:
    return list(Category.select().where(Category.association == association_id).order_by(Category.position))


# --- the actions ------------------------------------------------------------------------------------------


def _reason(text: str | None, *, required: bool, missing=None) -> str:
    reason = (text or "").strip()
    if required and not reason:
        raise ModerationError(missing or _l("Give a reason."), "reason")
    if len(reason) > REASON_MAX:
        raise ModerationError(_l("Keep the reason under %(num)d characters.", num=REASON_MAX), "reason")
    return reason


def _log(association_id: int, moderator: User, action: str, *, post=None, thread=None, member=None, **fields):
    return ModerationLog.create(
        association=association_id,
        moderator=moderator,
        action=action,
        post=post,
        thread=thread if thread is not None else (post.thread_id if post is not None else None),
        member=member if member is not None else (post.author_id if post is not None else None),
        created_at=clock.utcnow_naive(),
        **fields,
    )


def _resolve_flags(post: Post, moderator: User) -> int:
    """Close the post's open flags: acting on a post answers them."""
    return (
        PostFlag.update(resolved_at=clock.utcnow_naive(), resolved_by=moderator)
        .where((PostFlag.post == post.id) & PostFlag.resolved_at.is_null())
        .execute()
    )


def _changed(post: Post) -> None:
    for listener in signals.on_post_changed:
        listener(post)


def _set_state(post: Post, was: tuple[str, ...], **fields) -> None:
    """Change the post if it is still in a state of `was`: of two moderators acting at once, one does."""
    if not Post.update(**fields).where((Post.id == post.id) & Post.state.in_(was)).execute():
        raise ModerationError(_l("Someone changed this post meanwhile. Look at it again."))
    for name, value in fields.items():
        setattr(post, name, value)


def flag(post: Post, user: User, reason: str | None) -> PostFlag:
    """A member reports a post to the board; one flag per member and post (a dismissed one opens again)."""
    if post.author_id == user.id:
        raise ModerationError(_l("You cannot flag your own post."))
    if post.state != Post.VISIBLE:
        raise ModerationError(_l("This post is no longer shown: there is nothing to flag."))
    reason = _reason(reason, required=True, missing=_l("Tell the board what is wrong with the post."))
    existing = PostFlag.get_or_none((PostFlag.post == post.id) & (PostFlag.user == user.id))
    if existing is not None and existing.resolved_at is None:
        raise ModerationError(_l("You have already flagged this post. The board will look at it."))
    if existing is not None:  # the board dismissed it before; this is a new report
        PostFlag.update(reason=reason, created_at=clock.utcnow_naive(), resolved_at=None, resolved_by=None).where(
            PostFlag.id == existing.id
        ).execute()
        return PostFlag.get_by_id(existing.id)
    try:
        with transaction():  # its own: on PostgreSQL a failed INSERT spoils the transaction around it
            return PostFlag.create(post=post, association=post.association_id, user=user, reason=reason)
    except pw.IntegrityError:  # a double click raced the check above
        raise ModerationError(_l("You have already flagged this post. The board will look at it.")) from None


def hide(post: Post, moderator: User, reason: str | None) -> None:
    """Hide a post with a reason its author reads; other readers see that the board hid it."""
    if post.state != Post.VISIBLE:
        raise ModerationError(_l("Only a post that is shown can be hidden."))
    reason = _reason(reason, required=True, missing=_l("Give the reason: the author will read it."))
    with transaction():
        _set_state(
            post,
            (Post.VISIBLE,),
            state=Post.HIDDEN,
            hidden_reason=reason,
            hidden_by=moderator.id,
            hidden_at=clock.utcnow_naive(),
        )
        _resolve_flags(post, moderator)
        _log(post.association_id, moderator, LOG.HIDE, post=post, reason=reason)
        _changed(post)


def restore(post: Post, moderator: User, reason: str | None = "") -> None:
    """Show a hidden post again."""
    if post.state != Post.HIDDEN:
        raise ModerationError(_l("Only a hidden post can be restored."))
    reason = _reason(reason, required=False)
    with transaction():
        _set_state(post, (Post.HIDDEN,), state=Post.VISIBLE, hidden_reason="", hidden_by=None, hidden_at=None)
        _resolve_flags(post, moderator)
        _log(post.association_id, moderator, LOG.RESTORE, post=post, reason=reason)
        _changed(post)


def delete(post: Post, moderator: User, reason: str | None = "") -> None:
    """Delete a post for good: its place in the thread stays, saying the board deleted it."""
    if post.state == Post.DELETED:
        raise ModerationError(_l("This post is already deleted."))
    reason = _reason(reason, required=False)
    with transaction():
        _set_state(post, (Post.VISIBLE, Post.HIDDEN), state=Post.DELETED, deleted_by=moderator.id)
        _resolve_flags(post, moderator)
        _log(post.association_id, moderator, LOG.DELETE, post=post, reason=reason)
        _changed(post)


def dismiss_flags(post: Post, moderator: User, reason: str | None = "") -> int:
    """The board read the flags and leaves the post as it is."""
    reason = _reason(reason, required=False)
    with transaction():
        resolved = _resolve_flags(post, moderator)
        if not resolved:
            raise ModerationError(_l("This post has no open flags."))
        _log(post.association_id, moderator, LOG.DISMISS_FLAGS, post=post, reason=reason, detail=str(resolved))
    return resolved


def set_locked(thread: Thread, moderator: User, locked: bool, reason: str | None = "") -> None:
    """Lock a thread (it takes no more posts) or unlock it."""
    if thread.locked == locked:
        raise ModerationError(_l("The thread is already locked.") if locked else _l("The thread is not locked."))
    reason = _reason(reason, required=False)
    with transaction():
        if not Thread.update(locked=locked).where((Thread.id == thread.id) & (Thread.locked == (not locked))).execute():
            raise ModerationError(_l("Someone changed this thread meanwhile. Look at it again."))
        thread.locked = locked
        _log(thread.association_id, moderator, LOG.LOCK if locked else LOG.UNLOCK, thread=thread, reason=reason)


def move(thread: Thread, category: Category, moderator: User, reason: str | None = "") -> None:
    """Move a topic to another category: its readers become that category's."""
    if not thread.is_topic:
        raise ModerationError(_l("A document's discussion stays with its document."))
    if category.association_id != thread.association_id:
        raise ModerationError(_l("Choose one of this association's categories."), "category")
    if category.id == thread.category_id:
        raise ModerationError(_l("The topic is already in “%(name)s”.", name=category.name), "category")
    reason = _reason(reason, required=False)
    before = Category.get_or_none(Category.id == thread.category_id)
    detail = f"{before.name if before else '—'} → {category.name}"[:200]
    with transaction():
        Thread.update(category=category.id).where(Thread.id == thread.id).execute()
        thread.category = category
        _log(thread.association_id, moderator, LOG.MOVE, thread=thread, reason=reason, detail=detail)
        for listener in signals.on_thread_moved:
            listener(thread)


def pause(association: Association, member: User, until: dt.date, reason: str | None, moderator: User) -> PostingPause:
    """Stop a member posting until a date (that day included)."""
    if until is None or until <= association.today():
        raise ModerationError(_l("Choose a day after today."), "until")
    reason = _reason(reason, required=True, missing=_l("Give the reason: the board reads it in the log."))
    if current_pause(association, member.id) is not None:
        raise ModerationError(
            _l("%(name)s is already paused. Lift that pause first to set another.", name=member.display_name), "member"
        )
    with transaction():
        row = PostingPause.create(
            association=association, user=member, until=until, reason=reason, created_by=moderator
        )
        _log(association.id, moderator, LOG.PAUSE, member=member.id, reason=reason, detail=until.isoformat())
    return row


def lift(row: PostingPause, moderator: User) -> None:
    """End a posting pause before its day."""
    if row.lifted_at is not None:
        raise ModerationError(_l("This pause is already lifted."))
    with transaction():
        lifted = PostingPause.update(lifted_at=clock.utcnow_naive()).where(
            (PostingPause.id == row.id) & PostingPause.lifted_at.is_null()
        )
        if not lifted.execute():
            raise ModerationError(_l("This pause is already lifted."))
        row.lifted_at = clock.utcnow_naive()
        _log(row.association_id, moderator, LOG.LIFT_PAUSE, member=row.user_id, detail=row.until.isoformat())


def current_pause(association: Association, user_id: int) -> PostingPause | None:
    """The pause in force, as the posting rules see it (rules.py decides who may post)."""
    return rules.current_pause(association, user_id)


# --- who may be paused, who moderates ---------------------------------------------------------------------


def posters(association: Association) -> list[User]:
    """Members whose role may post (those a pause concerns), by name."""
    return Membership.holders_of(association, {perms.DISCUSSIONS_POST})


def moderators(association: Association) -> list[User]:
    return Membership.holders_of(association, {perms.DISCUSSIONS_MODERATE})


# --- the queue of flagged posts ------------------------------------------------------------------------


@dataclass
class QueueItem:
    """A flagged post with its open flags (the reasons and who gave them)."""

    post: Post
    flags: list[PostFlag] = field(default_factory=list)
    first_flagged: dt.datetime | None = None


def open_flags(membership) -> pw.ModelSelect:
    """Open flags on posts in threads the member reads."""
    return _open_flags(membership.association_id, membership.role_id)


def _open_flags(association_id, role_id) -> pw.ModelSelect:
    # Values or PreparedSelect markers: the queue builds it with values, the count once with markers.
    readable = Thread.select(Thread.id).where((Thread.association == association_id) & Thread.readable_by(role_id))
    return PostFlag.select().where(
        (PostFlag.association == association_id)
        & PostFlag.resolved_at.is_null()
        & PostFlag.post.in_(Post.select(Post.id).where(Post.thread.in_(readable)))
    )


# The board's home page counts the queue on every load: the rule (threads of readable documents,
# categories and votes) took longer to build as SQL than to run, so it is built once (see PreparedSelect).
_OPEN_FLAG_COUNT = PreparedSelect(
    lambda association_id, role_id: (
        _open_flags(association_id, role_id).select(pw.fn.COUNT(PostFlag.post.distinct())).tuples()
    )
)


def open_flag_count(membership) -> int:
    """How many posts wait in the queue: one COUNT."""
    return _OPEN_FLAG_COUNT(membership.association_id, membership.role_id)[0][0]


def queue(membership, page: int) -> tuple[list[QueueItem], bool]:
    """One page of flagged posts, longest waiting first, each with its flags: three queries however many."""
    grouped = (
        open_flags(membership)
        .select(PostFlag.post, pw.fn.MIN(PostFlag.created_at).alias("first"))
        .group_by(PostFlag.post)
        .order_by(pw.fn.MIN(PostFlag.created_at), PostFlag.post)
        .limit(QUEUE_PAGE + 1)
        .offset((page - 1) * QUEUE_PAGE)
        .tuples()
    )
    found = list(grouped)
    more, found = len(found) > QUEUE_PAGE, found[:QUEUE_PAGE]
    if not found:
        return [], False
    ids = [post_id for post_id, _first in found]
    posts = {post.id: post for post in _posts_with_context(ids)}
    items = {post_id: QueueItem(posts[post_id], first_flagged=first) for post_id, first in found if post_id in posts}
    flagger = User.alias("flagger")
    flags = (
        PostFlag.select(PostFlag, flagger)
        .join(flagger, pw.JOIN.LEFT_OUTER, on=(PostFlag.user == flagger.id))
        .where(PostFlag.post.in_(ids) & PostFlag.resolved_at.is_null())
        .order_by(PostFlag.created_at, PostFlag.id)
    )
    for row in flags:
        items[row.post_id].flags.append(row)
    return list(items.values()), more


def _posts_with_context(ids: list[int]) -> pw.ModelSelect:
    """Posts with their thread, the thread's document (for its title) and the author: one query."""
    author = User.alias("author")
    return (
        Post.select(Post, Thread, Document.id, Document.title, author)
        .join(Thread)
        .join(Document, pw.JOIN.LEFT_OUTER, on=(Thread.document == Document.id))
        .switch(Post)
        .join(author, pw.JOIN.LEFT_OUTER, on=(Post.author == author.id))
        .where(Post.id.in_(ids))
    )


# --- the log -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    action: str = ""
    member: int | None = None
    moderator: int | None = None

    @classmethod
    def from_args(cls, args) -> LogFilters:
        action = args.get("action", "")
        return cls(
            action=action if action in ACTION_LABELS else "",
            member=args.get("member", type=int),
            moderator=args.get("moderator", type=int),
        )


def log_page(association: Association, filters: LogFilters, page: int) -> tuple[list[ModerationLog], bool]:
    """One page of the log, newest first, with who acted, on whom and where: one query."""
    moderator, member = User.alias("moderator"), User.alias("member")
    query = (
        ModerationLog.select(
            ModerationLog, moderator, member, Thread, Post.id, Post.number, Document.id, Document.title
        )
        .join(moderator, pw.JOIN.LEFT_OUTER, on=(ModerationLog.moderator == moderator.id))
        .switch(ModerationLog)
        .join(member, pw.JOIN.LEFT_OUTER, on=(ModerationLog.member == member.id))
        .switch(ModerationLog)
        .join(Thread, pw.JOIN.LEFT_OUTER, on=(ModerationLog.thread == Thread.id))
        .join(Document, pw.JOIN.LEFT_OUTER, on=(Thread.document == Document.id))
        .switch(ModerationLog)
        .join(Post, pw.JOIN.LEFT_OUTER, on=(ModerationLog.post == Post.id))
        .where(ModerationLog.association == association.id)
        .order_by(ModerationLog.created_at.desc(), ModerationLog.id.desc())
        .limit(LOG_PAGE + 1)
        .offset((page - 1) * LOG_PAGE)
    )
    if filters.action:
        query = query.where(ModerationLog.action == filters.action)
    if filters.member:
        query = query.where(ModerationLog.member == filters.member)
    if filters.moderator:
        query = query.where(ModerationLog.moderator == filters.moderator)
    rows = list(query)
    return rows[:LOG_PAGE], len(rows) > LOG_PAGE


# --- the pauses ----------------------------------------------------------------------------------------


def pauses(association: Association) -> tuple[list[PostingPause], list[PostingPause]]:
    """Pauses in force, and the rest (ended or lifted, newest first, the last hundred): one query."""
    member, by = User.alias("member"), User.alias("by")
    rows = list(
        PostingPause.select(PostingPause, member, by)
        .join(member, on=(PostingPause.user == member.id))
        .switch(PostingPause)
        .join(by, pw.JOIN.LEFT_OUTER, on=(PostingPause.created_by == by.id))
        .where(PostingPause.association == association.id)
        .order_by(PostingPause.created_at.desc(), PostingPause.id.desc())
        .limit(200)
    )
    today = association.today()
    current = [row for row in rows if row.lifted_at is None and row.until >= today]
    return current, [row for row in rows if row not in current][:100]


def board_pause(association: Association, pause_id: int) -> PostingPause:
    return first_or_404(
        PostingPause.select().where((PostingPause.association == association.id) & (PostingPause.id == pause_id))
    )
