"""The demo's Danish social housing organisation (issue 15, item 7): Boligforeningen Bøgely, what the README
promises a visitor finds there — departments, tenants, vacant homes a seeker finds with DanmarkBolig's
filters, the seeker's routes, photos, meters — and its accounts logging in."""

import datetime as dt
import io
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from PIL import Image

from blueprints.listings import vacancies
from core import images
from demo.listings import CONTACT_EMAIL, PHOTO_FOLDER, SENIORBO_PHONE, YOUTH_URL, facade, load_listings, room
from models import Association, Membership, User
from models import permissions as perms
from models.listings import SeekerRoute, Vacancy, VacancyPhoto, VacancyText
from models.meters import Meter
from models.register import Building, Residency, Unit
from tests.test_privacy_crawl import LINK


@pytest.fixture
def bogely(app):
    from demo.portal import load_associations

    # Loaded in an app context of its own: requests made while one is pushed would share its `g`.
    with app.app_context():
        for loader in (load_associations, load_listings):
            for _line in loader():
                pass
    return Association.get(Association.slug == "bogely")


def _listed(association: Association, day: dt.date) -> list[Vacancy]:
    return list(
        Vacancy.select(Vacancy, Unit)
        .join(Unit)
        .where((Vacancy.association == association) & vacancies.listed(day))
        .order_by(Vacancy.id)
    )


def test_bogely_is_danish_social_housing_with_departments_and_tenants(bogely):
    assert (bogely.name, bogely.locale, bogely.currency, bogely.timezone) == (
        "Boligforeningen Bøgely",
        "da",
        "DKK",
        "Europe/Copenhagen",
    )
    departments = {b.name: b for b in Building.of(bogely)}
    assert set(departments) == {
        "Afdeling 1 Bøgeparken",
        "Afdeling 2 Skovbrynet",
        "Afdeling 3 Ungdomsboligerne",
        "Afdeling 4 Seniorbo",
    }
    assert {(b.municipality, b.region) for b in departments.values()} == {
        ("Odense", "Region Syddanmark"),
        ("Aarhus", "Region Midtjylland"),
        ("Vejle", "Region Syddanmark"),
    }
    assert all(b.street and len(b.postcode) == 4 and b.postcode.isdigit() for b in departments.values())

    units = list(Unit.active(bogely))
    assert 55 <= len(units) <= 70
    assert all(u.kind == Unit.FLAT and u.rooms and u.area and u.floor is not None for u in units)
    for unit in units:
        assert unit.accessibility_set <= set(Unit.ACCESSIBILITY), unit.number
    # Every flat has its accessibility registered (the self-check names flats without).
    assert all(u.accessibility for u in units)
    seniorbo = [u for u in units if u.building_id == departments["Afdeling 4 Seniorbo"].id]
    assert all({"step_free", "lift"} <= u.accessibility_set for u in seniorbo)

    today = bogely.today()
    listed_units = {v.unit_id for v in _listed(bogely, today)}
    lived_in = {r.unit_id for r in Residency.select().join(Unit).where(
        (Unit.association == bogely) & Residency.current(today) & (Residency.role == Residency.TENANT)
    )}  # fmt: skip
    assert lived_in == {u.id for u in units} - listed_units  # a tenant in every home not listed


def test_the_vacant_homes_are_listed_with_what_a_seeker_filters_on(bogely):
    today = bogely.today()
    listed = _listed(bogely, today)
    assert len(listed) == 12
    assert {v.housing_type for v in listed} == {Vacancy.FAMILY, Vacancy.YOUTH, Vacancy.SENIOR}
    assert any("step_free" in v.unit.accessibility_set and v.unit.rooms >= 3 for v in listed)
    assert any("wheelchair" in v.unit.accessibility_set for v in listed)
    for vacancy in listed:
        assert 200_000 <= vacancy.rent <= 1_200_000, vacancy.unit.number  # 2,000–12,000 kroner a month, in øre
        assert vacancy.deposit == 3 * vacancy.rent
        assert today < vacancy.move_in <= today + dt.timedelta(days=62)
        assert vacancy.move_in.day in (1, 15)
        assert vacancy.waiting_months and vacancy.waiting_months > 0
        assert vacancy.lift == ("lift" in vacancy.unit.accessibility_set)
    youth = [v for v in listed if v.housing_type == Vacancy.YOUTH]
    senior = [v for v in listed if v.housing_type == Vacancy.SENIOR]
    assert all("students" in v.scheme_keys and v.unit.rooms == 1 for v in youth)
    assert all("seniors" in v.scheme_keys and v.lift for v in senior)
    assert any("local_workers" in v.scheme_keys for v in listed)
    assert any(not v.scheme_keys for v in listed)
    assert 0 < sum(v.pets for v in listed) < len(listed)

    texts = {}
    for text in VacancyText.select().where(VacancyText.vacancy.in_([v.id for v in listed])):
        texts.setdefault(text.vacancy_id, {})[text.language] = text.description
    assert all(texts[v.id].get("da") for v in listed)
    assert "værelses" in texts[listed[0].id]["da"]
    assert 3 <= sum("en" in texts[v.id] for v in listed) < len(listed)

    # The end date takes a home off the list; the home let this month is not listed, its tenant lives there.
    ending = [v for v in listed if v.ends_on is not None]
    assert len(ending) == 1 and ending[0] not in _listed(bogely, ending[0].ends_on + dt.timedelta(days=1))
    (let,) = Vacancy.of(bogely).where(Vacancy.ends_on < today)
    assert let not in listed and vacancies.refusal(let.unit, today).code == "let"


def test_a_seeker_reaches_bogely_by_the_route_set_for_the_home(bogely):
    routes = list(SeekerRoute.of(bogely))
    buildings = {b.name: b.id for b in Building.of(bogely)}
    family = vacancies.route_for(routes, buildings["Afdeling 1 Bøgeparken"], Vacancy.FAMILY)
    assert (family.kind, family.email) == (SeekerRoute.FORM, CONTACT_EMAIL)
    aarhus = vacancies.route_for(routes, buildings["Afdeling 2 Skovbrynet"], Vacancy.FAMILY)
    assert aarhus == family
    youth = vacancies.route_for(routes, buildings["Afdeling 3 Ungdomsboligerne"], Vacancy.YOUTH)
    assert (youth.kind, youth.url) == (SeekerRoute.WEBSITE, YOUTH_URL)
    senior = vacancies.route_for(routes, buildings["Afdeling 4 Seniorbo"], Vacancy.SENIOR)
    assert (senior.kind, senior.phone) == (SeekerRoute.PHONE, SENIORBO_PHONE)
    # Every listed home has a route: the self-check has no "no route" to report.
    listed = _listed(bogely, bogely.today())
    assert all(vacancies.route_for(routes, v.unit.building_id, v.housing_type) for v in listed)


def test_every_vacancy_has_photos_stored_as_the_board_uploads_them_and_the_self_check_is_clean(app, bogely):
    from blueprints.listings import selfcheck

    listed = _listed(bogely, bogely.today())
    photos = list(VacancyPhoto.select().where(VacancyPhoto.vacancy.in_([v.id for v in listed])))
    with_photos = {p.vacancy_id for p in photos}
    assert with_photos == {v.id for v in listed}
    with app.test_request_context():
        assert selfcheck.problem_count(selfcheck.problems(bogely, bogely.today())) == 0
    for photo in photos:
        with app.app_context():
            path = images.image_path(bogely, photo.stored_name, PHOTO_FOLDER)
        assert path is not None, photo.stored_name
        with Image.open(path) as picture:
            assert picture.format == "JPEG" and picture.size == (photo.width, photo.height)
            assert not picture.getexif()
        assert images.image_size(photo.stored_name) == (photo.width, photo.height)
    # Drawn here, the same every time: no external images.
    assert facade(0) == facade(0) and facade(0) != facade(1) and room(2) == room(2)
    assert Image.open(io.BytesIO(facade(3))).format == "JPEG"


def test_every_home_has_remote_read_water_and_heat_meters(bogely):
    today = bogely.today()
    in_use = list(Meter.of(bogely).where(Meter.in_use_during(today, today)))
    units = {u.id for u in Unit.active(bogely)}
    for kind in (Meter.COLD_WATER, Meter.HOT_WATER, Meter.HEAT_ALLOCATOR):
        assert {m.unit_id for m in in_use if m.kind == kind and m.unit_id} == units, kind
    assert all(m.remote_read for m in in_use if m.unit_id)
    mains = {m.building_id for m in in_use if m.unit_id is None and m.kind == Meter.COLD_WATER}
    assert mains == {b.id for b in Building.of(bogely)}


def test_bogely_accounts_log_in_and_loading_again_changes_nothing(bogely, new_client, login):
    for email, role in (("board@bogely.example", "board"), ("tenant@bogely.example", "tenant")):
        membership = Membership.get(
            (Membership.user == User.get(User.email == email)) & (Membership.association == bogely)
        )
        assert membership.role.key == role
        client = new_client()
        login(client, email, password="demo-password")
        home = client.get("/bogely/")
        assert home.status_code == 200, email
        assert "Velkommen til Boligforeningen Bøgely" in home.get_data(as_text=True)
        walked, errors = _walk(client, ["/bogely/", "/bogely/menu", "/bogely/units"])
        assert walked >= 15 and errors == [], (email, walked, errors)
    assert perms.LISTINGS_MANAGE in bogely.role("board").permission_set
    tenant = User.get(User.email == "tenant@bogely.example").people.get()
    assert Residency.select().where((Residency.person == tenant) & Residency.current(bogely.today())).exists()

    counts = (Unit.select().count(), Vacancy.select().count(), VacancyPhoto.select().count(), Meter.select().count())
    assert list(load_listings()) == ["Boligforeningen Bøgely (bogely) exists; left as it is."]
    assert counts == (
        Unit.select().count(),
        Vacancy.select().count(),
        VacancyPhoto.select().count(),
        Meter.select().count(),
    )


def _walk(client, start: list[str], limit: int = 120) -> tuple[int, list[tuple[str, int]]]:
    """Walk Bøgely's pages from `start` (links and hx-get URLs): how many, and those answering a server error."""
    seen, queue, errors = set(), deque(start), []
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            errors.append((path, response.status_code))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for link in LINK.findall(response.get_data(as_text=True)):
            target = urlsplit(urljoin("http://porch.test" + path, link.replace("&amp;", "&")))
            if target.netloc in ("", "porch.test") and target.path.startswith("/bogely/"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return len(seen), errors


def test_bogely_has_a_waiting_list_with_open_offers(bogely, app):
    from blueprints.listings import waiting_service
    from models.listings import Applicant, Offer, WaitingListRules

    applicants = list(Applicant.of(bogely).order_by(Applicant.seniority_on))
    assert len(applicants) == 15 and len({a.seniority_on for a in applicants}) == 15
    assert sum(a.internal for a in applicants) >= 3
    assert [a.name for a in applicants if a.status == Applicant.PASSIVE] == ["Jens Kristensen"]
    today = bogely.today()
    assert any(a.paid_until and 0 < (a.paid_until - today).days <= 30 for a in applicants)  # a renewal due soon
    assert WaitingListRules.get(WaitingListRules.association == bogely).fee == 20_000
    offers = list(Offer.select().where((Offer.association == bogely) & (Offer.status == Offer.OPEN)))
    assert len(offers) == 3 and len({o.vacancy_id for o in offers}) == 1
    with app.test_request_context():
        assert waiting_service.positions(Applicant.get(Applicant.name == "Kirsten Thomsen")) == {"family": 1}
