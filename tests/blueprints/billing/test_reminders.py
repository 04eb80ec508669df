"""Debt reminders (issue 13 item 6): from the association's template, placeholders filled and nothing else
run, through the outbox with the statement PDF attached, in the debtor's language, logged on the person,
once per click; people without an address are named, not skipped silently."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from blueprints.billing import reminders
from jobs.debt_reminders import mail_reminders
from models.billing import DebtReminder, ReminderTemplate
from tests.factories.billing import make_billing, make_invoice

TODAY = dt.date(2026, 12, 20)
HOSTILE = "{name.__class__} {amount.__init__.__globals__} {{ config }} {0} <script>alert(1)</script> {amount}"


@pytest.fixture
def debtors(app, alpha, make_person, frozen_clock):
    """Sven (Swedish invoices) owes 123.45 since 15 Oct; Nils has no address; Paid Paula owes nothing."""
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    sven = make_person(alpha, email="sven@example.org", given_name="Sven", surname="Svensson", invoice_language="sv")
    nils = make_person(alpha, given_name="Nils", surname="Nowhere")
    paula = make_person(alpha, email="paula@example.org", given_name="Paula", surname="Paid")
    for person in (sven, nils):
        make_invoice(alpha, person, lines=[("Fee", 12345, 0)], issue_date=dt.date(2026, 10, 1),
                     due_date=dt.date(2026, 10, 15))  # fmt: skip
    return sven, nils, paula


def _confirm_page(client, people):
    response = client.submit("/alpha/admin/debtors/reminders", {"person": [p.id for p in people]},
                             form_page="/alpha/admin/debtors")  # fmt: skip
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _send(client, people, since):
    return client.submit(
        "/alpha/admin/debtors/reminders",
        {"person": [p.id for p in people], "confirm": "1", "since": since},
        form_page="/alpha/admin/debtors",
    )


def test_a_reminder_goes_through_the_outbox_with_the_statement_in_the_debtors_language(
    app, client, login_as, debtors, outbox, smtp_server
):
    sven, nils, paula = debtors
    login_as("board")
    page = _confirm_page(client, [sven, nils])
    assert "1 debtor gets a reminder" in page and "sven@example.org" in page
    assert "1 debtor cannot be reached" in page and "Nils Nowhere" in page and "No e-mail address" in page
    assert not DebtReminder.select().exists() and not outbox.rows()  # nothing sent before the confirmation
    since = re.search(r'name="since" value="([^"]+)"', page).group(1)
    response = _send(client, [sven, nils], since)
    assert response.status_code == 302
    followed = client.get(response.location).get_data(as_text=True)
    assert "1 reminder is on its way" in followed
    assert "Not reachable, no reminder sent: Nils Nowhere (No e-mail address)." in followed
    (reminder,) = DebtReminder.select()
    (mail,) = outbox.rows(kind="debt_reminder")
    assert (reminder.person_id, reminder.amount, reminder.email_id) == (sven.id, 12345, mail.id)
    assert mail.to_address == "sven@example.org" and mail.language == "sv"
    assert "123,45" in mail.body_text and "Sven Svensson" in mail.body_text  # amount as Swedish writes it
    assert mail.attachment_name == f"statement-{sven.id}-2026-10-01-2026-12-20.pdf"
    (sent,) = smtp_server.wait_for(1)
    (attached,) = list(sent.iter_attachments())
    assert attached.get_content_type() == "application/pdf" and attached.get_filename() == mail.attachment_name
    assert attached.get_content().startswith(b"%PDF")
    # The person's page shows it.
    person_page = client.get(f"/alpha/admin/debtors/{sven.id}").get_data(as_text=True)
    assert "Sent to sven@example.org" in person_page or "On its way to sven@example.org" in person_page


def test_one_click_sends_once(app, client, login_as, debtors, outbox, frozen_clock):
    sven, nils, paula = debtors
    login_as("board")
    since = re.search(r'name="since" value="([^"]+)"', _confirm_page(client, [sven])).group(1)
    assert _send(client, [sven], since).status_code == 302
    again = _send(client, [sven], since)  # the same page's button pressed twice
    assert "Already reminded a moment ago" in client.get(again.location).get_data(as_text=True)
    assert DebtReminder.select().count() == 1 and len(outbox.rows(kind="debt_reminder")) == 1
    with app.app_context():
        assert mail_reminders([DebtReminder.get().id]) == {"mailed": 0, "skipped": 1, "failed": 0}
    assert len(outbox.rows(kind="debt_reminder")) == 1
    # A new page is a new click: the next reminder goes.
    frozen_clock.advance(dt.timedelta(minutes=1))
    since = re.search(r'name="since" value="([^"]+)"', _confirm_page(client, [sven])).group(1)
    _send(client, [sven], since)
    assert DebtReminder.select().count() == 2


def test_nobody_without_overdue_debt_is_reminded(client, login_as, debtors, outbox):
    sven, nils, paula = debtors
    login_as("board")
    response = client.submit("/alpha/admin/debtors/reminders", {"person": [paula.id]},
                             form_page="/alpha/admin/debtors")  # fmt: skip
    assert response.status_code == 422 and "Tick at least one debtor" in response.get_data(as_text=True)
    assert _send(client, [paula], "").status_code == 302
    assert not DebtReminder.select().exists() and not outbox.rows()


def test_everyone_listed_can_be_reminded_at_once(client, login_as, debtors, outbox):
    sven, nils, paula = debtors
    login_as("board")
    page = client.submit("/alpha/admin/debtors/reminders", {"all": "1", "bucket": "61-90"},
                         form_page="/alpha/admin/debtors").get_data(as_text=True)  # fmt: skip
    assert "Sven Svensson" in page and "Nils Nowhere" in page and "Paula" not in page


# --- the template ------------------------------------------------------------------------------------


def test_placeholders_are_filled_in_one_pass_and_nothing_else_runs(app, alpha):
    values = {"name": "{amount}", "amount": "EUR 1.00", "overdue_since": "1 Oct 2026"}
    assert reminders.fill(HOSTILE, values) == (
        "{name.__class__} {amount.__init__.__globals__} {{ config }} {0} <script>alert(1)</script> EUR 1.00"
    )
    assert reminders.fill("Dear {name}, {amount}", values) == "Dear {amount}, EUR 1.00"  # a value is not read again
    assert reminders.unknown_placeholders(HOSTILE) == [
        "{name.__class__}", "{amount.__init__.__globals__}", "{ config }", "{0}",
    ]  # fmt: skip


def test_the_template_page_refuses_unknown_placeholders_and_saves_the_text(client, login_as, alpha, debtors):
    login_as("board")
    refused = client.submit("/alpha/admin/debtors/reminder-template", {"subject": "Pay {name}", "body": HOSTILE})
    assert refused.status_code == 422 and "is not a placeholder" in refused.get_data(as_text=True)
    assert not ReminderTemplate.select().exists()
    saved = client.submit(
        "/alpha/admin/debtors/reminder-template",
        {"subject": "{name}: {amount} to pay", "body": "Dear {name},\nplease pay {amount} (due {overdue_since})."},
    )
    assert saved.status_code == 302
    page = client.get("/alpha/admin/debtors/reminder-template").get_data(as_text=True)
    assert "Anna Example: SEK 1,234.50 to pay" in page.replace("\u00a0", " ")


def test_a_hostile_stored_template_stays_inert_in_the_mail(app, alpha, client, login_as, debtors, outbox):
    sven, nils, paula = debtors
    ReminderTemplate.create(association=alpha, subject="<b>{name}</b> {name.__class__}", body=HOSTILE)
    login_as("board")
    since = re.search(r'name="since" value="([^"]+)"', _confirm_page(client, [sven])).group(1)
    _send(client, [sven], since)
    (mail,) = outbox.rows(kind="debt_reminder")
    assert mail.subject == "<b>Sven Svensson</b> {name.__class__}"
    assert "{{ config }}" in mail.body_text and "{amount.__init__.__globals__}" in mail.body_text
    assert "<script>" not in mail.body_html and "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.body_html
    assert "SECRET_KEY" not in mail.body_text + mail.body_html
