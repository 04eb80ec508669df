"""The board's own home (issue 17, item 7; SPEC P10): what needs attention with a count and a link, and the
board's tools grouped, on the menu page and in the top bar on wide screens."""

from __future__ import annotations

import datetime as dt
import re

from models import OutboundEmail, RegistrationRequest
from models.billing import Charge, Invoice, InvoiceDelivery
from models.faults import FaultReport
from tests.factories.billing import make_billing, make_invoice, make_unit


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_board_sees_what_needs_attention_with_counts_and_links(
    client, alpha, login_as, make_person, frozen_clock, outbox
):
    frozen_clock.set(dt.datetime(2026, 12, 6, 9, 0))
    board = login_as("board")
    RegistrationRequest.create(association=alpha, name="Rita", email="rita@example.com")
    RegistrationRequest.create(association=alpha, name="Sam", email="sam@example.com")
    OutboundEmail.create(association=alpha, to_address="x@example.com", kind="reset", subject="s", body_text="t",
                         status=OutboundEmail.FAILED)  # fmt: skip
    FaultReport.create(association=alpha, title="Leak", kind="fault", place="building", status="new",
                       reporter=board, deadline_at=dt.datetime(2026, 12, 1))  # fmt: skip
    make_billing(alpha)
    person = make_person(alpha)
    unit = make_unit(alpha, "1")
    Charge.create(association=alpha, unit=unit, description="Fee", amount=100)
    invoice = make_invoice(alpha, person, unit=unit)
    InvoiceDelivery.create(invoice=invoice, channel="email", state="no_address")

    page = client.get("/alpha/")
    words = text(page)
    html = page.get_data(as_text=True)
    assert "Needs attention" in words
    assert "2 requests for access wait for an answer" in words
    assert 'href="/alpha/admin/registrations"' in html
    assert "1 new fault report · 1 overdue" in words
    assert "1 mail could not be sent" in words and 'href="/alpha/admin/mail?state=failed"' in html
    assert "1 invoice did not reach its recipient" in words
    assert "The invoices for December 2026 are not created yet" in words
    assert 'href="/alpha/admin/invoice-runs/preview?period=2026-12"' in html


def test_a_resident_home_has_no_board_panel_and_no_board_bar(client, alpha, login_as):
    login_as("member")
    RegistrationRequest.create(association=alpha, name="Rita", email="rita@example.com")
    html = client.get("/alpha/").get_data(as_text=True)
    assert "Needs attention" not in html and "board-bar" not in html


def test_nothing_waiting_shows_no_panel(client, alpha, login_as):
    login_as("board")
    assert "Needs attention" not in client.get("/alpha/").get_data(as_text=True)


def test_the_board_tools_are_grouped_on_the_menu_and_in_the_top_bar(client, alpha, login_as):
    login_as("administrator")
    menu = text(client.get("/alpha/menu"))
    for group in ("Register", "Billing", "Faults", "Portal"):
        assert f" {group} " in menu
    assert menu.index("Register") < menu.index("People") < menu.index("Billing") < menu.index("Invoice runs")
    home = client.get("/alpha/").get_data(as_text=True)
    bar = home[home.index('class="board-bar"') : home.index("</nav>", home.index('class="board-bar"'))]
    assert "<summary>Billing</summary>" in bar and 'href="/alpha/admin/invoice-runs"' in bar
    assert 'href="/alpha/admin/roles"' in bar  # the administrator's too


def test_wide_tables_use_the_width_of_a_desktop(client, alpha, login_as):
    login_as("board")
    for path in ("/alpha/admin/invoices", "/alpha/admin/residents", "/alpha/admin/invoice-runs/preview"):
        assert '<main id="main" class="wide">' in client.get(path).get_data(as_text=True), path
    assert '<main id="main">' in client.get("/alpha/account").get_data(as_text=True)
    assert Invoice.select().count() == 0
