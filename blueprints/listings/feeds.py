"""The install's listed homes for machines (issue 15 item 6): JSON and Atom, so a national portal or an
aggregator pulls them instead of retyping them. The facts of the homes only: no person's data."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree as ET

from flask import url_for

from blueprints.listings import search
from models.listings import VacancyPhoto

ATOM = "http://www.w3.org/2005/Atom"
MAX_ITEMS = 5000  # a feed larger than this is read by pages of the search instead


# XML 1.0 cannot hold these control characters, and ElementTree writes them anyway: one description typed
# with one would make the whole install's feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def current_homes(today: dt.date, association_slug: str = "") -> list[search.Home]:
    """The homes listed today (of one association when a slug is given), newest change first."""
    query = search.listed_homes(today)
    if association_slug:
        query = search.narrow(query, search.Filters(association=association_slug))
    rows = query.order_by(search.Vacancy.updated_at.desc(), search.Vacancy.id.desc()).limit(MAX_ITEMS).tuples()
    homes = [search.Home(*row) for row in rows]
    _attach_photos_and_texts(homes)
    return homes


def _attach_photos_and_texts(homes: list[search.Home]) -> None:
    """Every photo of the homes (one query) and each description in its association's language (one query)."""
    search.attach_extras(homes, language="")
    by_vacancy: dict[int, list[VacancyPhoto]] = {}
    if homes:
        query = (
            VacancyPhoto.select(VacancyPhoto.id, VacancyPhoto.vacancy)
            .where(VacancyPhoto.vacancy.in_([home.id for home in homes]))
            .order_by(VacancyPhoto.vacancy, VacancyPhoto.position, VacancyPhoto.id)
        )
        for photo in query:
            by_vacancy.setdefault(photo.vacancy_id, []).append(photo)
    for home in homes:
        home.photos = by_vacancy.get(home.id, [])


def _photo_urls(home: search.Home) -> list[str]:
    return [url_for("listings.photo", slug=home.slug, photo_id=photo.id, _external=True) for photo in home.photos]


def item(home: search.Home) -> dict:
    """One home as the JSON feed gives it: money in minor units with its currency, area in m²."""
    return {
        "id": home.id,
        "url": url_for("listings.listing", slug=home.slug, vacancy_id=home.id, _external=True),
        "association": {"slug": home.slug, "name": home.association_name},
        "address": home.street,
        "postcode": home.postcode,
        "municipality": home.municipality,
        "region": home.region,
        "rooms": home.rooms,
        "area": float(home.area) if home.area is not None else None,
        "floor": home.floor,
        "rent": home.rent,
        "deposit": home.deposit,
        "currency": home.currency,
        "move_in": home.move_in.isoformat(),
        "ends_on": home.ends_on.isoformat() if home.ends_on else None,
        "housing_type": home.housing_type,
        "accessibility": home.features,
        "pets": home.pets,
        "schemes": home.scheme_keys,
        "waiting_months": home.waiting_months,
        "description": home.description,
        "photos": _photo_urls(home),
        "updated": _rfc3339(home.updated_at),
    }


def _rfc3339(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def atom(homes: list[search.Home], *, title: str, self_url: str, alternate_url: str, summary) -> bytes:
    """The Atom document: one entry per home, updated when its vacancy last changed. `summary(home)` words
    the entry's text in the reader's language."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=alternate_url, type="text/html")
    newest = max((home.updated_at for home in homes), default=dt.datetime(2000, 1, 1))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _rfc3339(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Porch"
    for home in homes:
        url = url_for("listings.listing", slug=home.slug, vacancy_id=home.id, _external=True)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml_text(summary(home)["title"])
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _rfc3339(home.updated_at)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url, type="text/html")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = _xml_text(summary(home)["text"])
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(entry_author, f"{{{ATOM}}}name").text = _xml_text(home.association_name)
        for photo_url in _photo_urls(home):
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="enclosure", href=photo_url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
