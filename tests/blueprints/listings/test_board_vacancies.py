"""The board's vacancies (L1) through the pages: marking a unit vacant with its facts, descriptions and
photos; the refusals in words (a let or archived unit, no rent, end before move-in); ending a vacancy takes
it off the listed homes; hostile text stays inert; the list costs the same queries for 5 units as for 30."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from PIL import Image

from blueprints.listings import vacancies
from models import AuditLog
from models.listings import Vacancy, VacancyPhoto, VacancyText
from models.register import Unit
from tests.blueprints.billing.test_invoicing import count_queries
from tests.blueprints.listings import board_world
from tests.blueprints.listings.board_world import jpeg_with_gps, vacancy_fields
from tests.factories.listings import make_vacancy
from tests.factories.register import make_unit

listing_world, board = board_world.listing_world, board_world.board  # fixtures


def new_vacancy(client, unit, **fields):
    return client.submit(f"/alpha/board/vacancies/new/{unit.id}", vacancy_fields(**fields))


def listed_numbers(day: dt.date) -> list[str]:
    query = Vacancy.select(Unit.number).join(Unit).where(vacancies.listed(day)).order_by(Unit.number)
    return [number for (number,) in query.tuples()]


def test_marking_a_unit_vacant_stores_the_vacancy_and_the_units_facts(board, listing_world):
    w = listing_world
    response = new_vacancy(board, w.free, description_sv="Ljust hem vid parken.")
    assert response.status_code == 302, response.get_data(as_text=True)
    vacancy = Vacancy.get(Vacancy.unit == w.free.id)
    assert (vacancy.move_in, vacancy.ends_on, vacancy.rent, vacancy.deposit) == (
        dt.date(2027, 4, 1), None, 650_000, 1_950_000,
    )  # fmt: skip
    assert (vacancy.housing_type, vacancy.lift, vacancy.pets, vacancy.schemes, vacancy.waiting_months) == (
        "family", True, False, "students", 6,
    )  # fmt: skip
    unit = Unit.get_by_id(w.free.id)
    assert (unit.rooms, unit.floor, unit.area, unit.accessibility) == (3, 2, Decimal("72.50"), "step_free lift")
    texts = {t.language: t.description for t in VacancyText.select().where(VacancyText.vacancy == vacancy.id)}
    assert texts == {"en": "Bright home by the park.", "sv": "Ljust hem vid parken."}
    assert listed_numbers(w.today) == ["N1"]
    assert AuditLog.select().where(AuditLog.action == "listings.vacancy_created").count() == 1
    page = board.get("/alpha/board/vacancies?show=upcoming").get_data(as_text=True)
    assert "Flat N1" in page and "Listed publicly" in page


def test_a_let_unit_is_refused_with_the_reason(board, listing_world):
    response = new_vacancy(board, listing_world.let)
    assert response.status_code == 422
    assert "Someone lives in the unit, so it is not vacant." in response.get_data(as_text=True)
    assert Vacancy.select().count() == 0


def test_an_archived_unit_is_refused_with_the_reason(board, listing_world):
    response = new_vacancy(board, listing_world.archived)
    assert response.status_code == 422
    assert "The unit is archived: it cannot be listed as vacant." in response.get_data(as_text=True)
    assert Vacancy.select().count() == 0


def test_missing_or_negative_rent_and_an_end_before_move_in_are_refused(board, listing_world):
    w = listing_world
    for fields, message in (
        ({"rent": ""}, "Give the monthly rent."),
        ({"rent": "-100"}, "The amount cannot be below zero."),
        ({"rent": "lots"}, "Give an amount in SEK"),
        ({"ends_on": "2027-03-31"}, "The last day listed cannot be before the move-in day."),
        ({"move_in": ""}, "Give the day the new tenant can move in."),
    ):
        response = new_vacancy(board, w.free, **fields)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert Vacancy.select().count() == 0


def test_a_second_vacancy_of_a_listed_unit_is_refused(board, listing_world):
    first = make_vacancy(listing_world.free, move_in=dt.date(2027, 4, 1))
    response = new_vacancy(board, listing_world.free)
    assert response.status_code == 422
    assert f"/alpha/board/vacancies/{first.id}" in response.get_data(as_text=True)
    assert Vacancy.select().count() == 1


def test_another_associations_unit_or_vacancy_is_not_found(board, listing_world):
    w = listing_world
    assert new_vacancy(board, w.beta_unit).status_code == 404
    foreign = make_vacancy(w.beta_unit)
    assert board.get(f"/alpha/board/vacancies/{foreign.id}").status_code == 404
    assert (
        board.submit(f"/alpha/board/vacancies/{foreign.id}/end", {}, form_page="/alpha/board/vacancies").status_code
        == 404
    )


def test_editing_changes_the_vacancy_and_empties_a_language(board, listing_world):
    w = listing_world
    vacancy = make_vacancy(w.free, move_in=dt.date(2027, 4, 1), description="Old words")
    response = board.submit(
        f"/alpha/board/vacancies/{vacancy.id}", vacancy_fields(rent="7000", description_en="", housing_type="youth")
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    vacancy = Vacancy.get_by_id(vacancy.id)
    assert (vacancy.rent, vacancy.housing_type) == (700_000, "youth")
    assert VacancyText.select().where(VacancyText.vacancy == vacancy.id).count() == 0
    (log,) = AuditLog.select().where(AuditLog.action == "listings.vacancy_changed")
    assert "rent" in log.detail and "description_en" in log.detail


def test_ending_a_vacancy_takes_it_off_the_listed_homes_from_tomorrow(board, listing_world):
    w = listing_world
    vacancy = make_vacancy(w.free, move_in=dt.date(2027, 3, 1))
    confirm = board.get(f"/alpha/board/vacancies/{vacancy.id}/end")
    assert confirm.status_code == 200 and "End the vacancy of Flat N1?" in confirm.get_data(as_text=True)
    assert Vacancy.get_by_id(vacancy.id).ends_on is None  # the page alone changes nothing
    response = board.submit(f"/alpha/board/vacancies/{vacancy.id}/end", {})
    assert response.status_code == 302
    assert Vacancy.get_by_id(vacancy.id).ends_on == w.today
    assert listed_numbers(w.today) == ["N1"]  # its last day
    assert listed_numbers(w.today + dt.timedelta(days=1)) == []
    w.clock.advance(dt.timedelta(days=1))
    ended = board.get("/alpha/board/vacancies?show=ended").get_data(as_text=True)
    assert "Flat N1" in ended and "Not listed: ended" in ended
    assert AuditLog.select().where(AuditLog.action == "listings.vacancy_ended").count() == 1


def test_the_list_says_why_a_vacancy_is_not_listed(board, listing_world):
    w = listing_world
    make_vacancy(w.let, move_in=dt.date(2027, 3, 1))  # let after it was listed (or loaded from elsewhere)
    make_vacancy(w.archived, move_in=dt.date(2027, 3, 1))
    page = board.get("/alpha/board/vacancies").get_data(as_text=True)
    assert "Not listed: someone lives there" in page and "Not listed: the unit is archived" in page


def test_hostile_description_and_scheme_are_inert(board, listing_world):
    w = listing_world
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = new_vacancy(board, w.free, schemes=["students", hostile])
    assert response.status_code == 422  # a scheme that is not one of ours is refused
    assert Vacancy.select().count() == 0
    assert "<script>alert" not in response.get_data(as_text=True)
    response = new_vacancy(board, w.free, description_en=hostile)
    assert response.status_code == 302
    vacancy = Vacancy.get(Vacancy.unit == w.free.id)
    assert VacancyText.get(VacancyText.vacancy == vacancy.id).description == hostile  # kept as written
    page = board.get(f"/alpha/board/vacancies/{vacancy.id}").get_data(as_text=True)
    assert hostile not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_photos_are_re_encoded_stripped_ordered_and_removed_after_confirmation(app, board, listing_world):
    w = listing_world
    photos = [(io.BytesIO(jpeg_with_gps()), "IMG_0001.jpg"), (io.BytesIO(jpeg_with_gps((20, 20))), "b.jpg")]
    response = new_vacancy(board, w.free, photos=photos)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = list(VacancyPhoto.select().order_by(VacancyPhoto.position))
    assert [(p.width, p.height, p.position) for p in stored] == [(40, 30, 1), (20, 20, 2)]
    upload_dir = app.config["UPLOAD_DIR"] / str(w.alpha.id) / "listings"
    data = (upload_dir / stored[0].stored_name).read_bytes()
    assert b"CAMERA-SERIAL" not in data and b"secret comment" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert "IMG_0001" not in stored[0].stored_name
    served = board.get(f"/alpha/board/vacancies/photos/{stored[0].id}")
    assert served.status_code == 200 and served.data == data
    vacancy = stored[0].vacancy
    # Number them the other way round.
    fields = vacancy_fields(**{f"position_{stored[0].id}": "2", f"position_{stored[1].id}": "1"})
    assert board.submit(f"/alpha/board/vacancies/{vacancy.id}", fields).status_code == 302
    assert [p.id for p in vacancy.photos.order_by(VacancyPhoto.position)] == [stored[1].id, stored[0].id]
    confirm = board.get(f"/alpha/board/vacancies/photos/{stored[0].id}/remove")
    assert confirm.status_code == 200 and VacancyPhoto.select().count() == 2
    assert board.submit(f"/alpha/board/vacancies/photos/{stored[0].id}/remove", {}).status_code == 302
    assert [p.id for p in VacancyPhoto.select()] == [stored[1].id]
    assert not (upload_dir / stored[0].stored_name).exists()


def test_a_file_that_is_not_a_photo_refuses_the_form_and_stores_nothing(app, board, listing_world):
    w = listing_world
    photos = [(io.BytesIO(jpeg_with_gps()), "fine.jpg"), (io.BytesIO(b"%PDF-1.4 not a photo"), "<b>evil</b>.jpg")]
    response = new_vacancy(board, w.free, photos=photos)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This is not a JPEG, PNG or WebP picture." in page and "<b>evil</b>" not in page
    assert Vacancy.select().count() == 0 and VacancyPhoto.select().count() == 0
    assert not (app.config["UPLOAD_DIR"] / str(w.alpha.id) / "listings").exists()


def test_the_vacancy_list_costs_the_same_queries_for_5_and_30_units(board, listing_world):
    w = listing_world

    def grow(start, count):
        for n in range(start, start + count):
            make_vacancy(make_unit(w.alpha, f"X{n}", building=w.south), move_in=dt.date(2027, 3, 1))

    def visit():
        assert board.get("/alpha/board/vacancies").status_code == 200

    grow(0, 5)
    few = count_queries(visit)
    grow(5, 25)
    many = count_queries(visit)
    assert few == many
