"""Moderation's pages and actions (SPEC C3, issue 11 item 4): members flag posts; the board works through the
queue of flagged posts, hides, restores and deletes posts, locks, unlocks and moves threads, pauses members,
and reads the log.

Every action is a form that posts and redirects back (to the post in its thread, or to the queue) without
JavaScript; with htmx an action on a post answers with the post component (_post.html, through
queries.post_context) that replaces the post's <article>, and an action in the queue with the queue's row.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.community import bp, moderation, queries
from blueprints.community.moderation import ModerationError
from blueprints.community.moderation_forms import FlagForm, HideForm, MoveForm, PauseForm, ReasonForm
from core.access import requires
from core.rendering import htmx, hx_redirect, render
from core.text import date as format_date
from core.text import gettext as _
from models import permissions as perms
from models.community import ModerationLog, Post, Thread

MODERATE = perms.DISCUSSIONS_MODERATE
QUEUE = "queue"  # the `back` field of a form in the queue: the answer goes there


def _me():
    return current_user._get_current_object()


def _from_queue() -> bool:
    return (request.form.get("back") or request.args.get("back")) == QUEUE


def _post(post_id: int) -> Post:
    """A post of a thread the member reads (with its author's name, and its thread as `post.thread`); else 404."""
    shown, in_thread = queries.visible_post(g.membership, post_id)
    shown.thread = in_thread
    return shown


def _post_component(post: Post, *, status: int = 200, **extra):
    """The post's component (its <article>), with a form or a message of ours in it."""
    context = queries.post_context(g.membership, post, post.thread)
    context.update(extra)
    return render("community/post_action.html", "community/_post.html", status=status, **context)


def _fresh(post: Post) -> Post:
    return _post(post.id)


def _done(post: Post, message: str):
    """After an action on a post: the row in the queue or the post in place (htmx); else back where it was."""
    if htmx and _from_queue():
        return render_template("community/_queue_done.html", post=post, message=message)
    if htmx:
        return _post_component(_fresh(post), moderation_message=message)
    flash(message, "success")
    if _from_queue():
        return redirect(url_for("community.moderation"))
    return redirect(url_for("community.post_permalink", post_id=post.id))


def _refused(post: Post, error: ModerationError, form=None, form_name: str | None = None):
    """A refused action: the form again with the sentence and what was typed (422), or the sentence alone."""
    if form is not None and form_name:
        field = getattr(form, error.field or "", None) or getattr(form, "reason", None)
        if field is not None:
            field.errors = [*field.errors, str(error.message)]
        return _post_component(post, status=422, **{form_name: form})
    if htmx and _from_queue():
        return render_template("community/_queue_done.html", post=post, message=str(error.message), refused=True)
    if htmx:  # the post says why, where its own refusals show (_post.html's `refusal`)
        return _post_component(post, status=422, refusal=str(error.message))
    flash(str(error.message), "error")
    return redirect(
        url_for("community.moderation") if _from_queue() else url_for("community.post_permalink", post_id=post.id)
    )


# --- flags (readers) --------------------------------------------------------------------------------


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@requires(perms.DISCUSSIONS_POST)
def post_flag(post_id: int):
    """Flag a post to the board with a reason (not one's own); the form opens in the post's place."""
    post = _post(post_id)
    if post.author_id == current_user.id:
        abort(403)
    if not post.is_visible:
        return _refused(post, ModerationError(_("This post is no longer shown: there is nothing to flag.")))
    form = FlagForm() if request.method == "POST" else FlagForm(formdata=None)
    if form.validate_on_submit():
        try:
            moderation.flag(post, _me(), form.reason.data)
        except ModerationError as error:
            return _refused(post, error, form, "flag_form")
        message = _("Thank you: the board will look at the post.")
        if htmx:
            return _post_component(_fresh(post), moderation_message=message)
        flash(message, "success")
        return redirect(url_for("community.post_permalink", post_id=post.id))
    return _post_component(post, status=422 if form.errors else 200, flag_form=form)


# --- actions on a post (the board) -------------------------------------------------------------------


@bp.route("/moderation/posts/<int:post_id>/hide", methods=["GET", "POST"])
@requires(MODERATE)
def moderate_hide(post_id: int):
    """Hide a post with a reason its author reads; the form opens in the post's place."""
    post = _post(post_id)
    form = HideForm() if request.method == "POST" else HideForm(formdata=None)
    if form.validate_on_submit():
        try:
            moderation.hide(post, _me(), form.reason.data)
        except ModerationError as error:
            if _from_queue():
                return _refused(post, error)
            return _refused(post, error, form, "hide_form")
        return _done(post, _("The post is hidden. Its author sees your reason."))
    if request.method == "POST" and _from_queue():
        return _refused(post, ModerationError(form.reason.errors[0] if form.reason.errors else _("Give a reason.")))
    return _post_component(post, status=422 if form.errors else 200, hide_form=form)


@bp.route("/moderation/posts/<int:post_id>/restore", methods=["POST"])
@requires(MODERATE)
def moderate_restore(post_id: int):
    """Show a hidden post again."""
    post = _post(post_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refused(post, ModerationError(_("Keep the reason short.")))
    try:
        moderation.restore(post, _me(), form.reason.data)
    except ModerationError as error:
        return _refused(post, error)
    return _done(post, _("The post is shown again."))


@bp.route("/moderation/posts/<int:post_id>/delete", methods=["GET", "POST"])
@requires(MODERATE)
def moderate_delete(post_id: int):
    """Delete a post for good, after asking; its place in the thread says the board deleted it."""
    post = _post(post_id)
    form = ReasonForm() if request.method == "POST" else ReasonForm(formdata=None)
    if form.validate_on_submit():
        try:
            moderation.delete(post, _me(), form.reason.data)
        except ModerationError as error:
            return _refused(post, error)
        return _done(post, _("The post is deleted."))
    if _from_queue() and not htmx:
        return render(
            "community/moderation_delete.html", post=post, form=form, title=queries.title_of(post.thread),
            status=422 if form.errors else 200,
        )  # fmt: skip
    return _post_component(post, status=422 if form.errors else 200, delete_form=form)


@bp.route("/moderation/posts/<int:post_id>/dismiss", methods=["POST"])
@requires(MODERATE)
def moderate_dismiss(post_id: int):
    """Resolve a post's open flags and leave the post as it is."""
    post = _post(post_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refused(post, ModerationError(_("Keep the reason short.")))
    try:
        count = moderation.dismiss_flags(post, _me(), form.reason.data)
    except ModerationError as error:
        return _refused(post, error)
    return _done(post, ngettext("%(num)d flag dismissed.", "%(num)d flags dismissed.", count))


# --- actions on a thread (the board) ------------------------------------------------------------------


def _thread_bar(thread: Thread, *, status: int = 200, **extra):
    """The thread's moderation bar (htmx) or a page holding it (without JavaScript)."""
    return render(
        "community/thread_moderation.html",
        "community/_thread_moderation.html",
        thread=thread,
        title=queries.title_of(thread),
        may_moderate=True,  # the routes that show it require it
        status=status,
        **extra,
    )


def _back_to_thread(thread: Thread, message: str):
    """Back to the thread page with the message. With htmx too: the reply form below the posts comes and
    goes with the lock, so the whole page loads again (HX-Refresh) rather than this bar alone."""
    flash(message, "success")
    if htmx:
        response = _thread_bar(thread)
        response.headers["HX-Refresh"] = "true"
        return response
    return redirect(url_for("community.thread", thread_id=thread.id))


def _set_locked(thread_id: int, locked: bool):
    thread = queries.visible_thread(g.membership, thread_id)
    form = ReasonForm()
    try:
        if not form.validate_on_submit():
            raise ModerationError(_("Keep the reason short."))
        moderation.set_locked(thread, _me(), locked, form.reason.data)
    except ModerationError as error:
        if htmx:
            return _thread_bar(thread, status=422, moderation_message=str(error.message), moderation_refused=True)
        flash(str(error.message), "error")
        return redirect(url_for("community.thread", thread_id=thread.id))
    message = _("The thread is locked: it takes no new posts.") if locked else _("The thread is open for posts again.")
    return _back_to_thread(thread, message)


@bp.route("/moderation/threads/<int:thread_id>/lock", methods=["POST"])
@requires(MODERATE)
def thread_lock(thread_id: int):
    """Lock a thread: it stays readable and takes no new posts."""
    return _set_locked(thread_id, True)


@bp.route("/moderation/threads/<int:thread_id>/unlock", methods=["POST"])
@requires(MODERATE)
def thread_unlock(thread_id: int):
    """Unlock a thread."""
    return _set_locked(thread_id, False)


@bp.route("/moderation/threads/<int:thread_id>/move", methods=["GET", "POST"])
@requires(MODERATE)
def thread_move(thread_id: int):
    """Move a topic to another category (its readers become that category's); a document's thread stays."""
    thread = queries.visible_thread(g.membership, thread_id)
    if not thread.is_topic:
        abort(404)
    categories = moderation.topic_categories(g.association.id)
    form = MoveForm() if request.method == "POST" else MoveForm(formdata=None, category=thread.category_id)
    form.category.choices = [SelectChoice(c.id, c.name) for c in categories]
    if form.validate_on_submit():
        target = next((c for c in categories if c.id == form.category.data), None)
        try:
            if target is None:
                raise ModerationError(_("Choose one of this association's categories."), "category")
            moderation.move(thread, target, _me(), form.reason.data)
        except ModerationError as error:
            getattr(form, error.field or "category").errors.append(str(error.message))
        else:
            flash(_("The topic is moved to “%(name)s”.", name=target.name), "success")
            return hx_redirect(url_for("community.thread", thread_id=thread.id))
    return _thread_bar(thread, status=422 if form.errors else 200, move_form=form)


# --- the queue, the log, the pauses (the board's pages) ----------------------------------------------------


def _page() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


@bp.route("/moderation", endpoint="moderation")
@requires(MODERATE)
def moderation_queue():
    """Flagged posts, longest waiting first: each with its text, thread, author, the reasons and who flagged."""
    page = _page()
    items, more = moderation.queue(g.membership, page)
    return render(
        "community/moderation.html",
        items=items,
        page_number=page,
        more=more,
        hide_form=HideForm(formdata=None),
        thread_title=queries.title_of,
    )


def _log_detail(row: ModerationLog) -> str:
    """The log row's detail in words: a pause's last day, how many flags, where a topic moved."""
    if row.action in (ModerationLog.PAUSE, ModerationLog.LIFT_PAUSE) and row.detail:
        try:
            day = format_date(dt.date.fromisoformat(row.detail))
        except ValueError:
            return row.detail
        return _("until %(date)s", date=day) if row.action == ModerationLog.PAUSE else _("was until %(date)s", date=day)
    if row.action == ModerationLog.DISMISS_FLAGS and row.detail.isdigit():
        return ngettext("%(num)d flag", "%(num)d flags", int(row.detail))
    return row.detail


@bp.route("/moderation/log")
@requires(MODERATE)
def moderation_log():
    """Every moderation action, newest first, filtered by action, member or moderator."""
    filters = moderation.LogFilters.from_args(request.args)
    page = _page()
    rows, more = moderation.log_page(g.association, filters, page)
    return render(
        "community/moderation_log.html",
        rows=rows,
        more=more,
        page_number=page,
        filters=filters,
        actions=moderation.ACTION_LABELS,
        members=moderation.posters(g.association),
        moderators=moderation.moderators(g.association),
        thread_title=queries.title_of,
        log_detail=_log_detail,
    )


def _pause_form() -> PauseForm:
    form = PauseForm() if request.method == "POST" else PauseForm(formdata=None)
    form.member.choices = [SelectChoice(0, "—")] + [
        SelectChoice(user.id, f"{user.display_name} ({user.email})") for user in moderation.posters(g.association)
    ]
    return form


@bp.route("/moderation/pauses", methods=["GET", "POST"])
@requires(MODERATE)
def pauses():
    """Posting pauses in force and past ones; pause a member until a day, with a reason."""
    form = _pause_form()
    if form.validate_on_submit():
        member = next((u for u in moderation.posters(g.association) if u.id == form.member.data), None)
        try:
            if member is None:
                raise ModerationError(_("Choose the member."), "member")
            row = moderation.pause(g.association, member, form.until.data, form.reason.data, _me())
        except ModerationError as error:
            getattr(form, error.field or "reason").errors.append(str(error.message))
        else:
            flash(
                _("%(name)s may not post until %(date)s.", name=member.display_name, date=format_date(row.until)),
                "success",
            )
            return redirect(url_for("community.pauses"))
    current, past = moderation.pauses(g.association)
    return render(
        "community/pauses.html",
        form=form,
        current=current,
        past=past,
        today=g.association.today(),
        status=422 if form.errors else 200,
    )


@bp.route("/moderation/pauses/<int:pause_id>/lift", methods=["POST"])
@requires(MODERATE)
def pause_lift(pause_id: int):
    """End a posting pause now."""
    row = moderation.board_pause(g.association, pause_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            moderation.lift(row, _me())
        except ModerationError as error:
            flash(str(error.message), "error")
        else:
            flash(_("The pause is lifted: the member may post again."), "success")
    return redirect(url_for("community.pauses"))
