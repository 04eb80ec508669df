"""Second factors (P6): step a test client's session up, as a member typing a code from the app would."""

from __future__ import annotations

import pyotp

from blueprints.portal import two_factor
from core import clock
from models import Association, SecondFactor, User


def current_code(factor: SecondFactor) -> str:
    """A code the app shows now (by the app's clock, frozen or not) that the factor has not used yet."""
    totp = pyotp.TOTP(factor.secret, interval=two_factor.TOTP_STEP)
    now = int(clock.now().timestamp()) // two_factor.TOTP_STEP
    for step in (now, now + 1, now - 1):
        if step > factor.last_used_step:
            return totp.at(step * two_factor.TOTP_STEP)
    # Every code of this moment is used already (a third browser in one half-minute): a test's shortcut.
    SecondFactor.update(last_used_step=now - 2).where(SecondFactor.id == factor.id).execute()
    return totp.at(now * two_factor.TOTP_STEP)


def step_up(client, association: Association, user: User) -> None:
    """Give the second factor in `client`'s session (signed in as `user`): an authenticator app is enrolled
    first if the user has none, then the step-up page gets a current code, as a member would type it."""
    factor = SecondFactor.get_or_none(
        (SecondFactor.user == user)
        & (SecondFactor.kind == SecondFactor.TOTP)
        & SecondFactor.confirmed_at.is_null(False)
    )
    if factor is None:
        factor = two_factor.enrol_totp(user)
    base = f"/{association.slug}/account/two-factor"
    response = client.submit(f"{base}/verify", {"code": current_code(factor)}, form_page=base)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
