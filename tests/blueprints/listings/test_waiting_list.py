"""The waiting list (L4) with the clock under the test's control: sign-up from 15 with the reason given,
confirmation and page links that work once and expire, "send me my link" answering alike for any address,
the throttle and honeypot; the board's order by seniority with the internal share, offers to the next N with
a deadline, answers by link, the letting that withdraws the others' offers; the applicant's places and why
they changed; download and delete; hostile names; constant queries on the board's pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from blueprints.listings import waiting_service
from models.listings import Applicant, ApplicantEvent, Letting, Offer, Vacancy, WaitingListRules
from models.register import Unit
from tests.blueprints.billing.test_invoicing import count_queries
from tests.factories.listings import make_applicant, make_vacancy
from tests.factories.register import make_building, make_unit
from tests.helpers import Client

NOW = dt.datetime(2026, 4, 10, 9, 0)  # 11:00 in Stockholm
SIGN_UP = {
    "name": "Sofie Seeker",
    "email": "sofie@seeker.example",
    "birth_date": "2000-03-01",
    "housing_types": ["family", "senior"],
    "rooms_from": "2",
    "max_rent": "8000",
}


@pytest.fixture
def clock_at(frozen_clock):
    frozen_clock.set(NOW)
    return frozen_clock


def link(row, part: str) -> str:
    """The path of the link in a mail's text that contains `part`."""
    (url,) = [word for word in row.body_text.split() if part in word]
    return url[url.index("/", len("http://")) :]


def without_nonce(text: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", text)


def page(response) -> str:
    return response.get_data(as_text=True)


def test_sign_up_confirm_and_the_page_links_work_once_and_expire(app, client, alpha, clock_at, outbox):
    # Under 15 on the sign-up day: refused, and told why; nothing is kept or sent.
    young = client.submit("/alpha/waiting-list", {**SIGN_UP, "birth_date": "2011-04-11"})
    assert young.status_code == 422 and "from the day you turn 15" in page(young)
    assert Applicant.select().count() == 0 and not outbox.rows()
    # A robot filling the honeypot sees success; nothing is kept.
    robot = client.submit("/alpha/waiting-list", {**SIGN_UP, "website": "http://spam.example"})
    assert robot.status_code == 200 and "Check your mail" in page(robot) and Applicant.select().count() == 0
    # Fifteen today: welcome.
    response = client.submit("/alpha/waiting-list", {**SIGN_UP, "birth_date": "2011-04-10"})
    assert response.status_code == 200 and "Check your mail" in page(response)
    (mail,) = outbox.rows(kind="waiting_confirm")
    assert mail.to_address == "sofie@seeker.example" and "Sofie Seeker" in mail.body_text
    applicant = Applicant.get()
    assert (applicant.status, applicant.housing_types, applicant.rooms_from, applicant.max_rent) == (
        Applicant.PENDING, "family senior", 2, 800_000,
    )  # fmt: skip
    confirm = link(mail, "/waiting-list/confirm/")
    # The GET (a mail scanner's too) only shows the button.
    assert "Confirm my sign-up" in page(client.get(confirm)) and Applicant.get().status == Applicant.PENDING
    clock_at.advance(dt.timedelta(days=1))
    opened = client.submit(confirm, {})
    assert opened.status_code == 302 and opened.location.endswith("/alpha/waiting-list/me")
    applicant = Applicant.get()
    assert (applicant.status, applicant.seniority_on) == (Applicant.ACTIVE, dt.date(2026, 4, 11))
    me = page(client.get("/alpha/waiting-list/me"))
    assert "Number 1 in line" in me and "You joined the waiting list" in me
    assert client.submit(confirm, {}, form_page="/alpha/waiting-list").status_code == 410  # once only

    # "Send me my link": the same answer for an unknown address, and no mail to it.
    other = Client(app.test_client())
    unknown = other.submit("/alpha/waiting-list/link", {"email": "nobody@else.example"})
    known = other.submit("/alpha/waiting-list/link", {"email": "SOFIE@seeker.example"})
    assert unknown.status_code == known.status_code == 200
    assert without_nonce(page(unknown)) == without_nonce(page(known))
    (link_mail,) = outbox.rows(kind="waiting_link")
    assert link_mail.to_address == "sofie@seeker.example"
    open_path = link(link_mail, "/waiting-list/open/")
    assert other.get("/alpha/waiting-list/me").status_code == 302  # no key in this browser yet
    assert other.submit(open_path, {}).status_code == 302
    assert "Number 1 in line" in page(other.get("/alpha/waiting-list/me"))
    assert other.submit(open_path, {}, form_page="/alpha/waiting-list/link").status_code == 410
    # A page link expires after an hour; the page's key after two.
    other.submit("/alpha/waiting-list/link", {"email": "sofie@seeker.example"})
    late = link(outbox.rows(kind="waiting_link")[-1], "/waiting-list/open/")
    clock_at.advance(dt.timedelta(hours=1, seconds=1))
    assert other.get(late).status_code == 410
    clock_at.advance(dt.timedelta(hours=1))
    assert other.get("/alpha/waiting-list/me").status_code == 302
    # A confirmation link expires after three days.
    third = Client(app.test_client())
    third.submit("/alpha/waiting-list", {**SIGN_UP, "email": "late@seeker.example"})
    late_confirm = link(outbox.rows(kind="waiting_confirm")[-1], "/waiting-list/confirm/")
    clock_at.advance(dt.timedelta(days=3, seconds=1))
    assert third.get(late_confirm).status_code == 410


def test_the_forms_are_throttled_per_sender(app, client, alpha, clock_at, outbox):
    app.config["WAITING_LIST_REQUESTS_PER_HOUR"] = 2
    for number in range(2):
        assert client.submit("/alpha/waiting-list/link", {"email": f"a{number}@x.example"}).status_code == 200
    refused = client.submit("/alpha/waiting-list", SIGN_UP)
    assert refused.status_code == 429 and "Too many requests" in page(refused)
    assert Applicant.select().count() == 0
    clock_at.advance(dt.timedelta(hours=1, minutes=1))
    assert client.submit("/alpha/waiting-list", SIGN_UP).status_code == 200


@pytest.fixture
def queue(app, alpha, clock_at):
    """A family home in Parkhuset; applicants by seniority: Anna (2019), Bo (2020, internal), Carl (2021),
    Dina (2018, wants only youth homes), Emil (2017, passive)."""
    building = make_building(alpha, "Parkhuset")
    vacancy = make_vacancy(
        make_unit(alpha, "P1", building=building, rooms=3), rent=700_000, move_in=dt.date(2026, 6, 1)
    )
    people = {
        "anna": make_applicant(alpha, "Anna Andersen", dt.date(2019, 1, 1), email="anna@a.example"),
        "bo": make_applicant(alpha, "Bo Berg", dt.date(2020, 1, 1), internal=True, email="bo@a.example"),
        "carl": make_applicant(alpha, "Carl Christensen", dt.date(2021, 1, 1), email="carl@a.example"),
        "dina": make_applicant(alpha, "Dina Dam", dt.date(2018, 1, 1), housing_types="youth"),
        "emil": make_applicant(alpha, "Emil Eriksen", dt.date(2017, 1, 1), status=Applicant.PASSIVE),
    }
    WaitingListRules.create(association=alpha, internal_share=50, offer_batch=2, reply_days=3)
    return vacancy, people


def names_in_order(text: str, *names: str) -> list[str]:
    return sorted(names, key=lambda name: text.index(name) if name in text else 10**6)


def test_offers_go_in_order_with_the_internal_share_and_the_letting_withdraws_the_rest(
    app, client, login_as, alpha, queue, outbox
):
    vacancy, people = queue
    login_as("board")
    offers_page = f"/alpha/board/vacancies/{vacancy.id}/offers"
    text = page(client.get(offers_page))
    # No letting yet, share 50 %: an internal turn, so Bo (internal) before Anna, then Carl; Dina's wishes do
    # not fit, Emil is passive.
    assert "This home is an internal turn" in text
    assert names_in_order(text, "Bo Berg", "Anna Andersen", "Carl Christensen") == [
        "Bo Berg", "Anna Andersen", "Carl Christensen",
    ]  # fmt: skip
    assert "Dina Dam" not in text and "Emil Eriksen" not in text
    assert client.submit(f"{offers_page}/send", {}, form_page=offers_page).status_code == 302
    offers = {offer.applicant.name: offer for offer in Offer.select()}
    assert set(offers) == {"Bo Berg", "Anna Andersen"}
    # The deadline is the end of the third day in the association's time zone (23:59:59 in Stockholm).
    assert offers["Bo Berg"].deadline == dt.datetime(2026, 4, 13, 21, 59, 59)
    mails = {row.to_address: row for row in outbox.rows(kind="waiting_offer")}
    assert set(mails) == {"bo@a.example", "anna@a.example"}
    assert "Parkhuset" in mails["anna@a.example"].body_text and "7,000.00" in mails["anna@a.example"].body_text

    # Anna accepts by her link (the GET only shows the buttons), Bo declines; a link works once.
    anna_link = link(mails["anna@a.example"], "/waiting-list/offer/")
    shown = page(client.get(anna_link))
    assert (
        "Accept the offer" in shown
        and "Decline the offer" in shown
        and Offer.get_by_id(offers["Anna Andersen"].id).status == "open"
    )
    assert client.submit(anna_link, {"answer": "accept"}).status_code == 200
    bo_link = link(mails["bo@a.example"], "/waiting-list/offer/")
    assert client.submit(bo_link, {"answer": "decline"}).status_code == 200
    assert client.submit(bo_link, {"answer": "accept"}, form_page=offers_page).status_code == 410
    assert Offer.get_by_id(offers["Bo Berg"].id).status == Offer.DECLINED
    # The next round reaches Carl only (the others have had their offer).
    client.submit(f"{offers_page}/send", {}, form_page=offers_page)
    carl_offer = Offer.get(Offer.applicant == people["carl"].id)

    response = client.submit(f"{offers_page}/let", {"offer": offers["Anna Andersen"].id}, form_page=offers_page)
    assert response.status_code == 302
    assert Offer.get_by_id(offers["Anna Andersen"].id).status == Offer.LET
    assert Offer.get_by_id(carl_offer.id).status == Offer.WITHDRAWN
    (withdrawn,) = outbox.rows(kind="waiting_withdrawn")
    assert withdrawn.to_address == "carl@a.example"
    assert Vacancy.get_by_id(vacancy.id).ends_on == dt.date(2026, 4, 10)  # gone from tomorrow
    assert Applicant.get_by_id(people["anna"].id).status == Applicant.HOUSED
    assert Letting.get().internal_turn is True
    assert "The home is let." in page(client.get(offers_page))
    # The next home is not an internal turn: one letting of one went internal, which meets 50 %.
    second = make_vacancy(make_unit(alpha, "P2", building=vacancy.unit.building, rooms=2), rent=600_000)
    text = page(client.get(f"/alpha/board/vacancies/{second.id}/offers"))
    assert "This home is not an internal turn" in text
    assert names_in_order(text, "Bo Berg", "Carl Christensen") == ["Bo Berg", "Carl Christensen"]  # by seniority
    # Anna's log on the board's page says every step.
    board_log = page(client.get(f"/alpha/board/waiting-list/{people['anna'].id}"))
    for words in ("Offered a home", "Accepted the offer", "Got the home"):
        assert words in board_log


def test_the_applicant_sees_places_per_list_and_why_they_changed(app, client, alpha, queue, outbox, login_as):
    vacancy, people = queue
    carl = people["carl"]
    carl.housing_types = "family youth"
    carl.save()
    raw = waiting_service.issue_token(carl, "session")
    with client.session_transaction() as session:
        session[f"waiting_list:{alpha.id}"] = raw
    text = page(client.get("/alpha/waiting-list/me"))
    # Family: Anna and Bo ahead (Emil is passive); youth: Dina ahead.
    assert re.search(r"Family home</span>\s*<span class=\"detail\">Number 3 in line", text)
    assert re.search(r"Youth home</span>\s*<span class=\"detail\">Number 2 in line", text)
    offer = Offer.create(association=alpha, vacancy=vacancy, applicant=people["anna"], deadline=dt.datetime(2026, 5, 1))
    waiting_service.let(alpha, Vacancy.get_by_id(vacancy.id), offer)
    text = page(client.get("/alpha/waiting-list/me"))
    assert re.search(r"Family home</span>\s*<span class=\"detail\">Number 2 in line", text)
    assert "Someone ahead of you got a home: you moved up a place." in text
    assert "Anna" not in text  # others stay anonymous


def test_download_and_delete_keep_only_a_pseudonym(app, client, alpha, queue, outbox, login_as):
    vacancy, people = queue
    anna = people["anna"]
    Offer.create(association=alpha, vacancy=vacancy, applicant=anna, deadline=dt.datetime(2026, 5, 1))
    waiting_service.log(anna, "offered", vacancy=vacancy)
    with client.session_transaction() as session:
        session[f"waiting_list:{alpha.id}"] = waiting_service.issue_token(anna, "session")
    download = client.get("/alpha/waiting-list/me/data.json")
    assert download.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(download.get_data())
    assert (data["name"], data["email"], data["seniority_on"]) == ("Anna Andersen", "anna@a.example", "2019-01-01")
    assert data["offers"][0]["status"] == "open" and data["events"][0]["kind"] == "offered"
    # Deletion asks first.
    asked = page(client.get("/alpha/waiting-list/me/delete"))
    assert "Delete my data" in asked and Applicant.get_or_none(Applicant.id == anna.id) is not None
    assert client.submit("/alpha/waiting-list/me/delete", {}).status_code == 200
    assert Applicant.get_or_none(Applicant.id == anna.id) is None and Offer.select().count() == 0
    events = list(ApplicantEvent.select().where(ApplicantEvent.applicant_number == anna.id))
    assert {event.kind for event in events} == {"offered", "deleted"}
    assert all(event.applicant_id is None and event.pseudonym == anna.pseudonym for event in events)
    assert client.get("/alpha/waiting-list/me").status_code == 302  # the page is gone with the data


HOSTILE = '<script>alert(1)</script> "Bo" \r\nBcc: evil@example.org'


def test_hostile_names_stay_text_on_the_boards_pages_and_in_mails(app, client, login_as, alpha, queue, outbox):
    vacancy, people = queue
    response = client.submit("/alpha/waiting-list", {**SIGN_UP, "name": HOSTILE, "email": "h@x.example"})
    assert response.status_code == 200
    hostile = Applicant.get(Applicant.email == "h@x.example")
    assert "\r" not in hostile.name and "\n" not in hostile.name  # one line: it can never reach a header
    (mail,) = outbox.rows(kind="waiting_confirm")
    assert "<script>" not in mail.body_html and "&lt;script&gt;" in mail.body_html
    assert "Bcc" not in mail.subject and mail.to_address == "h@x.example"
    hostile.status, hostile.seniority_on = Applicant.ACTIVE, dt.date(2016, 1, 1)
    hostile.save()
    login_as("board")
    for path in ("/alpha/board/waiting-list", f"/alpha/board/vacancies/{vacancy.id}/offers",
                 f"/alpha/board/waiting-list/{hostile.id}"):  # fmt: skip
        text = page(client.get(path))
        assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path


def test_the_boards_list_and_the_offers_page_take_the_same_queries_for_more_applicants(
    app, client, login_as, alpha, queue, outbox
):
    vacancy, _people = queue
    login_as("board")
    offers_page = f"/alpha/board/vacancies/{vacancy.id}/offers"

    def grow(start: int, stop: int) -> None:
        for number in range(start, stop):
            applicant = make_applicant(alpha, f"Extra {number}", dt.date(2022, 1, 1) + dt.timedelta(days=number))
            Offer.create(association=alpha, vacancy=vacancy, applicant=applicant, deadline=dt.datetime(2026, 5, 1))
            waiting_service.log(applicant, "offered", vacancy=vacancy)

    def visit() -> None:
        assert client.get("/alpha/board/waiting-list").status_code == 200
        assert client.get(offers_page).status_code == 200

    grow(0, 2)
    few = count_queries(visit)
    grow(2, 14)
    assert count_queries(visit) == few


def test_the_board_sets_the_rules_and_records_payments_and_the_internal_flag(app, client, login_as, alpha, queue):
    _vacancy, people = queue
    login_as("board")
    rules = {"fee": "200", "grace_days": "30", "internal_share": "25", "offer_batch": "3", "reply_days": "4"}
    assert client.submit("/alpha/board/waiting-list/rules", rules).status_code == 302
    stored = WaitingListRules.get(WaitingListRules.association == alpha)
    assert (stored.fee, stored.internal_share, stored.reply_days) == (20_000, 25, 4)
    carl = people["carl"]
    carl_page = f"/alpha/board/waiting-list/{carl.id}"
    client.submit(f"{carl_page}/internal", {"internal": "y"}, form_page=carl_page)
    client.submit(f"{carl_page}/paid", {}, form_page=carl_page)
    carl = Applicant.get_by_id(carl.id)
    # The new fee made the renewal due a year from today; the payment moves it a year on.
    assert carl.internal is True and carl.paid_until == dt.date(2028, 4, 10)
    text = page(client.get(carl_page))
    assert "Put on the internal list" in text and "Renewal paid (SEK\xa0200.00)" in text


def test_one_address_gets_at_most_five_mails_a_day_whatever_the_senders(app, client, alpha, clock_at, outbox):
    for number in range(6):  # six senders: the per-sender throttle never applies
        response = client.submit(
            "/alpha/waiting-list", {**SIGN_UP, "email": "Victim@x.example"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{number + 1}"},
        )  # fmt: skip
        assert response.status_code == 200
    assert len(outbox.rows(kind="waiting_confirm")) == 5
    clock_at.advance(dt.timedelta(days=1, minutes=1))  # a day on, the address may be mailed again
    client.submit(
        "/alpha/waiting-list", {**SIGN_UP, "email": "victim@x.example"}, environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert len(outbox.rows(kind="waiting_confirm")) == 6


def test_a_far_future_birth_date_is_a_form_error(client, alpha, clock_at, outbox):
    for day in ("9999-12-31", "2027-01-01", "1899-12-31"):
        response = client.submit("/alpha/waiting-list", {**SIGN_UP, "birth_date": day})
        assert response.status_code == 422 and "Give a birth date from 1900 until today." in page(response), day
    assert waiting_service.old_enough(dt.date(9999, 12, 31), dt.date(2026, 4, 10)) is False
    assert Applicant.select().count() == 0 and not outbox.rows()


def test_erasing_a_housed_applicant_keeps_the_home_let_and_their_mails_go(app, client, login_as, alpha, queue, outbox):
    vacancy, people = queue
    anna = people["anna"]
    login_as("board")
    offers_page = f"/alpha/board/vacancies/{vacancy.id}/offers"
    client.submit(f"{offers_page}/send", {}, form_page=offers_page)
    anna_offer = Offer.get(Offer.applicant == anna.id)
    assert client.submit(f"{offers_page}/let", {"offer": anna_offer.id}, form_page=offers_page).status_code == 302
    bo_offer = Offer.get(Offer.applicant == people["bo"].id)
    assert outbox.rows(to_address="anna@a.example") and outbox.rows(kind="waiting_withdrawn")
    # Anna leaves the list and erases her data: her offer goes with her, the letting stays.
    applicant_browser = Client(app.test_client())
    with applicant_browser.session_transaction() as session:
        session[f"waiting_list:{alpha.id}"] = waiting_service.issue_token(anna, "session")
    assert applicant_browser.submit("/alpha/waiting-list/me/delete", {}).status_code == 200
    assert Offer.select().where(Offer.status == Offer.LET).count() == 0 and Letting.select().count() == 1
    assert outbox.rows(to_address="anna@a.example") == []  # her confirmation, offer and links are gone too
    assert outbox.rows(to_address="bo@a.example")  # others' mails stay
    # The home stays let: no queue, no send button, no offers mailed, and the let form answers 422.
    text = page(client.get(offers_page))
    assert "The home is let." in text and "Offer the home to the next" not in text
    before = len(outbox.rows(kind="waiting_offer"))
    client.submit(f"{offers_page}/send", {}, form_page=offers_page)
    assert len(outbox.rows(kind="waiting_offer")) == before and Offer.select().count() == 1
    Offer.update(status=Offer.ACCEPTED).where(Offer.id == bo_offer.id).execute()
    assert client.submit(f"{offers_page}/let", {"offer": bo_offer.id}, form_page=offers_page).status_code == 422
    assert waiting_service.send_offers(alpha, Vacancy.get_by_id(vacancy.id)) == []


def test_no_offers_for_an_ended_or_archived_home(app, client, login_as, alpha, queue, outbox, clock_at):
    vacancy, _people = queue
    login_as("board")
    offers_page = f"/alpha/board/vacancies/{vacancy.id}/offers"
    Vacancy.update(ends_on=dt.date(2026, 4, 9)).where(Vacancy.id == vacancy.id).execute()
    assert "This home is no longer listed" in page(client.get(offers_page))
    client.submit(f"{offers_page}/send", {}, form_page=offers_page)
    assert Offer.select().count() == 0 and not outbox.rows(kind="waiting_offer")
    Vacancy.update(ends_on=None).where(Vacancy.id == vacancy.id).execute()
    Unit.update(archived_at=NOW).where(Unit.id == vacancy.unit_id).execute()
    client.submit(f"{offers_page}/send", {}, form_page=offers_page)
    assert Offer.select().count() == 0 and not outbox.rows(kind="waiting_offer")
    Unit.update(archived_at=None).where(Unit.id == vacancy.unit_id).execute()
    client.submit(f"{offers_page}/send", {}, form_page=offers_page)
    assert Offer.select().count() == 2  # open again: offers go


def test_a_huge_offer_id_is_refused_without_a_500(client, login_as, alpha, queue):
    vacancy, _people = queue
    login_as("board")
    offers_page = f"/alpha/board/vacancies/{vacancy.id}/offers"
    response = client.submit(f"{offers_page}/let", {"offer": "9" * 30}, form_page=offers_page)
    assert response.status_code == 422


def test_a_fee_set_later_starts_renewals_for_those_already_on_the_list(app, client, login_as, alpha, queue):
    _vacancy, people = queue
    housed = make_applicant(alpha, "Hilde Housed", dt.date(2016, 1, 1), status=Applicant.HOUSED)
    login_as("board")
    rules = {"fee": "", "grace_days": "30", "internal_share": "50", "offer_batch": "2", "reply_days": "3"}
    assert client.submit("/alpha/board/waiting-list/rules", rules).status_code == 302
    assert Applicant.get_by_id(people["anna"].id).paid_until is None  # no fee: no renewal
    assert client.submit("/alpha/board/waiting-list/rules", {**rules, "fee": "200"}).status_code == 302
    due = dt.date(2027, 4, 10)
    assert {a.paid_until for a in Applicant.select().where(Applicant.id != housed.id)} == {due}  # passive Emil too
    assert Applicant.get_by_id(housed.id).paid_until is None
    Applicant.update(paid_until=dt.date(2026, 12, 1)).where(Applicant.id == people["bo"].id).execute()
    client.submit("/alpha/board/waiting-list/rules", {**rules, "fee": "300"})  # a changed fee moves no due date
    assert Applicant.get_by_id(people["bo"].id).paid_until == dt.date(2026, 12, 1)
