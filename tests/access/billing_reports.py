"""Access matrix entries for ordering reports and the board's report settings (SPEC I2).

In world() residents may order every report, so each member sees the order
form; an empty order is refused as incomplete (422), not as forbidden. The
settings are for holders of settings.manage; an empty post saves "no
reports" and redirects.
"""

from models.billing import BillingSettings
from tests.access.common import BOARD_UP, LOGIN, holders_of, members

MATRIX = {
    ("billing.reports", "GET"): members(),
    ("billing.reports", "POST"): members(422),  # no report chosen
    ("billing.report_settings", "GET"): holders_of(BOARD_UP),
    ("billing.report_settings", "POST"): holders_of(BOARD_UP, 302),  # nothing ticked: saved, back to the page
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Alpha lets residents order every report (the default offers them none)."""
    settings = BillingSettings.for_association(alpha)
    BillingSettings.update(resident_reports="tenants units members").where(BillingSettings.id == settings.id).execute()
    return {}
