"""Every action the code writes to the audit log has words for the board (the log never shows a bare code)."""

from __future__ import annotations

import re
from pathlib import Path

from blueprints.portal.audit_labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[3]
# audit("domain.what", …), the action written out (the way every call writes it, on its line or the next).
CALL = re.compile(r'\baudit\(\s*(f?)"([^"]+)"')
# The settings pictures' actions are written with the picture's column: settings_views.py's kinds.
PICTURES = ("logo", "header_photo")


def _written_actions() -> set[str]:
    found = set()
    for folder in ("blueprints", "core", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            for formatted, action in CALL.findall(path.read_text(encoding="utf-8")):
                if formatted:
                    assert action.startswith("settings.{kind.column}_"), f"{path}: a new formatted action {action}"
                    found.update(action.replace("{kind.column}", picture) for picture in PICTURES)
                else:
                    found.add(action)
    return found


def test_every_audited_action_has_a_label():
    written = _written_actions()
    assert len(written) > 100, "the search for audit() calls found too few: has the call changed shape?"
    missing = sorted(written - set(ACTION_LABELS))
    assert not missing, f"audit actions without words for the board: {missing}"


def test_the_log_shows_the_words_not_the_code(client, alpha, login_as):
    from core.audit import audit

    board = login_as("administrator")
    audit("exchange.api_token_revoked", actor=board, association=alpha, target="Accounting <sync>")
    page = client.get("/alpha/admin/audit").get_data(as_text=True)
    assert "Revoked an API token" in page and "exchange.api_token_revoked" not in page
    assert "Accounting &lt;sync&gt;" in page
