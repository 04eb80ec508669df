"""Stopping the mail about a discussion from the link every post mail carries (C2, RFC 8058).

The link's signed token names the member and the thread (notifications.unfollow_token): it is the
authority, not a session. GET asks "Stop mail about …?" with a button (a link previewer or a virus
scanner opening the link changes nothing); POST unfollows, from that button or from the mail programme's
one-click "Unsubscribe" (List-Unsubscribe-Post), which has no session and no CSRF token.
"""

from __future__ import annotations

from flask import abort, g, request

from blueprints.community import bp, notifications
from blueprints.community import search as _search  # noqa: F401 (registers posts in the quick search)
from core.rendering import render
from models import Membership, User
from models.community import Thread


@bp.route("/unfollow/<follow_token>", methods=["GET", "POST"], endpoint="unfollow")
def unfollow_page(follow_token: str):
    """Ask whether to stop mail about a discussion (GET), and stop it (POST, one click from a mail)."""
    found = notifications.read_unfollow_token(follow_token)
    if found is None:
        abort(404)
    user_id, thread_id = found
    thread = Thread.of(g.association).where(Thread.id == thread_id).first()
    user = User.get_or_none(User.id == user_id)
    if thread is None or user is None:
        abort(404)
    if request.method == "POST":
        notifications.unfollow(user.id, thread)
    title = notifications.title_of(thread) if _reads(user, thread) else ""
    return render("community/unfollow.html", title=title, done=request.method == "POST")


def _reads(user: User, thread: Thread) -> bool:
    """Whether the link's member reads the thread today: only then does the page name it."""
    membership = Membership.current(user, g.association)
    return membership is not None and Thread.visible_to(membership).where(Thread.id == thread.id).exists()


@bp.record_once
def _without_csrf(state) -> None:
    # The mail programme's one-click POST carries no CSRF token; the signed token stands in for it.
    state.app.extensions["csrf"].exempt(unfollow_page)
