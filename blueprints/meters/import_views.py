"""The board's import of readings from a reading company (M4): upload, columns, preview, import.

All of it needs meters.manage, for a window of the board's association that is not locked. Between the
steps the pages carry only the kept file's made-up name (`import_token`); its rows are read again from the
kept bytes each time, and the mapping from the database, so nothing the browser sends back is trusted.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.meters import METERS_TAB, bp, importing, period
from blueprints.meters.import_forms import COLUMN_LABELS, MappingForm, UploadForm
from blueprints.meters.importing import ImportFileError
from core import uploads
from core.access import requires
from core.forms import ConfirmForm
from core.rendering import render
from models import permissions as perms
from models.meters import Reading, ReadingWindow

PREVIEW_ROWS = 500  # rows listed in the preview; every error is listed whatever the number of rows


def _user():
    return current_user._get_current_object()


def _window_or_404(window_id: int) -> ReadingWindow:
    return ReadingWindow.get_visible(g.membership, window_id)


def _locked(window: ReadingWindow):
    flash(_("The period is locked: unlock it to import readings."), "error")
    return redirect(url_for("meters.window", window_id=window.id))


def _table_or_none(token: str) -> importing.Table | None:
    """The kept file as a table; None (the page says so) when its bytes are gone; 404 for a name we did not make."""
    if not importing.TOKEN.match(token):
        abort(404)
    data = importing.kept(g.association.id, token)
    if data is None:
        return None
    return importing.read_table(data, g.association.locale)


def _gone(window: ReadingWindow):
    flash(_("The uploaded file is no longer kept (files wait a day); upload it again."), "error")
    return redirect(url_for("meters.import_upload", window_id=window.id))


@bp.route("/meters/windows/<int:window_id>/import", methods=["GET", "POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def import_upload(window_id: int):
    """Upload a reading company's CSV or XLSX file for the window; the next step maps its columns."""
    window = _window_or_404(window_id)
    if window.is_locked:
        return _locked(window)
    form, problem, status = UploadForm(), None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            problem, status = {"message": _("The form expired; choose the file again.")}, 400
        else:
            outcome = _upload(window, form)
            if not isinstance(outcome, dict):
                return outcome
            problem, status = outcome, 422
    return render("meters/import.html", window=window, form=form, problem=problem, status=status,
                  max_mb=importing.MAX_BYTES // 1024 // 1024, max_rows=importing.MAX_ROWS)  # fmt: skip


def _upload(window: ReadingWindow, form: UploadForm):
    """Read the upload (capped) and keep it; a redirect to its columns or preview, or what went wrong."""
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        return {"message": _("Choose the file to upload.")}
    name = uploads.display_name(upload.filename)
    data = uploads.read_capped(upload.stream, importing.MAX_BYTES)
    if data is None:
        return {"message": str(uploads.too_large(name, importing.MAX_BYTES))}
    try:
        table = importing.read_table(data, g.association.locale)
    except ImportFileError as error:
        return {"message": _("%(name)s was not read: %(reason)s", name=name, reason=str(error.message)),
                "where": error.where}  # fmt: skip
    token = importing.keep(g.association.id, data)
    if importing.saved_mapping(g.association, table.key) is not None:
        flash(_("These columns are known from an earlier file: check the readings, then import them."), "success")
        return redirect(url_for("meters.import_preview", window_id=window.id, import_token=token))
    return redirect(url_for("meters.import_mapping", window_id=window.id, import_token=token))


@bp.route("/meters/windows/<int:window_id>/import/<import_token>/columns", methods=["GET", "POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def import_mapping(window_id: int, import_token: str):
    """Which column of the file holds what; remembered for the company's next file with the same header."""
    window = _window_or_404(window_id)
    if window.is_locked:
        return _locked(window)
    table = _table_or_none(import_token)
    if table is None:
        return _gone(window)
    saved = importing.saved_mapping(g.association, table.key)
    if request.method == "POST":
        form = MappingForm()
    else:
        start = saved if saved is not None else importing.guess(table, g.association.locale)
        form = MappingForm(formdata=None, data=start)
    form.offer(table.header, _("Not in this file"))
    if request.method == "POST" and form.validate_on_submit():
        mapping = form.mapping()
        wrong = importing.problems(mapping, table.header)
        for name, message in wrong.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if not wrong:
            importing.save_mapping(g.association, table.key, mapping)
            flash(_("The columns are saved; the company's next file is read with them."), "success")
            return redirect(url_for("meters.import_preview", window_id=window.id, import_token=import_token))
    return render(
        "meters/import_mapping.html", window=window, form=form, table=table, sample=table.rows[:5],
        token=import_token, remembered=saved is not None, column_labels=COLUMN_LABELS, columns=importing.COLUMNS,
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@bp.route("/meters/windows/<int:window_id>/import/<import_token>")
@METERS_TAB
@requires(perms.METERS_MANAGE)
def import_preview(window_id: int, import_token: str):
    """Every row of the file with what importing it would do, and every error with its row and column."""
    found = _mapped_upload(window_id, import_token)
    if not isinstance(found, tuple):
        return found
    window, table, mapping = found
    return _preview_page(window, table, mapping, import_token)


def _mapped_upload(window_id: int, token: str):
    """(window, table, mapping) of a kept upload whose columns are known, or the page to show instead: the
    period is locked, the upload is gone, or its columns are still to be chosen."""
    window = _window_or_404(window_id)
    if window.is_locked:
        return _locked(window)
    table = _table_or_none(token)
    if table is None:
        return _gone(window)
    mapping = importing.saved_mapping(g.association, table.key)
    if mapping is None:
        return redirect(url_for("meters.import_mapping", window_id=window.id, import_token=token))
    return window, table, mapping


def _preview_page(window, table, mapping, token, *, problem: str | None = None, status: int = 200):
    result = importing.preview(window, table, mapping)
    return render(
        "meters/import_preview.html", window=window, result=result, rows=result.rows[:PREVIEW_ROWS],
        more=max(0, len(result.rows) - PREVIEW_ROWS), mapping=mapping, token=token, number=period.number,
        flags=Reading.FLAGS, confirm_form=ConfirmForm(), problem=problem, status=status,
    )  # fmt: skip


@bp.route("/meters/windows/<int:window_id>/import/<import_token>/apply", methods=["POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def import_apply(window_id: int, import_token: str):
    """Import every row in one transaction, or nothing when any row is wrong."""
    found = _mapped_upload(window_id, import_token)
    if not isinstance(found, tuple):
        return found
    window, table, mapping = found
    if not ConfirmForm().validate_on_submit():
        return _preview_page(window, table, mapping, import_token, problem=_("The form expired; try again."),
                             status=400)  # fmt: skip
    try:
        count = importing.apply(window, table, mapping, _user())
    except ImportFileError as error:
        return _preview_page(window, table, mapping, import_token, problem=str(error.message), status=422)
    importing.forget(g.association.id, import_token)
    flash(ngettext("%(num)d reading was imported.", "%(num)d readings were imported.", count), "success")
    return redirect(url_for("meters.window", window_id=window.id))
