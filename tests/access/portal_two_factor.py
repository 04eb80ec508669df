"""Access matrix entries for two-factor authentication (P6): the member's own pages and the login's second
step. Nobody in this world has a second factor yet: the pages that need one send the member to set it up
(302), and removing one that does not exist is 404. With factors they are tested in
tests/blueprints/portal/test_two_factor.py."""

from tests.access.common import everyone, members

MATRIX = {
    ("portal.two_factor", "GET"): members(),
    ("portal.two_factor_app", "GET"): members(),
    ("portal.two_factor_app", "POST"): members(422),  # no code
    ("portal.two_factor_email", "GET"): members(),
    ("portal.two_factor_email", "POST"): members(422),
    ("portal.two_factor_recovery", "GET"): members(302),  # no factor: to the set-up page
    ("portal.two_factor_recovery", "POST"): members(302),
    ("portal.two_factor_at_login", "POST"): members(302),
    ("portal.two_factor_remove", "GET"): members(404),
    ("portal.two_factor_remove", "POST"): members(404),
    ("portal.two_factor_verify", "GET"): members(302),
    ("portal.two_factor_verify", "POST"): members(302),
    # No login waits for its code in these browsers: back to the login page, whoever asks.
    ("site.login_second_factor", "GET"): everyone(302),
    ("site.login_second_factor", "POST"): everyone(302),
}


def world(alpha, beta, users) -> dict:
    """URL values for these routes."""
    return {"kind": "totp"}
