"""The tab bar and the board's bar are rendered once per way they can look (core/nav.rendered) and reused:
whoever asks next must still get their own bars, for their role, association, language, page and counts."""

from __future__ import annotations

import re

from core import nav
from models import User
from models.faults import FaultReport


def _bars(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return html[html.index('id="tab-bar"') : html.index("<main")]


def _current(bars: str) -> list[str]:
    return re.findall(r'href="([^"]+)"[^>]*aria-current="page"', bars)


def test_the_bars_made_for_one_member_are_not_shown_to_another(
    client, new_client, alpha, make_association, make_user, login
):
    nav._rendered.clear()
    board, member = make_user(alpha, "board@alpha.example", "board"), make_user(alpha, "member@alpha.example")
    login(client, board.email)
    board_bars = _bars(client, "/alpha/")
    assert "board-bar" in board_bars and 'href="/alpha/people"' in board_bars
    resident = new_client()
    login(resident, member.email)
    assert "board-bar" not in _bars(resident, "/alpha/")
    # Another association: its own addresses.
    beta = make_association("beta")
    make_user(beta, "board@beta.example", "board")
    other = new_client()
    login(other, "board@beta.example")
    beta_bars = _bars(other, "/beta/")
    assert 'href="/beta/people"' in beta_bars and "/alpha/" not in beta_bars
    # Another language: its own words.
    User.update(ui_language="cs").where(User.email == "board@beta.example").execute()
    assert _bars(other, "/beta/") != beta_bars and "Menu" in beta_bars
    # The same look again comes from the cache, and is the same HTML.
    assert _bars(client, "/alpha/") == board_bars


def test_the_cached_bars_mark_the_page_they_sit_on_and_follow_the_counts(client, alpha, login_as, make_person):
    board = login_as("board")
    assert set(_current(_bars(client, "/alpha/units"))) == {"/alpha/units"}  # the tab, and the board's link
    assert set(_current(_bars(client, "/alpha/people"))) == {"/alpha/people"}
    assert set(_current(_bars(client, "/alpha/"))) == {"/alpha/"}
    before = _bars(client, "/alpha/")
    FaultReport.create(association=alpha, title="Leak", kind="fault", place="building", status="new", reporter=board)
    after = _bars(client, "/alpha/")
    assert after != before and re.search(r'class="count">1<', after)
