"""The demo's two-factor authentication (issue 12, item 10): per-rollam voting guarded in every demo
association, the owners' authenticator app enrolled with the README's secret, passwords alone at login."""

import pyotp

from demo import ACCOUNTS
from demo.two_factor import DEMO_TOTP_SECRET
from models import Association, SecondFactor, User


def test_demo_owners_have_the_app_and_every_account_logs_in_with_its_password(app, new_client, login, outbox):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_TOTP_SECRET in result.output
    pyotp.TOTP(DEMO_TOTP_SECRET).now()  # valid base32

    assert {a.second_factor_permissions for a in Association.select()} == {"votes.cast_per_rollam"}
    enrolled = {f.user.email: f for f in SecondFactor.select().join(User)}
    assert {"owner@solrosen.example", "owner@nakopci.example", "owner@kase5.example"} <= set(enrolled)
    assert "tenant@solrosen.example" not in enrolled
    assert all(f.secret == DEMO_TOTP_SECRET and f.confirmed_at is not None for f in enrolled.values())

    for email in {account[0] for account in ACCOUNTS}:
        response = login(new_client(), email, password="demo-password")
        assert "second-factor" not in response.location, email
