"""The life of a data export (a member's own data, or the whole association) and the job that makes it.

queued -> making (the job has it; `done` of `total` steps made) -> ready (the ZIP is stored until it
expires) or failed, with a reason for the reader. As with ordered PDFs (core/orders.py), the row always
says where it is: one left making by a worker that died is failed when someone looks, and can be asked
for again. The job is idempotent: only a queued export (or a stale one) is claimed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.exchange import privacy_files as files
from core import clock
from core.mail import external_url, mail_language, queue_mail
from core.queue import enqueue
from core.text import lazy_gettext as _l
from core.text import locale_for
from models import Association, User
from models.db import db, transaction
from models.exchange import DataExport

log = logging.getLogger(__name__)

MAKE = "blueprints.exchange.privacy_jobs.make_export"
# How long a made ZIP can be downloaded; after that the file is removed and the page says so.
KEEP = dt.timedelta(days=7)
# An export left queued or making this long ago lost its worker.
STALE = dt.timedelta(minutes=30)
PROGRESS_EVERY = 20  # steps between progress writes: a row update per file would slow a large export


def job_id(export_id: int) -> str:
    return f"data-export-{export_id}"


def place(association: Association, user: User, kind: str, person=None) -> DataExport:
    """Write an export and queue its job once the row is committed."""
    with transaction():
        export = DataExport.create(association=association, user=user, kind=kind, person=person)
        enqueue(MAKE, export.id, job_id=job_id(export.id))
    return export


def latest(association: Association, kind: str, user: User | None = None) -> DataExport | None:
    """The newest export of this kind (a member's own: theirs only), brought up to date."""
    query = DataExport.of(association).where(DataExport.kind == kind)
    if user is not None:
        query = query.where(DataExport.user == user)
    export = query.order_by(DataExport.created_at.desc(), DataExport.id.desc()).first()
    if export is not None:
        settle(export)
    return export


def busy(export: DataExport | None) -> bool:
    return export is not None and not export.finished


# --- what the page shows ------------------------------------------------------------------------------

STATE_LABELS = {
    DataExport.QUEUED: _l("Queued"),
    DataExport.MAKING: _l("Being made"),
    DataExport.READY: _l("Ready"),
    DataExport.FAILED: _l("Failed"),
}


@dataclass(frozen=True)
class ExportStatus:
    state: str
    label: str
    percent: int
    expired: bool
    poll: str | None  # hx-trigger while unfinished


def status(export: DataExport) -> ExportStatus:
    percent = 100 if export.state == DataExport.READY else int(100 * export.done / export.total) if export.total else 0
    return ExportStatus(
        state=export.state,
        label=str(STATE_LABELS[export.state]),
        percent=min(percent, 100),
        expired=is_expired(export),
        poll=None if export.finished else "every 2s",
    )


def is_expired(export: DataExport) -> bool:
    return (
        export.state == DataExport.READY and export.expires_at is not None and export.expires_at <= clock.utcnow_naive()
    )


def settle(export: DataExport) -> None:
    """Fail an export whose worker vanished; remove the file of one that expired."""
    stale = export.updated_at < clock.utcnow_naive() - STALE
    if export.state in (DataExport.QUEUED, DataExport.MAKING) and stale:
        _move(export, DataExport.FAILED, error=_("This took too long. Please ask again."))
    elif is_expired(export) and export.stored_name:
        files.delete(export.stored_name)
        _move(export, DataExport.READY, stored_name=None)


def remove_expired(association: Association | None = None) -> int:
    """Remove every expired export's file (a flask command runs it for all associations); how many."""
    query = DataExport.select().where(
        (DataExport.state == DataExport.READY)
        & DataExport.stored_name.is_null(False)
        & (DataExport.expires_at <= clock.utcnow_naive())
    )
    if association is not None:
        query = query.where(DataExport.association == association)
    count = 0
    for export in query:
        settle(export)
        count += 1
    return count


def _move(export: DataExport, state: str, **values) -> None:
    values.update(state=state, updated_at=clock.utcnow_naive())
    DataExport.update(**values).where(DataExport.id == export.id).execute()
    for name, value in values.items():
        setattr(export, name, value)


# --- the job ------------------------------------------------------------------------------------------


class Progress:
    """Counts the steps an export makes and writes the count now and then, for the page's bar."""

    def __init__(self, export: DataExport):
        self.export = export

    def planned(self, total: int) -> None:
        _move(self.export, DataExport.MAKING, total=max(total, 1), done=0)

    def step(self, count: int = 1) -> None:
        self.export.done += count
        if self.export.done % PROGRESS_EVERY < count or self.export.done >= self.export.total:
            _move(self.export, DataExport.MAKING, done=min(self.export.done, self.export.total))


@contextmanager
def _open_database():
    """An open connection for the job (jobs.job_context's, which a blueprint may not import: the job runs in
    the app's context, inline or on a worker built by worker.py)."""
    opened = db.connect(reuse_if_open=True)
    try:
        yield
    finally:
        if opened:
            db.close()


def make_export(export_id: int) -> str:
    """Make the export's ZIP: "ready", "failed" or "skipped" (not this run's to do)."""
    with _open_database():
        if not _claim(export_id):
            return "skipped"
        export = DataExport.select(DataExport, Association).join(Association).where(DataExport.id == export_id).get()
        name = files.key(files.EXPORTS, export.association_id, f"{secrets.token_hex(16)}.zip")
        language = mail_language(export.user, export.association)
        with force_locale(locale_for(language)):
            try:
                with files.writing(name) as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
                    _maker(export.kind)(export, archive, Progress(export))
            except Exception:  # the reader sees a short reason and may ask again
                log.exception("data export %s failed", export_id)
                files.delete(name)
                _move(export, DataExport.FAILED, error=_("The file could not be made. Please ask again."))
                return "failed"
            _finish(export, name, language)
        return "ready"


def _maker(kind: str):
    # Imported here: the makers read every domain's models, which the views never need.
    if kind == DataExport.PERSON:
        from blueprints.exchange.privacy_export import write_person_export

        return write_person_export
    from blueprints.exchange.leaving import write_association_export

    return write_association_export


def _claim(export_id: int) -> bool:
    stale_before = clock.utcnow_naive() - STALE
    claimed = (
        DataExport.update(state=DataExport.MAKING, done=0, error="", updated_at=clock.utcnow_naive())
        .where(
            (DataExport.id == export_id)
            & (
                (DataExport.state == DataExport.QUEUED)
                | ((DataExport.state == DataExport.MAKING) & (DataExport.updated_at < stale_before))
            )
        )
        .execute()
    )
    return claimed == 1


def _finish(export: DataExport, name: str, language: str) -> None:
    """ready, and the mail with the link, in one transaction."""
    with transaction():
        _move(
            export,
            DataExport.READY,
            stored_name=name,
            size=_size(name),
            done=export.total,
            expires_at=clock.utcnow_naive() + KEEP,
        )
        own = export.kind == DataExport.PERSON
        endpoint, key = (
            ("exchange.privacy_download", "export_id") if own else ("exchange.leaving_download", "leaving_id")
        )
        queue_mail(
            "data_export_ready",
            export.user.email,
            language=language,
            association=export.association,
            user=export.user,
            export=export,
            link=external_url(endpoint, slug=export.association.slug, **{key: export.id}),
        )


def _size(name: str) -> int:
    size = 0
    with files.reading(name) as stream:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
    return size
