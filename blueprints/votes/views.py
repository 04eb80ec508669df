"""The votes as residents see them (V1-V6): the list, a vote's page with a ballot for each unit the member
votes for, casting and changing it in place, the live results, the ballots of a public vote, the vote's
files and its discussion.

Every view loads the vote through queries.visible_vote: a draft is its managers' alone, a started vote is
read by roles holding any votes.* permission, anything else is a 404, by URL and by htmx alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask import abort, flash, g, make_response, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from blueprints.community import queries as discussions
from blueprints.community import threads
from blueprints.community.forms import PostForm, show_refusal
from blueprints.portal import two_factor
from blueprints.votes import ballots, bp, discussion, drafts, queries, results, rules, tally
from blueprints.votes.ballots import VoteRefused, VoterUnit
from blueprints.votes.forms import COUNTING, percent_text
from core import uploads
from core.access import requires, requires_any
from core.forms import ConfirmForm
from core.rendering import htmx, hx_redirect, render
from core.text import lazy_gettext as _l
from core.text import markdown
from models import permissions as perms
from models.votes import Ballot, Vote

VOTERS = (perms.VOTES_CAST, perms.VOTES_CAST_PER_ROLLAM, perms.VOTES_MANAGE, perms.VOTES_MANAGE_PER_ROLLAM)
# Sent with a ballot cast in place: the results on the page fetch themselves at once.
BALLOT_CAST = "porch:ballot-cast"


KIND_NAMES = {Vote.POLL: _l("Poll"), Vote.PER_ROLLAM: _l("Per-rollam vote")}


@bp.app_template_global()
def vote_kind_name(kind: str) -> str:
    return str(KIND_NAMES.get(kind, ""))


@bp.app_template_global()
def outcome_name(outcome: str) -> str:
    return str(results.OUTCOMES.get(outcome, ""))


@bp.app_template_global()
def counting_name(counting: str) -> str:
    return str(COUNTING.get(counting, ""))


@bp.app_template_filter()
def nowrap(text: str) -> Markup:
    """A date or time kept on one line ("24 Dec 2026, 03:02" never breaks at its hyphen or space)."""
    return Markup('<span class="nowrap">%s</span>') % text


@bp.app_template_global("percent")
def percent_typed(value: Fraction) -> str:
    """A rule's percentage as the board typed it, in the page's language: "50", "66.67" ("66,67")."""
    return format_decimal(Decimal(percent_text(value)), format="#,##0.####")


@bp.app_template_global()
def percent2(value: Fraction) -> str:
    """A result's percentage, rounded to two decimals for reading (decisions are exact)."""
    return tally.percent(value)


@bp.route("/votes")
@requires_any(*VOTERS)
def index():
    """Open votes first (with the member's units that have not voted), the drafts the member manages, then
    the closed votes with their outcome."""
    running, drafts_shown = queries.open_and_drafts(g.membership)
    page = max(request.args.get("page", 1, type=int), 1)
    closed, more = queries.closed_page(g.membership, page)
    return render(
        "votes/index.html",
        running=running,
        drafts=drafts_shown,
        closed=closed,
        more=more,
        page_number=page,
        managed=queries.managed_kinds(g.membership),
    )


# --- a vote's page ------------------------------------------------------------------------------------------


@dataclass
class BallotBox:
    """A unit the member votes for, its ballot so far, and what was said about the last try."""

    voter: VoterUnit
    ballot: Ballot | None
    message: str = ""
    just_cast: bool = False
    kept_option: int | None = None  # the choice made before the second factor was asked, to cast again

    @property
    def unit(self):
        return self.voter.unit

    @property
    def weight(self) -> str:
        return results.exact(Fraction(*self.voter.weight))


def _boxes(vote: Vote) -> list[BallotBox]:
    """A ballot box for each unit the member may vote for today (none where they may not cast this kind)."""
    if vote.state != Vote.RUNNING or not queries.may_cast(g.membership, vote):
        return []
    found = queries.voter_ballots(vote, g.membership.person_id, g.association.today())
    return [BallotBox(row.voter, row.ballot) for row in found]


def _vote_context(vote: Vote, boxes: list[BallotBox] | None = None, *, post_form=None, reply_message=None) -> dict:
    files_url = url_for("votes.vote", vote_id=vote.id) + "/files/"
    return dict(
        vote=vote,
        body=markdown(vote.body, images_under=files_url),
        law=rules.preset(vote.jurisdiction) if vote.is_per_rollam else None,
        files=queries.attachments_of(vote),
        options=queries.options_of(vote),
        boxes=_boxes(vote) if boxes is None else boxes,
        results=results.of(vote) if queries.shows_results(g.membership, vote) else None,
        shows_ballots=queries.shows_ballots(g.membership, vote),
        manages=queries.manages(g.membership, vote),
        may_cast=queries.may_cast(g.membership, vote),
        discussion=_discussion(vote, post_form, reply_message),
        start_form=ConfirmForm(formdata=None),
    )


@bp.route("/votes/<int:vote_id>")
@requires()
def vote(vote_id: int):
    """A vote: the question or resolution, its details and files, a ballot for each unit the member votes
    for, the results when they show, and the discussion below."""
    shown = queries.visible_vote(g.membership, vote_id)
    boxes = _boxes(shown)
    _keep_choice(boxes, request.args.get("unit", type=int), request.args.get("option", type=int))
    return render("votes/vote.html", **_vote_context(shown, boxes))


def _keep_choice(boxes: list[BallotBox], unit_id: int | None, option_id: int | None) -> None:
    """Back from giving the second factor: the unit's form shows the choice the member had made."""
    box = next((box for box in boxes if box.unit.id == unit_id), None)
    if box is not None and option_id:
        box.kept_option = option_id


@bp.route("/votes/<int:vote_id>/ballot", methods=["POST"])
@requires()
def cast(vote_id: int):
    """Cast or change a unit's ballot: in place with htmx (the unit's ballot swaps), else POST-redirect-GET.
    A refusal is shown beside the unit's form (422)."""
    shown = queries.visible_vote(g.membership, vote_id)
    if shown.state == Vote.DRAFT:
        abort(404)
    if not queries.may_cast(g.membership, shown):
        abort(403)
    unit_id, option_id = request.form.get("unit", type=int), request.form.get("option", type=int)
    if shown.is_per_rollam:
        # Back on the vote's page after the second factor, the form still shows the choice made.
        back = url_for("votes.vote", vote_id=shown.id, unit=unit_id, option=option_id) + f"#ballot-{unit_id}"
        step_up = two_factor.step_up_needed(perms.VOTES_CAST_PER_ROLLAM, back)
        if step_up is not None:
            return step_up
    try:
        ballot = ballots.cast(shown, g.membership, unit_id, option_id)
    except VoteRefused as refused:
        return _refused(shown, unit_id, refused.message)
    if htmx:
        box = next(box for box in _boxes(shown) if box.unit.id == unit_id)
        box.ballot, box.just_cast = queries.ballots_of_units(shown, [unit_id])[unit_id], True
        response = make_response(render("votes/_ballot.html", box=box, vote=shown, options=queries.options_of(shown)))
        response.headers["HX-Trigger"] = BALLOT_CAST
        return response
    flash(_("Your ballot for %(unit)s is cast. Your receipt: %(receipt)s", unit=ballot.unit.title,
            receipt=ballot.receipt), "success")  # fmt: skip
    return redirect(url_for("votes.vote", vote_id=shown.id) + f"#ballot-{unit_id}")


def _refused(shown: Vote, unit_id: int | None, message: str):
    """The refusal beside the unit's form (422): its part for htmx, else the whole page."""
    boxes = _boxes(shown)
    box = next((box for box in boxes if box.unit.id == unit_id), None)
    if box is not None:
        box.message = message
        if htmx:
            return render("votes/_ballot.html", box=box, vote=shown, options=queries.options_of(shown), status=422)
    context = _vote_context(shown, boxes)
    return render("votes/vote.html", status=422, refusal=None if box else message, **context)


# --- results and ballots ---------------------------------------------------------------------------------------


@bp.route("/votes/<int:vote_id>/results")
@requires()
def results_part(vote_id: int):
    """The results: the pie, its legend and table, the turnout (and a per-rollam vote's rule). While the vote
    runs the part polls itself every 5 s; once closed it answers 286, and htmx stops polling."""
    shown = queries.visible_vote(g.membership, vote_id)
    if not queries.shows_results(g.membership, shown):
        abort(404)
    status = 286 if htmx and shown.state == Vote.CLOSED else 200
    return render("votes/results.html", "votes/_results.html", status=status, vote=shown, results=results.of(shown))


@bp.route("/votes/<int:vote_id>/ballots")
@requires()
def ballot_list(vote_id: int):
    """Each unit's ballot: a public vote's to members (when its results show), a secret vote's to its
    managers only (404 for anyone else, by URL and by htmx)."""
    shown = queries.visible_vote(g.membership, vote_id)
    if not queries.shows_ballots(g.membership, shown):
        abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    rows, more = queries.ballot_rows(shown, page)
    return render(
        "votes/ballots.html", "votes/_ballots.html", vote=shown, rows=rows, more=more, page_number=page,
    )  # fmt: skip


@bp.route("/votes/<int:vote_id>/files/<int:attachment_id>")
@requires()
def attachment(vote_id: int, attachment_id: int):
    """One of the vote's files, after the vote's own check: pictures and PDFs open in the browser."""
    shown = queries.visible_vote(g.membership, vote_id)
    row = queries.attachment_of(shown, attachment_id)
    inline = row.content_type.startswith("image/") or row.content_type == "application/pdf"
    return uploads.serve(drafts.path(shown, row), mimetype=row.content_type, inline=inline, name=row.original_name)


# --- the discussion below ---------------------------------------------------------------------------------------


def _discussion(vote: Vote, form=None, message=None) -> dict | None:
    """The vote's thread (its last page of posts) and the reply form; read-only once the vote is closed."""
    if vote.state == Vote.DRAFT:
        return None
    thread = queries.thread_of(vote)
    found = dict(thread=thread, posts=[], earlier=False, following=False, since_number=0, page_number=1)
    if thread is not None:
        standing = discussions.last_standing(thread)
        last = discussions.page_count(standing)
        found.update(
            posts=discussions.posts_between(g.membership, thread, (last - 1) * discussions.PAGE + 1,
                                            last * discussions.PAGE, standing),
            earlier=last > 1,
            following=discussions.is_following(g.membership, thread),
            since_number=thread.post_count,
            page_number=last,
        )  # fmt: skip
    found.update(
        form=form or PostForm(formdata=None),
        reply_action=url_for("votes.vote_reply", vote_id=vote.id),
        reply_message=message,
        may_post=discussions.may_post(thread) and vote.state != Vote.CLOSED,
        frozen=vote.state == Vote.CLOSED or (thread is not None and thread.locked),
        body_hint=discussions.BODY_HINT,
        files_accept=discussions.FILES_ACCEPT,
        max_mb=g.association.document_max_mb or 5,
    )
    return found


@bp.route("/votes/<int:vote_id>/posts", methods=["POST"])
@requires(perms.DISCUSSIONS_POST)
def vote_reply(vote_id: int):
    """A post in the vote's discussion (refused once the vote is closed: the discussion is frozen)."""
    shown = queries.visible_vote(g.membership, vote_id)
    if shown.state == Vote.DRAFT:
        abort(404)
    form = PostForm()
    message = None
    if form.validate_on_submit():
        try:
            if shown.state == Vote.CLOSED:
                raise threads.PostingRefused(_("This vote is closed: its discussion takes no new posts."))
            post = threads.reply(g.membership, discussion.thread_for(shown), _draft(form))
        except threads.PostingRefused as refused:
            message = show_refusal(form, refused)
        else:
            response = hx_redirect(url_for("votes.vote", vote_id=shown.id) + f"#post-{post.id}")
            if htmx:
                response.headers["HX-Refresh"] = "true"  # the page is open at another #post-…
            return response
    context = _discussion(shown, form, message)
    return render("votes/reply.html", "community/_reply_form.html", status=422, vote=shown, **context)


def _draft(form: PostForm) -> threads.Draft:
    quote_of = form.quote_of.data
    return threads.Draft(
        body=form.body.data or "",
        quote_of=int(quote_of) if quote_of and str(quote_of).isdigit() else None,
        files=request.files.getlist(form.files.name),
    )
