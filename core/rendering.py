"""One URL, two renderings: the full page, or for htmx just the partial."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_htmx import HTMX
from flask_htmx import make_response as hx_make_response

htmx = HTMX()


def render(page: str, part: str | None = None, *, status: int = 200, **context) -> Response:
    """Render `part` for an htmx request aimed at a region, else the full `page`.

    The page `{% include %}`s the part, so its markup is written once.
    """
    # A history restore (Back after a pushed search) needs the whole page again.
    wants_part = part is not None and bool(htmx) and not htmx.boosted and not htmx.history_restore_request
    body = render_template(part if wants_part else page, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(location: str) -> Response:
    """Redirect both plain and htmx requests (htmx swaps need HX-Redirect)."""
    if htmx:
        return hx_make_response("", redirect=location)
    return redirect(location)


def page_url(page: int) -> str:
    """The address of the list this request shows, at another page: same endpoint, search and filters."""
    args = {key: values for key, values in request.args.lists() if key != "page" and any(values)}
    if page > 1:
        args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


_ID_MARKER = "987654321"  # stands for the id while url_for builds the address once


def id_urls(endpoint: str, name: str, **values) -> Callable[[int], str]:
    """row id -> url_for(endpoint, **{name: id}, **values): url_for once, then each id put in its place.

    A list links each of its fifty rows to the same page with another id. url_for (werkzeug's rule,
    the association's address, quoting) costs more than the rest of a row's link, and only the id
    differs. The id is the last use of the marker in the address, whatever the association is called."""
    before, after = url_for(endpoint, **values, **{name: int(_ID_MARKER)}).rsplit(_ID_MARKER, 1)
    return lambda row_id: f"{before}{int(row_id)}{after}"
