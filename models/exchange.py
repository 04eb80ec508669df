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


# --- Several machines (issue 16 item 7): periodic work runs once per interval ------------------------------


class PeriodicRun(BaseModel):
    """One row per periodic job (jobs/periodic.py): the last interval it ran in, claimed by one runner.

    Every scheduler (`rq cron` on several machines, `flask jobs tick` from several crontabs) asks to run
    each job; the first to move `slot` forward runs it, the others find the slot taken and skip it."""

    name = pw.CharField(max_length=100, unique=True)
    slot = pw.BigIntegerField(default=-1)  # the interval it last ran in: seconds since 1970 // the interval
    runs = pw.IntegerField(default=0)
    ran_at = pw.DateTimeField(null=True)
