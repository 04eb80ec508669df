"""Recording paper ballots one by one through the page (V7): the scan kept and served to managers only, a
picture re-encoded without its metadata, and a unit that voted the other way refused with the reason."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from blueprints.votes import ballots, ledger
from core import clock
from models import Membership
from models.votes import Ballot, Vote
from tests.factories.register import make_owner, make_person, make_unit
from tests.factories.votes import make_vote, option

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def house(app, alpha, outbox):  # an online ballot mails its receipt
    """Flat 1 owned jointly by Anna and Ben, flat 2 by Cilla, flat 10 by Dan."""
    anna, ben, cilla, dan = (make_person(alpha, email=f"{n}@alpha.example", given_name=n.title())
                             for n in ("anna", "ben", "cilla", "dan"))  # fmt: skip
    one, two, ten = make_unit(alpha, "1", (3, 10)), make_unit(alpha, "2", (5, 10)), make_unit(alpha, "10", (2, 10))
    make_owner(one, anna, share=(1, 2)), make_owner(one, ben, share=(1, 2), is_main=False)
    make_owner(two, cilla), make_owner(ten, dan)
    return dict(anna=anna, ben=ben, cilla=cilla, dan=dan, one=one, two=two, ten=ten)


@pytest.fixture
def board(login_as):
    return login_as("board")


def new_vote(app, association, *args, **fields) -> Vote:
    """A started vote (starting schedules its closing, which needs the app; no context stays pushed)."""
    # Started a week ago: paper ballots may have arrived since, never before it started.
    with app.test_request_context(), clock.frozen(clock.now() - dt.timedelta(days=7)):
        return make_vote(association, *args, **fields)


def photo_with_exif() -> bytes:
    picture = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Ltd"  # Make
    exif[0x0131] = "SecretSoftware 1.0"  # Software
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    assert b"SpyCam" in out.getvalue()
    return out.getvalue()


def post_ballot(client, vote, unit, choice, *, day=None, scan=None, signed_by=""):
    data = {
        "unit": str(unit.id),
        "option": str(option(vote, choice).id),
        "received_on": (day or vote.association.today()).isoformat(),
        "signed_by": str(signed_by),
    }
    if scan is not None:
        data["scan"] = scan
    return client.submit(f"/alpha/votes/{vote.id}/paper", data, content_type="multipart/form-data")


def test_the_page_offers_the_units_without_a_ballot_in_natural_order(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    with app.test_request_context():
        ballots.cast(vote, member(house["cilla"]), house["two"].id, option(vote, "Yes").id)
    page = client.get(f"/alpha/votes/{vote.id}/paper").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)"', page.split('id="unit"')[1].split("</select>")[0])
    assert offered == [str(house["one"].id), str(house["ten"].id)]  # flat 2 voted; 1 before 10
    assert f'value="{alpha.today().isoformat()}"' in page  # the day defaults to today


def member(person):
    return Membership(person=person.id, association=person.association, user=None)


def test_a_paper_ballot_with_its_pdf_scan_is_recorded_listed_and_served_to_managers_only(
    app, alpha, house, board, client, new_client, login, make_user
):
    vote = new_vote(app, alpha)
    response = post_ballot(
        client, vote, house["one"], "No", day=alpha.today() - dt.timedelta(days=2), signed_by=house["ben"].id,
        scan=(io.BytesIO(PDF), "ballot flat 1.pdf"),
    )  # fmt: skip
    assert response.status_code == 302
    ballot = Ballot.get(Ballot.unit == house["one"].id)
    assert (ballot.channel, ballot.option_id, ballot.cast_by_id, ballot.recorded_by_id) == (
        Ballot.PAPER, option(vote, "No").id, house["ben"].id, board.id,
    )  # fmt: skip
    assert ballot.paper_received_on == alpha.today() - dt.timedelta(days=2)
    stored = Path(app.config["UPLOAD_DIR"]) / str(alpha.id) / "votes" / ballot.scan_name
    assert stored.read_bytes() == PDF and "flat" not in ballot.scan_name  # a server-made name

    page = client.get(f"/alpha/votes/{vote.id}/paper").get_data(as_text=True)
    assert "ballot flat 1.pdf" in page and "signed by Ben" in page
    assert "1 paper ballot recorded" in page
    scan_url = f"/alpha/votes/{vote.id}/paper/{ballot.id}/scan"
    served = client.get(scan_url)
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert "ballot flat 1.pdf" in served.headers["Content-Disposition"]

    owner = new_client()
    make_user(alpha, "member@alpha.example", "member")
    login(owner, "member@alpha.example")
    assert owner.get(scan_url).status_code == 404
    assert ledger.verify(Vote.get_by_id(vote.id)).ok


def test_a_photo_scan_is_re_encoded_without_its_exif(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    response = post_ballot(client, vote, house["two"], "Yes", scan=(io.BytesIO(photo_with_exif()), "IMG_0001.jpg"))
    assert response.status_code == 302
    ballot = Ballot.get(Ballot.unit == house["two"].id)
    served = client.get(f"/alpha/votes/{vote.id}/paper/{ballot.id}/scan")
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert b"SpyCam" not in served.data and b"SecretSoftware" not in served.data
    assert not Image.open(io.BytesIO(served.data)).getexif()


def test_a_file_that_is_neither_pdf_nor_picture_is_refused_beside_the_field(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    response = post_ballot(client, vote, house["two"], "Yes", scan=(io.BytesIO(b"MZ\x90\x00 evil"), "scan.pdf"))
    assert response.status_code == 422
    assert "scan.pdf is not a PDF or a picture." in response.get_data(as_text=True)
    assert not Ballot.select().exists()
    assert not list((Path(app.config["UPLOAD_DIR"])).rglob("*.pdf"))


def test_online_then_paper_is_refused_with_the_reason(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    with app.test_request_context():
        ballots.cast(vote, member(house["anna"]), house["one"].id, option(vote, "Yes").id)
    response = post_ballot(client, vote, house["one"], "No", scan=(io.BytesIO(PDF), "late.pdf"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="unit-err">Flat 1 already voted online: a paper ballot cannot', page)
    assert Ballot.get(Ballot.unit == house["one"].id).channel == Ballot.ONLINE
    assert not list(Path(app.config["UPLOAD_DIR"]).rglob("*.pdf"))  # the refused ballot's scan is not kept


def test_paper_then_online_is_refused_with_the_reason(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    assert post_ballot(client, vote, house["one"], "No").status_code == 302
    with app.test_request_context(), pytest.raises(ballots.VoteRefused, match="voted on paper"):
        ballots.cast(vote, member(house["anna"]), house["one"].id, option(vote, "Yes").id)


def test_a_day_in_the_future_and_a_stranger_as_signer_are_refused(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    response = post_ballot(client, vote, house["two"], "Yes", day=alpha.today() + dt.timedelta(days=1))
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    response = post_ballot(client, vote, house["two"], "Yes", signed_by=house["anna"].id)
    assert response.status_code == 422
    assert "Choose one of the unit&#39;s owners or its proxy." in response.get_data(as_text=True)
    assert not Ballot.select().exists()


def test_the_signer_select_lists_the_chosen_units_owners_for_htmx(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    part = client.get(f"/alpha/votes/{vote.id}/paper?unit={house['one'].id}", headers={"HX-Request": "true"})
    text = part.get_data(as_text=True)
    assert text.lstrip().startswith('<div class="field" id="paper-signer">')
    assert ">Anna " in text and ">Ben " in text and "Cilla" not in text


def test_a_per_rollam_votes_paper_pages_are_for_its_managers(app, alpha, house, client, login, make_user):
    from models import Role

    vote = new_vote(app, alpha, kind=Vote.PER_ROLLAM)
    poll_manager = make_user(alpha, "polls@alpha.example", "board")
    role = Role.create(association=alpha, name="Polls", permissions="votes.manage")
    Membership.update(role=role).where(Membership.user == poll_manager).execute()
    login(client, "polls@alpha.example")
    assert client.get(f"/alpha/votes/{vote.id}/paper").status_code == 404
    poll = new_vote(app, alpha, "Paint the doors?")
    assert client.get(f"/alpha/votes/{poll.id}/paper").status_code == 200


def test_the_page_costs_the_same_queries_with_one_or_many_paper_ballots(app, alpha, board, client):
    from playhouse.test_utils import count_queries

    units = [make_unit(alpha, str(n), (1, 8)) for n in range(1, 9)]
    for unit in units:
        make_owner(unit, make_person(alpha))
    vote = new_vote(app, alpha)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(f"/alpha/votes/{vote.id}/paper").status_code == 200
        return counter.count

    post_ballot(client, vote, units[0], "Yes", signed_by=units[0].ownerships.get().person_id)
    one = queries()
    for unit in units[1:6]:
        post_ballot(client, vote, unit, "No", scan=(io.BytesIO(PDF), "s.pdf"))
    assert queries() == one > 3
