"""Access matrix entries for the board's side of listings (helper E's routes): the vacancies, marking a unit
vacant, ending a vacancy, its photos, the bulk edit, the seekers' routes and the self-check.

In world() Listing House has unit L1 (nobody lives there, not listed) and unit L2, listed as vacant with a
photo; the association has a general phone route. Only the board and the administrator keep listings; an
empty form is refused (422), a confirmed end or removal goes back to the list (302)."""

import datetime as dt
import secrets

from models.listings import SeekerRoute, Vacancy, VacancyPhoto
from models.register import Building, Unit
from tests.access.common import BOARD_UP, LOGIN, holders_of
from tests.access.faults import _write_when_the_app_runs

MATRIX = {
    ("listings.board_vacancies", "GET"): holders_of(BOARD_UP),
    ("listings.vacancy_choose", "GET"): holders_of(BOARD_UP),
    ("listings.vacancy_new", "GET"): holders_of(BOARD_UP),
    ("listings.vacancy_new", "POST"): holders_of(BOARD_UP, 422),
    ("listings.vacancy_edit", "GET"): holders_of(BOARD_UP),
    ("listings.vacancy_edit", "POST"): holders_of(BOARD_UP, 422),
    ("listings.vacancy_end", "GET"): holders_of(BOARD_UP),
    ("listings.vacancy_end", "POST"): holders_of(BOARD_UP, 302),  # ended, back to the list
    ("listings.board_photo", "GET"): holders_of(BOARD_UP),
    ("listings.vacancy_photo_remove", "GET"): holders_of(BOARD_UP),
    ("listings.vacancy_photo_remove", "POST"): holders_of(BOARD_UP, 302),  # removed, back to the vacancy
    ("listings.bulk_edit", "POST"): holders_of(BOARD_UP, 422),  # no unit ticked
    ("listings.selfcheck", "GET"): holders_of(BOARD_UP),
    ("listings.routes", "GET"): holders_of(BOARD_UP),
    ("listings.routes", "POST"): holders_of(BOARD_UP, 422),
    ("listings.route_edit", "GET"): holders_of(BOARD_UP),
    ("listings.route_edit", "POST"): holders_of(BOARD_UP, 422),
    ("listings.route_remove", "GET"): holders_of(BOARD_UP),
    ("listings.route_remove", "POST"): holders_of(BOARD_UP, 302),  # removed, back to the routes
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Unit L1 to mark vacant; unit L2 listed with a photo; a general phone route."""
    building = Building.create(association=alpha, name="Listing House")
    free = Unit.create(association=alpha, building=building, number="L1", share_numerator=0, share_denominator=1)
    listed = Unit.create(association=alpha, building=building, number="L2", share_numerator=0, share_denominator=1)
    vacancy = Vacancy.create(association=alpha, unit=listed, move_in=dt.date(2000, 1, 1), rent=500_000)
    photo_name = f"home-{secrets.token_hex(16)}-4x4.jpg"
    _write_when_the_app_runs(alpha.id, photo_name, b"\xff\xd8\xff\xe0 a stored photo", folder="listings")
    photo = VacancyPhoto.create(vacancy=vacancy, stored_name=photo_name, width=4, height=4, position=1)
    # For youth homes only: the public module's route for every home is the contact form its pages need.
    route = SeekerRoute.create(
        association=alpha, kind=SeekerRoute.PHONE, phone="+45 70 00 00 00", housing_type=Vacancy.YOUTH
    )
    return {
        "listing_unit_id": free.id,
        "listing_vacancy_id": vacancy.id,
        "listing_photo_id": photo.id,
        "listing_route_id": route.id,
    }
