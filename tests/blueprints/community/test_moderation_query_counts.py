"""The queue of flagged posts and the moderation log cost the same number of queries however long they are."""

from __future__ import annotations

import re

import pytest

from models.community import ModerationLog, PostFlag
from tests.blueprints.community import moderation_fixtures as fixtures
from tests.factories.community import make_post

# The shared fixtures, by name (the package's conftest.py is the discussions').
as_user, people, topic = fixtures.as_user, fixtures.people, fixtures.topic


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"]), response.get_data(as_text=True)


def flag_posts(topic, people, count: int, start: int = 0):
    for n in range(start, start + count):
        post = make_post(topic, people.author, f"Post number {n}")
        for flagger in (people.reader, people.tenant):
            PostFlag.create(post=post, association=topic.association_id, user=flagger, reason=f"Reason {n}")


def test_the_queue_keeps_its_queries_however_many_posts_are_flagged(as_user, people, topic):
    board = as_user(people.board)
    flag_posts(topic, people, 2)
    few, _page = queries(board, "/alpha/moderation")
    flag_posts(topic, people, 40, start=2)
    many, page = queries(board, "/alpha/moderation")
    assert many == few
    assert len(re.findall(r'id="queue-post-\d+"', page)) == 20 and "Next page" in page
    assert page.count("Reason 0<") == 2  # both flags of the first post, with their flaggers
    assert queries(board, "/alpha/moderation?page=2")[0] == few


def test_the_log_keeps_its_queries_however_long_it_grows(as_user, people, topic):
    board = as_user(people.board)

    def log(count: int, start: int = 0):
        for n in range(start, start + count):
            post = make_post(topic, people.author, f"Post {n}")
            ModerationLog.create(
                association=topic.association_id, moderator=people.board, action=ModerationLog.HIDE,
                thread=topic, post=post, member=people.author, reason=f"Reason {n}",
            )  # fmt: skip
        ModerationLog.create(
            association=topic.association_id, moderator=people.board, action=ModerationLog.PAUSE,
            member=people.reader, detail="2030-01-01",
        )  # fmt: skip

    log(2)
    few, _page = queries(board, "/alpha/moderation/log")
    log(70, start=2)
    many, page = queries(board, "/alpha/moderation/log")
    assert many == few
    assert page.count('<span class="when">') == 50 and "Older entries" in page
    assert "until 1 January 2030" in page or "until 1 Jan 2030" in page  # the pause's last day, in words
    assert queries(board, f"/alpha/moderation/log?member={people.author.id}&page=2")[0] == few
