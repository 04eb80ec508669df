"""Associations, accounts, roles and memberships, registration requests and former addresses (SPEC P).

The people of the register are models/register.py's; a membership and a
registration request point at one through a deferred foreign key, which
peewee resolves when models/register.py defines Person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import peewee as pw

from core import clock
from models import permissions as perms
from models.db import AssociationScoped, BaseModel, PreparedSelect, loaded


class Association(BaseModel):
    """One housing association: a portal at /<slug>/."""

    name = pw.CharField(max_length=200)
    slug = pw.CharField(max_length=64, unique=True)
    locale = pw.CharField(max_length=10, default="en")
    currency = pw.CharField(max_length=3, default="EUR")
    timezone = pw.CharField(max_length=64, default="UTC")
    welcome_text = pw.TextField(default="")
    contact_text = pw.TextField(default="")
    # Who to call when something urgent happens out of hours (F5): shown on urgent reports and the contact page.
    on_call_text = pw.TextField(default="")
    document_max_mb = pw.IntegerField(default=5)  # the largest attachment a document takes (SPEC D5)
    gdpr_text = pw.TextField(default="")
    theme_color = pw.CharField(max_length=7, default="#1d5f8a")
    logo = pw.CharField(max_length=100, null=True)  # a file name under UPLOAD_DIR
    header_photo = pw.CharField(max_length=100, null=True)
    tabs = pw.CharField(
        max_length=200, default="contact members units faults contracts invoices meters"
    )  # optional tabs shown
    # The permissions whose use asks for a second factor (P6): space-separated constants.
    second_factor_permissions = pw.CharField(max_length=300, default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    OPTIONAL_TABS = ("contact", "members", "units", "faults", "contracts", "invoices", "meters")

    def shows(self, tab: str) -> bool:
        return tab in self.tabs.split()

    def today(self) -> dt.date:
        return clock.today(self.timezone)

    def requires_second_factor(self, permission: str) -> bool:
        return permission in self.second_factor_permissions.split()

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
    # The member chose to be asked for the second factor at every login, not only when a permission needs it.
    second_factor_at_login = pw.BooleanField(default=False)

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
    second_factor_at: dt.datetime | None = None  # when this browser's session passed the second factor

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
        # Asked for by every menu entry, tab and button of a page (eighty times for the home page): split
        # once per value of `permissions`, so an edited role is never read from a stale set.
        text = self.permissions
        kept = self.__dict__.get("_permission_set")
        if kept is None or kept[0] != text:
            kept = self.__dict__["_permission_set"] = (text, frozenset(text.split()))
        return kept[1]

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


class Membership(BaseModel):
    """A user's role in an association, optionally limited to a period (seed 002)."""

    user = pw.ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    association = pw.ForeignKeyField(Association, backref="memberships", on_delete="CASCADE")
    role = pw.ForeignKeyField(Role, on_delete="RESTRICT")
    # The register's entry for this member (models/register.py, which imports this module).
    person = pw.DeferredForeignKey("Person", null=True, on_delete="SET NULL")
    valid_from = pw.DateField(null=True)
    valid_to = pw.DateField(null=True)  # last day with access
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = (
            (("user", "association"), True),
            # Who holds a role here (Membership.holders_of): the board among thousands of members.
            (("association", "role"), False),
        )

    def is_current(self, on: dt.date) -> bool:
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)

    def can(self, permission: str) -> bool:
        """Whether this membership's role grants `permission`."""
        return permission in self.role.permission_set

    @classmethod
    def current(cls, user: User | int, association: Association) -> Membership | None:
        """The user's membership of the association with its role, if valid today in the
        association's time zone (one query); None for a non-member or one whose access has ended."""
        membership = (
            cls.select(cls, Role).join(Role).where((cls.user == user) & (cls.association == association)).first()
        )
        if membership is None or not membership.is_current(association.today()):
            return None
        membership.association = association  # already loaded: no query when visible_to() reads it
        return membership

    @classmethod
    def holders_of(cls, association: Association, permissions: frozenset[str] | set[str]) -> list[User]:
        """Active users whose role here, valid today, grants any of `permissions` (who hears of new work)."""
        roles = [role.id for role in _ROLES(association.id) if role.permission_set & set(permissions)]
        if not roles:
            return []
        today = association.today()
        holders = []
        for row in _HOLDERS(association.id, *roles, role_count=len(roles)):
            valid = loaded(Membership, valid_from=row.pop("valid_from"), valid_to=row.pop("valid_to"))
            if valid.is_current(today):
                holders.append(loaded(User, **row))
        return holders

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


def _roles_query(association) -> pw.ModelSelect:
    return Role.select().where(Role.association == association)


def _holders_query(association, *roles, role_count: int) -> pw.ModelSelect:
    # role_count: one SQL text per number of roles (each is a marker).
    return (
        Membership.select(Membership.valid_from, Membership.valid_to, *User._meta.sorted_fields)
        .join(User)
        .where((Membership.association == association) & Membership.role.in_(roles) & (User.state == User.ACTIVE))
        .order_by(User.name, User.email)
        .dicts()
    )


# The board's fault list asks for its handlers on every page: built once (see PreparedSelect).
_ROLES = PreparedSelect(_roles_query)
_HOLDERS = PreparedSelect(_holders_query)


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
    # When this browser passed the second factor (P6): a step-up lasts for the session.
    second_factor_at = pw.DateTimeField(null=True)

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
        session.user.second_factor_at = session.second_factor_at  # the step-up, read with no query of its own
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


class SecondFactor(BaseModel):
    """A user's second factor (P6): an authenticator app (TOTP) or codes sent by e-mail. Confirmed once the
    user typed a first code; only confirmed factors count."""

    TOTP, EMAIL = "totp", "email"
    KINDS = (TOTP, EMAIL)

    user = pw.ForeignKeyField(User, backref="second_factors", on_delete="CASCADE")
    kind = pw.CharField(max_length=8)
    secret = pw.CharField(max_length=64, default="")  # TOTP's base32 secret
    confirmed_at = pw.DateTimeField(null=True)
    last_used_step = pw.BigIntegerField(default=0)  # a TOTP code's time step is accepted once (no replay)
    # An e-mailed code: its hash, and until when it holds.
    code_hash = pw.CharField(max_length=64, default="")
    code_expires_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("user", "kind"), True),)


class RecoveryCode(BaseModel):
    """One of a user's ten single-use recovery codes, stored hashed."""

    user = pw.ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = pw.CharField(max_length=64)
    used_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("user", "code_hash"), True),)


class SecondFactorAttempt(BaseModel):
    """A wrong second-factor code, kept for an hour to throttle guessing like passwords."""

    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    ip = pw.CharField(max_length=64, default="")
    attempted_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("user", "attempted_at"), False),)


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
            UserSession.second_factor_at,
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


class RegistrationRequest(AssociationScoped, BaseModel):
    """Someone asking for access from the public form (P4, seed 004 §4.13)."""

    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"

    association = pw.ForeignKeyField(Association, backref="registrations", on_delete="CASCADE")
    name = pw.CharField(max_length=200)
    email = pw.CharField(max_length=254)
    unit_number = pw.CharField(max_length=40, default="")
    message = pw.TextField(default="")
    status = pw.CharField(max_length=10, default=PENDING, index=True)
    reason = pw.TextField(default="")
    person = pw.DeferredForeignKey("Person", null=True, on_delete="SET NULL")
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)
    ip = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)


class SlugAlias(BaseModel):
    """An association's former address, which keeps redirecting (P1)."""

    association = pw.ForeignKeyField(Association, backref="aliases", on_delete="CASCADE")
    slug = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
