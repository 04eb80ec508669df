"""My account's Notifications section (seed 004 §4.2): which kinds of mail the member gets, and each kind's
options (when to be reminded of events). The kinds are core.notifications' registry: domains add theirs."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import bp
from core import notifications
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from models.db import transaction


@bp.route("/account/notifications", methods=["GET", "POST"])
@requires()
def account_notifications():
    """Save which mail the member gets; the section itself is on My account."""
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        chosen = {
            kind.key: notifications.Choice(
                enabled=request.form.get(f"kind-{kind.key}") == "on",
                options=tuple(o for o in request.form.getlist(f"options-{kind.key}") if o in kind.options),
            )
            for kind in notifications.kinds()
        }
        with transaction():
            notifications.save_choices(current_user.id, g.association.id, chosen)
            audit(
                "account.notifications_changed",
                actor=current_user,
                association=g.association,
                target=current_user.email,
            )
        flash(_("Your notification choices are saved."), "success")
    return redirect(url_for("portal.account") + "#notifications")


@bp.app_template_global()
def notification_panel() -> dict:
    """The kinds and what the member chose, for My account."""
    return {
        "kinds": notifications.kinds(),
        "choices": notifications.choices_of(current_user.id, g.association.id),
        "form": ConfirmForm(formdata=None),
    }
