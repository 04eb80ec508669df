"""Access matrix entries for moderation: the board's pages and actions (discussions.moderate: the board and
the administrator), and flagging a post (anyone who reads its thread and may post, but not its author).

In world() a topic in alpha's "All members" category with a post by alpha's member, and a pause of that
member. Each (route, actor) runs on a fresh database, so the actions' POSTs find the post as world() made it.
Another association's board (the outsider) is refused at the door (403), as on every board page; a post or
pause of another association asked for by alpha's board answers 404 (tests/blueprints/community/
test_moderation.py).
"""

import datetime as dt

from models.community import PostingPause
from tests.access.common import BOARD_UP, LOGIN, holders_of, members
from tests.factories.community import make_post, make_topic

board = lambda status=200: holders_of(BOARD_UP, status)  # noqa: E731


def flagging(status):
    """Every member reads the topic and may post; the post's author (alpha's member) may not flag it."""
    expected = members(status)
    expected["member"] = 403
    return expected


MATRIX = {
    ("community.post_flag", "GET"): flagging(200),
    ("community.post_flag", "POST"): flagging(422),  # no reason
    ("community.moderate_hide", "GET"): board(),
    ("community.moderate_hide", "POST"): board(422),  # no reason
    ("community.moderate_restore", "POST"): board(302),  # refused (not hidden): back to the post
    ("community.moderate_delete", "GET"): board(),
    ("community.moderate_delete", "POST"): board(302),
    ("community.moderate_dismiss", "POST"): board(302),  # refused (no flags): back to the post
    ("community.thread_lock", "POST"): board(302),
    ("community.thread_unlock", "POST"): board(302),  # refused (not locked): back to the thread
    ("community.thread_move", "GET"): board(),
    ("community.thread_move", "POST"): board(422),  # already in that category
    ("community.moderation", "GET"): board(),
    ("community.moderation_log", "GET"): board(),
    ("community.pauses", "GET"): board(),
    ("community.pauses", "POST"): board(422),  # nobody chosen
    ("community.pause_lift", "POST"): board(302),
    ("community.community_settings", "GET"): board(),
    ("community.community_settings", "POST"): board(422),  # nothing typed
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A topic with the member's post, and the member's posting pause."""
    topic = make_topic(alpha, "Laundry times", author=users["member"])
    post = make_post(topic, users["member"], "Who left their socks?")
    pause = PostingPause.create(association=alpha, user=users["member"], until=dt.date(2099, 1, 1), reason="Cool down")
    return {"post_id": post.id, "thread_id": topic.id, "pause_id": pause.id}
