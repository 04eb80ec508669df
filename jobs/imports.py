"""The import's two jobs (blueprints/exchange/importing.py): the check (a dry run whose row by row outcome is
kept for the page) and the apply (every row in one transaction, or none).

The page sets the run's state (checking, applying) in the request that queues the job; a job works only on a
run in that state, so a job run twice, or a retry after a worker died, does the work once more at most and
never applies a run the board has not confirmed. Messages are written in the association's language.
"""

from __future__ import annotations

import logging
import time

from flask_babel import force_locale

from blueprints.exchange import importing
from core import clock
from core.text import lazy_gettext as _l
from jobs import job_context
from models import Association
from models.exchange import ImportRun

log = logging.getLogger(__name__)


def check(run_id: int) -> str:
    """The dry run: what each row would do, nothing kept."""
    return _work(run_id, ImportRun.CHECKING, apply=False)


def apply(run_id: int) -> str:
    """Every row in one transaction, kept only when none is refused."""
    return _work(run_id, ImportRun.APPLYING, apply=True)


def _work(run_id: int, state: str, *, apply: bool) -> str:
    with job_context():
        run = ImportRun.get_or_none((ImportRun.id == run_id) & (ImportRun.state == state))
        if run is None:
            return "skipped"
        association = Association.get_by_id(run.association_id)
        started = time.perf_counter()
        with force_locale(association.locale):
            try:
                outcomes, table, mapping = importing.run_rows(run, apply=apply)
                counts = importing.record_outcomes(run, outcomes, table, mapping)
            except importing.ImportFileError as error:
                return _finish(run, ImportRun.FAILED, problem=str(error.message))
            except Exception:
                log.exception("import run %s failed", run_id)
                return _finish(run, ImportRun.FAILED, problem=str(_l("The import stopped on an unexpected error; "
                                                                     "nothing was changed.")))  # fmt: skip
            seconds = time.perf_counter() - started
            if not apply:
                return _finish(run, ImportRun.CHECKED, counts=counts, seconds=seconds, checked_at=clock.utcnow_naive())
            if counts["invalid"]:
                problem = str(_l("Some rows are refused now (the register changed since the check); nothing was "
                                 "applied. Look at the errors, then check again."))  # fmt: skip
                return _finish(run, ImportRun.CHECKED, counts=counts, seconds=seconds, problem=problem)
            return _finish(run, ImportRun.APPLIED, counts=counts, seconds=seconds, applied_at=clock.utcnow_naive())


def _finish(run: ImportRun, state: str, *, counts: dict | None = None, problem: str = "", **fields) -> str:
    values = dict(fields, state=state, problem=problem)
    if counts is not None:
        values.update({key: counts[key] for key in ("created", "changed", "unchanged", "invalid", "error_count")})
    ImportRun.update(**values).where(ImportRun.id == run.id).execute()
    return state
