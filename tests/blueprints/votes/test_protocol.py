"""The protocol PDF of a closed vote (V5; issue 12 items 3, 6, 7), read back with pdftotext as its reader
would: the resolution, the rule, the totals, the outcome and how it was decided exactly, the ballots (a secret
vote: only who voted), the owners who voted for (Estonian law) and the ledger's final hash; and its download."""

from __future__ import annotations

import pytest

from blueprints.votes import ballots, closing, ledger
from models.documents import Document, DocumentAttachment
from models.votes import Vote
from tests.blueprints.votes import closing_helpers
from tests.blueprints.votes.closing_helpers import cast, pdf_text
from tests.factories.register import make_owner, make_person, make_unit
from tests.factories.votes import make_vote, option

RESOLUTION = "The association repairs the roof in 2026\nfor at most 1,200,000 CZK."

house = closing_helpers.house  # a fixture


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield


def per_rollam(alpha, **fields):
    fields.setdefault("resolution", RESOLUTION)
    return make_vote(alpha, "Roof repair", kind=Vote.PER_ROLLAM, days=15, **fields)


def closed(app, vote, frozen_clock) -> tuple[Vote, str]:
    """Close the vote at its end; the vote as closed and the words of its published protocol."""
    frozen_clock.set(vote.ends_at)
    assert closing.close(vote.id)
    vote = Vote.get_by_id(vote.id)
    attachment = DocumentAttachment.get(DocumentAttachment.document == vote.protocol_id)
    path = app.config["UPLOAD_DIR"] / str(vote.association_id) / "documents" / attachment.stored_name
    return vote, pdf_text(path.read_bytes())


def between(words: str, start: str, end: str) -> str:
    return words.split(start, 1)[1].split(end, 1)[0]


def test_the_protocol_states_the_resolution_rule_totals_outcome_ballots_and_final_hash(
    app, alpha, house, outbox, frozen_clock
):
    vote = per_rollam(alpha, jurisdiction=Vote.CZECH, evaluation=Vote.OF_ALL)
    cast(vote, house["anna"], house["one"], "For")
    cast(vote, house["dan"], house["two"], "Against")  # the proxy of flat 2
    cast(vote, house["eva"], house["three"], "For")
    vote, words = closed(app, vote, frozen_clock)

    assert "Protocol of the vote" in words and "Alpha" in words and "Per-rollam (written) vote" in words
    assert "The association repairs the roof in 2026 for at most 1,200,000 CZK." in words
    assert "Civil Code §1211–1214" in words  # the law it followed
    assert "More than 50 % of all shares." in words and "No minimum turnout." in words
    assert "Eligible units 3" in words and "Their total weight 1 (100.00 %)" in words
    # For 3/10 + 5/10, Against 2/10: ballots, exact weight, % of the votes cast, % of all.
    assert "For 2 4/5 80.00 % 80.00 %" in words and "Against 1 1/5 20.00 % 20.00 %" in words
    assert "Adopted For holds 4/5 of 1 (all shares), 80.00 %: more than 50 %" in words
    ballots_part = between(words, "Ballots Unit Option How When", "Verification")
    assert "Flat 1 For online" in ballots_part and "Flat 2 Against online (by proxy)" in ballots_part
    assert vote.ledger_head in words and f"flask votes verify {vote.id}" in words


def test_a_secret_vote_lists_the_units_that_voted_not_their_choices(app, alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha, secret=True)
    cast(vote, house["ben"], house["one"], "Against")
    cast(vote, house["eva"], house["three"], "For")
    vote, words = closed(app, vote, frozen_clock)
    who = between(words, "Who voted (the choices are secret)", "Verification")
    assert "Flat 1 online" in who and "Flat 3 online" in who and "Flat 2" not in who
    assert "For" not in who and "Against" not in who
    assert "For 1 1/2" in words  # the totals are still there


def test_under_estonian_law_the_protocol_names_the_owners_who_voted_for(
    app, alpha, house, make_user, outbox, frozen_clock
):
    board = make_user(alpha, "board@alpha.example", "board")
    vote = per_rollam(alpha, jurisdiction=Vote.ESTONIAN)
    cast(vote, house["anna"], house["one"], "For")
    cast(vote, house["cilla"], house["two"], "Against")
    # A paper ballot typed without a name: the unit's owners are named.
    ballots.record_paper(vote, board, house["three"].id, option(vote, "For").id, alpha.today())
    vote, words = closed(app, vote, frozen_clock)
    named = between(words, "Owners who voted for", "Ballots")  # a public vote: its ballots follow
    assert "Flat 1 Anna Alm" in named and "Flat 3 Eva Ek" in named
    assert "Cilla" not in named and "Flat 2" not in named


def test_a_secret_vote_under_estonian_law_names_nobody(app, alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha, jurisdiction=Vote.ESTONIAN, secret=True)
    cast(vote, house["anna"], house["one"], "For")
    cast(vote, house["cilla"], house["two"], "Against")
    vote, words = closed(app, vote, frozen_clock)
    assert "Owners who voted for" not in words and "Anna" not in words  # the names would tell the choices


def test_exactly_half_of_all_shares_is_rejected_and_written_so(app, alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha, evaluation=Vote.OF_ALL)
    cast(vote, house["eva"], house["three"], "For")  # 5/10 of all shares
    cast(vote, house["anna"], house["one"], "Against")
    vote, words = closed(app, vote, frozen_clock)
    assert vote.outcome == Vote.REJECTED
    assert (
        "For holds 1/2 of 1 (all shares): exactly 50 %. The rule asks for more than 50 %, so exactly 50 % is not"
        " enough and the resolution is not adopted." in words
    )
    assert "exactly 50\u00a0%" in Document.get_by_id(vote.protocol_id).body


@pytest.fixture
def halves(alpha):
    """Flats A (50/100), B (49/100) and C (1/100), each with an owner."""
    found = {}
    for number, share in (("A", 50), ("B", 49), ("C", 1)):
        unit = make_unit(alpha, number, share=(share, 100))
        person = make_person(alpha, email=f"{number.lower()}@alpha.example", given_name=number, surname="Owner")
        make_owner(unit, person)
        found[number] = (person, unit)
    return found


def test_half_of_all_shares_and_one_more_unit_passes(app, alpha, halves, outbox, frozen_clock):
    vote = per_rollam(alpha, evaluation=Vote.OF_ALL)
    cast(vote, *halves["A"], "For")
    cast(vote, *halves["C"], "For")  # 50/100 + 1/100
    cast(vote, *halves["B"], "Against")
    vote, words = closed(app, vote, frozen_clock)
    assert vote.outcome == Vote.PASSED
    assert "For holds 51/100 of 1 (all shares), 51.00 %: more than 50 %, so the resolution is adopted." in words


def test_a_turnout_exactly_at_the_minimum_counts(app, alpha, halves, outbox, frozen_clock):
    vote = per_rollam(alpha, evaluation=Vote.OF_VOTING, quorum_numerator=1, quorum_denominator=2)
    cast(vote, *halves["A"], "For")  # exactly half of all shares voted
    vote, words = closed(app, vote, frozen_clock)
    assert vote.outcome == Vote.PASSED
    assert "At least 50 % of all shares must vote." in words
    assert "Exactly 50 % of all shares voted: the minimum turnout is met, as a turnout at the minimum counts." in words


def test_a_turnout_below_the_minimum_rejects_whatever_the_votes(app, alpha, halves, outbox, frozen_clock):
    vote = per_rollam(alpha, evaluation=Vote.OF_VOTING, quorum_numerator=1, quorum_denominator=2)
    cast(vote, *halves["B"], "For")  # 49/100 voted
    vote, words = closed(app, vote, frozen_clock)
    assert vote.outcome == Vote.NO_QUORUM
    assert "49.00 % of all shares voted; at least 50 % had to, so the resolution is not adopted." in words


def test_a_poll_protocol_states_the_question_and_the_leader(app, alpha, house, outbox, frozen_clock):
    vote = make_vote(alpha, "Which colour for the stairwell?", ("Blue", "Green"), days=5)
    cast(vote, house["anna"], house["one"], "Blue")
    cast(vote, house["cilla"], house["two"], "Green")
    vote, words = closed(app, vote, frozen_clock)
    assert "Question Which colour for the stairwell?" in words and "Poll" in words
    assert "A tie between Blue, Green." not in words and "Most votes: Blue." in words  # 3/10 against 2/10
    assert "The association's own rules." in words


def test_numbers_are_written_in_the_association_s_language(app, alpha, house, outbox, frozen_clock):
    alpha.locale = "cs"
    alpha.save()
    vote = per_rollam(alpha)
    cast(vote, house["eva"], house["three"], "For")
    cast(vote, house["cilla"], house["two"], "Against")
    _vote, words = closed(app, vote, frozen_clock)
    assert "71,43" in words  # 5/7 of the shares that voted


def test_verify_agrees_with_the_published_result(app, alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha)
    cast(vote, house["eva"], house["three"], "For")
    vote, _words = closed(app, vote, frozen_clock)
    checked = ledger.verify(vote)
    assert checked.ok and checked.head == vote.ledger_head and checked.entries == 2
