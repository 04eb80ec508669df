"""The saved search's confirmation page costs the same queries for a search of one association's homes and
an install-wide one (bench/pages.py measures it with both kinds)."""

from __future__ import annotations

import re

import pytest

from tests.blueprints.listings.public_world import world


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def test_the_confirmation_page_costs_one_query_for_one_associations_search_and_an_install_wide_one(app, client, outbox):
    """The search is read with its association (if any) in one query: the page's count does not depend on
    which kind of search the link is for."""
    world()
    client.submit("/alpha/homes/saved", {"email": "one@seeker.example", "query": "rooms_min=2"},
                  form_page="/alpha/homes")  # fmt: skip
    client.submit("/homes/saved", {"email": "all@seeker.example", "query": "rooms_min=2"}, form_page="/homes")
    counts = []
    for row in outbox.rows(kind="saved_search_confirm"):
        link = re.search(r"/homes/saved/confirm/(\S+)", row.body_text).group(0)
        page = client.get(link)
        assert page.status_code == 200 and "2+ rooms" in page.get_data(as_text=True)
        counts.append(int(page.headers["X-Query-Count"]))
    assert len(counts) == 2 and counts[0] == counts[1] == 1
