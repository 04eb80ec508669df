"""Casting and changing a ballot through the vote's page, with htmx and without (V1, V4, V7): co-owners see
who cast their unit's ballot and are told by mail, a proxy votes on the days it is valid only, and an
owner and a proxy share the unit's one ballot. Refusals come back beside the form (422)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest

from blueprints.votes import tally
from models.votes import Ballot, LedgerEntry, Vote
from tests.factories.two_factor import step_up
from tests.factories.votes import option

HX = {"HX-Request": "true"}


@pytest.fixture
def poll(house, new_vote, frozen_clock):
    return new_vote(house.alpha, "New bicycle racks?")


def cast(client, vote, unit, label, headers=None):
    data = {"unit": unit.id, "option": option(vote, label).id}
    return client.submit(f"/alpha/votes/{vote.id}/ballot", data, form_page=f"/alpha/votes/{vote.id}", headers=headers)


def page_of(client, vote) -> str:
    response = client.get(f"/alpha/votes/{vote.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_owner_casts_without_javascript_and_gets_the_receipt(client, login, house, poll, outbox):
    login(client, "anna@alpha.example")
    page = page_of(client, poll)
    # Anna owns flat 1 (with Ben) and flat 4: a ballot for each, with its weight.
    assert 'id="ballot-1"' in page and 'id="ballot-4"' in page and 'id="ballot-2"' not in page
    assert "Weight: 3/10 of the common property." in page and page.count("Not yet voted") == 2
    response = cast(client, poll, house.units["1"], "Yes")
    assert response.status_code == 302 and response.location.endswith(f"/alpha/votes/{poll.id}#ballot-1")
    ballot = Ballot.get(Ballot.unit == house.units["1"].id)
    assert ballot.option_id == option(poll, "Yes").id and ballot.cast_by_id == house.people["anna"].id
    page = page_of(client, poll)
    assert ballot.receipt in page  # the flash and the ballot both show it
    assert re.search(r"You voted “Yes” on [^.]+\. You can change it until", page)
    assert f'value="{option(poll, "Yes").id}" checked' in page
    # The receipt by mail to Anna; Ben, who owns flat 1 with her, is told who cast it.
    receipt = outbox.rows(to_address="anna@alpha.example", kind="vote_receipt")
    assert len(receipt) == 1 and ballot.receipt in receipt[0].body_text and "Your choice: Yes" in receipt[0].body_text
    notice = outbox.rows(to_address="ben@alpha.example", kind="vote_unit_ballot")
    assert len(notice) == 1 and house.people["anna"].full_name in notice[0].body_text
    assert not outbox.rows(to_address="cilla@alpha.example")


def test_casting_and_changing_in_place_with_htmx(client, login, house, poll, outbox):
    login(client, "anna@alpha.example")
    response = cast(client, poll, house.units["1"], "Yes", headers=HX)
    part = response.get_data(as_text=True)
    assert response.status_code == 200 and part.lstrip().startswith('<form id="ballot-1"')
    assert "<html" not in part and response.headers["HX-Trigger"] == "porch:ballot-cast"
    ballot = Ballot.get()
    assert "Cast. Your receipt:" in part and ballot.receipt in part
    response = cast(client, poll, house.units["1"], "No", headers=HX)
    changed = Ballot.get()
    assert changed.option_id == option(poll, "No").id and changed.changes == 1
    assert changed.receipt != ballot.receipt and changed.receipt in response.get_data(as_text=True)
    assert [e.action for e in LedgerEntry.select().order_by(LedgerEntry.seq)] == ["start", "cast", "change"]


def test_co_owners_see_who_cast_their_units_ballot(client, login, house, poll, new_client, outbox):
    login(client, "anna@alpha.example")
    cast(client, poll, house.units["1"], "Yes")
    ben = new_client()
    login(ben, "ben@alpha.example")
    page = page_of(ben, poll)
    anna = house.people["anna"].full_name
    assert re.search(rf"{anna} voted “Yes” for this unit on", page)
    # Ben may change the unit's one ballot: Anna is told in turn.
    cast(ben, poll, house.units["1"], "No")
    assert Ballot.select().count() == 1 and Ballot.get().cast_by_id == house.people["ben"].id
    assert re.search(rf"{house.people['ben'].full_name} voted “No” for this unit", page_of(client, poll))
    assert outbox.rows(to_address="anna@alpha.example", kind="vote_unit_ballot")


def test_an_owner_and_a_proxy_share_the_units_one_ballot(client, login, house, poll, new_client, outbox):
    login(client, "dan@alpha.example")
    page = page_of(client, poll)
    assert 'id="ballot-2"' in page and "as proxy" in page
    cast(client, poll, house.units["2"], "Yes")
    cilla = new_client()
    login(cilla, "cilla@alpha.example")
    assert re.search(rf"{house.people['dan'].full_name} voted “Yes” for this unit on [^.]+\. \(as proxy\)",
                     page_of(cilla, poll))  # fmt: skip
    cast(cilla, poll, house.units["2"], "No")
    counted = tally.read(Vote.get_by_id(poll.id))
    assert {t.label: (t.weight, t.ballots) for t in counted.options} == {
        "Yes": (0, 0), "No": (tally.Fraction(4, 10), 1),
    }  # fmt: skip
    assert Ballot.get().as_proxy is False


def test_a_proxy_votes_only_on_the_days_it_is_valid(client, login, house, new_vote, frozen_clock, outbox):
    frozen_clock.set(dt.datetime(2027, 1, 4, 9, 0))  # Dan's proxy ended on 31 December 2026
    poll = new_vote(house.alpha, "New bicycle racks?")
    login(client, "dan@alpha.example")
    page = page_of(client, poll)
    assert 'id="ballot-2"' not in page and "None of your units votes in this vote." in page
    response = cast(client, poll, house.units["2"], "Yes")
    assert response.status_code == 422 and "You cannot vote for this unit." in response.get_data(as_text=True)
    assert Ballot.select().count() == 0


def test_refusals_are_shown_beside_the_form(client, login, house, poll, outbox):
    login(client, "anna@alpha.example")
    data = {"unit": house.units["1"].id}  # no option chosen
    response = client.submit(f"/alpha/votes/{poll.id}/ballot", data, form_page=f"/alpha/votes/{poll.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert re.search(r'id="ballot-1-err" role="alert">Choose one of the options\.', page)
    response = client.submit(f"/alpha/votes/{poll.id}/ballot", data, form_page=f"/alpha/votes/{poll.id}", headers=HX)
    assert response.status_code == 422 and response.get_data(as_text=True).lstrip().startswith('<form id="ballot-1"')
    # Another owner's flat: refused, and nothing of that flat's ballot is shown.
    response = cast(client, poll, house.units["3"], "Yes")
    assert response.status_code == 422 and "You cannot vote for this unit." in response.get_data(as_text=True)
    assert Ballot.select().count() == 0


def test_a_closed_vote_takes_no_ballot(client, login, house, poll, outbox):
    Vote.update(state=Vote.CLOSED, closed_at=poll.ends_at).where(Vote.id == poll.id).execute()
    login(client, "anna@alpha.example")
    assert 'id="ballot-1"' not in page_of(client, poll)
    response = cast(client, poll, house.units["1"], "Yes")
    assert response.status_code == 422 and "This vote has ended" in response.get_data(as_text=True)


def test_a_per_rollam_ballot_is_cast_by_an_owner(client, login, house, new_vote, frozen_clock, outbox):
    vote = new_vote(house.alpha, "Accounts 2025", kind=Vote.PER_ROLLAM)
    login(client, "eva@alpha.example")
    assert "Proposed resolution" in page_of(client, vote)
    response = cast(client, vote, house.units["3"], "For")
    assert response.status_code == 302 and Ballot.get().option_id == option(vote, "For").id


def test_who_may_not_vote_or_see(client, login, house, poll, new_client):
    login(client, "tina@alpha.example")  # a tenant: no vote permission
    assert client.get(f"/alpha/votes/{poll.id}").status_code == 404
    assert client.get(f"/alpha/votes/{poll.id}", headers=HX).status_code == 404
    assert client.get("/alpha/votes").status_code == 403
    response = client.submit(f"/alpha/votes/{poll.id}/ballot", {"unit": house.units["3"].id},
                             form_page="/alpha/")  # fmt: skip
    assert response.status_code == 404
    outsider = new_client()
    login(outsider, "board@beta.example")
    assert outsider.get(f"/beta/votes/{poll.id}").status_code == 404  # alpha's vote is not beta's
    assert outsider.get(f"/alpha/votes/{poll.id}").status_code == 403


def test_a_per_rollam_ballot_needs_the_second_factor_when_the_association_asks_for_it(
    client, login, house, new_vote, frozen_clock, outbox
):
    house.alpha.second_factor_permissions = "votes.cast_per_rollam"
    house.alpha.save()
    vote = new_vote(house.alpha, "Accounts 2025", kind=Vote.PER_ROLLAM)
    login(client, "eva@alpha.example")
    # Eva has no second factor yet: she is led to set one up, and then back to the vote; nothing is cast.
    response = cast(client, vote, house.units["3"], "For")
    assert response.status_code == 302 and "/alpha/account/two-factor" in response.location
    assert f"next=/alpha/votes/{vote.id}" in unquote(response.location)
    response = cast(client, vote, house.units["3"], "For", headers=HX)
    assert "/alpha/account/two-factor" in response.headers["HX-Redirect"]
    assert not Ballot.select().exists()
    # A poll asks for nothing more.
    poll = new_vote(house.alpha, "New bicycle racks?")
    assert cast(client, poll, house.units["3"], "Yes").status_code == 302 and Ballot.select().count() == 1
    # After the second factor, the same browser casts for the rest of its session; back on the vote's page
    # the form still shows the choice she had made.
    step_up(client, house.alpha, house.users["eva"])
    back = client.get(f"/alpha/votes/{vote.id}?unit={house.units['3'].id}&option={option(vote, 'For').id}")
    page = back.get_data(as_text=True)
    assert f'value="{option(vote, "For").id}" checked' in page and "Your choice is kept" in page
    response = cast(client, vote, house.units["3"], "For")
    assert response.status_code == 302 and response.location.endswith(f"/alpha/votes/{vote.id}#ballot-3")
    assert Ballot.get(Ballot.vote == vote).option_id == option(vote, "For").id
