"""Access matrix entries for moderation: the board's pages and actions (discussions.moderate: the board and
the administrator), and flagging a post (whoever reads its thread and may post, but not its author).

The post and thread are community_discussions.py's (its world makes them, under the same URL value names):
"Bicycle room" in alpha's "Owners only" category, with a post by alpha's member. The tenant does not read
that category, so flagging the post is a 404 for them; the board's routes refuse the tenant and the member
at the door (403), before looking for the post. world() here adds a posting pause of the member. Each
(route, actor) runs on a fresh database, so every action's POST finds the post and the pause as made.
Another association's board (the outsider) gets 403, as on every board page; a post or a pause of another
association asked for by alpha's board answers 404 (tests/blueprints/community/test_moderation.py).
"""

import datetime as dt

from models.community import PostingPause
from tests.access.common import BOARD_UP, LOGIN, holders_of

board = lambda status=200: holders_of(BOARD_UP, status)  # noqa: E731


def flagging(status):
    """The board reads the Owners-only topic and may flag; its author (the member) may not; the tenant does
    not read it (404)."""
    expected = holders_of(BOARD_UP, status)
    expected["member"] = 403
    expected["tenant"] = 404
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
    ("community.thread_move", "POST"): board(422),  # no category chosen
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
    """The member's posting pause (the post and the thread are community_discussions.py's)."""
    pause = PostingPause.create(association=alpha, user=users["member"], until=dt.date(2099, 1, 1), reason="Cool down")
    return {"pause_id": pause.id}
