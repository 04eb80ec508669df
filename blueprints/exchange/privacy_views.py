"""A member's own data (GDPR access) and the board's erasure of a person who has left (SPEC I3).

My data: a member asks for a ZIP of everything the association holds about them; a job makes it
(privacy_jobs), the page follows its state, a mail brings the link. The download is the owner's alone
(DataExport.visible_to), after logging in, and only until it expires.

Erasure: the board opens it from a person's page; the page lists why it cannot be done yet, or what will
happen, and asks for a confirmation (privacy_erasure does it).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.exchange import bp, privacy_erasure, privacy_jobs
from blueprints.exchange import privacy_files as files
from blueprints.exchange.privacy_forms import ErasureForm
from core.access import requires
from core.forms import ConfirmForm
from core.rendering import render
from models import Person
from models import permissions as perms
from models.exchange import DataExport


@bp.route("/account/my-data", methods=["GET", "POST"])
@requires()
def privacy():
    """Ask for a file of everything the association holds about me, and follow it until it is ready."""
    export = privacy_jobs.latest(g.association, DataExport.PERSON, current_user)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not privacy_jobs.busy(export):
            privacy_jobs.place(
                g.association, current_user._get_current_object(), DataExport.PERSON, person=g.membership.person_id
            )
            flash(_("Your file is being made. We will mail you a link when it is ready."), "success")
        return redirect(url_for("exchange.privacy"))
    return render("exchange/privacy.html", export=export, form=form)


@bp.route("/account/my-data/<int:export_id>")
@requires()
def privacy_status(export_id: int):
    """The state of one's own data file: a component that polls until it is ready or failed."""
    export = DataExport.get_visible(g.membership, export_id)
    privacy_jobs.settle(export)
    return render("exchange/privacy_status.html", "exchange/_export_status.html", export=export)


@bp.route("/account/my-data/<int:export_id>/download")
@requires()
def privacy_download(export_id: int):
    """Download one's own data file: the owner only, while it has not expired."""
    export = DataExport.get_visible(g.membership, export_id)
    return _download(export, f"my-data-{g.association.slug}-{export.created_at:%Y-%m-%d}.zip")


def _download(export: DataExport, name: str):
    privacy_jobs.settle(export)
    if export.state != DataExport.READY:
        abort(404)
    if privacy_jobs.is_expired(export) or not export.stored_name or not files.exists(export.stored_name):
        abort(410)
    return files.serve(export.stored_name, name)


# --- erasure by the board -----------------------------------------------------------------------------


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def erase_person(person_id: int):
    """Erase a person who has left: what stops it, or what will happen, then the confirmed erasure."""
    person = Person.get_visible(g.membership, person_id)
    if privacy_erasure.already_erased(person):
        return render("exchange/erase_done.html", person=person)
    plan = privacy_erasure.plan(g.association, person)
    form = ErasureForm()
    status = 200
    if request.method == "POST":
        if not plan.allowed:
            status = 422
        elif form.validate_on_submit():
            try:
                erasure = privacy_erasure.erase(g.association, person, current_user._get_current_object(), form.reason)
            except privacy_erasure.ErasureRefusedError as refused:
                plan.refusals = refused.reasons
                status = 422
            else:
                flash(
                    _("The person is erased. The history is kept as %(pseudonym)s.", pseudonym=erasure.pseudonym),
                    "success",
                )
                return redirect(url_for("register.person", person_id=person.id))
        else:
            status = 422
    return render("exchange/erase.html", person=person, plan=plan, form=form, status=status)
