"""core/rendering.id_urls: a list's row links, url_for once and the ids put in place, as url_for writes them."""

import pytest
from flask import g, url_for

from core.rendering import id_urls


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
