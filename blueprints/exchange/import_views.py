"""The board's import of the register and the books (SPEC I1): upload, columns, check, apply; and likely
duplicate people, merged on confirmation.

Every page needs register.manage; a file of contracts, charges, invoices or payments also needs
invoices.manage (another's run answers 404). Between the steps the pages carry only the run's id: the rows are
read again from the kept bytes and the mapping from the database.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.exchange import bp, duplicates, importing
from blueprints.exchange.import_forms import KeepForm, UploadForm, mapping_form
from core import uploads
from core.access import can, requires
from core.forms import ConfirmForm
from core.queue import enqueue
from core.rendering import render
from models import permissions as perms
from models.db import transaction
from models.exchange import ImportRun
from models.register import Person

RECENT_RUNS = 20
SHOWN = ("all", "created", "changed", "unchanged", "invalid")


def _kinds() -> list[str]:
    """The kinds of file this member may import: the books' only with invoices.manage."""
    return [k for k in importing.KIND_LABELS if k not in importing.BILLING_KINDS or can(perms.INVOICES_MANAGE)]


def _run_or_404(run_id: int) -> ImportRun:
    run = ImportRun.get_visible(g.membership, run_id)
    if run.kind not in _kinds():
        abort(404)
    return run


@bp.route("/admin/import", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def imports():
    """Upload a CSV or XLSX file of units, people, owners, residents or the books; the recent imports."""
    form, problem, status = UploadForm().offer(_kinds()), None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            problem, status = {"message": _("The form expired; choose the file again.")}, 400
        elif form.kind.data in importing.KIND_LABELS and form.kind.data not in _kinds():
            abort(403)
        elif form.kind.data not in importing.KIND_LABELS:
            problem, status = {"message": _("Choose what the file holds.")}, 422
        else:
            outcome = _upload(form.kind.data)
            if not isinstance(outcome, dict):
                return outcome
            problem, status = outcome, 422
    runs = list(
        ImportRun.visible_to(g.membership).where(ImportRun.kind.in_(_kinds()))
        .order_by(ImportRun.created_at.desc(), ImportRun.id.desc()).limit(RECENT_RUNS)
    )  # fmt: skip
    return render(
        "exchange/imports.html", form=form, problem=problem, runs=runs, kind_labels=importing.KIND_LABELS,
        max_mb=importing.MAX_BYTES // 1024 // 1024, max_rows=importing.MAX_ROWS, status=status,
    )  # fmt: skip


def _upload(kind: str):
    """Read the upload (capped), keep it and make its run; a redirect to its columns, or what went wrong."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return {"message": _("Choose a file to upload.")}
    data = uploads.read_capped(upload.stream, importing.MAX_BYTES)
    if data is None:
        return {"message": str(uploads.too_large(uploads.display_name(upload.filename), importing.MAX_BYTES))}
    try:
        table = importing.read_table(data)
    except importing.ImportFileError as error:
        return {"message": str(error.message), "where": error.where}
    token = importing.keep(g.association.id, data)
    saved = importing.saved_mapping(g.association, kind, table.key)
    with transaction():
        run = ImportRun.create(
            association=g.association, kind=kind, token=token, original_name=uploads.display_name(upload.filename),
            sha256=hashlib.sha256(data).hexdigest(), header_key=table.key, file_kind=table.kind,
            encoding=table.encoding, row_count=len(table.rows), mapping=saved.mapping if saved else "",
            created_by=current_user._get_current_object(),
        )  # fmt: skip
    return redirect(url_for("exchange.import_columns", import_id=run.id))


@bp.route("/admin/import/<int:import_id>/columns", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def import_columns(import_id: int):
    """Choose which column holds what (guessed from the header, or as remembered for this source), then check."""
    run = _run_or_404(import_id)
    if run.state in (ImportRun.APPLIED, *ImportRun.WORKING):
        return redirect(url_for("exchange.import_run", import_id=run.id))
    data = importing.kept(run)
    if data is None:
        flash(_("The uploaded file is no longer kept; upload it again."), "error")
        return redirect(url_for("exchange.imports"))
    table = importing.read_table(data)
    saved = importing.saved_mapping(g.association, run.kind, table.key)
    none_label = _("— not in the file —")
    if request.method == "POST":
        form = mapping_form(run.kind, table.header, none_label, formdata=request.form)
        if form.validate():
            mapping = {key: form[f"col_{key}"].data for key in importing.KEYS[run.kind] if form[f"col_{key}"].data}
            found = importing.problems(mapping, table.header, run.kind)
            for key, message in found.items():
                form[f"col_{key}"].errors = [*form[f"col_{key}"].errors, message]
            if not found:
                _start_check(run, table, mapping, (form.source.data or "").strip())
                return redirect(url_for("exchange.import_run", import_id=run.id))
        status = 422
    else:
        mapping = json.loads(saved.mapping) if saved else importing.guess(table.header, run.kind)
        data = {f"col_{key}": column for key, column in mapping.items()}
        data["source"] = saved.source if saved else ""
        form, status = mapping_form(run.kind, table.header, none_label, data=data), 200
    return render(
        "exchange/import_columns.html", run=run, form=form, table=table, sample=table.rows[:5], remembered=saved,
        keys=importing.KEYS[run.kind], required=importing.REQUIRED[run.kind], kind_labels=importing.KIND_LABELS,
        status=status,
    )  # fmt: skip


def _start_check(run: ImportRun, table: importing.Table, mapping: dict, source: str) -> None:
    """Remember the mapping for the source and queue the dry run (it runs once this commits)."""
    with transaction():
        importing.save_mapping(g.association, run.kind, table.key, mapping, source)
        ImportRun.update(mapping=json.dumps(mapping, ensure_ascii=False), state=ImportRun.CHECKING, problem="").where(
            ImportRun.id == run.id
        ).execute()
        enqueue("jobs.imports.check", run.id, job_id=f"import-{run.id}-check-{_attempt()}")


def _attempt() -> str:
    """A fresh job id per check: checking again is new work, not a job already waiting."""
    return secrets.token_hex(4)


@bp.route("/admin/import/<int:import_id>")
@requires(perms.REGISTER_MANAGE)
def import_run(import_id: int):
    """The dry run's outcome: counts, every error with its row and column, and the rows a page at a time;
    the button to apply. Polls while the check or the apply works."""
    run = _run_or_404(import_id)
    shown = request.args.get("show", "all")
    shown = shown if shown in SHOWN else "all"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    error_page = max(request.args.get("errors", 1, type=int) or 1, 1)
    working = run.state in ImportRun.WORKING
    listed = [] if working else importing.listed_rows(run)
    errors = [(line, column, message) for line, _action, _key, _changes, row_errors in listed
              for column, message in row_errors]  # fmt: skip
    chosen = listed if shown == "all" else [row for row in listed if row[1] == shown]
    pages = max(math.ceil(len(chosen) / importing.PAGE), 1)
    error_pages = max(math.ceil(len(errors) / importing.ERRORS_PAGE), 1)
    same_file = (
        ImportRun.visible_to(g.membership)
        .where((ImportRun.sha256 == run.sha256) & (ImportRun.state == ImportRun.APPLIED) & (ImportRun.id != run.id))
        .order_by(ImportRun.applied_at.desc())
        .first()
    )  # fmt: skip
    return render(
        "exchange/import_run.html", "exchange/_import_run.html", run=run, working=working, shown=shown,
        page_number=min(page, pages), pages=pages, rows=chosen[(min(page, pages) - 1) * importing.PAGE :][: importing.PAGE],
        errors=errors[(min(error_page, error_pages) - 1) * importing.ERRORS_PAGE :][: importing.ERRORS_PAGE],
        error_page=min(error_page, error_pages), error_pages=error_pages, error_total=len(errors),
        same_file=same_file, kind_labels=importing.KIND_LABELS, confirm_form=ConfirmForm(),
        mapping=json.loads(run.mapping) if run.mapping else {},
    )  # fmt: skip


@bp.route("/admin/import/<int:import_id>/check", methods=["POST"])
@requires(perms.REGISTER_MANAGE)
def import_check(import_id: int):
    """Check the file again with the same columns (the register may have changed meanwhile)."""
    run = _run_or_404(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction():
        started = (
            ImportRun.update(state=ImportRun.CHECKING, problem="")
            .where((ImportRun.id == run.id) & (ImportRun.mapping != "")
                   & ImportRun.state.in_([ImportRun.CHECKED, ImportRun.FAILED, ImportRun.UPLOADED]))
            .execute()
        )  # fmt: skip
        if started:
            enqueue("jobs.imports.check", run.id, job_id=f"import-{run.id}-check-{_attempt()}")
    return redirect(url_for("exchange.import_run", import_id=run.id))


@bp.route("/admin/import/<int:import_id>/apply", methods=["POST"])
@requires(perms.REGISTER_MANAGE)
def import_apply(import_id: int):
    """Apply a checked file without errors: every row in one transaction (a job), or nothing."""
    run = _run_or_404(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction():
        started = (
            ImportRun.update(state=ImportRun.APPLYING, problem="")
            .where((ImportRun.id == run.id) & (ImportRun.state == ImportRun.CHECKED) & (ImportRun.invalid == 0))
            .execute()
        )
        if started:
            enqueue("jobs.imports.apply", run.id, job_id=f"import-{run.id}-apply")
    if not started:
        flash(_("Only a checked file without errors can be applied."), "error")
    return redirect(url_for("exchange.import_run", import_id=run.id))


# --- likely duplicate people -----------------------------------------------------------------------------


@bp.route("/admin/import/duplicates")
@requires(perms.REGISTER_MANAGE)
def duplicate_people():
    """People the register likely holds twice (same name and birth date or address, other e-mail)."""
    pairs = duplicates.likely_duplicates(g.association)
    return render("exchange/duplicates.html", pairs=pairs, reasons=duplicates.REASONS)


@bp.route("/admin/import/duplicates/<int:first_person_id>/<int:second_person_id>", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def merge_people(first_person_id: int, second_person_id: int):
    """Both entries side by side with what points at each; merging keeps the one chosen (confirmed here)."""
    if first_person_id == second_person_id:
        abort(404)
    first, second = (
        Person.get_visible(g.membership, first_person_id),
        Person.get_visible(g.membership, second_person_id),
    )
    form = KeepForm()
    form.kept.choices = [(str(first.id), first.full_name), (str(second.id), second.full_name)]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and form.kept.data in (str(first.id), str(second.id)):
            kept, duplicate = (first, second) if form.kept.data == str(first.id) else (second, first)
            try:
                duplicates.merge(kept, duplicate, actor=current_user)
            except duplicates.MergeError as error:
                form.kept.errors = [*form.kept.errors, str(error.message)]
            else:
                flash(_("The two entries are one now: %(name)s.", name=kept.full_name), "success")
                return redirect(url_for("exchange.duplicate_people"))
        status = 422
    return render(
        "exchange/merge.html", form=form, people=[first, second], status=status,
        counts={p.id: duplicates.what_points_at(p) for p in (first, second)},
        born={p.id: duplicates.birth_date(p.personal_id, g.association.locale, g.association.today())
              for p in (first, second)},
    )  # fmt: skip
