"""A discussion and its posts (C1): the thread's pages, replying (also below a document), the post
component, editing in place within the board's window, an author's delete, revisions for the board, post
files, the poll for new posts, and follows.

Every view loads through queries.py: a thread the member cannot read, and its posts and files, answer 404.
"""

from __future__ import annotations

import peewee as pw
from flask import abort, current_app, flash, g, make_response, redirect, request, url_for
from markupsafe import Markup

from blueprints.community import attachments, bp, queries, threads
from blueprints.community.forms import BODY_HINT, EditForm, PostForm, show_refusal
from blueprints.documents import queries as documents
from core import uploads
from core.access import requires
from core.rendering import htmx, hx_redirect, render, url_with_id
from core.text import gettext as _
from models import User
from models import permissions as perms
from models.community import Post, PostAttachment, PostRevision, Thread
from models.documents import Document


@bp.app_template_global()
def post_component(context: dict) -> Markup:
    """One post of a list (a page, the poll, below a document) from its queries.post_context().

    Rendered from the template itself with the request's template context worked out once: through
    render_template every post of a page ran the context processors again (a fifth of a thread page)."""
    shared = g.get("post_template_context")
    if shared is None:
        shared = g.post_template_context = {}
        current_app.update_template_context(shared)
    template = current_app.jinja_env.get_template("community/_post.html")
    return Markup(template.render({**shared, **context}))


@bp.app_template_global()
def post_url(endpoint: str, post_id: int, **values) -> str:
    """url_for(endpoint, post_id=…, **values): a page of thirty posts links each half a dozen times, so each
    endpoint's address is built once a request (core.rendering.url_with_id)."""
    return url_with_id(endpoint, "post_id", post_id, **values)


# --- the thread ---------------------------------------------------------------------------------------


@bp.route("/discussions/<int:thread_id>")
@requires()
def thread(thread_id: int):
    """A page of a thread's posts (by number range), and the reply form at the end; ?quote=<post id>
    starts the reply with that post quoted (with htmx: just the form)."""
    shown = queries.visible_thread(g.membership, thread_id)
    form = PostForm(formdata=None)
    quoting = request.args.get("quote", type=int)
    if quoting:
        _start_with_quote(form, shown, quoting)
    part = "community/_reply_form.html" if quoting else None
    # A thread opens at its first page; quoting, at its last, where the reply form is.
    page = request.args.get("page", None if quoting else 1, type=int)
    return render("community/thread.html", part, **thread_page(shown, page, form))


def thread_page(shown: Thread, page: int | None, form: PostForm, message: str | None = None) -> dict:
    """What the thread's page shows: page `page` of its posts (the last when None), the reply form."""
    standing = queries.last_standing(shown)
    pages = queries.page_count(standing)
    page = pages if page is None else min(max(page, 1), pages)
    first, last = (page - 1) * queries.PAGE + 1, page * queries.PAGE
    return dict(
        thread=shown,
        title=queries.title_of(shown),
        posts=queries.posts_between(g.membership, shown, first, last, standing),
        page_number=page,
        pages=pages,
        is_last_page=page == pages,
        since_number=shown.post_count,
        may_moderate=queries.may_moderate(),
        following=queries.is_following(g.membership, shown),
        **queries.reply_context(shown, form, message),
    )


def _start_with_quote(form: PostForm, shown: Thread, post_id: int) -> None:
    post = Post.select(Post, User.id, User.name).join(User, on=(Post.author == User.id)).where(
        (Post.id == post_id) & (Post.thread == shown.id) & (Post.state == Post.VISIBLE)
    ).first()  # fmt: skip
    if post is not None:
        form.body.data = threads.quoted(post, queries.author_name(post))
        form.quote_of.data = str(post.id)


@bp.route("/discussions/<int:thread_id>/since/<int:number>")
@requires()
def thread_since(thread_id: int, number: int):
    """The poll: the thread's posts after `number`, and the poll again from the last one (none once
    the thread is locked)."""
    shown = queries.visible_thread(g.membership, thread_id)
    posts, upto = [], number
    if shown.post_count > number:
        upto = min(shown.post_count, number + queries.PAGE)
        posts = queries.posts_between(g.membership, shown, number + 1, upto, queries.last_standing(shown))
    return render(
        "community/_thread_since.html", thread=shown, posts=posts, since_number=upto, is_last_page=True,
        page_number=queries.page_of(max(upto, 1)),
    )  # fmt: skip


# --- writing --------------------------------------------------------------------------------------------


@bp.route("/discussions/<int:thread_id>/posts", methods=["POST"])
@requires(perms.DISCUSSIONS_POST)
def reply(thread_id: int):
    """A reply at the end of the thread."""
    shown = queries.visible_thread(g.membership, thread_id)
    form = PostForm()
    message = None
    if form.validate_on_submit():
        try:
            post = threads.reply(g.membership, shown, _draft(form))
        except threads.PostingRefused as refused:
            message = show_refusal(form, refused)
        else:
            return _to_new_post(_link(post))
    return render(
        "community/thread.html",
        "community/_reply_form.html",
        status=422,
        **thread_page(shown, None, form, message),
    )


@bp.route("/documents/<int:document_id>/posts", methods=["POST"])
@requires(perms.DISCUSSIONS_POST)
def document_reply(document_id: int):
    """A post below a document (the first one makes the document's thread)."""
    document = documents.visible_document(g.membership, document_id)
    if document.state != Document.PUBLISHED:
        abort(404)
    form = PostForm()
    message = None
    if form.validate_on_submit():
        try:
            post = threads.reply_to_document(g.membership, document, _draft(form))
        except threads.PostingRefused as refused:
            message = show_refusal(form, refused)
        else:
            return _to_new_post(url_for("documents.document", document_id=document.id) + f"#post-{post.id}")
    shown = queries.thread_of_document(document)
    return render(
        "community/document_reply.html",
        "community/_reply_form.html",
        status=422,
        document=document,
        **queries.reply_context(shown, form, message, document=document),
    )


def _to_new_post(location: str):
    """To the page showing the new post. With htmx it is often the page already open with another
    #post-… (which the browser would only scroll to): HX-Refresh loads it again."""
    response = hx_redirect(location)
    if htmx:
        response.headers["HX-Refresh"] = "true"
    return response


def _draft(form: PostForm) -> threads.Draft:
    quote_of = form.quote_of.data
    return threads.Draft(
        body=form.body.data or "",
        quote_of=int(quote_of) if quote_of and str(quote_of).isdigit() else None,
        files=request.files.getlist(form.files.name),
    )


def _link(post: Post) -> str:
    return url_for("community.thread", thread_id=post.thread_id, page=queries.page_of(post.number)) + f"#post-{post.id}"


# --- one post ---------------------------------------------------------------------------------------------


@bp.route("/posts/<int:post_id>")
@requires()
def post(post_id: int):
    """One post as the thread shows it (an in-place edit's Cancel swaps back to it)."""
    shown, in_thread = queries.visible_post(g.membership, post_id)
    return render("community/post.html", "community/_post.html", **queries.post_context(g.membership, shown, in_thread))


@bp.route("/posts/<int:post_id>/link")
@requires()
def post_permalink(post_id: int):
    """The thread's page holding the post, at the post (search hits and mails link here)."""
    shown, _in_thread = queries.visible_post(g.membership, post_id)
    return redirect(_link(shown))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@requires()
def post_edit(post_id: int):
    """The author edits their post within the board's window: in place with htmx (the post swaps into this
    form and back), or as a page of its own."""
    shown, in_thread = queries.visible_post(g.membership, post_id)
    refusal = queries.edit_refusal(g.membership, shown, in_thread)
    if refusal is not None:
        return _edit_refused(shown, in_thread, refusal)
    # A prefix of its own: the thread's reply form on the same page has a "body" field too.
    prefix = f"edit{shown.id}"
    form = EditForm(obj=shown, prefix=prefix) if request.method == "GET" else EditForm(prefix=prefix)
    if request.method == "POST" and form.validate_on_submit():
        try:
            threads.edit(g.membership, shown, in_thread, form.body.data)
        except threads.PostingRefused as refused:
            show_refusal(form, refused)
        else:
            if htmx:
                return render("community/_post.html", **queries.post_context(g.membership, shown, in_thread))
            flash(_("Your post is saved."), "success")
            return redirect(_link(shown))
    status = 422 if request.method == "POST" else 200
    return render(
        "community/post_edit.html", "community/_post_edit.html", status=status, post=shown, thread=in_thread, form=form,
        body_hint=BODY_HINT, title=queries.title_of(in_thread),
    )  # fmt: skip


def _edit_refused(shown: Post, in_thread: Thread, refusal: str):
    """403 with why: with htmx the post comes back as it is, with the sentence (porch.js lets it swap)."""
    context = queries.post_context(g.membership, shown, in_thread)
    response = make_response(
        render("community/post.html", "community/_post.html", status=403, refusal=refusal, **context)
    )
    response.headers["X-Porch-Swap"] = "1"
    return response


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@requires()
def post_delete(post_id: int):
    """The author deletes their post, after a confirmation."""
    shown, in_thread = queries.visible_post(g.membership, post_id)
    if shown.author_id != g.membership.user_id or shown.state == Post.DELETED:
        abort(403)
    if request.method == "POST":
        threads.delete_by_author(g.membership, shown)
        flash(_("Your post is deleted."), "success")
        return hx_redirect(url_for("community.thread", thread_id=in_thread.id, page=queries.page_of(shown.number)))
    return render(
        "community/post_delete.html", **queries.post_context(g.membership, shown, in_thread),
        title=queries.title_of(in_thread),
    )  # fmt: skip


@bp.route("/posts/<int:post_id>/revisions")
@requires(perms.DISCUSSIONS_MODERATE)
def post_revisions(post_id: int):
    """The board reads a post's earlier texts (marked edits keep them)."""
    shown, in_thread = queries.visible_post(g.membership, post_id)
    revisions = list(
        PostRevision.select(PostRevision, User.id, User.name)
        .join(User, pw.JOIN.LEFT_OUTER, on=(PostRevision.editor == User.id))
        .where(PostRevision.post == shown.id)
        .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
    )
    return render(
        "community/post_revisions.html", post=shown, thread=in_thread, revisions=revisions,
        author_name=queries.author_name(shown), title=queries.title_of(in_thread),
    )  # fmt: skip


@bp.route("/posts/<int:post_id>/files/<int:file_id>")
@requires()
def post_file(post_id: int, file_id: int):
    """A post's file, to those who see the post's text: pictures and PDFs open in the browser."""
    shown, in_thread = queries.visible_post(g.membership, post_id)
    if not queries.post_context(g.membership, shown, in_thread)["shows_body"]:
        abort(404)
    row = PostAttachment.get_or_none((PostAttachment.id == file_id) & (PostAttachment.post == shown.id))
    if row is None:
        abort(404)
    inline = row.is_image or row.content_type == "application/pdf"
    file = attachments.path(g.association, row)
    return uploads.serve(file, mimetype=row.content_type, inline=inline, name=row.original_name)


# --- follows -------------------------------------------------------------------------------------------------


@bp.route("/discussions/<int:thread_id>/follow", methods=["POST"])
@requires()
def follow(thread_id: int):
    """Follow or unfollow a thread (mail about its new posts), in place."""
    shown = queries.visible_thread(g.membership, thread_id)
    following = threads.toggle_follow(g.membership, shown, queries.is_following(g.membership, shown))
    if htmx:
        return render("community/_follow.html", thread=shown, following=following)
    flash(_("You follow this discussion.") if following else _("You no longer follow this discussion."), "success")
    return redirect(url_for("community.thread", thread_id=shown.id))


@bp.route("/documents/folders/<int:folder_id>/follow-discussions", methods=["POST"])
@requires()
def folder_follow(folder_id: int):
    """Follow (or stop following) the discussions below every document of a folder."""
    folder = documents.readable_folder(g.membership, folder_id)
    following = threads.toggle_scope_follow(g.membership, folder_id=folder.id)
    if htmx:
        return render("community/_folder_follow.html", folder=folder, follows_discussions=following)
    flash(
        _("You follow the discussions of this folder.")
        if following
        else _("You no longer follow this folder's discussions."),
        "success",
    )
    return redirect(url_for("documents.folder", folder_id=folder.id))
