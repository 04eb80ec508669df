"""One URL, two renderings: the full page, or for htmx just the partial."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Response, g, make_response, redirect, render_template, request, url_for
from flask_htmx import HTMX
from flask_htmx import make_response as hx_make_response
from markupsafe import Markup

from core import text

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


def url_with_id(endpoint: str, name: str, row_id: int, **values) -> str:
    """url_for(endpoint, **{name: row_id}, **values), for markup rendered once per row in templates of their
    own (a thread's posts, each with half a dozen links): id_urls' way, each address built once a request.
    The builders are kept on g by everything url_for reads besides the id: the association and `values`."""
    builders = g.setdefault("porch_id_urls", {})
    association = g.get("association")
    key = (endpoint, name, association.slug if association is not None else None, *sorted(values.items()))
    build = builders.get(key)
    if build is None:
        build = builders[key] = id_urls(endpoint, name, **values)
    return build(row_id)


class RenderedRows:
    """A long list's rows, each rendered once for what it shows and then reused.

    A row of a list is the same markup every time it is drawn from the same values: the row's database
    columns, the flags a view works out for it (overdue now, say), the viewer's language and time zone,
    and its link. Keyed by all of those, a row rendered once can be sent again as it is, and no write
    needs to tell this cache anything: a changed report, a renamed building or another language is a
    new key. Fifty rows through Jinja cost a third of a list page; fifty lookups cost almost nothing.

    So the key must hold everything the row's markup reads. A template uses it as

        {% call cached_row(key) %} …the row's markup… {% endcall %}

    Each worker process keeps up to `size` rows (a few hundred bytes each) and starts afresh when full:
    a list's first pages, which nearly every visit reads, are back in the cache after one request.
    """

    def __init__(self, size: int = 4096):
        self.size = size
        self._rows: dict[Hashable, Markup] = {}

    def __call__(self, key: Hashable, caller: Callable[[], str]) -> Markup:
        key = (text.language_name(), text.zone(), key)  # the words and times of every row
        row = self._rows.get(key)
        if row is None:
            if len(self._rows) >= self.size:
                self._rows.clear()  # dropping everything is thread-safe where evicting one by one is not
            row = self._rows[key] = Markup(caller())
        return row


cached_row = RenderedRows()
