"""The Discussions place (C1): the categories a member reads and their topics, newest activity first;
starting a topic; following a whole category."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from blueprints.community import bp, queries, threads
from blueprints.community.forms import BODY_HINT, TopicForm, show_refusal
from blueprints.documents.forms import FILES_ACCEPT
from core.access import requires
from core.rendering import htmx, hx_redirect, render
from core.text import gettext as _
from models import permissions as perms


@bp.route("/discussions")
@requires()
def topics():
    """The categories the member reads, and a page of their topics."""
    return _topics_page(None)


@bp.route("/discussions/categories/<int:category_id>")
@requires()
def category(category_id: int):
    """One category's topics."""
    return _topics_page(queries.readable_category(g.membership, category_id))


def _topics_page(shown):
    page = max(request.args.get("page", 1, type=int), 1)
    found, more = queries.topics_page(g.membership, page, shown)
    return render(
        "community/topics.html",
        "community/_topic_list.html",
        category=shown,
        categories=queries.readable_categories(g.membership),
        topics=found,
        more=more,
        page_number=page,
        may_post=queries.may_post(None),
        follows_category=queries.follows_scope(g.membership, category_id=shown.id) if shown else False,
    )


@bp.route("/discussions/new", methods=["GET", "POST"])
@requires(perms.DISCUSSIONS_POST)
def topic_new():
    """Start a topic in a category the member reads: its title and first post (with files)."""
    categories = queries.readable_categories(g.membership)
    form = TopicForm()
    form.category.choices = [(c.id, c.name) for c in categories]
    if request.method == "GET" and request.args.get("category", type=int):
        form.category.data = request.args.get("category", type=int)
    message = None
    if form.validate_on_submit():
        chosen = queries.readable_category(g.membership, form.category.data)
        draft = threads.Draft(body=form.body.data or "", files=request.files.getlist(form.files.name))
        try:
            thread = threads.start_topic(g.membership, chosen, form.title.data, draft)
        except threads.PostingRefused as refused:
            message = show_refusal(form, refused)
        else:
            flash(_("Your topic is started."), "success")
            return hx_redirect(url_for("community.thread", thread_id=thread.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "community/topic_form.html", status=status, form=form, message=message, body_hint=BODY_HINT,
        files_accept=FILES_ACCEPT, max_mb=g.association.document_max_mb or 5,
    )  # fmt: skip


@bp.route("/discussions/categories/<int:category_id>/follow", methods=["POST"])
@requires()
def category_follow(category_id: int):
    """Follow (or stop following) every topic of a category."""
    shown = queries.readable_category(g.membership, category_id)
    following = threads.toggle_scope_follow(g.membership, category_id=shown.id)
    if htmx:
        return render("community/_category_follow.html", category=shown, follows_category=following)
    flash(_("You follow this category.") if following else _("You no longer follow this category."), "success")
    return redirect(url_for("community.category", category_id=shown.id))
