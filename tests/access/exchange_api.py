"""Access matrix entries for the API (SPEC I1) and the board's page of API tokens.

No session opens the API: anonymous users and every signed-in member alike get a 401 problem (TOKEN);
tokens, their scopes and their association are tests/blueprints/exchange/test_api.py's. The OpenAPI
description is public. The token page is for holders of settings.manage: an empty form is refused (422),
and revoking alpha's token after the confirmation goes back to the list.
"""

from models.exchange import ApiToken
from tests.access.common import BOARD_UP, holders_of, token_only

MATRIX = {
    ("api.openapi_description", "GET"): dict.fromkeys(
        ("anonymous", "tenant", "member", "board", "administrator", "outsider"), 200
    ),
    ("api.units", "GET"): token_only(),
    ("api.people", "GET"): token_only(),
    ("api.ownership", "GET"): token_only(),
    ("api.faults", "GET"): token_only(),
    ("api.put_units", "PUT"): token_only(),
    ("api.put_people", "PUT"): token_only(),
    ("api.put_ownership", "PUT"): token_only(),
    ("api.put_contracts", "PUT"): token_only(),
    ("api.post_invoices", "POST"): token_only(),
    ("api.post_payments", "POST"): token_only(),
    ("exchange.api_tokens", "GET"): holders_of(BOARD_UP),
    ("exchange.api_tokens", "POST"): holders_of(BOARD_UP, 422),  # no name, no scope
    ("exchange.api_token_revoke", "GET"): holders_of(BOARD_UP),
    ("exchange.api_token_revoke", "POST"): holders_of(BOARD_UP, 302),
}


def world(alpha, beta, users) -> dict:
    """A live token of alpha's, to revoke."""
    token, _secret = ApiToken.issue(alpha, "Accounting system", ApiToken.SCOPES, users["board"])
    return {"api_token_id": token.id}
