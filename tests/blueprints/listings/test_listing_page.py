"""A listing's own page: photos, facts, the description in the reader's language, schema.org data that no
description can break out of, and the seeker's way on as the association's routes say. A let, ended or
archived home is gone: its page and its photos are a 404."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from models.listings import SeekerRoute, VacancyText
from tests.blueprints.listings.public_world import add_photo, archive, form_route, world
from tests.factories.listings import make_route
from tests.factories.register import make_person, make_resident


@pytest.fixture
def homes(app):
    return world()


def page(client, vacancy, **headers):
    response = client.get(f"/alpha/homes/{vacancy.id}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def structured(html):
    (block,) = re.findall(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html, re.S)
    return json.loads(block)


def test_the_page_shows_every_fact_and_is_indexable(client, homes):
    senior = homes.homes["senior"]
    html = page(client, senior)
    assert "<title>Senior home, 2 rooms, 60 m², Sydvej 9, 5000 Odense · Alpha Housing</title>" in html
    for fact in (
        "Syddanmark",
        "6,500.00",
        "Step-free entrance, Lift, Wheelchair accessible",
        "Seniors, Combined letting",
        "6 months",
    ):
        assert fact in html
    data = structured(html)
    apartment, offer = data
    assert apartment["@type"] == "Apartment" and apartment["numberOfRooms"] == 2
    assert apartment["address"]["addressLocality"] == "Odense"
    assert apartment["url"] == f"http://localhost/alpha/homes/{senior.id}"
    assert offer["priceSpecification"]["price"] == 6500 and offer["priceSpecification"]["priceCurrency"] == "SEK"


def test_canonical_link_and_description(client, homes):
    html = page(client, homes.homes["small"])
    assert f'<link rel="canonical" href="http://localhost/alpha/homes/{homes.homes["small"].id}">' in html
    assert '<meta name="description" content="A bright home near the park.">' in html


def test_a_description_cannot_close_the_script(client, homes):
    hostile = "</script><script>alert(1)</script><!-- & 'quoted'"
    VacancyText.update(description=hostile).where(VacancyText.vacancy == homes.homes["small"].id).execute()
    html = page(client, homes.homes["small"])
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == html.count("<script")  # every script element closes where it should
    assert structured(html)[0]["description"] == hostile
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # shown as text on the page


def test_the_description_in_the_readers_language_else_the_associations(client, app):
    made = world(locale="da")
    small = made.homes["small"]
    VacancyText.create(vacancy=small, language="da", description="Et lyst hjem ved parken.")
    english = page(client, small, **{"Accept-Language": "en"})
    czech = page(client, small, **{"Accept-Language": "cs"})
    assert "A bright home near the park." in english
    assert "Et lyst hjem ved parken." in czech and "A bright home" not in czech


def test_photos_of_a_listed_home_are_served_and_cacheable(client, app, homes):
    photo = add_photo(app, homes.homes["small"])
    html = page(client, homes.homes["small"])
    assert f'src="/alpha/homes/photos/{photo.id}"' in html
    response = client.get(f"/alpha/homes/photos/{photo.id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert structured(html)[0]["image"] == [f"http://localhost/alpha/homes/photos/{photo.id}"]


@pytest.mark.parametrize("how", ["let", "ended", "archived"])
def test_a_home_no_longer_listed_is_gone_with_its_photos(client, app, homes, how):
    vacancy = homes.homes["family"]
    photo = add_photo(app, vacancy)
    if how == "let":
        make_resident(
            vacancy.unit,
            make_person(homes.association, given_name="New", surname="Tenant"),
            start_date=dt.date(2025, 1, 1),
        )
    elif how == "ended":
        vacancy.ends_on = dt.date(2025, 1, 1)
        vacancy.save()
    else:
        archive(vacancy)
    assert client.get(f"/alpha/homes/{vacancy.id}").status_code == 404
    assert client.get(f"/alpha/homes/photos/{photo.id}").status_code == 404
    assert client.get(f"/alpha/homes/{vacancy.id}/contact").status_code == 404
    search = client.get("/alpha/homes").get_data(as_text=True)
    assert f"/alpha/homes/{vacancy.id}" not in search and f"photos/{photo.id}" not in search


def test_unknown_ids_and_another_associations_home_are_404(client, app, homes):
    beta = world("beta")
    photo = add_photo(app, beta.homes["small"])
    form_route(beta.association)
    for path in (
        "/alpha/homes/999999",
        f"/alpha/homes/{beta.homes['small'].id}",
        f"/alpha/homes/photos/{photo.id}",
        "/alpha/homes/photos/999999",
        f"/alpha/homes/{beta.homes['small'].id}/contact",
        "/alpha/homes/99999999999999999999999",
    ):
        assert client.get(path).status_code == 404, path


def test_the_way_on_follows_the_most_specific_route(client, homes):
    association = homes.association
    make_route(association, SeekerRoute.PHONE, phone="+45 70 12 34 56")
    make_route(association, SeekerRoute.WEBSITE, housing_type="youth", url="https://letting.example/apply")
    form_route(association, building=homes.south)
    youth = page(client, homes.homes["small"])
    assert '<a class="button" href="https://letting.example/apply" rel="noopener"' in youth
    assert "To the landlord's website<span" in youth
    family_north = page(client, homes.homes["family"])
    assert 'href="tel:+4570123456"' in family_north and "+45 70 12 34 56" in family_north
    south = page(client, homes.homes["middle"])
    assert f'href="/alpha/homes/{homes.homes["middle"].id}/contact">Contact the landlord</a>' in south
    assert "letting@example.org" not in south  # the route's address is never shown


def test_without_a_route_the_association_says_how_to_reach_it(client, app):
    made = world(contact_text="Call the office on weekdays.")
    html = page(client, made.homes["small"])
    assert "Call the office on weekdays." in html and 'class="button"' not in html.split('class="way-on"')[1]
    bare = world("bare", contact_text="")
    html = client.get(f"/bare/homes/{bare.homes['small'].id}").get_data(as_text=True)
    assert "has not yet said how seekers reach it" in html
