"""The board's page of API tokens (SPEC I1): create one for a management system, see when each was last
used, revoke one after a confirmation. A new token's secret is shown once, in the answer to the form that
created it, and never again: only its hash is kept."""

from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.exchange import bp
from blueprints.exchange.api import SCOPE_LABELS, requests_per_minute
from blueprints.exchange.forms import ApiTokenForm
from core import clock
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import render
from models import permissions as perms
from models.db import transaction
from models.exchange import ApiToken


def _tokens() -> list[ApiToken]:
    """The association's tokens, live ones first, newest first."""
    return list(
        ApiToken.of(g.association).order_by(
            ApiToken.revoked_at.is_null(False), ApiToken.created_at.desc(), ApiToken.id.desc()
        )
    )


def _token_form() -> ApiTokenForm:
    form = ApiTokenForm()
    form.scopes.choices = [SelectChoice(scope, label) for scope, label in SCOPE_LABELS.items()]
    return form


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@requires(perms.SETTINGS_MANAGE)
def api_tokens():
    """List the API tokens and create one; a new token's secret is shown on this answer alone."""
    form = _token_form()
    secret = None
    status = 200
    if form.is_submitted():
        if form.validate():
            with transaction():
                token, secret = ApiToken.issue(g.association, form.name.data, form.scopes.data, current_user.id)
                audit(
                    "exchange.api_token_created",
                    actor=current_user,
                    association=g.association,
                    target=token.name,
                    scopes=token.scopes,
                )
            form = _token_form()
            form.process(formdata=None)
            status = 201
        else:
            status = 422
    response = render(
        "exchange/api_tokens.html",
        form=form,
        tokens=_tokens(),
        secret=secret,
        scope_labels=SCOPE_LABELS,
        per_minute=requests_per_minute(),
        status=status,
    )
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@bp.route("/admin/api-tokens/<int:api_token_id>/revoke", methods=["GET", "POST"])
@requires(perms.SETTINGS_MANAGE)
def api_token_revoke(api_token_id: int):
    """Revoke a token after a confirmation: the system using it is refused from its next request on."""
    token = ApiToken.get_visible(g.membership, api_token_id)
    form = ConfirmForm()
    if form.validate_on_submit() and not token.is_revoked:
        with transaction():
            ApiToken.update(revoked_at=clock.utcnow_naive(), revoked_by=current_user.id).where(
                (ApiToken.id == token.id) & ApiToken.revoked_at.is_null()
            ).execute()
            audit("exchange.api_token_revoked", actor=current_user, association=g.association, target=token.name)
        flash(_("The token %(name)s is revoked.", name=token.name), "success")
        return redirect(url_for("exchange.api_tokens"))
    if token.is_revoked:
        return redirect(url_for("exchange.api_tokens"))
    return render("exchange/api_token_revoke.html", form=form, token=token)
