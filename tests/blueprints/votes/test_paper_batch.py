"""Paper ballots as a batch from a spreadsheet (V7): preview with every row and error, then one transaction
that stores every row or none; CSV (comma or semicolon) and XLSX; hostile cells inert; duplicates refused."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook

from blueprints.votes import ballots, ledger, tally
from core import clock
from models import Membership
from models.votes import Ballot, LedgerEntry, Vote
from tests.factories.register import make_building, make_owner, make_person, make_unit
from tests.factories.votes import make_vote, option


@pytest.fixture
def house(app, alpha, outbox):  # an online ballot mails its receipt
    """Flats 1, 2 and 3 in House A, flat 1 again in House B; Anna owns A1, Cilla A2, Dan A3, Eva B1."""
    a, b = make_building(alpha, "House A"), make_building(alpha, "House B")
    people = {n: make_person(alpha, email=f"{n}@alpha.example", given_name=n.title(), surname="Öberg")
              for n in ("anna", "cilla", "dan", "eva")}  # fmt: skip
    units = {
        "a1": make_unit(alpha, "1", (3, 10), building=a),
        "a2": make_unit(alpha, "2", (3, 10), building=a),
        "a3": make_unit(alpha, "3", (2, 10), building=a),
        "b1": make_unit(alpha, "1", (2, 10), building=b),
    }
    for unit, person in zip(units.values(), people.values(), strict=True):
        make_owner(unit, person)
    return {**people, **units}


@pytest.fixture
def board(login_as):
    return login_as("board")


def new_vote(app, association, *args, **fields) -> Vote:
    # Started a week ago: paper ballots may have arrived since, never before it started.
    with app.test_request_context(), clock.frozen(clock.now() - dt.timedelta(days=7)):
        return make_vote(association, *args, **fields)


def upload(client, vote, content: bytes, name="ballots.csv"):
    return client.submit(
        f"/alpha/votes/{vote.id}/paper/batch",
        {"spreadsheet": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def confirm(client, vote, preview_html: str):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1)
    return client.submit(f"/alpha/votes/{vote.id}/paper/batch", {"token": token})


def today(alpha) -> str:
    return alpha.today().isoformat()


def test_a_good_csv_batch_is_previewed_then_stored_whole_in_the_tally_and_the_ledger(app, alpha, house, board, client):
    vote = new_vote(app, alpha, options=("Yes", "No"))
    day = alpha.today() - dt.timedelta(days=3)
    text = (
        "unit;building;choice;received;signed_by\n"
        f"2;;yes;{day.isoformat()};cilla öberg\n"
        f"1;House B;NO;{today(alpha)};\n"
        f"3;;Yes;{today(alpha)};Dan Oberg\n"
    )
    preview = upload(client, vote, text.encode())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "All 3 rows are ready to record." in html
    assert not Ballot.select().exists()  # nothing before the confirmation

    done = confirm(client, vote, html)
    assert done.status_code == 302
    stored = {(b.unit_id, b.option_id, b.paper_received_on, b.cast_by_id, b.channel) for b in Ballot.select()}
    assert stored == {
        (house["a2"].id, option(vote, "Yes").id, day, house["cilla"].id, Ballot.PAPER),
        (house["b1"].id, option(vote, "No").id, alpha.today(), None, Ballot.PAPER),
        (house["a3"].id, option(vote, "Yes").id, alpha.today(), house["dan"].id, Ballot.PAPER),
    }
    vote = Vote.get_by_id(vote.id)
    counted = tally.read(vote)
    assert [(t.label, t.weight, t.ballots) for t in counted.options] == [
        ("Yes", tally.Fraction(5, 10), 2),
        ("No", tally.Fraction(2, 10), 1),
    ]
    assert LedgerEntry.select().where(LedgerEntry.action == LedgerEntry.PAPER).count() == 3
    assert ledger.verify(vote).ok
    assert "3 paper ballots recorded" in client.get(f"/alpha/votes/{vote.id}/paper").get_data(as_text=True)


def test_a_batch_with_one_bad_row_stores_nothing_and_names_the_row_and_column(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    text = f"unit,choice,received\n2,Yes,{today(alpha)}\n3,Maybe,{today(alpha)}\n1,No,{today(alpha)}\n"
    response = upload(client, vote, text.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Row 3, column choice: “Maybe” is not one of the options." in html
    # Flat 1 is in two buildings: the row must name one.
    assert "Row 4, column building: Unit 1 is in more than one building" in html
    assert 'name="token"' not in html  # nothing to confirm
    assert not Ballot.select().exists()


def test_confirming_checks_every_row_again_and_stores_nothing_if_one_is_refused_now(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    text = f"unit,building,choice,received\n2,House A,Yes,{today(alpha)}\n3,House A,No,{today(alpha)}\n"
    html = upload(client, vote, text.encode()).get_data(as_text=True)
    with app.test_request_context():  # meanwhile Dan votes online for flat 3
        member = Membership(person=house["dan"].id, association=alpha, user=None)
        ballots.cast(vote, member, house["a3"].id, option(vote, "Yes").id)
    response = confirm(client, vote, html)
    assert response.status_code == 422
    assert "Nothing was stored: Row 3: Flat 3 already voted online" in response.get_data(as_text=True)
    assert [b.channel for b in Ballot.select()] == [Ballot.ONLINE]
    assert ledger.verify(Vote.get_by_id(vote.id)).ok


def test_duplicates_within_the_file_are_refused(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    text = f"unit,building,choice,received\n2,House A,Yes,{today(alpha)}\n2,house a,No,{today(alpha)}\n"
    response = upload(client, vote, text.encode())
    assert response.status_code == 422
    assert "Row 3, column unit: Flat 2 is in the file twice (also row 2)." in response.get_data(as_text=True)


def test_an_xlsx_batch_with_locale_words_and_date_cells_is_stored(app, alpha, house, board, client):
    alpha.locale = "sv"
    alpha.save()
    vote = new_vote(app, alpha, "Godkänna årsredovisningen", kind=Vote.PER_ROLLAM)
    book = Workbook()
    sheet = book.active
    sheet.append(["Unit", "Building", "Choice", "Received", "Signed by"])
    sheet.append([2, "House A", "for", alpha.today(), "Cilla Öberg"])
    sheet.append([3, "House A", "ABSTAIN", alpha.today().isoformat(), None])
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, vote, out.getvalue(), "ballots.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert confirm(client, vote, html).status_code == 302
    chosen = {b.unit_id: b.option.meaning for b in Ballot.select()}
    assert chosen == {house["a2"].id: "for", house["a3"].id: "abstain"}


def test_hostile_cells_stay_inert_on_the_preview(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    text = (
        "unit,choice,received,signed_by\n"
        f'"<script>alert(1)</script>",Yes,{today(alpha)},\n'
        f'2,"=HYPERLINK(""http://evil.example"",""x"")",{today(alpha)},<img src=x onerror=alert(2)>\n'
    )
    response = upload(client, vote, text.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert not Ballot.select().exists()


def test_a_token_is_for_its_vote_and_its_board_member(app, alpha, house, board, client, new_client, login, make_user):
    vote = new_vote(app, alpha)
    html = upload(client, vote, f"unit,building,choice,received\n2,House A,Yes,{today(alpha)}\n".encode()).get_data(
        as_text=True
    )
    other = new_client()
    make_user(alpha, "admin@alpha.example", "administrator")
    login(other, "admin@alpha.example")
    assert confirm(other, vote, html).status_code == 422
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    payload, signature = token.split(".", 1)
    forged = html.replace(token, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature)
    assert confirm(client, vote, forged).status_code in (400, 422)
    assert not Ballot.select().exists()


def test_the_template_lists_the_units_without_a_ballot_with_inert_cells(app, alpha, house, board, client):
    vote = new_vote(app, alpha)
    house["a3"].number = "=1+2"
    house["a3"].save()
    response = client.get(f"/alpha/votes/{vote.id}/paper/batch/template.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["unit", "building", "choice", "received", "signed_by"]
    assert rows[1:] == [
        ["1", "House A", "", "", ""],
        ["2", "House A", "", "", ""],
        ["'=1+2", "House A", "", "", ""],
        ["1", "House B", "", "", ""],
    ]
