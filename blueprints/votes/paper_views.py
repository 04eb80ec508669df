"""Recording paper ballots (V7): one by one with the scan, or a batch from a spreadsheet (preview, then confirm).

Only the managers of the vote's kind (votes.manage for polls, votes.manage_per_rollam for per-rollam votes)
reach these pages; to anyone else a vote's paper pages and its scans are a 404, as if they were not there.
The rules are the services': blueprints/votes/ballots.py refuses a unit that voted online or on paper
already, a day in the future or a vote that is not open, with the reason; paper.py checks the scans and
reads the spreadsheets.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.votes import bp, guard, paper
from blueprints.votes.ballots import VoteRefused
from blueprints.votes.paper_forms import PaperBallotForm, PaperBatchConfirmForm, PaperBatchForm
from core import uploads
from core.access import permissions, requires, requires_any
from core.csv import csv_download
from core.rendering import htmx, render
from models import permissions as perms
from models.votes import Ballot, Vote

MANAGERS = (perms.VOTES_MANAGE, perms.VOTES_MANAGE_PER_ROLLAM)
# The service's field names -> the form's.
FIELD_OF = {"received_on": "received_on", "option": "option", "unit": "unit", "signed_by": "signed_by"}


def _vote(vote_id: int) -> Vote:
    vote = paper.managed_vote(g.association, vote_id, permissions())
    guard.step_up_to_manage(vote)
    return vote


def vote_page_url(vote: Vote) -> str:
    """The vote's own page, for the way back."""
    return url_for("votes.vote", vote_id=vote.id)


@bp.route("/votes/<int:vote_id>/paper", methods=["GET", "POST"], endpoint="paper")
@requires_any(*MANAGERS)
def paper_ballots(vote_id: int):
    """Record a ballot returned on paper, with its scan; the paper ballots recorded so far."""
    vote = _vote(vote_id)
    form = PaperBallotForm()
    today = g.association.today()
    if request.method == "GET":
        form.received_on.data = today
        form.unit.data = request.args.get("unit", type=int)
    if form.validate_on_submit():
        try:
            ballot = paper.record_one(
                vote, current_user._get_current_object(), form.unit.data, form.option.data, form.received_on.data,
                form.signed_by.data or None, request.files.get(form.scan.name),
            )  # fmt: skip
        except VoteRefused as refused:
            _show(form, refused.field, refused.message)
        except paper.ScanRefused as refused:
            _show(form, "scan", refused.message)
        else:
            flash(_("The paper ballot of %(unit)s is recorded.", unit=ballot.unit.title), "success")
            return redirect(url_for("votes.paper", vote_id=vote.id))
    return _page(vote, form, today, status=422 if form.errors else 200)


def _show(form, field: str | None, message: str) -> None:
    target = getattr(form, FIELD_OF.get(field or "", "") or "", None) if field else None
    if target is None:
        form.form_errors.append(message)
    else:
        target.errors = [*target.errors, message]


def _page(vote: Vote, form: PaperBallotForm, today: dt.date, status: int):
    chosen_unit = form.unit.data if isinstance(form.unit.data, int) else None
    day = form.received_on.data if isinstance(form.received_on.data, dt.date) else today
    signer_choices = paper.signers(vote, chosen_unit, min(day, today))
    context = dict(vote=vote, form=form, signers=signer_choices, chosen_unit=chosen_unit)
    if htmx and request.method == "GET" and not htmx.boosted and not htmx.history_restore_request:
        # The unit's select asks for the owners of the unit chosen: only that field changes.
        return render("votes/paper.html", "votes/_paper_signer.html", status=status, **context)
    options = list(vote.options.order_by(vote.options.model.position))
    return render(
        "votes/paper.html",
        status=status,
        units=paper.units_without_ballot(vote) if vote.is_open else [],
        options=options,
        recorded=paper.paper_ballots(vote),
        counts=paper.counts(vote),
        today=today,
        scan_hint=paper.SCAN_HINT,
        scan_accept=paper.SCAN_ACCEPT,
        scan_again=request.method == "POST" and bool(form.errors) and bool(request.files.get(form.scan.name)),
        vote_url=vote_page_url(vote),
        **context,
    )


@bp.route("/votes/<int:vote_id>/paper/<int:ballot_id>/scan")
@requires()
def paper_scan(vote_id: int, ballot_id: int):
    """A paper ballot's scan, for the vote's managers only (to anyone else it is not there)."""
    vote = _vote(vote_id)
    ballot = Ballot.get_or_none((Ballot.id == ballot_id) & (Ballot.vote == vote.id) & (Ballot.channel == Ballot.PAPER))
    if ballot is None:
        abort(404)
    file = paper.scan_path(vote, ballot)
    return uploads.serve(
        file, mimetype=ballot.scan_content_type, inline=True, name=ballot.scan_original_name or file.name
    )


@bp.route("/votes/<int:vote_id>/paper/batch", methods=["GET", "POST"])
@requires_any(*MANAGERS)
def paper_batch(vote_id: int):
    """A batch of paper ballots from a spreadsheet: upload, see every row and error, confirm to store them all."""
    vote = _vote(vote_id)
    if request.method == "POST" and "token" in request.form:
        return _confirm(vote)
    form = PaperBatchForm()
    batch, token = None, ""
    if form.validate_on_submit():
        try:
            batch = paper.read_batch(vote, request.files.get(form.spreadsheet.name))
        except paper.BatchRefused as refused:
            form.spreadsheet.errors = [refused.message]
        else:
            token = paper.batch_token(vote, current_user.id, batch) if batch.ok else ""
    refused = request.method == "POST" and (bool(form.errors) or (batch is not None and not batch.ok))
    return _batch_page(vote, form, batch, token, status=422 if refused else 200)


def _confirm(vote: Vote):
    form = PaperBatchConfirmForm()
    rows = paper.rows_of_token(vote, current_user.id, form.token.data) if form.validate_on_submit() else None
    if rows is None:
        upload = PaperBatchForm(formdata=None)
        upload.form_errors.append(_("This preview has expired or is not yours: please upload the file again."))
        return _batch_page(vote, upload, None, "", status=422)
    try:
        stored = paper.confirm_batch(vote, current_user._get_current_object(), rows)
    except VoteRefused as refused:
        upload = PaperBatchForm(formdata=None)
        upload.form_errors.append(_("Nothing was stored: %(reason)s", reason=refused.message))
        return _batch_page(vote, upload, None, "", status=422)
    flash(_("%(count)d paper ballots are recorded.", count=stored), "success")
    return redirect(url_for("votes.paper", vote_id=vote.id))


def _batch_page(vote: Vote, form: PaperBatchForm, batch, token: str, status: int):
    return render(
        "votes/paper_batch.html",
        status=status,
        vote=vote,
        form=form,
        batch=batch,
        confirm=PaperBatchConfirmForm(formdata=None, token=token) if token else None,
        columns=paper.column_titles(),
        vote_url=vote_page_url(vote),
    )


@bp.route("/votes/<int:vote_id>/paper/batch/template.csv")
@requires_any(*MANAGERS)
def paper_batch_template(vote_id: int):
    """A CSV to fill in: the headers and every eligible unit that has not voted yet."""
    vote = _vote(vote_id)
    return csv_download(f"paper-ballots-{vote.id}.csv", paper.column_titles(), paper.template_rows(vote))
