"""Access matrix entries for the portal, auth and site blueprints."""

from models import OutboundEmail
from tests.access.common import ACTORS, BOARD_UP, everyone, holders_of, members

MATRIX = {
    ("site.index", "GET"): everyone(302),
    ("static", "GET"): everyone(200),
    ("site.login", "GET"): everyone(200),
    ("site.login", "POST"): everyone(422),  # empty form
    ("site.logout", "POST"): everyone(302),
    ("site.forgot", "GET"): everyone(200),
    ("site.forgot", "POST"): everyone(422),
    ("site.reset", "GET"): everyone(410),
    ("site.reset", "POST"): everyone(410),
    ("site.activate", "GET"): everyone(410),
    ("site.activate", "POST"): everyone(410),
    ("site.confirm_email", "GET"): everyone(410),
    ("site.confirm_email", "POST"): everyone(410),
    ("site.switch_language", "GET"): everyone(302),
    ("site.healthz", "GET"): everyone(200),
    ("portal.login", "GET"): {"anonymous": 200, **dict.fromkeys(ACTORS[1:5], 302), "outsider": 200},
    ("portal.login", "POST"): everyone(422),
    ("portal.signup", "GET"): everyone(200),
    ("portal.signup", "POST"): everyone(422),
    ("portal.home", "GET"): members(),
    ("portal.menu", "GET"): members(),
    ("portal.tab_bar", "GET"): members(),
    ("portal.account", "GET"): members(),
    ("portal.account", "POST"): members(422),
    ("portal.account_password", "GET"): members(302),
    ("portal.account_password", "POST"): members(422),
    ("portal.account_email", "GET"): members(302),
    ("portal.account_email", "POST"): members(422),
    ("portal.mail_outbox", "GET"): holders_of(BOARD_UP),
    ("portal.mail_retry", "POST"): holders_of(BOARD_UP, 302),
    ("portal.audit_log", "GET"): holders_of(BOARD_UP),
}


def world(alpha, beta, users) -> dict:
    """URL values for these routes; rows are created in alpha."""
    mail = OutboundEmail.create(
        association=alpha, to_address="x@example.com", kind="activate", subject="s", body_text="t", status="failed"
    )
    return {
        "slug": alpha.slug,
        "token": "not-a-real-token",
        "mail_id": mail.id,
        "filename": "css/porch.css",
        "language": "sv",
    }
