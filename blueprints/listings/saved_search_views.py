"""Saved searches by e-mail (issue 15 item 2): the form under the search results that keeps the current
filters for an address, the page the mailed link opens to confirm it, and the one-click unsubscribe.

No login: the confirmation link (a random token, stored hashed, used once, for three days) proves the
address; the unsubscribe link is signed. Neither acts on a GET, which mail scanners fetch on their own: the
page asks, its button posts. The unsubscribe URL also takes the mail programme's RFC 8058 one-click POST,
which carries no CSRF token, so that view is exempt (its signed token is the proof).
"""

from __future__ import annotations

from flask import Response, abort, g, request, url_for
from flask_babel import get_locale

from blueprints.listings import bp, saved_searches, search, site
from blueprints.listings.saved_search_forms import SavedSearchForm
from core.forms import ConfirmForm
from core.rendering import htmx, render
from core.security import client_ip
from models.listings import SavedSearch
from models.portal import Association


@bp.app_template_global("saved_search_query")
def saved_search_query(filters: search.Filters) -> str:
    """The results page's filters as the saved-search form keeps them (no page, no order)."""
    return search.query_string(filters)


@bp.route("/homes/saved", methods=["POST"], endpoint="saved_search_new")
def saved_search_new():
    """Keep the association's search for an address and mail the link that confirms it."""
    return _save(g.association)


@site.route("/homes/saved", methods=["POST"], endpoint="saved_search_new")
def all_saved_search_new():
    """Keep an install-wide search for an address and mail the link that confirms it."""
    return _save(None)


def _save(association: Association | None) -> Response:
    form = SavedSearchForm()
    filters = saved_searches.filters_of(form.query.data or "")
    if association is not None:
        filters.association = ""  # a portal's own search covers its own homes only
    context = {
        "saved_form": form,
        "saved_query": search.query_string(filters),
        "saved_action": url_for("listings.saved_search_new")
        if association
        else url_for("listings_site.saved_search_new"),
        "saved_state": "form",
        "saved_days": saved_searches.CONFIRM_DAYS,
        "search_link": _search_link(association, search.query_string(filters)),
    }
    if not form.validate_on_submit():
        return _answer(context, 422)
    context["saved_email"] = form.email.data
    if form.website.data:  # a robot filled the hidden field: it sees success, nothing is kept or sent
        return _answer(dict(context, saved_state="sent"), 200)
    try:
        saved_searches.check_places(filters, association)
    except saved_searches.UnknownPlaceError:
        return _answer(dict(context, saved_state="unknown_place"), 422)
    key = saved_searches.sender_key(client_ip())
    if saved_searches.throttled(key, form.email.data):
        # htmx swaps a 422 in place and drops a 429: the partial says the same either way.
        return _answer(dict(context, saved_state="throttled"), 422 if htmx else 429)
    language = str(get_locale() or "en").split("_")[0]  # the page's language: the mail's too
    saved_searches.save(association, filters, email=form.email.data, language=language, key=key)
    return _answer(dict(context, saved_state="sent"), 200)


def _answer(context: dict, status: int) -> Response:
    return render("listings/saved_new.html", "listings/_saved_search_form.html", status=status, **context)


def _search_link(association: Association | None, query: str) -> str:
    base = url_for("listings.homes", slug=association.slug) if association else url_for("listings_site.homes")
    return f"{base}?{query}" if query else base


def _saved_link(saved: SavedSearch) -> str:
    association = saved.association if saved.association_id is not None else None
    return _search_link(association, saved.query)


@site.route("/homes/saved/confirm/<saved_token>", methods=["GET", "POST"], endpoint="saved_search_confirm")
def saved_search_confirm(saved_token: str):
    """The mailed link: GET shows the search and a button; its POST confirms (once; for three days)."""
    saved = saved_searches.by_token(saved_token)
    if saved is None:
        abort(404)  # never ours, or already used
    context = {
        "saved": saved,
        "words": saved_searches.words_of(saved),
        "search_link": _saved_link(saved),
        "token": saved_token,
        "days": saved_searches.CONFIRM_DAYS,
    }
    if saved_searches.expired(saved):
        return render("listings/saved_confirm.html", state="expired", status=410, **context)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        state = "confirmed" if saved_searches.confirm(saved) else "already"
        return render("listings/saved_confirm.html", state=state, **context)
    return render("listings/saved_confirm.html", state="ask", **context)


@site.route("/homes/saved/stop/<saved_stop_token>", methods=["GET", "POST"], endpoint="saved_search_stop")
def saved_search_stop(saved_stop_token: str):
    """The unsubscribe link: GET says which search and shows one button; a POST (that button, or the mail
    programme's one-click List-Unsubscribe-Post) stops its mail."""
    saved = saved_searches.by_stop_token(saved_stop_token)
    if saved is None:
        abort(404)
    if request.method == "POST":  # whatever the body: RFC 8058's "List-Unsubscribe=One-Click", or the button
        saved_searches.unsubscribe(saved)
    return render(
        "listings/saved_stop.html",
        saved=saved,
        done=request.method == "POST" or saved.unsubscribed_at is not None,
        words=saved_searches.words_of(saved),
        search_link=_saved_link(saved),
        token=saved_stop_token,
    )


# A mail programme posts the one-click link without a CSRF token (RFC 8058); the signed token is the proof.
site.record_once(lambda state: state.app.extensions["csrf"].exempt(f"{__name__}.{saved_search_stop.__name__}"))
