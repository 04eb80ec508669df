"""Community (SPEC C1-C4, seed 004 §1.3, §3.2, §4.2, §4.9): discussions, their moderation, and mass mail.

A discussion is a Thread: below a document (one per document, made with its first post) or a standalone
topic in a Category, whose readers are set by role like a folder's (deny by default). A thread holds Posts,
numbered 1, 2, 3… in the order written, so a page of a long thread is a range of numbers, not an OFFSET.
Who is mailed about new posts follows Subscriptions; the mail waits in a PostDigest so several posts and
their typo fixes leave as one message. Moderation writes a ModerationLog row for every action.

A Mailing is the board's mass mail: one MailingRecipient per person, each tied to its outbox row, so the
mailing's page shows every recipient's state.
"""

from __future__ import annotations

import peewee as pw

from core import clock
from core.text import lazy_gettext as _l
from core.text import translated
from models.db import AssociationScoped, BaseModel
from models.documents import Document, Folder
from models.mail import OutboundEmail
from models.portal import Association, Role, User
from models.register import Person
from models.votes import Vote


class CommunitySettings(BaseModel):
    """The board's rules for discussions, one row per association (made with defaults when first read)."""

    UNTIL_REPLY, HOURS = "until_reply", "hours"  # edit_window: until someone replies (and at most the hours)

    association = pw.ForeignKeyField(Association, backref="community_settings", unique=True, on_delete="CASCADE")
    edit_window = pw.CharField(max_length=12, default=UNTIL_REPLY)
    edit_hours = pw.IntegerField(default=24)  # the window's length; "until a reply" ends it sooner
    post_interval_seconds = pw.IntegerField(default=15)  # at most one post per this many seconds per member
    posts_per_day = pw.IntegerField(default=30)  # and this many in 24 hours

    @classmethod
    def of_association(cls, association_id: int) -> CommunitySettings:
        row = cls.get_or_none(cls.association == association_id)
        return row if row is not None else cls.create(association=association_id)


class Category(AssociationScoped, BaseModel):
    """Where standalone topics live; which roles read (and post in) it is set like a folder's (C1)."""

    EVERYONE, OWNERS, BOARD = "everyone", "owners", "board"
    # key -> (name in the association's language, roles that read it)
    BUILTINS = {
        EVERYONE: (_l("All members"), ("tenant", "member", "board", "administrator")),
        OWNERS: (_l("Owners only"), ("member", "board", "administrator")),
        BOARD: (_l("Board"), ("board", "administrator")),
    }

    association = pw.ForeignKeyField(Association, backref="categories", on_delete="CASCADE")
    key = pw.CharField(max_length=20, null=True)
    name = pw.CharField(max_length=120)
    position = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "position"), False),)

    @classmethod
    def ordered(cls, association) -> pw.ModelSelect:
        return cls.of(association).order_by(cls.position, cls.id)

    @classmethod
    def readable_ids(cls, role_id) -> pw.ModelSelect:
        return CategoryAccess.select(CategoryAccess.category).where(CategoryAccess.role == role_id)

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        return cls.of(membership.association).where(cls.id.in_(cls.readable_ids(membership.role_id)))

    @classmethod
    def create_builtins(cls, association: Association, language: str | None = None) -> dict[str, Category]:
        roles = {role.key: role for role in Role.of(association).where(Role.key.is_null(False))}
        made = {}
        for position, (key, (name, readers)) in enumerate(cls.BUILTINS.items()):
            category = cls.create(
                association=association,
                key=key,
                name=translated(name, language or association.locale),
                position=(position + 1) * 10,
            )
            for role_key in readers:
                if role_key in roles:
                    CategoryAccess.create(category=category, role=roles[role_key])
            made[key] = category
        return made


class CategoryAccess(BaseModel):
    """One role reads a category's topics (and posts in them, with discussions.post)."""

    category = pw.ForeignKeyField(Category, backref="access", on_delete="CASCADE")
    role = pw.ForeignKeyField(Role, backref="category_access", on_delete="CASCADE")

    class Meta:
        indexes = ((("category", "role"), True), (("role", "category"), False))


class Thread(AssociationScoped, BaseModel):
    """A discussion: below one document, or a standalone topic with a title in a category.

    Its readers are the document's (its folder's) or the category's. `post_count` and `last_post_at`
    are kept by the posting service, so lists never count posts."""

    association = pw.ForeignKeyField(Association, backref="threads", on_delete="CASCADE")
    document = pw.ForeignKeyField(Document, null=True, unique=True, backref="threads", on_delete="CASCADE")
    category = pw.ForeignKeyField(Category, null=True, backref="threads", on_delete="RESTRICT")
    vote = pw.ForeignKeyField(Vote, null=True, unique=True, backref="threads", on_delete="CASCADE")
    title = pw.CharField(max_length=200, default="")  # a topic's; a document's thread shows the document's
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    locked = pw.BooleanField(default=False)
    post_count = pw.IntegerField(default=0)  # posts written, numbering the next one
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    last_post_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "category", "last_post_at", "id"), False),)

    @property
    def is_topic(self) -> bool:
        return self.document_id is None and self.vote_id is None

    @classmethod
    def readable_by(cls, role_id) -> pw.Expression:
        """Threads of published documents in folders the role reads, topics of categories it reads, and the
        discussions of votes it reads.

        The thread's document and vote are looked up by its own ids (EXISTS): as lists of every readable
        document's and vote's id, SQLite built both for each query, a millisecond at 2,000 documents
        for the one thread a page opens."""
        document = Document.select(pw.SQL("1")).where((Document.id == cls.document) & Document.readable_by(role_id))
        vote = Vote.select(pw.SQL("1")).where((Vote.id == cls.vote) & Vote.readable_by(role_id))
        return pw.fn.EXISTS(document) | cls.category.in_(Category.readable_ids(role_id)) | pw.fn.EXISTS(vote)

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        return cls.of(membership.association).where(cls.readable_by(membership.role_id))


class Post(BaseModel):
    """One post: Markdown, numbered within its thread. Hidden by the board or deleted, it stays as a row
    (the thread's numbering and quotes keep their place) and shows a line saying so."""

    VISIBLE, HIDDEN, DELETED = "visible", "hidden", "deleted"

    thread = pw.ForeignKeyField(Thread, backref="posts", on_delete="CASCADE")
    association = pw.ForeignKeyField(Association, on_delete="CASCADE")  # the thread's, for scoped counts
    number = pw.IntegerField()  # 1, 2, 3… within the thread
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    body = pw.TextField(default="")  # Markdown, sanitised when shown
    quote_of = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")
    state = pw.CharField(max_length=10, default=VISIBLE)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    edited_at = pw.DateTimeField(null=True)  # set by an edit after the unmarked first minutes
    hidden_reason = pw.TextField(default="")  # shown to the author
    hidden_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    hidden_at = pw.DateTimeField(null=True)
    deleted_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # the author or a board member

    class Meta:
        indexes = (
            (("thread", "number"), True),
            (("author", "created_at"), False),  # rate limits
            (("association", "created_at"), False),
        )

    @property
    def is_visible(self) -> bool:
        return self.state == self.VISIBLE


class PostRevision(BaseModel):
    """A post's text before a marked edit: the board reads the history (C1)."""

    post = pw.ForeignKeyField(Post, backref="revisions", on_delete="CASCADE")
    body = pw.TextField()
    written_at = pw.DateTimeField()  # when this text was written (the post's or the previous edit's time)
    replaced_at = pw.DateTimeField(default=clock.utcnow_naive)
    editor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("post", "replaced_at"), False),)


class PostAttachment(BaseModel):
    """A file on a post, under the documents' upload rules, served after the thread's read check."""

    post = pw.ForeignKeyField(Post, backref="attachments", on_delete="CASCADE")
    stored_name = pw.CharField(max_length=100)
    original_name = pw.CharField(max_length=200, default="")
    content_type = pw.CharField(max_length=100)
    size = pw.IntegerField(default=0)
    is_image = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("post", "id"), False),)


class PostMention(BaseModel):
    """A member named with @ in a post: they follow the thread and are told."""

    post = pw.ForeignKeyField(Post, backref="mentions", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")

    class Meta:
        indexes = ((("post", "user"), True), (("user",), False))


class Subscription(BaseModel):
    """Who is mailed about new posts: a member follows a thread (by posting, by being mentioned, or by
    choice), a whole folder's document threads or a whole category. `active` False is an unfollow,
    which outweighs a folder's or a category's follow for that thread."""

    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    thread = pw.ForeignKeyField(Thread, null=True, on_delete="CASCADE")
    folder = pw.ForeignKeyField(Folder, null=True, on_delete="CASCADE")
    category = pw.ForeignKeyField(Category, null=True, on_delete="CASCADE")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = (
            (("user", "thread"), False),
            (("thread", "active"), False),
            (("folder", "active"), False),
            (("category", "active"), False),
        )


class PostDigest(BaseModel):
    """New posts of one thread waiting for their mail (C2): the first post opens it with a due time five
    minutes on; posts written before then join it; the job sends their text as it is then, once."""

    WAITING, SENT = "waiting", "sent"

    thread = pw.ForeignKeyField(Thread, on_delete="CASCADE")
    first_number = pw.IntegerField()  # the posts from this number on, up to the thread's count when sent
    last_number = pw.IntegerField(null=True)  # set when sent
    due_at = pw.DateTimeField()
    state = pw.CharField(max_length=10, default=WAITING)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    sent_at = pw.DateTimeField(null=True)
    mails = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("thread", "state"), False), (("state", "due_at"), False))


class PostFlag(BaseModel):
    """A member's report of a post, with a reason; the board's queue holds the open ones (C3)."""

    post = pw.ForeignKeyField(Post, backref="flags", on_delete="CASCADE")
    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    reason = pw.TextField()
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    resolved_at = pw.DateTimeField(null=True)
    resolved_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("post", "user"), True), (("association", "resolved_at", "created_at"), False))


class PostingPause(BaseModel):
    """A member may not post in this association until `until` (a date in the association's calendar)."""

    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    until = pw.DateField()
    reason = pw.TextField(default="")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    lifted_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("association", "user", "until"), False),)


class ModerationLog(BaseModel):
    """One moderation action: who, what, when, on which post, thread or member, and why (C3)."""

    HIDE, RESTORE, DELETE, LOCK, UNLOCK, MOVE, PAUSE, LIFT_PAUSE, DISMISS_FLAGS = (
        "hide",
        "restore",
        "delete",
        "lock",
        "unlock",
        "move",
        "pause",
        "lift_pause",
        "dismiss_flags",
    )

    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    moderator = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = pw.CharField(max_length=20)
    thread = pw.ForeignKeyField(Thread, null=True, on_delete="SET NULL")
    post = pw.ForeignKeyField(Post, null=True, on_delete="SET NULL")
    member = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # the post's author or the paused member
    reason = pw.TextField(default="")
    detail = pw.CharField(max_length=200, default="")  # e.g. the category a topic moved from and to
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "created_at"), False), (("association", "action", "created_at"), False))


# --- mass mail (C4) ----------------------------------------------------------------------------------


class Mailing(AssociationScoped, BaseModel):
    """The board's mail to many: subject, Markdown body, attachments, chosen recipients.

    draft -> sending (the outbox rows are written) -> sent (every row sent, failed for good or bounced)."""

    DRAFT, SENDING, SENT = "draft", "sending", "sent"

    association = pw.ForeignKeyField(Association, backref="mailings", on_delete="CASCADE")
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    subject = pw.CharField(max_length=200)
    body = pw.TextField(default="")  # Markdown, sanitised in the mail's HTML
    newsletter = pw.BooleanField(default=False)  # non-essential: List-Unsubscribe, honours the member's choice
    state = pw.CharField(max_length=10, default=DRAFT)
    recipient_filter = pw.TextField(default="")  # the filters chosen (JSON), to show and to prefill
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    sent_at = pw.DateTimeField(null=True)
    test_sent_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("association", "created_at"), False),)


class MailingAttachment(BaseModel):
    """A file sent to every recipient of a mailing (not with the test send)."""

    mailing = pw.ForeignKeyField(Mailing, backref="attachments", on_delete="CASCADE")
    stored_name = pw.CharField(max_length=100)
    original_name = pw.CharField(max_length=200, default="")
    content_type = pw.CharField(max_length=100)
    size = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)


class MailingRecipient(BaseModel):
    """One person a mailing goes to, with their address at sending time and their outbox row, whose state
    (queued, sent, failed, bounced) is the recipient's."""

    mailing = pw.ForeignKeyField(Mailing, backref="recipients", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    name = pw.CharField(max_length=250, default="")
    address = pw.CharField(max_length=254)
    language = pw.CharField(max_length=10, default="en")
    email = pw.ForeignKeyField(OutboundEmail, null=True, on_delete="SET NULL")
    personal_file = pw.CharField(max_length=100, null=True)  # a stored personal PDF for this recipient
    personal_file_name = pw.CharField(max_length=200, default="")

    class Meta:
        indexes = ((("mailing", "id"), False), (("email",), False))
