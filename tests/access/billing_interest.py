"""Access matrix entries for late interest (issue 13 item 2): the rule and its reference rates, interest runs,
their preview and a run's page. All need invoices.manage (the board and the administrator); members and
tenants get 403, beta's board 403 (not a member of alpha).

world() adds a reference rate (reference_rate_id: its delete confirmation opens, and a confirmed POST
deletes it and goes back to the settings) and a past interest run (interest_run_id). Empty posts: the
settings form is refused (no mode, no grace days), as are a rate without a day and a run without a day.
The preview without a day shows yesterday's run.
"""

import datetime as dt

from models.billing import InterestRun, ReferenceRate
from tests.access.common import BOARD_UP, LOGIN, holders_of


def managers(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.interest_settings", "GET"): managers(),
    ("billing.interest_settings", "POST"): managers(422),
    ("billing.reference_rate_add", "POST"): managers(422),
    ("billing.reference_rate_delete", "GET"): managers(),
    ("billing.reference_rate_delete", "POST"): managers(302),
    ("billing.interest_runs", "GET"): managers(),
    ("billing.interest_preview", "GET"): managers(),
    ("billing.interest_run_create", "POST"): managers(422),
    ("billing.interest_run", "GET"): managers(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A reference rate and a past (empty) interest run of alpha."""
    rate = ReferenceRate.create(association=alpha, valid_from=dt.date(2026, 7, 1), rate=215)
    run = InterestRun.create(association=alpha, through=dt.date(2026, 10, 31), charged_as="invoice")
    return {"reference_rate_id": rate.id, "interest_run_id": run.id}
