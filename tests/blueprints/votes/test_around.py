"""What surrounds a vote: its discussion (frozen once the vote closes), the quick search, the home page's
"Open votes" with "Not yet voted" marked, and the place in the menu."""

from __future__ import annotations

import re

from blueprints.votes import signals
from models.community import Post, Thread
from models.votes import Vote
from tests.factories.votes import option


def test_a_started_vote_has_its_discussion_below_it(client, login, house, new_vote, frozen_clock, outbox):
    draft = new_vote(house.alpha, "Not yet", started=False)
    vote = new_vote(house.alpha, "New bicycle racks?")
    assert Thread.get(Thread.vote == vote.id).title == "New bicycle racks?"
    assert Thread.get_or_none(Thread.vote == draft.id) is None
    login(client, "anna@alpha.example")
    response = client.submit(f"/alpha/votes/{vote.id}/posts", {"body": "Racks by the **gate**, please."},
                             form_page=f"/alpha/votes/{vote.id}")  # fmt: skip
    post = Post.get()
    assert response.status_code == 302 and response.location.endswith(f"/alpha/votes/{vote.id}#post-{post.id}")
    page = client.get(f"/alpha/votes/{vote.id}").get_data(as_text=True)
    assert "Racks by the <strong>gate</strong>, please." in page
    # The thread's own page leads back to the vote.
    thread_page = client.get(f"/alpha/discussions/{post.thread_id}").get_data(as_text=True)
    assert "Back to the vote" in thread_page and f"/alpha/votes/{vote.id}" in thread_page
    empty = client.submit(f"/alpha/votes/{vote.id}/posts", {"body": ""}, form_page=f"/alpha/votes/{vote.id}")
    assert empty.status_code == 422 and "Write something first." in empty.get_data(as_text=True)


def test_the_discussion_is_frozen_when_the_vote_closes(app, client, login, house, new_vote, frozen_clock, outbox):
    vote = new_vote(house.alpha)
    Vote.update(state=Vote.CLOSED, closed_at=vote.ends_at).where(Vote.id == vote.id).execute()
    with app.test_request_context():
        signals.vote_changed(Vote.get_by_id(vote.id))  # as the closing does
    assert Thread.get(Thread.vote == vote.id).locked
    login(client, "anna@alpha.example")
    page = client.get(f"/alpha/votes/{vote.id}").get_data(as_text=True)
    assert "takes no new posts" in page and 'id="reply-form"' not in page
    response = client.submit(f"/alpha/votes/{vote.id}/posts", {"body": "Too late?"}, form_page="/alpha/votes")
    assert response.status_code == 422 and Post.select().count() == 0


def test_votes_are_found_by_those_who_read_them(client, login, house, new_vote, frozen_clock, new_client):
    new_vote(house.alpha, "Bicycle racks in the yard", body="Three *racks* by the gate.")
    new_vote(house.alpha, "Bicycle shed draft", started=False)
    login(client, "anna@alpha.example")
    found = client.get("/alpha/search?q=racks").get_data(as_text=True)
    assert "Bicycle racks in the yard" in found and "Vote" in found
    assert "Bicycle shed draft" not in client.get("/alpha/search?q=bicycle").get_data(as_text=True)
    tenant = new_client()
    login(tenant, "tina@alpha.example")
    assert "Bicycle racks" not in tenant.get("/alpha/search?q=racks").get_data(as_text=True)


def test_the_home_page_lists_open_votes_with_not_yet_voted(client, login, house, new_vote, frozen_clock, outbox):
    poll = new_vote(house.alpha, "New bicycle racks?")
    new_vote(house.alpha, "Accounts 2025", kind=Vote.PER_ROLLAM)
    login(client, "anna@alpha.example")
    home = client.get("/alpha/").get_data(as_text=True)
    section = home[home.index('id="votes-title"') : home.index("All votes")]
    assert section.count("Not yet voted") == 2 and "Accounts 2025" in section
    for unit in ("1", "4"):  # Anna votes for both her flats
        client.submit(f"/alpha/votes/{poll.id}/ballot", {"unit": house.units[unit].id,
                      "option": option(poll, "Yes").id}, form_page="/alpha/votes")  # fmt: skip
    home = client.get("/alpha/").get_data(as_text=True)
    section = home[home.index('id="votes-title"') : home.index("All votes")]
    assert re.search(r"Voted</span>\s*<span class=\"what\"><a [^>]+>New bicycle racks\?", section)
    assert section.count("Not yet voted") == 1


def test_a_proxy_holder_sees_the_vote_on_the_home_page_until_the_unit_has_voted(
    client, login, house, new_vote, frozen_clock, outbox
):
    """Dan owns nothing but holds unit 2's proxy: the vote is his to cast until unit 2 has a ballot."""
    poll = new_vote(house.alpha, "New bicycle racks?")
    login(client, "dan@alpha.example")
    home = client.get("/alpha/").get_data(as_text=True)
    section = home[home.index('id="votes-title"') : home.index("All votes")]
    assert "New bicycle racks?" in section and section.count("Not yet voted") == 1
    client.submit(f"/alpha/votes/{poll.id}/ballot", {"unit": house.units["2"].id,
                  "option": option(poll, "Yes").id}, form_page="/alpha/votes")  # fmt: skip
    home = client.get("/alpha/").get_data(as_text=True)
    section = home[home.index('id="votes-title"') : home.index("All votes")]
    assert "Not yet voted" not in section and "Voted" in section


def test_a_tenant_has_no_votes_place_nor_panel(client, login, house, new_vote, frozen_clock):
    new_vote(house.alpha, "New bicycle racks?")
    login(client, "tina@alpha.example")
    home = client.get("/alpha/").get_data(as_text=True)
    assert "/alpha/votes" not in home and "Open votes" not in home
    login(client, "eva@alpha.example")
    assert "/alpha/votes" in client.get("/alpha/").get_data(as_text=True)
