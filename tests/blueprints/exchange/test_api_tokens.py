"""The board's page of API tokens (SPEC I1): a token is made with a name and scopes, its secret shown once
and kept only as a hash; the list shows each token's last use; revoking asks first and then refuses the token."""

from __future__ import annotations

import datetime as dt
import re

from models import AuditLog
from models.exchange import ApiToken
from models.portal import hash_secret
from tests.factories.exchange import bearer

PAGE = "/alpha/admin/api-tokens"


def _secret_on(page: str) -> str:
    return re.search(r'id="new-token" readonly value="([^"]+)"', page).group(1)


def test_a_token_is_shown_once_and_kept_only_as_a_hash(client, login_as):
    login_as("board")
    response = client.submit(PAGE, {"name": "Landlord system", "scopes": ["register:read", "faults:read"]})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = _secret_on(page)
    assert secret.startswith("porch_") and len(secret) >= 6 + 43  # 32 random bytes
    token = ApiToken.get()
    assert (token.name, token.scopes) == ("Landlord system", "register:read faults:read")
    assert token.token_hash == hash_secret(secret) and secret not in str(token.__data__)
    # Later visits list the token without its secret.
    later = client.get(PAGE).get_data(as_text=True)
    assert "Landlord system" in later and secret not in later and token.shown_start in later
    assert "never used" in later
    assert AuditLog.get(AuditLog.action == "exchange.api_token_created").target == "Landlord system"
    # And the secret works.
    assert client.get("/api/v1/alpha/units", headers=bearer(secret)).status_code == 200
    assert "never used" not in client.get(PAGE).get_data(as_text=True)


def test_a_token_needs_a_name_and_a_scope(client, login_as):
    login_as("board")
    response = client.submit(PAGE, {"name": "  ", "scopes": []})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Name the token after the system" in page and "Choose at least one thing" in page
    assert 'id="new-token"' not in page and ApiToken.select().count() == 0
    refused = client.submit(PAGE, {"name": "X", "scopes": ["everything:write"]})
    assert refused.status_code == 422 and ApiToken.select().count() == 0


def test_a_hostile_name_is_shown_as_text(client, login_as):
    login_as("board")
    client.submit(PAGE, {"name": "<script>alert(1)</script>", "scopes": ["faults:read"]})
    page = client.get(PAGE).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_revoking_asks_first_then_refuses_the_token(client, login_as, alpha, frozen_clock):
    login_as("board")
    secret = _secret_on(client.submit(PAGE, {"name": "Old system", "scopes": ["register:read"]}).get_data(as_text=True))
    token = ApiToken.get()
    revoke = f"/alpha/admin/api-tokens/{token.id}/revoke"
    assert f'href="{revoke}"' in client.get(PAGE).get_data(as_text=True)  # a link, so it works without JS
    confirm = client.get(revoke)
    assert confirm.status_code == 200 and "Revoke the token Old system?" in confirm.get_data(as_text=True)
    assert ApiToken.get().revoked_at is None  # looking at the question changes nothing
    assert client.submit(revoke, {}).status_code == 302
    assert ApiToken.get().revoked_at == frozen_clock.now.replace(tzinfo=None)
    assert client.get("/api/v1/alpha/units", headers=bearer(secret)).status_code == 401
    listed = client.get(PAGE).get_data(as_text=True)
    assert "Revoked" in listed and f'href="{revoke}"' not in listed
    assert AuditLog.get(AuditLog.action == "exchange.api_token_revoked").target == "Old system"


def test_another_associations_token_is_not_found(client, login_as, make_association):
    beta = make_association("beta")
    token, _secret = ApiToken.issue(beta, "Beta system", ApiToken.SCOPES, None)
    login_as("board")
    assert client.get(f"/alpha/admin/api-tokens/{token.id}/revoke").status_code == 404
    assert "Beta system" not in client.get(PAGE).get_data(as_text=True)


def test_last_use_is_shown(client, login_as, alpha, frozen_clock):
    login_as("board")
    _token, secret = ApiToken.issue(alpha, "Used system", ApiToken.SCOPES, None)
    frozen_clock.set(dt.datetime(2026, 3, 2, 9, 30))
    client.get("/api/v1/alpha/units", headers=bearer(secret))
    page = client.get(PAGE).get_data(as_text=True)
    assert "last used 02/03/2026, 10:30" in page  # in the association's time zone (Stockholm)
