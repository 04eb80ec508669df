"""The public face of the listings (L1–L3, issue 15 items 2, 3 and 6): the search of vacant homes per
association and for the install, each home's own page with the seeker's way on, the contact form, photos of
listed homes, and the feeds. No login anywhere: a seeker needs no account, and nothing here shows a person."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Response, abort, g, make_response, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from blueprints.listings import bp, contact, feeds, search, site, structured
from blueprints.listings.public_forms import ContactForm
from blueprints.listings.vacancies import listed, route_for
from core import clock, images, uploads
from core.rendering import render
from core.security import client_ip
from core.text import date, money
from models.listings import SeekerRoute, Vacancy, VacancyPhoto
from models.portal import Association
from models.register import Unit

PHOTO_FOLDER = "listings"  # where the board's photo upload stores them (blueprints/listings/photos.py)
FEED_MAX_AGE = 300  # seconds an aggregator or proxy may keep a feed


# --- the search (L1, L3) ---------------------------------------------------------------------------------


# The furthest time zone ahead on Earth (UTC+14): pages over every association list a home only while no
# association's own day has passed its last day, so a let or ended home never lingers after its midnight.
FIRST_TO_MIDNIGHT = "Pacific/Kiritimati"


def install_day():
    """The day the install-wide pages and feeds list homes on (see FIRST_TO_MIDNIGHT)."""
    return clock.today(FIRST_TO_MIDNIGHT)


@bp.route("/homes")
def homes():
    """The association's vacant homes, filtered by the seeker (a GET form; htmx swaps only the results)."""
    return _search_page(g.association)


@site.route("/homes", endpoint="homes")
def all_homes():
    """Every association's vacant homes on this install, with the association as one more filter."""
    return _search_page(None)


def _search_page(association: Association | None) -> Response:
    today = association.today() if association else install_day()
    filters = search.Filters.from_args(request.args)
    if association is not None:
        filters.association = ""  # a portal's own page searches its own homes only
    results = search.search(filters, today, association.id if association else None, _language())
    context = {
        "filters": filters,
        "results": results,
        "site_wide": association is None,
        "search_url": url_for("listings.homes") if association else url_for("listings_site.homes"),
        "labels": _labels(),
        "title_of": title_of,
    }
    if not request.headers.get("HX-Request"):  # the form's choices: a swap of the results needs none
        context["places"] = search.place_choices(today, association.id if association else None)
        context["associations"] = [] if association else search.association_choices(today)
    response = render("listings/homes.html", "listings/_results.html", **context)
    if request.headers.get("HX-Request"):
        # The address bar shows the search as a person would write it: no empty fields, no default order.
        response.headers["HX-Push-Url"] = _clean_search_url(context["search_url"])
    return response


def _clean_search_url(base: str) -> str:
    kept = [
        (key, value)
        for key, values in request.args.lists()
        for value in values
        if value and not (key == "sort" and value == search.DEFAULT_SORT)
    ]
    return f"{base}?{urlencode(kept)}" if kept else base


def _labels() -> dict:
    return {
        "types": Vacancy.HOUSING_TYPES,
        "access": search.ACCESS_LABELS,
        "schemes": Vacancy.SCHEMES,
        "sorts": search.SORTS,
    }


def _language() -> str:
    return str(get_locale() or "en")


def title_of(home: search.Home) -> str:
    """A home's title in words: "3-room family home, 72 m²" (the page's <title> and its heading)."""
    kind = str(Vacancy.HOUSING_TYPES.get(home.housing_type, Vacancy.HOUSING_TYPES[Vacancy.FAMILY]))
    parts = []
    if home.rooms is not None:
        parts.append(ngettext("%(num)d room", "%(num)d rooms", home.rooms))
    if home.area is not None:
        parts.append(_("%(area)s m²", area=_area(home.area)))
    return ", ".join([kind, *parts])


def _area(area) -> str:
    return f"{area.normalize():f}" if area == area.to_integral() else f"{area:.1f}"


# --- one listing (L1, L2) --------------------------------------------------------------------------------


def _listed_home(vacancy_id: int) -> search.Home:
    """The association's home with this id if it is listed today, else 404 (a let or ended home is gone)."""
    row = search.listed_homes(g.association.today(), g.association.id).where(Vacancy.id == vacancy_id).tuples().first()
    if row is None:
        abort(404)
    home = search.Home(*row)
    search.attach_extras([home], _language())
    home.photos = list(
        VacancyPhoto.select().where(VacancyPhoto.vacancy == home.id).order_by(VacancyPhoto.position, VacancyPhoto.id)
    )
    return home


def _route(home: search.Home) -> SeekerRoute | None:
    routes = list(SeekerRoute.of(g.association))
    return route_for(routes, home.building_id, home.housing_type)


@bp.route("/homes/<int:vacancy_id>")
def listing(vacancy_id: int):
    """One vacant home: its photos, every fact, the description in the reader's language, and the way on."""
    home = _listed_home(vacancy_id)
    route = _route(home)
    title = title_of(home)
    photo_urls = [url_for("listings.photo", photo_id=photo.id, _external=True) for photo in home.photos]
    return render(
        "listings/listing.html",
        home=home,
        route=route,
        title=title,
        labels=_labels(),
        structured_data=structured.apartment(home, photo_urls, title),
    )


@bp.route("/homes/photos/<int:photo_id>")
def photo(photo_id: int):
    """A photo of a listed home (cacheable); a photo of a let, ended or archived home is a 404."""
    found = (
        VacancyPhoto.select(VacancyPhoto.stored_name)
        .join(Vacancy)
        .join(Unit, on=(Vacancy.unit == Unit.id))
        .where(
            (VacancyPhoto.id == photo_id) & (Vacancy.association == g.association.id) & listed(g.association.today())
        )
        .first()
    )
    path = images.image_path(g.association, found.stored_name, PHOTO_FOLDER) if found else None
    if path is None:
        abort(404)
    response = uploads.serve(path, mimetype=images.mimetype_of(found.stored_name), inline=True, name=path.name)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- the contact form (L2) -------------------------------------------------------------------------------


@bp.route("/homes/<int:vacancy_id>/contact", methods=["GET", "POST"], endpoint="contact")
def contact_form(vacancy_id: int):
    """Write to the landlord about a home, when its way on is the contact form; the seeker gets a copy."""
    home = _listed_home(vacancy_id)
    route = _route(home)
    if route is None or route.kind != SeekerRoute.FORM or not route.email:
        abort(404)
    form = ContactForm()
    context = {"home": home, "title": title_of(home), "form": form}
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render("listings/contact.html", throttled=False, status=status, **context)
    if form.website.data:  # a robot filled the hidden field: it sees success, nothing is sent
        return render("listings/contact_sent.html", **context)
    key = contact.sender_key(client_ip())
    if contact.throttled(key) or contact.copies_throttled(form.email.data):
        return render("listings/contact.html", throttled=True, status=429, **context)
    contact.send(
        g.association,
        home,
        route,
        name=form.name.data,
        email=form.email.data,
        phone=form.phone.data or "",
        message=form.message.data,
        key=key,
        seeker_language=_language().split("_")[0],
    )
    return render("listings/contact_sent.html", **context)


# --- the feeds (issue 15 item 6) -------------------------------------------------------------------------


def _feed_homes() -> tuple[list[search.Home], str]:
    slug = (request.args.get("association") or "").strip()[:64]
    return feeds.current_homes(install_day(), slug), slug


@site.route("/homes.json")
def feed_json():
    """The install's listed homes as JSON (optionally one association's: ?association=<slug>)."""
    homes, slug = _feed_homes()
    body = {
        "generated": clock.utcnow_naive().replace(microsecond=0).isoformat() + "Z",
        "association": slug or None,
        "homes": [feeds.item(home) for home in homes],
    }
    response = make_response(json.dumps(body, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, read by other sites' scripts
    return response


@site.route("/homes.atom")
def feed_atom():
    """The install's listed homes as an Atom feed: one entry per home, updated when its listing changed."""
    homes, slug = _feed_homes()
    args = {"association": slug} if slug else {}
    body = feeds.atom(
        homes,
        title=_("Vacant homes"),
        self_url=url_for("listings_site.feed_atom", _external=True, **args),
        alternate_url=url_for("listings_site.homes", _external=True, **args),
        summary=_entry_words,
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


def _entry_words(home: search.Home) -> dict[str, str]:
    title = f"{title_of(home)} – {home.place}"
    text = _(
        "%(rent)s a month, move in %(move_in)s. %(description)s",
        rent=money(home.rent, home.currency),
        move_in=date(home.move_in),
        description=home.description,
    )
    return {"title": title, "text": text.strip()}
