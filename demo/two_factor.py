"""Demo two-factor authentication (P6): every demo association asks a second factor for voting per rollam
only, and the demo owners have an authenticator app enrolled with one secret the README gives, so a
reviewer can cast a per-rollam ballot. Every demo account still logs in with its password alone.

Run last in load_demo(): owners whose accounts later modules made are enrolled too. Idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator

from blueprints.portal import two_factor
from demo.portal import ASSOCIATIONS
from models import Association, Ownership, Person, Unit, User
from models import permissions as perms
from models.db import transaction

# Base32 (A–Z, 2–7), 32 characters = 160 bits, as authenticator apps expect. Type it into the app as a
# time-based key, or: python -c "import pyotp; print(pyotp.TOTP('PORCHDEMOPORCHDEMOPORCHDEMO23456').now())"
DEMO_TOTP_SECRET = "PORCHDEMOPORCHDEMOPORCHDEMO23456"


def _demo_owners() -> list[User]:
    """Accounts of people who own a unit today in a demo association."""
    return list(
        User.select()
        .join(Person, on=(Person.user == User.id))
        .join(Ownership, on=(Ownership.person == Person.id))
        .join(Unit)
        .join(Association)
        .where(Association.slug.in_(list(ASSOCIATIONS)) & Ownership.ended_on.is_null())
        .distinct()
        .order_by(User.email)
    )


def load_two_factor() -> Iterator[str]:
    with transaction():
        Association.update(second_factor_permissions=perms.VOTES_CAST_PER_ROLLAM).where(
            Association.slug.in_(list(ASSOCIATIONS))
        ).execute()
        enrolled = []
        for user in _demo_owners():
            if not two_factor.has_factor(user):
                two_factor.enrol_totp(user, DEMO_TOTP_SECRET)
                enrolled.append(user.email)
    yield "Voting per rollam asks for a second factor in every demo association."
    if enrolled:
        yield f"Authenticator app (TOTP secret {DEMO_TOTP_SECRET}) enrolled for: {', '.join(enrolled)}"
