"""Access matrix entries for the waiting list (issue 15 item 4).

The applicant's side is public (applicants have no account): the sign-up and "send me my link" forms refuse
an empty POST (422); a mailed link's GET shows its page to anyone holding it (200) and its empty POST acts
(confirm and open: 302 to the applicant's page) or is refused (an offer needs an answer: 422). The applicant's
own pages need the key an opened link leaves in the browser: without it every actor is sent to the link form
(302). The board's pages are the board's and the administrator's only.

world(): alpha has a pending applicant with a confirmation link (wait_token), and an active applicant
(wait_applicant_id) with a link to their page (wait_link_token) and an open offer (wait_offer_token) of a
vacancy (wait_vacancy_id)."""

import datetime as dt

from blueprints.listings import waiting_service
from core import clock
from models.listings import Applicant, ApplicantToken, Offer
from tests.access.common import BOARD_UP, LOGIN, everyone, holders_of
from tests.factories.listings import make_applicant, make_vacancy
from tests.factories.register import make_building, make_unit

MATRIX = {
    ("listings.waiting_signup", "GET"): everyone(200),
    ("listings.waiting_signup", "POST"): everyone(422),
    ("listings.waiting_confirm", "GET"): everyone(200),
    ("listings.waiting_confirm", "POST"): everyone(302),  # confirmed: on to the applicant's page
    ("listings.waiting_link", "GET"): everyone(200),
    ("listings.waiting_link", "POST"): everyone(422),
    ("listings.waiting_open", "GET"): everyone(200),
    ("listings.waiting_open", "POST"): everyone(302),  # opened: on to the applicant's page
    ("listings.waiting_me", "GET"): everyone(302),  # no key in this browser: to the link form
    ("listings.waiting_reactivate", "POST"): everyone(302),
    ("listings.waiting_close", "POST"): everyone(302),
    ("listings.waiting_download", "GET"): everyone(302),
    ("listings.waiting_delete", "GET"): everyone(302),
    ("listings.waiting_delete", "POST"): everyone(302),
    ("listings.waiting_offer", "GET"): everyone(200),
    ("listings.waiting_offer", "POST"): everyone(422),  # neither accept nor decline
    ("listings.waiting_board", "GET"): holders_of(BOARD_UP),
    ("listings.waiting_rules", "GET"): holders_of(BOARD_UP),
    ("listings.waiting_rules", "POST"): holders_of(BOARD_UP, 422),
    ("listings.waiting_applicant", "GET"): holders_of(BOARD_UP),
    ("listings.waiting_internal", "POST"): holders_of(BOARD_UP, 302),  # saved, back to the applicant
    ("listings.waiting_paid", "POST"): holders_of(BOARD_UP, 302),  # no fee: told so, back to the applicant
    ("listings.waiting_offers", "GET"): holders_of(BOARD_UP),
    ("listings.waiting_send", "POST"): holders_of(BOARD_UP, 302),  # sent, back to the offers
    ("listings.waiting_let", "POST"): holders_of(BOARD_UP, 422),  # no offer chosen
}
BOARD_ENDPOINTS = ("board", "rules", "applicant", "internal", "paid", "offers", "send", "let")
assert all(
    (expected["anonymous"] == LOGIN) == (endpoint.split("waiting_")[1] in BOARD_ENDPOINTS)
    for (endpoint, _method), expected in MATRIX.items()
)


def world(alpha, beta, users) -> dict:
    """A pending applicant holding a link, an active one with an open offer of a vacancy."""
    building = make_building(alpha, "Waiting House")
    vacancy = make_vacancy(make_unit(alpha, "W1", building=building, rooms=3), move_in=dt.date(2027, 3, 1))
    pending = make_applicant(alpha, "Pia Pending", status=Applicant.PENDING, seniority_on=None)
    raw = waiting_service.issue_token(pending, ApplicantToken.CONFIRM)
    waiting = make_applicant(alpha, "Walter Waiting")
    link_raw = waiting_service.issue_token(waiting, ApplicantToken.LINK)
    offer = Offer.create(
        association=alpha, vacancy=vacancy, applicant=waiting, deadline=clock.utcnow_naive() + dt.timedelta(days=3)
    )
    offer_raw = waiting_service.issue_token(waiting, ApplicantToken.OFFER, offer=offer, expires_at=offer.deadline)
    return {
        "wait_token": raw,
        "wait_link_token": link_raw,
        "wait_offer_token": offer_raw,
        "wait_vacancy_id": vacancy.id,
        "wait_applicant_id": waiting.id,
    }
