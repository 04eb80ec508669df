"""Reports ordered as PDF by e-mail (SPEC I2): what each orderer's PDF holds, who may order what, the settings.

Jobs run inline (no REDIS_URL) and mail goes to the outbox folder as .eml files:
each test reads the PDF attached to the mail with pdftotext, as a reader would.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from playhouse.test_utils import count_queries

from blueprints.exchange import reports
from jobs.pdf import make_ordered_pdf
from models import Association, AuditLog, Membership, Person
from models.exchange import ReportSettings
from models.mail import PdfOrder
from models.register import Building, Ownership, Residency, Unit
from tests.helpers import text_of

TODAY = dt.date(2026, 3, 2)  # frozen_clock's day


# --- the register the reports read -------------------------------------------------------------


@pytest.fixture
def register(alpha, make_person, frozen_clock):
    """Two buildings: North House (N1, N2) and South House (S1). Names say where each person belongs."""
    north = Building.create(association=alpha, name="North House")
    south = Building.create(association=alpha, name="South House")
    n1 = Unit.create(
        association=alpha, building=north, number="N1", rooms=3, area="72.5", share_numerator=3, share_denominator=10
    )
    n2 = Unit.create(
        association=alpha, building=north, number="N2", rooms=2, area="51", share_numerator=2, share_denominator=10
    )
    s1 = Unit.create(
        association=alpha, building=south, number="S1", kind=Unit.GARAGE, share_numerator=5, share_denominator=10
    )
    people = {
        "northowner": make_person(
            alpha, "nora@owners.example", given_name="Nora", surname="Northowner", phone_mobile="070-111 11 11"
        ),
        "co": make_person(alpha, "colin@owners.example", given_name="Colin", surname="Coowner"),
        "lodger": make_person(
            alpha, "lena@lodgers.example", given_name="Lena", surname="Lodger", phone_home="08-222 22 22"
        ),
        "otherunit": make_person(alpha, "olga@elsewhere.example", given_name="Olga", surname="Otherunit"),
        "southie": make_person(alpha, "sam@south.example", given_name="Sam", surname="Southie"),
        "gone": make_person(alpha, "gus@gone.example", given_name="Gus", surname="Gonebefore"),
    }
    Ownership.create(unit=n1, person=people["northowner"], share_numerator=1, share_denominator=2, is_main=True)
    Ownership.create(unit=n1, person=people["co"], share_numerator=1, share_denominator=2)
    Ownership.create(unit=n2, person=people["otherunit"], is_main=True)
    Ownership.create(unit=s1, person=people["southie"], is_main=True)
    Residency.create(
        unit=n1, person=people["northowner"], role=Residency.OWNER_RESIDENT, start_date=dt.date(2020, 5, 1)
    )
    Residency.create(unit=n1, person=people["lodger"], role=Residency.TENANT, start_date=dt.date(2025, 9, 1))
    Residency.create(unit=n2, person=people["otherunit"], role=Residency.OWNER_RESIDENT)
    Residency.create(unit=s1, person=people["southie"], role=Residency.TENANT, end_date=dt.date(2026, 12, 31))
    Residency.create(unit=n2, person=people["gone"], end_date=dt.date(2025, 12, 31))  # moved out: never listed
    return {"north": north, "south": south, "n1": n1, "n2": n2, "s1": s1, **people}


def allow(association: Association, *, board: str = "tenants units members", residents: str = "") -> None:
    settings = ReportSettings.for_association(association)
    ReportSettings.update(board_reports=board, resident_reports=residents).where(
        ReportSettings.id == settings.id
    ).execute()


def live_in(user, unit: Unit, role: str = Residency.TENANT) -> Person:
    person = Person.get(Person.user == user)
    Residency.create(unit=unit, person=person, role=role, start_date=dt.date(2024, 1, 1))
    return person


def order(client, report: str, to: str = "lists@example.com", scope: str = ""):
    return client.submit("/alpha/reports", {"report": report, "scope": scope, "to_address": to})


def mailed_pdfs(app) -> list[tuple[email.message.EmailMessage, str, bytes]]:
    """Every mail in the outbox folder with its PDF attachment: (message, file name, bytes)."""
    found = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for part in message.iter_attachments():
            found.append((message, part.get_filename(), part.get_content()))
    return found


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-"), body[:20]
    result = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())  # a name wrapped in its cell reads as one line


def the_pdf(app, outbox) -> str:
    """The text of the one report PDF mailed by the test."""
    (row,) = outbox.rows(kind="report_pdf")
    (mailed,) = mailed_pdfs(app)
    assert mailed[0]["To"] == row.to_address
    return pdf_text(mailed[2])


# --- what each orderer's PDF holds -------------------------------------------------------------


def test_board_orders_the_tenant_list_and_gets_one_pdf_with_every_current_resident(
    app, client, alpha, register, login_as, outbox
):
    allow(alpha)
    board = login_as("board")
    response = order(client, "tenants", to="chair@board.example")
    assert response.status_code == 302
    (row,) = outbox.rows(kind="report_pdf")
    assert row.to_address == "chair@board.example"
    assert row.recipient_user_id == board.id
    (message, filename, body) = mailed_pdfs(app)[0]
    assert filename == f"tenants-{TODAY.isoformat()}.pdf"
    assert message["Subject"] == "Tenant list of Alpha Housing"
    assert "The whole association" in text_of(message)
    text = pdf_text(body)
    for name in ("Nora Northowner", "Lena Lodger", "Olga Otherunit", "Sam Southie"):
        assert name in text
    assert "Gus Gonebefore" not in text  # moved out before today
    assert "Colin Coowner" not in text  # owns a part of N1 but does not live there
    assert "lena@lodgers.example" in text and "08-222 22 22" in text  # the board sees contacts
    assert "North House" in text and "South House" in text
    order_row = PdfOrder.get(PdfOrder.report == "tenants")
    assert order_row.email_id == row.id
    assert order_row.to_address == "chair@board.example"
    assert order_row.error == ""
    logged = AuditLog.get(AuditLog.action == "exchange.report_ordered")
    assert (logged.actor_id, logged.target) == (board.id, "tenants")
    assert "chair@board.example" in logged.detail


def test_a_tenants_tenant_list_shows_only_the_residents_of_their_own_unit(
    app, client, alpha, register, login_as, outbox
):
    allow(alpha, residents="tenants")
    tenant = login_as("tenant")
    live_in(tenant, register["n1"])
    assert order(client, "tenants").status_code == 302
    text = the_pdf(app, outbox)
    assert "Nora Northowner" in text and "Lena Lodger" in text
    assert Person.get(Person.user == tenant).full_name in text
    assert "Olga Otherunit" not in text  # another unit's resident
    assert "Sam Southie" not in text
    assert "@" not in text  # no e-mail addresses
    assert "070-111 11 11" not in text and "08-222 22 22" not in text  # no phone numbers


def test_the_board_member_list_has_owners_shares_and_contacts(app, client, alpha, register, login_as, outbox):
    allow(alpha)
    login_as("board")
    assert order(client, "members").status_code == 302
    text = the_pdf(app, outbox)
    for name in ("Nora Northowner", "Colin Coowner", "Olga Otherunit", "Sam Southie"):
        assert name in text
    assert "Lena Lodger" not in text  # a tenant, not a member
    assert "owns 1/2" in text and "3/10" in text
    assert "nora@owners.example" in text and "070-111 11 11" in text


def test_a_residents_member_list_has_no_contact_details(app, client, alpha, register, login_as, outbox):
    allow(alpha, residents="members")
    login_as("member")
    assert order(client, "members").status_code == 302
    text = the_pdf(app, outbox)
    for name in ("Nora Northowner", "Colin Coowner", "Olga Otherunit", "Sam Southie"):
        assert name in text
    assert "@" not in text
    assert "070-111 11 11" not in text


def test_the_unit_list_has_every_unit_with_its_main_owner(app, client, alpha, register, login_as, outbox):
    allow(alpha, residents="units")
    login_as("member")  # holds units.view and ownership.view
    assert order(client, "units").status_code == 302
    text = the_pdf(app, outbox)
    for number in ("N1", "N2", "S1"):
        assert number in text
    assert "Nora Northowner" in text and "Colin Coowner" not in text  # the main owner only
    assert "Garage" in text and "72.5" in text
    assert "3 units" in text and "123.5" in text  # the totals: 72.5 + 51 m²


def test_scoping_to_a_building_leaves_out_the_other_buildings_units(app, client, alpha, register, login_as, outbox):
    allow(alpha)
    login_as("board")
    response = order(client, "units", to=" lists@example.com ", scope=f"building:{register['south'].id}")
    assert response.status_code == 302
    ((message, _name, _body),) = mailed_pdfs(app)
    assert "Covers: South House" in text_of(message)
    assert message["To"] == "lists@example.com"
    assert PdfOrder.get().report_scope == f"building:{register['south'].id}"
    text = the_pdf(app, outbox)
    assert "S1" in text and "Sam Southie" in text
    assert "N1" not in text and "N2" not in text
    assert "North House" not in text and "Nora Northowner" not in text


# --- who may order what ------------------------------------------------------------------------


def test_a_report_not_allowed_is_not_offered_and_refused(app, client, alpha, register, login_as, outbox):
    allow(alpha, residents="tenants")
    login_as("member")
    page = client.get("/alpha/reports").get_data(as_text=True)
    assert 'value="tenants"' in page
    assert 'value="members"' not in page and 'value="units"' not in page
    assert order(client, "members").status_code == 403
    assert order(client, "no-such-report").status_code == 403
    assert PdfOrder.select().count() == 0
    assert outbox.rows() == []


def test_the_board_set_is_not_the_residents_set(app, client, alpha, register, login_as, outbox):
    allow(alpha, board="units", residents="tenants members")
    login_as("board")
    page = client.get("/alpha/reports").get_data(as_text=True)
    assert 'value="units"' in page and 'value="tenants"' not in page
    assert order(client, "tenants").status_code == 403


def test_a_report_the_role_cannot_see_is_not_offered_even_when_allowed(app, client, alpha, register, login_as):
    allow(alpha, residents="units members")  # a tenant holds neither units.view nor members.view
    login_as("tenant")
    page = client.get("/alpha/reports").get_data(as_text=True)
    assert "No report is offered to you" in page
    assert 'name="report"' not in page
    assert order(client, "units").status_code == 403
    assert PdfOrder.select().count() == 0


def test_nothing_offered_explains_itself(app, client, alpha, login_as):
    login_as("member")  # resident_reports is empty by default
    page = client.get("/alpha/reports")
    assert page.status_code == 200
    assert "No report is offered to you" in page.get_data(as_text=True)
    assert client.submit("/alpha/reports", {"report": "", "to_address": "a@b.example"}).status_code == 403


def test_my_account_offers_a_report_only_when_there_is_one(app, client, alpha, login_as):
    """Issue 17, item 9: a tenant with nothing to order is not sent to an empty page; the account says why."""
    login_as("member")
    page = client.get("/alpha/account").get_data(as_text=True)
    assert 'href="/alpha/reports"' not in page
    assert "No report is offered to you" in page

    allow(alpha, residents="tenants")
    page = client.get("/alpha/account").get_data(as_text=True)
    assert 'href="/alpha/reports"' in page
    assert "No report is offered to you" not in page


def test_the_form_defaults_to_the_accounts_address_and_refuses_bad_input(
    app, client, alpha, register, make_association, login_as
):
    allow(alpha)
    login_as("board")
    page = client.get("/alpha/reports").get_data(as_text=True)
    assert 'value="board@alpha.example"' in page
    assert "South House" in page  # a building to choose
    bad_address = order(client, "tenants", to="not-an-address")
    assert bad_address.status_code == 422
    assert "valid e-mail address" in bad_address.get_data(as_text=True)
    no_report = client.submit("/alpha/reports", {"report": "", "to_address": "a@b.example"})
    assert no_report.status_code == 422
    assert "Choose a report." in no_report.get_data(as_text=True)
    unknown = order(client, "tenants", scope="building:999999")
    assert unknown.status_code == 422
    assert "not in the register" in unknown.get_data(as_text=True)
    beta_building = Building.create(association=make_association("beta"), name="Beta Block")
    assert order(client, "tenants", scope=f"building:{beta_building.id}").status_code == 422
    assert order(client, "tenants", scope="everything").status_code == 422
    assert PdfOrder.select().count() == 0


@pytest.mark.parametrize("scope", ["building:\u00b2", "building:99999999999999999999999"])
def test_a_scope_that_is_no_building_id_is_refused_not_a_crash(app, client, alpha, register, login_as, scope):
    allow(alpha)
    login_as("board")
    refused = order(client, "tenants", scope=scope)
    assert refused.status_code == 422
    assert PdfOrder.select().count() == 0


def test_the_page_lists_only_ones_own_orders_with_their_status(
    app, client, alpha, register, login_as, make_user, outbox
):
    allow(alpha)
    board = login_as("board")
    other = make_user(alpha, "treasurer@alpha.example", "board")
    PdfOrder.create(association=alpha, user=other, report="members", to_address="secret@elsewhere.example")
    assert order(client, "tenants", to="mine@example.com").status_code == 302
    page = client.get("/alpha/reports").get_data(as_text=True)
    assert "mine@example.com" in page and "Tenant list" in page
    assert "secret@elsewhere.example" not in page
    assert PdfOrder.get(PdfOrder.user == board).state != PdfOrder.FAILED
    part = client.get("/alpha/reports", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.lstrip().startswith('<section id="report-orders"') and "mine@example.com" in part


# --- the job -----------------------------------------------------------------------------------


def test_an_order_no_longer_allowed_fails_with_a_readable_reason(app, client, alpha, register, login_as, outbox):
    allow(alpha, residents="members")
    member = login_as("member")
    with app.app_context():
        placed = PdfOrder.create(association=alpha, user=member, report="members", to_address="m@example.com")
        allow(alpha, residents="tenants")  # the board withdrew it before the job ran
        assert make_ordered_pdf(placed.id) == "failed"
        assert make_ordered_pdf(placed.id) == "skipped"  # a failed order is not picked up again by itself
    failed = PdfOrder.get_by_id(placed.id)
    assert failed.state == PdfOrder.FAILED
    assert failed.error == "This report is no longer offered to you."
    assert outbox.rows() == []
    page = client.get("/alpha/reports").get_data(as_text=True)
    assert "Failed" in page and "This report is no longer offered to you." in page  # on the row, not a spinner


def test_a_building_removed_before_the_job_runs_fails_the_order(app, alpha, register, make_user, outbox):
    allow(alpha)
    board = make_user(alpha, "board@alpha.example", "board")
    with app.app_context():
        placed = PdfOrder.create(
            association=alpha, user=board, report="units", report_scope="building:999999", to_address="b@example.com"
        )
        make_ordered_pdf(placed.id)
    assert "not in the register" in PdfOrder.get_by_id(placed.id).error


def test_a_mail_that_cannot_be_written_fails_the_order(app, alpha, register, make_user, outbox, monkeypatch):
    import jobs.pdf

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(jobs.pdf, "queue_mail", broken)
    allow(alpha)
    board = make_user(alpha, "board@alpha.example", "board")
    with app.app_context():
        placed = PdfOrder.create(association=alpha, user=board, report="units", to_address="b@example.com")
        assert make_ordered_pdf(placed.id) == "failed"
    failed = PdfOrder.get_by_id(placed.id)
    assert failed.state == PdfOrder.FAILED and "could not be made" in failed.error


def test_a_mailed_order_is_not_mailed_twice(app, client, alpha, register, login_as, outbox):
    allow(alpha)
    login_as("board")
    order(client, "tenants")
    placed = PdfOrder.get()
    with app.app_context():
        assert make_ordered_pdf(placed.id) == "skipped"
    assert len(outbox.rows(kind="report_pdf")) == 1


def test_the_report_is_in_the_orderers_language(app, client, alpha, register, login_as, outbox):
    allow(alpha)
    board = login_as("board")
    board.ui_language = "sv"
    board.save()
    order(client, "units")
    assert PdfOrder.get().language == "sv"
    text = the_pdf(app, outbox)
    assert "2 mars 2026" in text  # dates in Swedish
    assert "S1" in text


@pytest.mark.parametrize("key", list(reports.REPORTS))
def test_each_report_takes_the_same_number_of_queries_however_many_units(app, alpha, register, key, make_person):
    board = Membership(association=alpha, role=alpha.role("board"))
    with app.app_context():
        with count_queries() as few:
            small = reports.build(key, alpha, board)
        for number in range(10):
            unit = Unit.create(association=alpha, building=register["south"], number=f"X{number}")
            person = make_person(alpha, f"x{number}@example.com")
            Ownership.create(unit=unit, person=person, is_main=True)
            Residency.create(unit=unit, person=person)
        with count_queries() as many:
            large = reports.build(key, alpha, board)
    assert len(large.rows) > len(small.rows)
    assert many.count == few.count <= 1


def test_the_unit_list_adds_shares_exactly(app, alpha, register):
    board = Membership(association=alpha, role=alpha.role("board"))
    with app.app_context():
        whole = reports.build("units", alpha, board)
        north = reports.build("units", alpha, board, register["north"])
    assert whole.share_total == "1"  # 3/10 + 2/10 + 5/10, as fractions: no float rounding
    assert north.share_total == "1/2"
    assert north.area_total == Decimal("123.5")
    assert [row.unit for row in north.rows] == ["N1", "N2"]


# --- the board's settings ----------------------------------------------------------------------


def test_the_settings_page_saves_the_choices(app, client, alpha, login_as):
    login_as("board")
    page = client.get("/alpha/admin/reports").get_data(as_text=True)
    assert "The board may order" in page and "Residents may order" in page
    response = client.submit(
        "/alpha/admin/reports", {"board_reports": ["members", "tenants"], "resident_reports": ["units"]}
    )
    assert response.status_code == 302
    settings = ReportSettings.get(ReportSettings.association == alpha)
    assert settings.board_reports == "tenants members"
    assert settings.resident_reports == "units"
    page = client.get("/alpha/admin/reports").get_data(as_text=True)
    assert 'id="resident_reports-units" name="resident_reports" value="units" checked' in page
    assert 'id="resident_reports-tenants" name="resident_reports" value="tenants" >' in page
    client.submit("/alpha/admin/reports", {})
    settings = ReportSettings.get(ReportSettings.association == alpha)
    assert (settings.board_reports, settings.resident_reports) == ("", "")


def test_the_settings_refuse_an_unknown_report(app, client, alpha, login_as):
    login_as("board")
    response = client.submit("/alpha/admin/reports", {"board_reports": ["payroll"]})
    assert response.status_code == 422
    assert ReportSettings.for_association(alpha).board_reports == "tenants units members"


def test_residents_cannot_change_the_settings(app, client, alpha, login_as):
    login_as("member")
    assert client.get("/alpha/admin/reports").status_code == 403
