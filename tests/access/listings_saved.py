"""Access matrix entries for saved searches by e-mail (issue 15 item 2): saving one from the association's
search and from the install's (an empty form is refused with 422), the confirmation link's page and button,
and the unsubscribe page and its one-click POST. All public: the link's token is the proof, not a login;
unknown, used and expired tokens are tested in tests/blueprints/listings/test_saved_searches.py.

world() saves one search of alpha unconfirmed (saved_token: its confirmation link's) and one confirmed
(saved_stop_token: its unsubscribe link's)."""

from __future__ import annotations

import datetime as dt
import hashlib

from itsdangerous import URLSafeSerializer

from blueprints.listings.saved_searches import STOP, _micros
from config import TestConfig
from models.listings import SavedSearch
from tests.access.common import everyone

MATRIX = {
    ("listings.saved_search_new", "POST"): everyone(422),
    ("listings_site.saved_search_new", "POST"): everyone(422),
    ("listings_site.saved_search_confirm", "GET"): everyone(200),
    ("listings_site.saved_search_confirm", "POST"): everyone(200),
    ("listings_site.saved_search_stop", "GET"): everyone(200),
    ("listings_site.saved_search_stop", "POST"): everyone(200),
}

CONFIRM_TOKEN = "access-matrix-confirmation-token"


def world(alpha, beta, users) -> dict:
    """A search waiting for its confirmation, and a confirmed one to unsubscribe from."""
    common = {"association": alpha, "language": "en", "query": "rooms_min=2", "sender_key": "k" * 64}
    SavedSearch.create(email="new@seeker.example", token_hash=hashlib.sha256(CONFIRM_TOKEN.encode()).hexdigest(),
                       **common)  # fmt: skip
    confirmed = SavedSearch.create(email="old@seeker.example", confirmed_at=dt.datetime(2026, 1, 1), **common)
    # What stop_token() signs, with the tests' SECRET_KEY (the world is built outside any app context).
    stop = URLSafeSerializer(TestConfig.SECRET_KEY, salt=STOP).dumps([confirmed.id, _micros(confirmed.created_at)])
    return {"saved_token": CONFIRM_TOKEN, "saved_stop_token": stop}
