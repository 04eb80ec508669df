"""schema.org data for a listing page (L1: indexable): the home as an Apartment and its rent as an Offer.

The template writes it with Jinja's `tojson`, which escapes <, >, & and ' so nothing in a description can
close the <script> element it sits in."""

from __future__ import annotations

from flask import url_for

from blueprints.listings.search import ACCESS_LABELS, Home


def apartment(home: Home, photo_urls: list[str], title: str) -> list[dict]:
    """The JSON-LD graph of one listing: the Apartment, and an Offer of it at its monthly rent."""
    url = url_for("listings.listing", slug=home.slug, vacancy_id=home.id, _external=True)
    place = {
        "@type": "Apartment",
        "@id": url,
        "url": url,
        "name": title,
        "description": home.description,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": home.street,
            "postalCode": home.postcode,
            "addressLocality": home.municipality,
            "addressRegion": home.region,
        },
        "petsAllowed": home.pets,
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": str(ACCESS_LABELS[key]), "value": True}
            for key in home.features
        ],
    }
    if home.rooms is not None:
        place["numberOfRooms"] = home.rooms
    if home.area is not None:
        place["floorSize"] = {"@type": "QuantitativeValue", "value": float(home.area), "unitCode": "MTK"}
    if home.floor is not None:
        place["floorLevel"] = str(home.floor)
    if photo_urls:
        place["image"] = photo_urls
    offer = {
        "@type": "Offer",
        "itemOffered": {"@id": url},
        "availabilityStarts": home.move_in.isoformat(),
        "priceSpecification": {
            "@type": "UnitPriceSpecification",
            "price": home.rent / 100,
            "priceCurrency": home.currency,
            "unitCode": "MON",
        },
        "offeredBy": {"@type": "Organization", "name": home.association_name},
    }
    if home.ends_on is not None:
        offer["availabilityEnds"] = home.ends_on.isoformat()
    return [{"@context": "https://schema.org", **place}, {"@context": "https://schema.org", **offer}]
