"""Promise only what exists (issue 17, item 12): the invitation, the default and demo welcome texts and the
README name no feature that is not built yet. Documents, discussions and votes were the unbuilt ones when
this was written; issue 16's import, API and GDPR export and erasure came last. They are all built now, and
what is still not is signing in with a passkey (WebAuthn: README "Two-factor authentication")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from demo.portal import ASSOCIATIONS

ROOT = Path(__file__).resolve().parents[1]
# Words for what is not built yet, in every language Porch speaks.
NOT_YET = re.compile(r"passkey|WebAuthn", re.IGNORECASE)
INVITATION = (
    "The board of %(name)s invites you to the residents' portal, where you see your unit, "
    "your invoices and contracts, and report faults to the board."
)
DEFAULT_WELCOME = "Here you see your units, invoices and contracts, and report faults to the board."


@pytest.mark.parametrize("language", ["en", "sv", "da", "cs", "et"])
def test_the_invitation_and_the_default_welcome_promise_nothing_unbuilt(app, language):
    with app.test_request_context(), force_locale(language):
        for text in (gettext(INVITATION, name="X"), gettext(DEFAULT_WELCOME)):
            assert not NOT_YET.search(text), (language, text)
    # These are the texts the mail and the home page use.
    for path in ("templates/email/invite.txt", "templates/email/invite.html"):
        assert INVITATION in (ROOT / path).read_text(), path
    assert DEFAULT_WELCOME in (ROOT / "templates/portal/home.html").read_text()


def test_the_demo_welcome_texts_promise_nothing_unbuilt():
    for slug, fields in ASSOCIATIONS.items():
        assert not NOT_YET.search(fields["welcome_text"]), slug


def test_the_readme_introduction_promises_nothing_unbuilt():
    introduction = (ROOT / "README.md").read_text().split("## ", 1)[0]
    promised = [m.group(0) for m in NOT_YET.finditer(introduction)]
    assert not promised, promised
    # What issue 16 built is said to be there, not to come next.
    said = " ".join(introduction.split())
    assert "come next" not in said and "through a JSON API" in said and "erases those who left" in said
