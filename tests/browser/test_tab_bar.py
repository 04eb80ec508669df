"""The phone's tab bar at 360 px: every label on one line and whole, in every language (issue 17, item 10)."""

from __future__ import annotations

import pytest

from models import Association, User
from tests.browser.test_register import log_in

# Per visible tab: its label, whether the label is cut (wider than its box) and how many lines it takes.
MEASURE = """() => [...document.querySelectorAll('nav.tabs a')]
  .filter(a => getComputedStyle(a).display !== 'none')
  .map(a => {
    const label = [...a.querySelectorAll('.tab-label, .tab-short, .tab-long')]
      .find(s => getComputedStyle(s).display !== 'none');
    const range = document.createRange();
    range.selectNodeContents(label);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    return {text: label.textContent, cut: label.scrollWidth > label.clientWidth + 1, lines};
  })"""


@pytest.mark.parametrize("tabs", ["contact members units faults contracts invoices", "contact members units contracts"])
def test_every_tab_label_fits_a_360_px_phone_in_every_language(new_context, alpha, make_user, tabs):
    Association.update(tabs=tabs).where(Association.id == alpha.id).execute()
    user = make_user(alpha, "board@example.com", "board")
    page = new_context().new_page()
    log_in(page, "board@example.com")
    for language in ("en", "sv", "da", "cs", "et"):
        User.update(ui_language=language).where(User.id == user.id).execute()
        page.goto("/alpha/")
        labels = page.evaluate(MEASURE)
        assert len(labels) == 5, labels  # four places and "Menu"
        for label in labels:
            assert not label["cut"] and label["lines"] == 1, (language, label)
