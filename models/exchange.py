"""What enters and leaves an association (SPEC I): which reports may be ordered, and by whom.

Import: the column mappings remembered per source and the runs of uploaded files. Export jobs and API
tokens join this module later.
"""

from __future__ import annotations

import peewee as pw

from core import clock
from models.db import AssociationScoped, BaseModel
from models.portal import Association, User


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
