"""Leaving Porch (SPEC I3): the board asks for the whole association as one ZIP, follows the job's progress,
and downloads it after the permission check."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.exchange import bp, privacy_jobs
from blueprints.exchange.privacy_views import _download
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import render
from models import permissions as perms
from models.db import first_or_404
from models.exchange import DataExport


def _association_export(export_id: int) -> DataExport:
    """This association's export with this id (404 for another association's, or a member's own-data file)."""
    return first_or_404(
        DataExport.of(g.association).where((DataExport.id == export_id) & (DataExport.kind == DataExport.ASSOCIATION))
    )


@bp.route("/admin/leaving", methods=["GET", "POST"])
@requires(perms.SETTINGS_MANAGE)
def leaving():
    """Export the whole association (every table, every file, the documents) as one ZIP."""
    export = privacy_jobs.latest(g.association, DataExport.ASSOCIATION)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not privacy_jobs.busy(export):
            export = privacy_jobs.place(g.association, current_user._get_current_object(), DataExport.ASSOCIATION)
            audit(
                "exchange.association_exported",
                actor=current_user,
                association=g.association,
                target=g.association.name,
            )
            flash(_("The export is being made. We will mail you a link when it is ready."), "success")
        return redirect(url_for("exchange.leaving"))
    return render("exchange/leaving.html", export=export, form=form)


@bp.route("/admin/leaving/<int:leaving_id>")
@requires(perms.SETTINGS_MANAGE)
def leaving_status(leaving_id: int):
    """The progress of the association's export: a component that polls until it is ready or failed."""
    export = _association_export(leaving_id)
    privacy_jobs.settle(export)
    return render("exchange/leaving_status.html", "exchange/_export_status.html", export=export)


@bp.route("/admin/leaving/<int:leaving_id>/download")
@requires(perms.SETTINGS_MANAGE)
def leaving_download(leaving_id: int):
    """Download the association's export (the board's, while it has not expired)."""
    export = _association_export(leaving_id)
    response = _download(export, f"{g.association.slug}-{export.created_at:%Y-%m-%d}.zip")
    # Every member's data leaves with this file: who took it stays on record.
    audit("exchange.association_downloaded", actor=current_user, association=g.association, target=g.association.name)
    return response
