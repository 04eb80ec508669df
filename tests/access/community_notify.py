"""Access matrix entries for the unfollow link of the post mail (issue 11 item 3).

The link's signed token is the authority (RFC 8058 one-click: the mail programme posts without a
session): whoever holds it reaches the page and may stop that member's mail about that thread, signed in
or not, as whoever. A bad token is a 404 (tests/blueprints/community/test_notifications.py)."""

from itsdangerous import URLSafeSerializer

from blueprints.community.notifications import UNFOLLOW_SALT
from config import TestConfig
from models.community import Category, Thread
from tests.access.common import everyone

MATRIX = {
    ("community.unfollow", "GET"): everyone(200),
    ("community.unfollow", "POST"): everyone(200),
}


def world(alpha, beta, users) -> dict:
    owners = Category.get((Category.association == alpha) & (Category.key == Category.OWNERS))
    thread = Thread.create(association=alpha, category=owners, title="Roof repair")
    token = URLSafeSerializer(TestConfig.SECRET_KEY, salt=UNFOLLOW_SALT).dumps([users["member"].id, thread.id])
    return {"follow_token": token}
