"""Worlds for the bank-import tests: an Estonian association (EUR, 7-3-1 references) whose invoices the sample
camt files pay, and a helper that uploads a file as the board's browser does."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest

from models.billing import BillingSettings
from tests.factories.billing import make_billing, make_invoice

TODAY = dt.datetime(2027, 1, 5, 9)


@pytest.fixture
def estonia(app, alpha, make_person, frozen_clock):
    """alpha in EUR with Estonian references: invoices 1001 (Mari, 416.70, 10016), 1002 (Jüri, 100.00, 10029) and
    1003 (Kati, 200.00, no reference: the sample's last credit is a suggestion for it)."""
    frozen_clock.set(TODAY)
    alpha.currency = "EUR"
    alpha.save()
    make_billing(alpha, reference_standard=BillingSettings.EE)
    mari = make_person(alpha, given_name="Mari", surname="Maasikas")
    jyri = make_person(alpha, given_name="Jüri", surname="Tamm")
    kati = make_person(alpha, given_name="Kati", surname="Karu")
    w = SimpleNamespace(mari=mari, jyri=jyri, kati=kati)
    november = dict(issue_date=dt.date(2026, 11, 15), due_date=dt.date(2026, 11, 30))
    w.i1001 = make_invoice(alpha, mari, lines=[("Fee", 41670, 0)], reference="10016", number=1001, **november)
    w.i1002 = make_invoice(alpha, jyri, lines=[("Fee", 10000, 0)], reference="10029", number=1002, **november)
    w.i1003 = make_invoice(alpha, kati, lines=[("Fee", 20000, 0)], number=1003, **november)
    return w


@pytest.fixture
def upload(client):
    """POST a file to the upload form; returns the response (not followed)."""

    def do(data: bytes, name: str = "statement.xml", **headers):
        token = client.csrf("/alpha/admin/bank")
        return client.post(
            "/alpha/admin/bank",
            data={"csrf_token": token, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
            headers=headers,
        )

    return do


def page(response) -> str:
    """The body, without the no-break spaces amounts are formatted with."""
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")
