"""The board's people register: list, search, details, forms, CSV (R2, R6) and its privacy."""

import csv
import datetime as dt
import io
import re

import pytest

from models import AuditLog, Person
from tests.access.common import EMAILS


@pytest.fixture
def register(alpha, make_person, make_unit, make_owner, make_resident):
    """A few people: owners, a tenant and one without a unit."""
    eva = make_person(
        alpha,
        given_name="Eva",
        surname="Lind",
        email="eva@example.com",
        phone_mobile="070-123 45 67",
        personal_id="19800101-1234",
    )
    bo = make_person(alpha, given_name="Bo", surname="Andersson", email="bo@example.com", phone_home="08-555 10 10")
    cia = make_person(alpha, given_name="Cia", surname="Berg", email="", street="Storgatan 1", city="Lund")
    make_owner(make_unit(alpha, "12", share=(6542, 100000)), eva, is_main=False)
    make_resident(make_unit(alpha, "14"), cia)
    return {"eva": eva, "bo": bo, "cia": cia}


def test_list_is_sorted_by_surname_with_account_states(client, login_as, register):
    login_as("board")
    page = client.get("/alpha/people").get_data(as_text=True)
    positions = [page.index(name) for name in ("Andersson Bo", "Berg Cia", "Lind Eva")]
    assert positions == sorted(positions)
    assert page.count("No account") == 3 and "state-account-active" in page
    assert "Unit 12" in page and "Unit 14" in page
    assert 'hx-trigger="toggle once"' in page


@pytest.mark.parametrize(
    ("q", "found", "not_found"),
    [
        ("lind", "Lind Eva", "Andersson Bo"),
        ("eva lind", "Lind Eva", "Berg Cia"),
        ("14", "Berg Cia", "Lind Eva"),  # unit number
        ("bo@example", "Andersson Bo", "Lind Eva"),
        ("0701234567", "Lind Eva", "Andersson Bo"),  # phone, typed without spaces
        ("555 10", "Andersson Bo", "Lind Eva"),
    ],
)
def test_search_by_name_unit_email_or_phone(client, login_as, register, q, found, not_found):
    login_as("board")
    # Plain GET (no JavaScript): the whole page.
    page = client.get("/alpha/people", query_string={"q": q}).get_data(as_text=True)
    assert found in page and not_found not in page and "<html" in page
    # htmx as you type: only the list.
    part = client.get("/alpha/people", query_string={"q": q}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert found in part and not_found not in part and "<html" not in part
    assert part.lstrip().startswith('<div id="people-list">')


def test_search_without_match_says_so(client, login_as, register):
    login_as("board")
    assert "Nobody in the register matches" in client.get("/alpha/people?q=zzz").get_data(as_text=True)


def test_row_details_show_contacts_units_and_full_id_to_the_board(client, login_as, register):
    login_as("board")
    eva = register["eva"]
    part = client.get(f"/alpha/people/{eva.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in part
    assert "eva@example.com" in part and "070-123 45 67" in part
    assert "19800101-1234" in part
    assert "Flat 12" in part and "owner" in part
    assert "Send invitation" in part


def test_an_htmx_action_swaps_the_details_in_place(client, login_as, register, smtp_server):
    login_as("board")
    bo = register["bo"]
    token = client.csrf(f"/alpha/people/{bo.id}")
    response = client.post(f"/alpha/people/{bo.id}/invite", data={"csrf_token": token}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="person-{bo.id}"' in body and "The invitation is on its way to bo@example.com." in body
    assert "Send the invitation again" in body
    # The state in the person's row of the list follows, out of band.
    assert re.search(
        rf'<span id="person-state-{bo.id}" hx-swap-oob="true" class="state state-account-invited">\s*Invited', body
    )
    listed = client.get("/alpha/people").get_data(as_text=True)
    assert f'<span id="person-state-{bo.id}" class="state state-account-invited">' in listed
    smtp_server.wait_for(1)


def test_create_a_person_with_all_fields(client, login_as, alpha):
    login_as("board")
    response = client.submit(
        "/alpha/people/new",
        {
            "given_name": "Dan",
            "surname": "Dahl",
            "personal_id": "19700101-5555",
            "email": "Dan@Example.com",
            "phone_mobile": "+46 70 111 22 33",
            "street": "Ågatan 2",
            "postcode": "222 22",
            "city": "Lund",
            "country": "se",
            "invoice_by_email": "y",
            "invoice_by_paper": "y",
            "invoice_language": "sv",
        },
    )
    assert response.status_code == 302
    dan = Person.get(Person.surname == "Dahl")
    assert (dan.email, dan.country, dan.invoice_language, dan.invoice_by_paper) == ("dan@example.com", "SE", "sv", True)
    assert dan.user_id is None  # a person may exist without an account
    assert AuditLog.get(AuditLog.action == "people.created").target == "Dan Dahl"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "dan@@example", "Enter a valid e-mail address"),
        ("invoice_language", "de", "Choose one of the languages offered."),
        ("country", "Sweden", "two-letter country code"),
        ("phone_mobile", "call me", "Use digits"),
        ("surname", "", "Enter the surname"),
    ],
)
def test_bad_input_on_the_person_form_saves_nothing(client, login_as, alpha, field, value, message):
    login_as("board")
    before = Person.select().count()
    data = {"given_name": "Dan", "surname": "Dahl", "email": "dan@example.com", field: value}
    response = client.submit("/alpha/people/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Dan"' in page  # what was typed is kept
    assert Person.select().count() == before


def test_invoices_by_email_need_an_address(client, login_as, alpha):
    login_as("board")
    response = client.submit("/alpha/people/new", {"surname": "Dahl", "invoice_by_email": "y"})
    assert response.status_code == 422
    assert "Invoices by e-mail need an e-mail address." in response.get_data(as_text=True)


def test_edit_a_person(client, login_as, register):
    login_as("board")
    cia = register["cia"]
    form = client.get(f"/alpha/people/{cia.id}/edit").get_data(as_text=True)
    assert 'value="Storgatan 1"' in form
    response = client.submit(
        f"/alpha/people/{cia.id}/edit",
        {"given_name": "Cia", "surname": "Berg-Ek", "street": "Storgatan 3", "city": "Lund", "invoice_language": ""},
    )
    assert response.status_code == 302
    cia = Person.get_by_id(cia.id)
    assert (cia.surname, cia.street, cia.invoice_by_email) == ("Berg-Ek", "Storgatan 3", False)


def test_csv_export_for_the_board(client, login_as, register):
    login_as("board")
    response = client.get("/alpha/people.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    eva = next(r for r in rows if r["surname"] == "Lind")
    assert eva["email"] == "eva@example.com" and eva["phone_mobile"] == "070-123 45 67"
    assert eva["units"] == "12" and eva["account"] == "none"
    assert AuditLog.select().where(AuditLog.action == "people.exported").count() == 1


def test_csv_cells_never_run_as_formulas(client, login_as, alpha, make_person):
    login_as("board")
    make_person(alpha, surname='=HYPERLINK("http://evil")', phone_mobile="+46 70 000")
    body = client.get("/alpha/people.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and ",+46 70 000," in body


def test_a_board_member_of_another_association_cannot_reach_this_register(
    app, client, alpha, make_association, make_user, login, register
):
    beta = make_association("beta")
    make_user(beta, EMAILS["outsider"], "board")
    login(client, EMAILS["outsider"])
    eva = register["eva"]
    for path in ("/alpha/people", f"/alpha/people/{eva.id}", "/alpha/people.csv", "/alpha/members"):
        assert client.get(path).status_code == 403, path
    # Through their own association's address, alpha's people do not exist.
    assert client.get(f"/beta/people/{eva.id}").status_code == 404
    assert client.get(f"/beta/people/{eva.id}/edit").status_code == 404
    beta_list = client.get("/beta/people?q=lind").get_data(as_text=True)
    assert "Lind Eva" not in beta_list


def test_residents_cannot_open_the_register(client, login_as, register):
    login_as("member")
    assert client.get("/alpha/people").status_code == 403
    assert client.get(f"/alpha/people/{register['eva'].id}", headers={"HX-Request": "true"}).status_code == 403


def test_a_row_drawn_before_shows_what_changed_since(client, login_as, register, make_unit, make_owner):
    """The rendered rows are kept (core.rendering.cached_row): every change a row shows must still reach it."""
    login_as("board")
    bo = register["bo"]

    def row() -> str:
        page = client.get("/alpha/people").get_data(as_text=True)
        start = page.index(f'id="person-state-{bo.id}"')
        return page[start : page.index("</details>", start)]

    assert "Andersson Bo" in row() and "Unit" not in row() and "Address bounced" not in row()
    make_owner(make_unit(alpha := bo.association, "31"), bo)
    assert "Unit 31" in row()
    Person.update(email_bounced_at=dt.datetime(2026, 12, 1, 8)).where(Person.id == bo.id).execute()
    assert "Address bounced" in row()
    Person.update(surname="<Ek>").where(Person.id == bo.id).execute()
    assert "&lt;Ek&gt; Bo" in row() and "Open the page of Bo &lt;Ek&gt;" in row()
    assert alpha.slug in row()  # the row links into this association
