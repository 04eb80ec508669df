"""Access matrix entries for ordering reports and the board's report settings (SPEC I2).

In world() residents may order every report, so each member sees the order
form; an empty order is refused as incomplete (422), not as forbidden. The
settings are for holders of settings.manage; an empty post saves "no
reports" and redirects.
"""

from models.exchange import ReportSettings
from tests.access.common import BOARD_UP, LOGIN, holders_of, members

MATRIX = {
    ("exchange.reports", "GET"): members(),
    ("exchange.reports", "POST"): members(422),  # no report chosen
    ("exchange.report_settings", "GET"): holders_of(BOARD_UP),
    ("exchange.report_settings", "POST"): holders_of(BOARD_UP, 302),  # nothing ticked: saved, back to the page
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Alpha lets residents order every report (the default offers them none)."""
    settings = ReportSettings.for_association(alpha)
    ReportSettings.update(resident_reports="tenants units members").where(ReportSettings.id == settings.id).execute()
    return {}
