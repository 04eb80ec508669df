"""The board drafts and starts votes (V1, V3; seed 004 §4.4, §4.15): a poll (votes.manage) or a per-rollam
vote (votes.manage_per_rollam), saved as a draft, changed, deleted, and started after a confirmation.

Once started a vote's options are locked: its edit and delete pages answer 403, by URL too. A per-rollam
vote follows a law (rules.PRESETS): choosing one fills the rule's defaults, in place with htmx and on
submit without it, and the law's checks (rules.problems) keep it from starting outside them.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.documents.forms import FILES_ACCEPT
from blueprints.votes import ballots, bp, drafts, guard, queries, rules
from blueprints.votes.forms import PerRollamForm, PollForm, option_lines
from core import clock
from core.access import requires
from core.forms import ConfirmForm
from core.rendering import render
from models import permissions as perms
from models.documents import Folder
from models.votes import Vote


@bp.route("/votes/new/poll", methods=["GET", "POST"])
@requires(perms.VOTES_MANAGE)
def new_poll():
    """Draft a poll: the question, details, files, options one per line, the end, counting, secrecy, live
    results; save it as a draft or go on to start it."""
    return _draft_page(None, Vote.POLL)


@bp.route("/votes/new/per-rollam", methods=["GET", "POST"])
@requires(perms.VOTES_MANAGE_PER_ROLLAM)
def new_per_rollam():
    """Draft a per-rollam vote: the law it follows, a short title, the resolution, the rule, the end, and
    where the result is published."""
    return _draft_page(None, Vote.PER_ROLLAM)


@bp.route("/votes/<int:draft_id>/edit", methods=["GET", "POST"])
@requires()
def edit(draft_id: int):
    """Change a draft (a started vote's options are locked: 403)."""
    return _draft_page(_own_draft(draft_id), None)


def _own_draft(vote_id: int) -> Vote:
    """A draft the member manages; a started vote is refused (403), anything they may not see is a 404."""
    vote = queries.visible_vote(g.membership, vote_id)
    if not queries.manages(g.membership, vote):
        abort(403)
    if vote.state != Vote.DRAFT:
        abort(403)
    guard.step_up_to_manage(vote)
    return vote


def _draft_page(vote: Vote | None, kind: str | None):
    kind = vote.kind if vote is not None else kind
    form = _form(kind, vote)
    if kind == Vote.PER_ROLLAM and "refill" in request.form:
        # The law was chosen (htmx sends the form on change; without it, the Apply button): its defaults.
        form.fill_from_law(form.jurisdiction.data)
        return render("votes/draft_form.html", "votes/_rule_fields.html", **_form_context(form, vote, kind))
    if form.validate_on_submit():
        removed = {int(v) for v in request.form.getlist("remove") if v.isdigit()}
        try:
            vote = drafts.save(vote, _draft(form, kind), g.association, current_user, request.files.getlist("files"),
                               removed)  # fmt: skip
        except drafts.AttachmentRefused as refused:
            form.files.errors.append(str(refused.message))
        except drafts.DraftLocked:
            abort(403)
        else:
            if request.form.get("action") != "start":
                flash(_("The draft is saved."), "success")
                return redirect(url_for("votes.vote", vote_id=vote.id))
            found = drafts.problems(vote)
            if not found:
                return redirect(url_for("votes.start", draft_id=vote.id))
            for name, message in found:
                getattr(form, name, form.ends_at).errors.append(message)
            flash(_("The draft is saved, but it cannot start yet: see below."), "warning")
    status = 422 if request.method == "POST" else 200
    return render("votes/draft_form.html", status=status, **_form_context(form, vote, kind))


def _form(kind: str, vote: Vote | None):
    cls = PerRollamForm if kind == Vote.PER_ROLLAM else PollForm
    if request.method == "POST":
        form = cls()
    elif vote is not None:
        form = cls(formdata=None, **_stored(vote))
    else:
        form = cls(formdata=None)
        if kind == Vote.PER_ROLLAM:
            form.fill_from_law(rules.suggested(g.association.locale))
            form.result_folder.data = _minutes_folder_id()
    if kind == Vote.PER_ROLLAM:
        form.result_folder.choices = [SelectChoice(0, _("Do not publish it in a folder"))] + [
            SelectChoice(folder.id, folder.name) for folder in _writable_folders()
        ]
    return form


def _stored(vote: Vote) -> dict:
    """A draft's values as its form shows them (the end on the association's clock)."""
    values = dict(
        title=vote.title, body=vote.body, ends_at=_local(vote.ends_at), counting=vote.counting, secret=vote.secret,
        live_results=vote.live_results,
    )  # fmt: skip
    if vote.kind == Vote.POLL:
        return values | {"options": "\n".join(option.label for option in queries.options_of(vote))}
    return values | dict(
        jurisdiction=vote.jurisdiction, resolution=vote.resolution, evaluation=vote.evaluation,
        threshold=vote.threshold, quorum=vote.quorum, reminders=vote.reminders,
        result_folder=vote.result_folder_id or 0,
    )  # fmt: skip


def _local(stored):
    return clock.to_local(stored, g.association).replace(tzinfo=None, second=0, microsecond=0) if stored else None


def _writable_folders() -> list[Folder]:
    """The folders the board's role writes in: where a result can be published."""
    return list(
        Folder.of(g.association)
        .where(Folder.id.in_(Folder.writable_ids(g.membership.role_id)))
        .order_by(Folder.position, Folder.id)
    )


def _minutes_folder_id() -> int | None:
    return next((f.id for f in _writable_folders() if f.key == Folder.MINUTES), None)


def _draft(form, kind: str) -> drafts.Draft:
    common = dict(
        kind=kind,
        title=form.title.data,
        body=form.body.data or "",
        ends_at=clock.to_utc_naive(form.ends_at.data, g.association),
        counting=form.counting.data,
        secret=bool(form.secret.data),
        live_results=bool(form.live_results.data),
    )
    if kind == Vote.POLL:
        return drafts.Draft(options=option_lines(form.options.data), **common)
    # Not sent at all: the Minutes folder, as the form offers; 0: "do not publish it in a folder".
    folder = _minutes_folder_id() if form.result_folder.data is None else (form.result_folder.data or None)
    if folder is not None and folder not in {f.id for f in _writable_folders()}:
        folder = None
    return drafts.Draft(
        resolution=form.resolution.data.strip(), jurisdiction=form.jurisdiction.data,
        evaluation=form.evaluation.data, threshold=form.threshold.data, quorum=form.quorum.data or 0,
        reminders=bool(form.reminders.data), result_folder_id=folder, **common,
    )  # fmt: skip


def _form_context(form, vote: Vote | None, kind: str) -> dict:
    chosen = rules.preset(form.jurisdiction.data) if kind == Vote.PER_ROLLAM else None
    return dict(
        form=form,
        vote=vote,
        kind=kind,
        law=chosen,
        presets=rules.PRESETS,
        files=queries.attachments_of(vote) if vote is not None else [],
        files_accept=FILES_ACCEPT,
        max_mb=g.association.document_max_mb or 5,
        action=request.path,
    )


@bp.route("/votes/<int:draft_id>/delete", methods=["GET", "POST"])
@requires()
def delete(draft_id: int):
    """Delete a draft and its files, after asking (a started vote stays: 403)."""
    vote = _own_draft(draft_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            drafts.remove(vote, g.association)
        except drafts.DraftLocked:
            abort(403)
        flash(_("The draft “%(title)s” is deleted.", title=vote.title), "success")
        return redirect(url_for("votes.index"))
    return render("votes/delete.html", form=form, vote=vote)


@bp.route("/votes/<int:draft_id>/start", methods=["GET", "POST"])
@requires()
def start(draft_id: int):
    """Start a draft, after a confirmation: the units and weights freeze, the options lock, and it closes
    itself at its end. What keeps it from starting (the end, the options, the law) is listed (422)."""
    vote = _own_draft(draft_id)
    form = ConfirmForm()
    found = drafts.problems(vote)
    if form.validate_on_submit() and not found:
        try:
            ballots.start(vote)
        except ballots.VoteRefused as refused:
            found = [(refused.field or "", refused.message)]
        else:
            flash(_("The vote has started. Owners can vote until its end."), "success")
            return redirect(url_for("votes.vote", vote_id=vote.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "votes/start.html", status=status, form=form, vote=vote, problems=[message for _field, message in found],
        options=queries.options_of(vote), law=rules.preset(vote.jurisdiction) if vote.is_per_rollam else None,
    )  # fmt: skip
