"""Access matrix entries for paper ballots (issue 12 item 4): the one-by-one page, a ballot's scan, the batch
from a spreadsheet and its template.

In world() a unit of votes.py's running poll in alpha that returned a paper ballot and its PDF scan. The paper
pages are the vote managers' (the board and the administrator); a member without the permission is refused
them (403), and a scan is a 404 to everyone but the managers, as if it were not there.

The rows are written directly (world() runs without the app, and starting a vote through the service would
schedule its closing): the ledger does not matter to who may open a page.
"""

import secrets

from core import clock
from models.register import Building, Ownership, Unit
from models.votes import Ballot, Vote, VoteOption, VoteUnit
from tests.access.common import BOARD_UP, LOGIN, holders_of
from tests.access.faults import _write_when_the_app_runs
from tests.factories.register import make_person


def scan_readers(status=200):
    """The managers get `status`; members who are not are told it is not there (404)."""
    expected = holders_of(BOARD_UP, status)
    expected["tenant"] = expected["member"] = 404
    return expected


MATRIX = {
    ("votes.paper", "GET"): holders_of(BOARD_UP),
    ("votes.paper", "POST"): holders_of(BOARD_UP, 422),  # nothing chosen
    ("votes.paper_scan", "GET"): scan_readers(),
    ("votes.paper_batch", "GET"): holders_of(BOARD_UP),
    ("votes.paper_batch", "POST"): holders_of(BOARD_UP, 422),  # no file
    ("votes.paper_batch_template", "GET"): holders_of(BOARD_UP),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Flat P1's paper ballot, with its scan, in votes.py's running poll "Bicycle racks?" (its `vote_id`: the
    matrix lets one module name a URL value)."""
    building = Building.create(association=alpha, name="Paper house")
    unit = Unit.create(association=alpha, building=building, number="P1", share_numerator=1, share_denominator=1)
    Ownership.create(unit=unit, person=make_person(alpha, email="p1@alpha.example"), is_main=True)
    now = clock.utcnow_naive()
    vote = Vote.get((Vote.association == alpha) & (Vote.state == Vote.RUNNING) & (Vote.title == "Bicycle racks?"))
    yes = VoteOption.get((VoteOption.vote == vote) & (VoteOption.label == "Yes"))
    VoteUnit.create(vote=vote, unit=unit, weight_numerator=1)
    stored_name = f"doc-{secrets.token_hex(16)}.pdf"
    _write_when_the_app_runs(alpha.id, stored_name, b"%PDF-1.4\n%%EOF\n", folder="votes")
    ballot = Ballot.create(
        vote=vote, unit=unit, option=yes, channel=Ballot.PAPER, recorded_by=users["board"],
        paper_received_on=now.date(), scan_name=stored_name, scan_original_name="ballot.pdf",
        scan_content_type="application/pdf",
    )  # fmt: skip
    return {"ballot_id": ballot.id}
