"""core/rendering: a list's row links (id_urls: url_for once and the ids put in place, as url_for writes them),
and its rows rendered once for what they show (RenderedRows)."""

import pytest
from flask import g, url_for
from flask_babel import force_locale
from markupsafe import Markup

from core.rendering import RenderedRows, id_urls, url_with_id


@pytest.mark.parametrize("slug", ["alpha", "brf-987654321", "987654321"])
def test_row_links_are_the_addresses_url_for_writes(app, make_association, slug):
    association = make_association(slug)
    with app.test_request_context(f"/{slug}/units"):
        g.association = association
        unit_url = id_urls("register.unit", "unit_id")
        report_url = id_urls("faults.report_page", "report_id")
        for row_id in (1, 42, 987654321, 10**12):
            assert unit_url(row_id) == url_for("register.unit", unit_id=row_id)
            assert report_url(row_id) == url_for("faults.report_page", report_id=row_id)
        assert unit_url(7) == f"/{slug}/units/7"


def test_only_a_number_takes_the_ids_place(app, alpha):
    with app.test_request_context("/alpha/units"):
        g.association = alpha
        unit_url = id_urls("register.unit", "unit_id")
        with pytest.raises(ValueError):
            unit_url("7/../../admin")


def test_a_rows_link_is_url_fors_for_every_association_and_value(app, make_association):
    alpha, beta = make_association("alpha"), make_association("beta")
    with app.test_request_context("/alpha/discussions/1"):
        g.association = alpha
        assert url_with_id("community.post_flag", "post_id", 7) == url_for("community.post_flag", post_id=7)
        assert url_with_id("community.post", "post_id", 8) == "/alpha/posts/8"
        quoted = url_with_id("community.thread", "quote", 9, thread_id=3)
        assert quoted == url_for("community.thread", thread_id=3, quote=9)
        assert url_with_id("community.thread", "quote", 9, thread_id=4) == url_for(
            "community.thread", thread_id=4, quote=9
        )
        g.association = beta  # the same request's work for another association (a mail job's, say)
        assert url_with_id("community.post", "post_id", 8) == "/beta/posts/8"


class Renderer:
    """A row's markup, counting how often it was rendered."""

    def __init__(self, text: str):
        self.text, self.calls = text, 0

    def __call__(self) -> str:
        self.calls += 1
        return Markup(self.text)


def test_a_row_is_rendered_once_for_the_same_key_and_again_for_another(app):
    rows, first, second = RenderedRows(), Renderer("<li>Tap</li>"), Renderer("<li>Tap, fixed</li>")
    with app.test_request_context("/"):
        assert rows(("/alpha/faults/1", ("Tap", "new")), first) == Markup("<li>Tap</li>")
        assert rows(("/alpha/faults/1", ("Tap", "new")), second) == Markup("<li>Tap</li>")
        assert rows(("/alpha/faults/1", ("Tap", "resolved")), second) == Markup("<li>Tap, fixed</li>")
    assert (first.calls, second.calls) == (1, 1)


def test_the_same_row_in_another_language_is_rendered_again(app):
    rows, english, swedish = RenderedRows(), Renderer("<li>New</li>"), Renderer("<li>Ny</li>")
    with app.test_request_context("/"):
        assert rows("row 1", english) == "<li>New</li>"
        with force_locale("sv"):
            assert rows("row 1", swedish) == "<li>Ny</li>"
        assert rows("row 1", swedish) == "<li>New</li>"
    assert (english.calls, swedish.calls) == (1, 1)


def test_a_full_cache_starts_afresh_and_stays_within_its_size(app):
    rows = RenderedRows(size=3)
    with app.test_request_context("/"):
        for number in range(7):
            rows(number, Renderer(f"<li>{number}</li>"))
            assert len(rows._rows) <= 3
        again = Renderer("<li>0</li>")
        rows(0, again)
    assert again.calls == 1  # dropped when the cache was full, so rendered anew
