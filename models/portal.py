"""Associations, accounts, people, roles and memberships (SPEC P)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import peewee as pw

from core import clock
from models import permissions as perms
from models.db import AssociationScoped, BaseModel, PreparedSelect


class Association(BaseModel):
    """One housing association: a portal at /<slug>/."""

    name = pw.CharField(max_length=200)
    slug = pw.CharField(max_length=64, unique=True)
    locale = pw.CharField(max_length=10, default="en")
    currency = pw.CharField(max_length=3, default="EUR")
    timezone = pw.CharField(max_length=64, default="UTC")
    welcome_text = pw.TextField(default="")
    contact_text = pw.TextField(default="")
    gdpr_text = pw.TextField(default="")
    theme_color = pw.CharField(max_length=7, default="#1d5f8a")
    logo = pw.CharField(max_length=100, null=True)  # a file name under UPLOAD_DIR
    header_photo = pw.CharField(max_length=100, null=True)
    tabs = pw.CharField(
        max_length=200, default="contact members units faults contracts invoices"
    )  # optional tabs shown
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    OPTIONAL_TABS = ("contact", "members", "units", "faults", "contracts", "invoices")

    def shows(self, tab: str) -> bool:
        return tab in self.tabs.split()

    def today(self) -> dt.date:
        return clock.today(self.timezone)

    def role(self, key: str) -> Role:
        return Role.get((Role.association == self) & (Role.key == key))


class User(BaseModel):
    """A login. Belongs to associations through memberships."""

    INVITED, UNCONFIRMED, ACTIVE, DISABLED = "invited", "unconfirmed", "active", "disabled"
    STATES = (INVITED, UNCONFIRMED, ACTIVE, DISABLED)

    email = pw.CharField(max_length=254, unique=True)
    password_hash = pw.CharField(max_length=255, null=True)
    state = pw.CharField(max_length=12, default=UNCONFIRMED)
    name = pw.CharField(max_length=200, default="")
    phone_home = pw.CharField(max_length=40, default="")
    phone_mobile = pw.CharField(max_length=40, default="")
    phone_work = pw.CharField(max_length=40, default="")
    ui_language = pw.CharField(max_length=10, null=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    last_login_at = pw.DateTimeField(null=True)

    @staticmethod
    def normalize_email(email: str) -> str:
        return (email or "").strip().lower()

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return cls.get_or_none(cls.email == cls.normalize_email(email))

    # Flask-Login's interface. get_id() returns the key of the browser's
    # UserSession, so ending that row logs the browser out.
    is_authenticated = True
    is_anonymous = False
    session_key: str | None = None

    @property
    def is_active(self) -> bool:
        return self.state == self.ACTIVE

    def get_id(self) -> str | None:
        return self.session_key

    @property
    def display_name(self) -> str:
        return self.name or self.email


class Role(AssociationScoped, BaseModel):
    """A named set of permissions in one association."""

    association = pw.ForeignKeyField(Association, backref="roles", on_delete="CASCADE")
    key = pw.CharField(max_length=32, null=True)  # set for built-in roles
    name = pw.CharField(max_length=100)
    permissions = pw.TextField(default="")  # space-separated constants

    class Meta:
        indexes = ((("association", "key"), True),)

    @property
    def permission_set(self) -> frozenset[str]:
        return frozenset(self.permissions.split())

    @property
    def display_name(self) -> str:
        if self.key in perms.BUILTIN_ROLES:
            return str(perms.BUILTIN_ROLES[self.key][0])
        return self.name

    @classmethod
    def create_builtins(cls, association: Association) -> dict[str, Role]:
        return {
            key: cls.create(
                association=association,
                key=key,
                name=key.capitalize(),  # shown translated through display_name
                permissions=" ".join(sorted(permissions)),
            )
            for key, (_label, permissions) in perms.BUILTIN_ROLES.items()
        }


class Person(AssociationScoped, BaseModel):
    """Someone in an association's register; may have no account."""

    association = pw.ForeignKeyField(Association, backref="people", on_delete="CASCADE")
    surname = pw.CharField(max_length=120)
    given_name = pw.CharField(max_length=120, default="")
    email = pw.CharField(max_length=254, default="", index=True)
    phone_home = pw.CharField(max_length=40, default="")
    phone_mobile = pw.CharField(max_length=40, default="")
    phone_work = pw.CharField(max_length=40, default="")
    personal_id = pw.CharField(max_length=40, default="")  # personal or company id; masked but to the board
    street = pw.CharField(max_length=200, default="")
    postcode = pw.CharField(max_length=20, default="")
    city = pw.CharField(max_length=120, default="")
    country = pw.CharField(max_length=2, default="")
    invoice_by_email = pw.BooleanField(default=True)
    invoice_by_paper = pw.BooleanField(default=False)
    invoice_language = pw.CharField(max_length=10, null=True)
    # The role an account made for this person starts with.
    role = pw.ForeignKeyField(Role, null=True, on_delete="SET NULL")
    user = pw.ForeignKeyField(User, null=True, backref="people", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "surname", "given_name"), False),)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.surname}".strip()

    @property
    def sort_name(self) -> str:
        return f"{self.surname} {self.given_name}".strip()

    @property
    def masked_personal_id(self) -> str:
        """Enough to recognise, not enough to use: 19800101-**** (R2)."""
        value = self.personal_id
        if not value:
            return ""
        keep = max(0, len(value) - 4)
        return value[:keep] + "*" * (len(value) - keep)

    @property
    def phones(self) -> list[str]:
        return [p for p in (self.phone_mobile, self.phone_home, self.phone_work) if p]

    @classmethod
    def in_register(cls, association: Association, email: str) -> Person | None:
        """The person the register holds for this e-mail address, if any."""
        email = User.normalize_email(email)
        if not email:
            return None
        return (
            cls.select()
            .where((cls.association == association) & (pw.fn.LOWER(cls.email) == email))
            .order_by(cls.id)
            .first()
        )


class Membership(BaseModel):
    """A user's role in an association, optionally limited to a period (seed 002)."""

    user = pw.ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    association = pw.ForeignKeyField(Association, backref="memberships", on_delete="CASCADE")
    role = pw.ForeignKeyField(Role, on_delete="RESTRICT")
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    valid_from = pw.DateField(null=True)
    valid_to = pw.DateField(null=True)  # last day with access
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("user", "association"), True),)

    def is_current(self, on: dt.date) -> bool:
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)

    @classmethod
    def for_user(cls, user: User) -> list[Membership]:
        """All of a user's memberships with association and role, in one query."""
        return list(
            cls.select(cls, Association, Role)
            .join(Association)
            .switch(cls)
            .join(Role)
            .where(cls.user == user)
            .order_by(Association.name)
        )


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class UserSession(BaseModel):
    """A signed-in browser. The cookie holds only the key; ending a row logs it out."""

    key_hash = pw.CharField(max_length=64, unique=True)
    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    last_seen_at = pw.DateTimeField(default=clock.utcnow_naive)
    ended_at = pw.DateTimeField(null=True)
    ip = pw.CharField(max_length=64, default="")
    user_agent = pw.CharField(max_length=255, default="")

    @classmethod
    def start(cls, user: User, ip: str = "", user_agent: str = "") -> str:
        raw = secrets.token_urlsafe(32)
        cls.create(key_hash=hash_secret(raw), user=user, ip=ip, user_agent=user_agent[:255])
        return raw

    @classmethod
    def lookup(cls, raw: str) -> tuple[UserSession, list[Membership]] | None:
        """The live session for a cookie's key, its user, and the user's memberships: one query."""
        rows = _SESSION_WITH_MEMBERSHIPS(hash_secret(raw))
        if not rows:
            return None
        session = rows[0]
        memberships = []
        for row in rows:
            membership = row.user.membership
            if membership.id is not None:  # LEFT JOIN: a user without memberships gives one empty row
                membership.user = session.user
                memberships.append(membership)
        memberships.sort(key=lambda m: m.association.name)
        return session, memberships

    @classmethod
    def end_all(cls, user: User) -> int:
        return cls.update(ended_at=clock.utcnow_naive()).where((cls.user == user) & cls.ended_at.is_null()).execute()


class Token(BaseModel):
    """A single-use, expiring secret sent by mail (activation, reset, e-mail change)."""

    ACTIVATE, RESET, CHANGE_EMAIL, INVITE = "activate", "reset", "change_email", "invite"
    LIFETIMES = {
        ACTIVATE: dt.timedelta(days=3),
        RESET: dt.timedelta(hours=1),
        CHANGE_EMAIL: dt.timedelta(days=1),
        INVITE: dt.timedelta(days=14),
    }

    token_hash = pw.CharField(max_length=64, unique=True)
    purpose = pw.CharField(max_length=16)
    user = pw.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    association = pw.ForeignKeyField(Association, null=True, on_delete="CASCADE")
    new_email = pw.CharField(max_length=254, null=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)

    @classmethod
    def issue(cls, purpose: str, user: User, **fields) -> str:
        """Create a token and return the raw secret (only its hash is stored)."""
        raw = secrets.token_urlsafe(32)
        cls.create(
            token_hash=hash_secret(raw),
            purpose=purpose,
            user=user,
            expires_at=clock.utcnow_naive() + cls.LIFETIMES[purpose],
            **fields,
        )
        return raw

    @classmethod
    def find_valid(cls, purpose: str, raw: str) -> Token | None:
        token = (
            cls.select(cls, User)
            .join(User)
            .where((cls.token_hash == hash_secret(raw or "")) & (cls.purpose == purpose))
            .first()
        )
        if token is None or token.used_at is not None:
            return None
        if token.expires_at <= clock.utcnow_naive():
            return None
        return token

    def use(self) -> bool:
        """Mark used; False if someone else used it first (single use under races)."""
        updated = (
            Token.update(used_at=clock.utcnow_naive()).where((Token.id == self.id) & Token.used_at.is_null()).execute()
        )
        return updated == 1


class Consent(BaseModel):
    """The GDPR text a user accepted, word for word, and when (P2)."""

    user = pw.ForeignKeyField(User, backref="consents", on_delete="CASCADE")
    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    text = pw.TextField()
    accepted_at = pw.DateTimeField(default=clock.utcnow_naive)
    ip = pw.CharField(max_length=64, default="")


class LoginAttempt(BaseModel):
    """A failed password check, kept for an hour to throttle guessing."""

    email = pw.CharField(max_length=254, index=True)
    ip = pw.CharField(max_length=64, index=True)
    attempted_at = pw.DateTimeField(default=clock.utcnow_naive, index=True)


class AuditLog(AssociationScoped, BaseModel):
    """Who did what, for board and account actions (X3)."""

    association = pw.ForeignKeyField(Association, null=True, on_delete="CASCADE")
    actor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = pw.CharField(max_length=64)
    target = pw.CharField(max_length=200, default="")
    detail = pw.TextField(default="")
    ip = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive, index=True)

    class Meta:
        indexes = ((("association", "created_at"), False),)


def _session_with_memberships(key_hash: str) -> pw.ModelSelect:
    # Only the columns a page needs: this runs on every signed-in request.
    return (
        UserSession.select(
            UserSession.id,
            UserSession.last_seen_at,
            User.id,
            User.email,
            User.state,
            User.name,
            User.ui_language,
            User.phone_home,
            User.phone_mobile,
            User.phone_work,
            Membership.id,
            Membership.valid_from,
            Membership.valid_to,
            Membership.person,
            Membership.role,
            Membership.association,
            Association,
            Role,
        )
        .join(User)
        .join(Membership, pw.JOIN.LEFT_OUTER, on=(Membership.user == User.id), attr="membership")
        .join(Association, pw.JOIN.LEFT_OUTER, on=(Membership.association == Association.id))
        .switch(Membership)
        .join(Role, pw.JOIN.LEFT_OUTER, on=(Membership.role == Role.id))
        .where((UserSession.key_hash == key_hash) & UserSession.ended_at.is_null())
    )


_SESSION_WITH_MEMBERSHIPS = PreparedSelect(_session_with_memberships)
