"""What enters and leaves an association (SPEC I): which reports may be ordered, and by whom; the API's
tokens, its rate windows and the answers kept for idempotent posts.

Import: the column mappings remembered per source and the runs of uploaded files. Export jobs join this
module later.
"""

from __future__ import annotations

import secrets

import peewee as pw

from core import clock
from models.db import AssociationScoped, BaseModel, PreparedSelect
from models.portal import Association, User, hash_secret


class ReportSettings(BaseModel):
    """One row per association: the report keys (exchange/reports.py REPORTS) its board and its residents may order."""

    association = pw.ForeignKeyField(Association, backref="report_settings", unique=True, on_delete="CASCADE")
    board_reports = pw.CharField(max_length=200, default="tenants units members")
    resident_reports = pw.CharField(max_length=200, default="")

    @classmethod
    def read(cls, association: Association) -> ReportSettings:
        """The association's settings, or the defaults unsaved: for pages that only read them (one query)."""
        return cls.get_or_none(cls.association == association) or cls(association=association)

    @classmethod
    def for_association(cls, association: Association) -> ReportSettings:
        """The association's settings, created with the defaults on first use."""
        settings = cls.get_or_none(cls.association == association)
        if settings is None:
            cls.insert(association=association).on_conflict_ignore().execute()
            settings = cls.get(cls.association == association)
        return settings


# --- API tokens (issue 16 item 2, SPEC I1) ----------------------------------------------------------------


class ApiToken(AssociationScoped, BaseModel):
    """A management system's key to one association's API: named by the board, with scopes, shown once.

    Only the SHA-256 of the secret is kept (the secret is 32 random bytes, so a plain hash cannot be guessed
    back); its first characters stay visible so the board can tell tokens apart in the list."""

    READ_REGISTER, WRITE_REGISTER = "register:read", "register:write"
    WRITE_BILLING, READ_FAULTS = "billing:write", "faults:read"
    SCOPES = (READ_REGISTER, WRITE_REGISTER, WRITE_BILLING, READ_FAULTS)
    PREFIX = "porch_"

    association = pw.ForeignKeyField(Association, backref="api_tokens", on_delete="CASCADE")
    name = pw.CharField(max_length=100)
    scopes = pw.CharField(max_length=200)  # space-separated SCOPES
    token_hash = pw.CharField(max_length=64, unique=True)
    shown_start = pw.CharField(max_length=16)  # "porch_AbCd": the start of the secret, to recognise it
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    last_used_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)
    revoked_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def issue(cls, association: Association, name: str, scopes, created_by: User | None) -> tuple[ApiToken, str]:
        """A new token and its secret, which is never stored and so can be shown only now."""
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.create(
            association=association,
            name=name,
            scopes=" ".join(s for s in cls.SCOPES if s in set(scopes)),
            token_hash=hash_secret(secret),
            shown_start=secret[: len(cls.PREFIX) + 4],
            created_by=created_by,
        )
        return token, secret

    @classmethod
    def live(cls, secret: str) -> ApiToken | None:
        """The unrevoked token with this secret, with its association (one prepared query: every API request
        asks it), or None."""
        rows = _LIVE_TOKEN(hash_secret(secret))
        return rows[0] if rows else None


def _live_token_query(token_hash) -> pw.ModelSelect:
    return (
        ApiToken.select(ApiToken, Association)
        .join(Association)
        .where((ApiToken.token_hash == token_hash) & ApiToken.revoked_at.is_null())
        .limit(1)
    )


_LIVE_TOKEN = PreparedSelect(_live_token_query)


class ApiRateWindow(BaseModel):
    """Requests a token made in one minute, when no Redis is configured (the database is then what every
    process and machine shares). Old windows are deleted as a token's new one starts."""

    token = pw.ForeignKeyField(ApiToken, on_delete="CASCADE", backref="+")
    window_start = pw.DateTimeField()
    count = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("token", "window_start"), True),)


class ApiIdempotencyKey(BaseModel):
    """A POST made with an Idempotency-Key: what it asked and what it was answered, so a retry gets the same
    answer and changes nothing. Kept per association; a key reused with another request is refused."""

    association = pw.ForeignKeyField(Association, on_delete="CASCADE", backref="+")
    key = pw.CharField(max_length=200)
    request_hash = pw.CharField(max_length=64)  # method, path and body
    status = pw.IntegerField()
    body = pw.TextField()
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "key"), True),)


# --- import (issue 16 item 1, SPEC I1) ------------------------------------------------------------------


class ImportMapping(AssociationScoped, BaseModel):
    """Which column of a source's files holds which key of records.py, remembered per kind and header line
    (the same export from the same system has the same header), under the name the board gave the source."""

    association = pw.ForeignKeyField(Association, backref="import_mappings", on_delete="CASCADE")
    kind = pw.CharField(max_length=12)
    header_key = pw.CharField(max_length=64)  # sha256 of the folded header line
    source = pw.CharField(max_length=120, default="")  # "Excel from the former administrator"
    mapping = pw.TextField()  # {"unit": "Číslo jednotky", "share": "Podíl", ...}
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "kind", "header_key"), True),)


class ImportRun(AssociationScoped, BaseModel):
    """One uploaded file on its way in: mapped, checked (the dry run), applied in one transaction or not at all.

    The file's bytes and the dry run's row by row outcome are files under UPLOAD_DIR/imports/<association>/
    named by `token`; the counts are here, for the list and the page's summary."""

    UPLOADED, CHECKING, CHECKED, APPLYING, APPLIED, FAILED = (
        "uploaded", "checking", "checked", "applying", "applied", "failed",
    )  # fmt: skip
    WORKING = (CHECKING, APPLYING)  # the page polls while a job works

    association = pw.ForeignKeyField(Association, backref="import_runs", on_delete="CASCADE")
    kind = pw.CharField(max_length=12)
    token = pw.CharField(max_length=32, unique=True)
    original_name = pw.CharField(max_length=200, default="")
    sha256 = pw.CharField(max_length=64)
    header_key = pw.CharField(max_length=64)
    file_kind = pw.CharField(max_length=4, default="csv")  # csv or xlsx
    encoding = pw.CharField(max_length=20, default="")
    row_count = pw.IntegerField(default=0)
    mapping = pw.TextField(default="")  # the mapping it was checked with, JSON
    state = pw.CharField(max_length=10, default=UPLOADED)
    created = pw.IntegerField(default=0)
    changed = pw.IntegerField(default=0)
    unchanged = pw.IntegerField(default=0)
    invalid = pw.IntegerField(default=0)
    error_count = pw.IntegerField(default=0)
    problem = pw.TextField(default="")  # why the job failed, for the board
    seconds = pw.FloatField(null=True)  # how long the last check or apply took
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    checked_at = pw.DateTimeField(null=True)
    applied_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("association", "created_at"), False),)


# --- exchange: privacy (GDPR export and erasure) and leaving Porch (SPEC I3) -----------------------------

from core import clock  # noqa: E402
from models.db import AssociationScoped  # noqa: E402
from models.portal import User  # noqa: E402
from models.register import Person  # noqa: E402


class DataExport(AssociationScoped, BaseModel):
    """A ZIP being made by a job: a member's own data (GDPR access) or the whole association (leaving Porch).

    `state` is what the page shows: queued -> making -> ready (the file is there until `expires_at`), or
    failed with the reason in `error`. `done`/`total` count the steps made (tables, files) for the progress bar.
    """

    PERSON, ASSOCIATION = "person", "association"
    QUEUED, MAKING, READY, FAILED = "queued", "making", "ready", "failed"
    FINISHED = (READY, FAILED)

    association = pw.ForeignKeyField(Association, backref="data_exports", on_delete="CASCADE")
    kind = pw.CharField(max_length=12)
    # Who asked: for a member's own data, whose data it is (and the only one who may download it).
    user = pw.ForeignKeyField(User, backref="data_exports", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    state = pw.CharField(max_length=10, default=QUEUED)
    done = pw.IntegerField(default=0)
    total = pw.IntegerField(default=0)
    error = pw.TextField(default="")
    stored_name = pw.CharField(max_length=100, null=True)  # the ZIP, a key under UPLOAD_DIR
    size = pw.BigIntegerField(default=0)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)
    expires_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("association", "kind", "created_at"), False), (("user", "created_at"), False))

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """A member's own-data export is theirs alone; the association's export is checked by the view."""
        mine = (cls.kind == cls.PERSON) & (cls.user == membership.user_id)
        return cls.of(membership.association).where(mine)


class Erasure(AssociationScoped, BaseModel):
    """The record that a person was erased (GDPR): who did it and when, never what was erased.

    The person's row stays as the pseudonym, so the record points at it; the counts say what happened."""

    association = pw.ForeignKeyField(Association, backref="erasures", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    pseudonym = pw.CharField(max_length=120)
    erased_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    files_removed = pw.IntegerField(default=0)
    files_kept = pw.IntegerField(default=0)
    kept_reason = pw.TextField(default="")  # the board's legal reason for keeping their files
    rows_scrubbed = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)


# --- Several machines (issue 16 item 7): periodic work runs once per interval ------------------------------


class PeriodicRun(BaseModel):
    """One row per periodic job (jobs/periodic.py): the last interval it ran in, claimed by one runner.

    Every scheduler (`rq cron` on several machines, `flask jobs tick` from several crontabs) asks to run
    each job; the first to move `slot` forward runs it, the others find the slot taken and skip it."""

    name = pw.CharField(max_length=100, unique=True)
    slot = pw.BigIntegerField(default=-1)  # the interval it last ran in: seconds since 1970 // the interval
    runs = pw.IntegerField(default=0)
    ran_at = pw.DateTimeField(null=True)
