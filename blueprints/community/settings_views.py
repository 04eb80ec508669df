"""The board's rules for discussions (C1, C3): how long authors may edit their posts, and how fast members
may post.

Guarded by discussions.moderate, not settings.manage: these are moderation's tools (the edit window and the
rate limits decide what a moderator deals with), and an association that gives moderating to a role without
the portal's settings (its name, look and address) means that role to set them.
"""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_login import current_user

from blueprints.community import bp
from blueprints.community.moderation_forms import CommunitySettingsForm
from core.access import requires
from core.audit import audit
from core.rendering import render
from core.text import gettext as _
from models import permissions as perms
from models.community import CommunitySettings
from models.db import transaction

FIELDS = ("edit_window", "edit_hours", "post_interval_seconds", "posts_per_day")


@bp.route("/moderation/settings", methods=["GET", "POST"])
@requires(perms.DISCUSSIONS_MODERATE)
def community_settings():
    """The edit window and the rate limits, validated with the reason beside each field."""
    settings = CommunitySettings.of_association(g.association.id)
    form = CommunitySettingsForm() if request.method == "POST" else CommunitySettingsForm(formdata=None, obj=settings)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in FIELDS}
        with transaction():
            CommunitySettings.update(**values).where(CommunitySettings.id == settings.id).execute()
            audit("community.settings_changed", actor=current_user, association=g.association, **values)
        flash(_("The rules for discussions are saved."), "success")
        return redirect(url_for("community.community_settings"))
    return render("community/community_settings.html", form=form, status=422 if form.errors else 200)
