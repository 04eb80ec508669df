"""The board's late-interest pages: the rule explained and validated, the reference-rate table, the run
preview (plain and htmx), making a run once per day, and a run's charges with their working."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from models import AuditLog
from models.billing import BillingSettings, InterestCharge, InterestRun, Invoice, InvoiceDelivery, ReferenceRate
from tests.blueprints.billing.test_interest_runs import count_queries
from tests.factories.billing import make_billing, make_invoice, make_payment

HX = {"HX-Request": "true"}
SETTINGS = "/alpha/admin/billing/interest"
HOSTILE = '<script>alert("rate")</script>'


def text(response) -> str:
    """The page's words, without tags, entities decoded and spaces collapsed."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"[\s\xa0\u202f]+", " ", words)


@pytest.fixture
def board(login_as, frozen_clock, alpha):
    frozen_clock.set(dt.datetime(2029, 2, 1, 9, 0))
    make_billing(alpha, interest_mode=BillingSettings.INTEREST_FIXED, interest_rate=1000)
    return login_as("board")


def settings_form(**changes) -> dict:
    values = {
        "interest_mode": "fixed",
        "interest_rate": "10",
        "interest_reference": "",
        "interest_margin": "0",
        "interest_grace_days": "0",
        "interest_charged_as": "invoice",
        "interest_minimum": "0",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def stored(alpha) -> BillingSettings:
    return BillingSettings.get(BillingSettings.association == alpha)


# --- the rule ---------------------------------------------------------------------------------------------------


def test_the_settings_page_explains_each_choice_and_is_linked(client, board):
    assert SETTINGS in client.get("/alpha/admin/billing").get_data(as_text=True)
    words = text(client.get(SETTINGS))
    assert "ECB rate + 8 points, the Estonian statutory default" in words
    assert "CNB repo rate + 8 points, the Czech one" in words
    assert "bears no interest. One still unpaid after them bears interest from the day after its due date" in words
    # The worked example at the rule's 10 %: 1,000 for 30 days = 8.22.
    assert "30 days at 10 % a year" in words and "÷ 365 = SEK 8.22" in words
    assert "The rule now: 10 % a year" in words


def test_saving_the_rule_keeps_rates_in_basis_points_and_the_minimum_in_minor_units(client, board, alpha):
    response = client.submit(
        SETTINGS,
        settings_form(
            interest_mode="reference",
            interest_reference="ECB",
            interest_margin="8",
            interest_rate="",
            interest_grace_days="5",
            interest_charged_as="line",
            interest_during_plan="y",
            interest_minimum="12.50",
        ),
        follow_redirects=True,
    )
    assert response.status_code == 200 and "The late interest settings are saved." in text(response)
    settings = stored(alpha)
    assert (settings.interest_mode, settings.interest_reference, settings.interest_margin) == ("reference", "ECB", 800)
    assert (settings.interest_grace_days, settings.interest_charged_as) == (5, "line")
    assert settings.interest_during_plan is True and settings.interest_minimum == 1250
    log = AuditLog.get(AuditLog.action == "billing.interest_settings_changed")
    assert "interest_margin" in log.detail
    assert "ECB + 8 points (no rate in force today)" in text(response)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interest_rate": "ten"}, "Type the yearly rate in percent, from 0 to 100, like 10 or 10.5."),
        ({"interest_rate": "150"}, "Type the yearly rate in percent, from 0 to 100, like 10 or 10.5."),
        ({"interest_rate": ""}, "Give the yearly rate, for example 10."),
        ({"interest_rate": "0"}, "Give the yearly rate, more than 0 %."),
        ({"interest_grace_days": "-3"}, "Give a whole number of days from 0 to 365."),
        ({"interest_grace_days": "400"}, "Give a whole number of days from 0 to 365."),
        ({"interest_grace_days": "2.5"}, "Give a whole number of days from 0 to 365."),
        ({"interest_margin": "-2"}, "Type the margin in percentage points, from 0 to 100, like 8."),
        ({"interest_minimum": "lots"}, "Type an amount like 1 234.50, or 0."),
        ({"interest_minimum": "-5"}, "The smallest amount cannot be below zero."),
        ({"interest_mode": "reference", "interest_reference": " "}, "Name the reference rate, for example ECB."),
        ({"interest_reference": "x" * 41}, "Keep the name to 40 characters."),
    ],
)
def test_bad_settings_are_refused_with_a_message(client, board, alpha, changes, message):
    before = stored(alpha)
    response = client.submit(SETTINGS, settings_form(**changes))
    assert response.status_code == 422
    words = text(response)
    assert message in words and "Some fields need fixing" in words
    after = stored(alpha)
    assert (after.interest_rate, after.interest_grace_days, after.interest_minimum) == (
        before.interest_rate,
        before.interest_grace_days,
        before.interest_minimum,
    )


def test_a_hostile_reference_name_is_shown_as_text(client, board, alpha):
    client.submit(
        SETTINGS,
        settings_form(interest_mode="reference", interest_reference=HOSTILE, interest_margin="8", interest_rate=""),
    )
    assert stored(alpha).interest_reference == HOSTILE
    rate = ReferenceRate.create(association=alpha, valid_from=dt.date(2029, 1, 1), rate=450)
    for path in (SETTINGS, "/alpha/admin/interest", f"{SETTINGS}/rates/{rate.id}/delete"):
        body = client.get(path).get_data(as_text=True)
        assert HOSTILE not in body, path
        assert "&lt;script&gt;alert(" in body, path


# --- the reference-rate table -----------------------------------------------------------------------------------


def test_reference_rates_are_added_by_date_and_today_s_is_marked(client, board, alpha):
    for day, rate in (("2028-09-01", "4,25"), ("2029-01-01", "3.15"), ("2029-06-01", "-0,5")):
        response = client.submit(f"{SETTINGS}/rates", {"valid_from": day, "rate": rate}, form_page=SETTINGS)
        assert response.status_code == 302
    rows = list(ReferenceRate.select().order_by(ReferenceRate.valid_from).tuples())
    assert [(r[2], r[3]) for r in rows] == [
        (dt.date(2028, 9, 1), 425),
        (dt.date(2029, 1, 1), 315),
        (dt.date(2029, 6, 1), -50),
    ]
    body = client.get(SETTINGS).get_data(as_text=True)
    in_force = re.search(r'<tr class="in-force">(.*?)</tr>', body, re.S).group(1)
    assert "1 Jan 2029" in in_force and "In force today" in in_force
    words = text(client.get(SETTINGS))
    assert "−0.5 %" in words and "From a later day" in words and "Replaced" in words

    again = client.submit(f"{SETTINGS}/rates", {"valid_from": "2029-01-01", "rate": "3"}, form_page=SETTINGS)
    assert again.status_code == 422 and "A rate from this day is in the table already" in text(again)
    bad = client.submit(f"{SETTINGS}/rates", {"valid_from": "2029-03-01", "rate": "3 percent"}, form_page=SETTINGS)
    assert bad.status_code == 422 and "Type the rate in percent, from −100 to 100, like 4.5." in text(bad)
    assert ReferenceRate.select().count() == 3


def test_deleting_a_rate_asks_first(client, board, alpha, make_association):
    rate = ReferenceRate.create(association=alpha, valid_from=dt.date(2029, 1, 1), rate=315)
    confirm = client.get(f"{SETTINGS}/rates/{rate.id}/delete")
    assert confirm.status_code == 200 and "Delete the rate from 1 Jan 2029?" in text(confirm)
    assert ReferenceRate.select().count() == 1
    gone = client.submit(f"{SETTINGS}/rates/{rate.id}/delete", {}, follow_redirects=True)
    assert "The rate from 1 Jan 2029 is deleted." in text(gone)
    assert not ReferenceRate.select().exists()

    beta = make_association("beta")
    theirs = ReferenceRate.create(association=beta, valid_from=dt.date(2029, 1, 1), rate=315)
    assert client.get(f"{SETTINGS}/rates/{theirs.id}/delete").status_code == 404


# --- runs -------------------------------------------------------------------------------------------------------


@pytest.fixture
def overdue(alpha, make_person):
    """Dana owes 3,650.00 due 31 Dec 2028 (10 % a year: 1.00 a day); Olle paid his late, on 11 January."""
    dana = make_person(alpha, given_name="Dana", surname="Debtor", email="dana@example.org")
    olle = make_person(alpha, given_name="Olle", surname="Late", email="")
    mine = make_invoice(alpha, dana, lines=[("Fee", 365_000, 0)], due_date=dt.date(2028, 12, 31), number=501)
    his = make_invoice(alpha, olle, lines=[("Fee", 36_500, 0)], due_date=dt.date(2028, 12, 31), number=502)
    make_payment(his, 36_500, dt.date(2029, 1, 11))
    return mine, his


def test_the_runs_page_offers_yesterday(client, board, overdue):
    page = client.get("/alpha/admin/interest")
    assert page.status_code == 200
    assert 'value="2029-01-31"' in page.get_data(as_text=True)
    assert "No late interest has been charged yet." in text(page)
    assert "/alpha/admin/interest" in client.get("/alpha/menu").get_data(as_text=True)


def test_the_preview_shows_each_person_invoice_and_its_working(client, board, overdue):
    page = client.get("/alpha/admin/interest/preview?through=2029-01-31")
    assert page.status_code == 200
    words = text(page)
    assert "Preview: nothing has been charged yet." in words
    assert "Dana Debtor" in words and "Olle Late" in words
    assert "1 Jan 2029–31 Jan 2029: 31 days × SEK 3,650.00 × 10 % ÷ 365" in words
    assert "1 Jan 2029–10 Jan 2029: 10 days × SEK 365.00 × 10 % ÷ 365" in words
    assert "Total interest SEK 32.00" in words  # 31.00 + 1.00
    assert "Charge interest to 2 people" in words
    assert not InterestRun.select().exists()
    partial = client.get("/alpha/admin/interest/preview?through=2029-01-31", headers=HX)
    assert partial.get_data(as_text=True).lstrip().startswith('<div id="interest-preview"')


def test_the_preview_warns_when_the_bank_files_end_before_the_day(client, board, alpha, overdue):
    """Interest through a day the booked bank files do not reach could be charged on money already paid."""
    from models.billing import BankFile

    url = "/alpha/admin/interest/preview?through=2029-01-31"
    assert "The bank files booked so far" not in text(client.get(url))  # no bank files: nothing to say
    BankFile.create(association=alpha, format=BankFile.CAMT053, sha256="1" * 64, state=BankFile.BOOKED,
                    first_day=dt.date(2029, 1, 1), last_day=dt.date(2029, 1, 20))  # fmt: skip
    assert "The bank files booked so far end on 20 Jan 2029." in text(client.get(url))
    assert "The bank files booked so far" not in text(client.get("/alpha/admin/interest/preview?through=2029-01-20"))


def test_the_preview_refuses_a_day_not_over(client, board, overdue):
    for through in ("2029-02-01", "2029-03-01"):
        page = client.get(f"/alpha/admin/interest/preview?through={through}", headers=HX)
        assert page.status_code == 422
        assert "Choose a day before today: a day is charged once it is over." in text(page)
    assert client.get("/alpha/admin/interest/preview?through=soon").status_code == 422


def test_the_preview_skips_people_below_the_minimum(client, board, alpha, overdue):
    BillingSettings.update(interest_minimum=500).where(BillingSettings.association == alpha).execute()
    words = text(client.get("/alpha/admin/interest/preview?through=2029-01-31"))
    assert "1 person skipped" in words and "Olle Late SEK 1.00 Skipped" in words
    assert "Below the smallest amount charged" in words and "Charge interest to 1 person" in words


def test_the_preview_says_when_interest_is_off(client, board, alpha, overdue):
    BillingSettings.update(interest_mode="none").where(BillingSettings.association == alpha).execute()
    words = text(client.get("/alpha/admin/interest/preview?through=2029-01-31"))
    assert "Late interest is off, so nothing is charged." in words
    response = client.submit("/alpha/admin/interest", {"through": "2029-01-31"}, form_page="/alpha/admin/interest")
    assert response.status_code == 302 and not InterestRun.select().exists()


def test_a_run_charges_once_and_its_page_shows_the_working(client, board, overdue, outbox):
    mine, _his = overdue
    response = client.submit(
        "/alpha/admin/interest", {"through": "2029-01-31"}, form_page="/alpha/admin/interest", follow_redirects=True
    )
    words = text(response)
    assert "Late interest through 31 Jan 2029 is charged: 2 charges, SEK 32.00 in all." in words
    interest_invoice = Invoice.get((Invoice.recipient == mine.recipient) & (Invoice.purpose == Invoice.INTEREST))
    assert interest_invoice.total == 3100
    assert f"Charged on invoice {interest_invoice.number}" in words
    assert "Invoice 501, 1 Jan 2029–31 Jan 2029: SEK 31.00" in words
    body = response.get_data(as_text=True)
    for summary in re.findall(r"<summary>(.*?)</summary>", body, re.S):
        assert "<a " not in summary and "<button" not in summary
    assert f'href="/alpha/admin/invoices/{mine.id}"' in body
    assert "1 Jan 2029–31 Jan 2029: 31 days × SEK 3,650.00 × 10 % ÷ 365 = 31.0000" in words  # the working, exact
    # On its way by the recipient's choice, like any new invoice: Dana takes hers by e-mail.
    assert [d.channel for d in InvoiceDelivery.select().where(InvoiceDelivery.invoice == interest_invoice)] == ["email"]

    again = client.submit(
        "/alpha/admin/interest", {"through": "2029-01-31"}, form_page="/alpha/admin/interest", follow_redirects=True
    )
    assert "Interest through 31 Jan 2029 was charged before: nothing was charged again." in text(again)
    assert InterestCharge.select().count() == 2 and InterestRun.select().count() == 1
    preview = text(client.get("/alpha/admin/interest/preview?through=2029-01-31"))
    assert "Running it again changes nothing." in preview
    assert "Charge interest to" not in preview

    later = text(client.get("/alpha/admin/interest/preview?through=2029-01-20"))
    assert "An earlier run charged interest through 31 Jan 2029" in later
    assert "Nobody owes late interest for days up to this one." in later


def test_another_association_s_run_is_not_found(client, board, make_association):
    beta = make_association("beta")
    theirs = InterestRun.create(association=beta, through=dt.date(2029, 1, 31), charged_as="invoice")
    assert client.get(f"/alpha/admin/interest/{theirs.id}").status_code == 404


def test_a_run_page_costs_the_same_queries_for_any_number_of_charges(client, board, alpha, make_person, outbox):
    def run_with(people: int, through: dt.date) -> str:
        for n in range(people):
            person = make_person(alpha, surname=f"Late{through.day}x{n}")
            make_invoice(alpha, person, lines=[("Fee", 100_000, 0)], due_date=dt.date(2028, 12, 1))
        client.submit("/alpha/admin/interest", {"through": through.isoformat()}, form_page="/alpha/admin/interest")
        return f"/alpha/admin/interest/{InterestRun.get(InterestRun.through == through).id}"

    small = run_with(1, dt.date(2029, 1, 10))
    large = run_with(12, dt.date(2029, 1, 20))
    client.get(small)  # warm: the first request loads what every page needs
    assert (
        InterestCharge.select()
        .where(InterestCharge.run == InterestRun.get(InterestRun.through == dt.date(2029, 1, 20)))
        .count()
        == 13
    )
    assert count_queries(lambda: client.get(small)) == count_queries(lambda: client.get(large))
