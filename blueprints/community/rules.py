"""Who may post right now (C3): a member on a posting pause may not, nor one posting faster than the board's
limits. The answer is a sentence for the member, said beside the form that keeps what they typed."""

from __future__ import annotations

import datetime as dt

from flask_babel import ngettext

from core import clock
from core.text import date as format_date
from core.text import gettext as _
from models import Association
from models.community import CommunitySettings, Post, PostingPause


def current_pause(association: Association, user_id: int) -> PostingPause | None:
    """The member's posting pause in force today, if any (the one that ends last)."""
    return (
        PostingPause.select()
        .where(
            (PostingPause.association == association.id)
            & (PostingPause.user == user_id)
            & PostingPause.lifted_at.is_null()
            & (PostingPause.until >= association.today())
        )
        .order_by(PostingPause.until.desc())
        .first()
    )


def refusal(association: Association, user_id: int) -> str | None:
    """Why this member may not post now, or None when they may."""
    pause = current_pause(association, user_id)
    if pause is not None:
        return _("The board has paused your posting until %(date)s.", date=format_date(pause.until))
    settings = CommunitySettings.of_association(association.id)
    now = clock.utcnow_naive()
    recent = Post.select(Post.created_at).where(
        (Post.author == user_id) & (Post.association == association.id) & (Post.created_at > now - dt.timedelta(days=1))
    )
    times = sorted((row.created_at for row in recent), reverse=True)
    if settings.post_interval_seconds and times:
        wait = settings.post_interval_seconds - int((now - times[0]).total_seconds())
        if wait > 0:
            return ngettext(
                "You are posting quickly: please wait %(num)d second and send again.",
                "You are posting quickly: please wait %(num)d seconds and send again.",
                wait,
            )
    if settings.posts_per_day and len(times) >= settings.posts_per_day:
        return ngettext(
            "You have written %(num)d post in the last 24 hours, the most the board allows. Please send it later.",
            "You have written %(num)d posts in the last 24 hours, the most the board allows. Please send it later.",
            len(times),
        )
    return None
