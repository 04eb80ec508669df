"""What enters and leaves an association (SPEC I): which reports may be ordered, and by whom.

Import mappings, export jobs and API tokens join this module later.
"""

from __future__ import annotations

import peewee as pw

from models.db import BaseModel
from models.portal import Association


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
