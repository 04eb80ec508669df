"""The board's rules for discussions: the edit window and the rate limits, refused with the reason and what was
typed kept, saved when right, and obeyed by the posting rules."""

from __future__ import annotations

import re

import pytest

from blueprints.community import rules
from models import AuditLog
from models.community import CommunitySettings
from tests.blueprints.community import moderation_fixtures as fixtures
from tests.factories.community import make_post, make_topic

# The shared fixtures, by name (the package's conftest.py is the discussions').
as_user, people = fixtures.as_user, fixtures.people


URL = "/alpha/moderation/settings"
GOOD = {"edit_window": "until_reply", "edit_hours": "24", "post_interval_seconds": "15", "posts_per_day": "30"}


@pytest.fixture
def board(as_user, people):
    return as_user(people.board)


def test_the_page_shows_the_defaults(board):
    page = board.get(URL).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="until_reply"', page)
    assert not re.search(r'<input checked[^>]*value="hours"', page)
    assert 'name="edit_hours"' in page and 'value="24"' in page
    assert 'value="15"' in page and 'value="30"' in page


def test_saving_changes_the_rules_and_the_posting_limits_follow(app, alpha, board, people, frozen_clock):
    data = {**GOOD, "edit_window": "hours", "edit_hours": "2", "post_interval_seconds": "0", "posts_per_day": "1"}
    response = board.submit(URL, data)
    assert response.status_code == 302
    settings = CommunitySettings.of_association(alpha.id)
    assert (settings.edit_window, settings.edit_hours, settings.post_interval_seconds, settings.posts_per_day) == (
        "hours",
        2,
        0,
        1,
    )
    assert AuditLog.select().where(AuditLog.action == "community.settings_changed").count() == 1
    assert "Changed the rules for discussions" in board.get("/alpha/admin/audit").get_data(as_text=True)
    make_post(make_topic(alpha), people.author, "one")
    with app.test_request_context("/alpha/"):
        assert "the most the board allows" in rules.refusal(alpha, people.author.id)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("edit_hours", "0", "Give between 1 and 720 hours."),
        ("edit_hours", "", "Give the number of hours."),
        ("edit_hours", "abc", "Give a whole number, such as 15."),
        ("post_interval_seconds", "-5", "Give between 0 and 86400 seconds."),
        ("post_interval_seconds", "1.5", "Give a whole number, such as 15."),
        ("posts_per_day", "100000", "Give between 0 and 1000 posts."),
        ("posts_per_day", "", "Give a number of posts, or 0 for no limit."),
        ("edit_window", "forever", "Choose how long authors may edit."),
    ],
)
def test_wrong_values_are_refused_with_the_reason_and_kept(alpha, board, field, value, message):
    response = board.submit(URL, {**GOOD, "posts_per_day": "77", field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert page.count(message) == 1  # one sentence, not the range's and the number's both
    if field != "posts_per_day":
        assert 'value="77"' in page  # what was typed stays
    settings = CommunitySettings.of_association(alpha.id)
    assert (settings.edit_hours, settings.post_interval_seconds, settings.posts_per_day) == (24, 15, 30)
