"""Access matrix entries for the public face of the listings (issue 15 items 2, 3, 6): the search per
association and for the install, a listing, its contact form, its photos and the feeds. All public: everyone,
anonymous included, gets 200 (an empty contact form is refused with 422). Unknown ids are 404s, tested in
tests/blueprints/listings/test_listing_page.py.

world() lists one home of alpha (vacancy_id: the routes' own name) with a photo (photo_id) and a contact-form route.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets

from PIL import Image

from models.listings import SeekerRoute, VacancyPhoto
from tests.access.common import everyone
from tests.access.faults import _write_when_the_app_runs
from tests.blueprints.listings.public_world import PHOTO_FOLDER
from tests.factories.listings import make_route, make_vacancy
from tests.factories.register import make_building, make_unit

MATRIX = {
    ("listings.homes", "GET"): everyone(200),
    ("listings.listing", "GET"): everyone(200),
    ("listings.contact", "GET"): everyone(200),
    ("listings.contact", "POST"): everyone(422),
    ("listings.photo", "GET"): everyone(200),
    ("listings_site.homes", "GET"): everyone(200),
    ("listings_site.feed_json", "GET"): everyone(200),
    ("listings_site.feed_atom", "GET"): everyone(200),
}


def world(alpha, beta, users) -> dict:
    """A listed home of alpha with one photo, reached by the contact form."""
    building = make_building(alpha, "Listed house", street="Parkvej 2", municipality="Aarhus", region="Midtjylland")
    vacancy = make_vacancy(make_unit(alpha, "L1", building=building, rooms=2, area="55"), move_in=dt.date(2027, 5, 1))
    make_route(alpha, SeekerRoute.FORM, email="letting@alpha.example")
    picture = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 80, 160)).save(picture, "JPEG")
    name = f"home-{secrets.token_hex(16)}-32x24.jpg"
    photo = VacancyPhoto.create(vacancy=vacancy, stored_name=name, width=32, height=24)
    _write_when_the_app_runs(alpha.id, name, picture.getvalue(), folder=PHOTO_FOLDER)
    return {"vacancy_id": vacancy.id, "photo_id": photo.id}
