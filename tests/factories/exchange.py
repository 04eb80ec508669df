"""API tokens."""

from __future__ import annotations

from models import Association
from models.exchange import ApiToken


def make_api_token(association: Association, *scopes: str, name: str = "Landlord system") -> str:
    """A live token of the association with `scopes` (all when none is named); returns the secret."""
    _token, secret = ApiToken.issue(association, name, scopes or ApiToken.SCOPES, None)
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
