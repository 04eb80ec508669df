"""The settlement's delivery job (jobs/settlements.py): each statement made once and mailed once however
often the job runs; a unit without an address keeps its statement; the settlement is settled at the end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from blueprints.billing import settlement as sharing
from blueprints.billing import settlement_pdf, settlement_run
from jobs import settlements as job
from models.billing import Service, Settlement, SettlementCost, SettlementKey, SettlementUnit
from tests.factories.billing import make_billing, make_unit
from tests.factories.register import make_owner, make_person


@pytest.fixture
def settled(app, frozen_clock, alpha):
    frozen_clock.set(dt.datetime(2027, 3, 1, 9, 0))
    with app.app_context():
        make_billing(alpha)
        water = Service.create(association=alpha, name="Water")
        for number, email in (("1", "one@example.org"), ("2", "")):
            unit = make_unit(alpha, number, area=Decimal("50"))
            make_owner(unit, make_person(alpha, email=email))
        s = sharing.new_settlement(alpha, 2026)
        cost = SettlementCost.create(settlement=s, service=water, amount=10_001)
        SettlementKey.create(cost=cost, kind=SettlementKey.AREA, percent=100)
        app.config["REDIS_URL"] = ""  # the job runs inline after the commit
        yield s


def test_the_job_mails_each_statement_once_and_settles(settled, outbox, app):
    assert settlement_run.run(settled)
    assert len(outbox.rows(kind="settlement")) == 1
    stored = {row.id: row.stored_name for row in SettlementUnit.select()}
    assert all(stored.values())
    for name in stored.values():
        assert settlement_pdf.statement_file(name).read_bytes().startswith(b"%PDF")
    # Run again, as a retry would: nothing new is rendered or mailed.
    assert job.deliver(settled.id) == {"mailed": 0, "kept": 0, "skipped": 0, "failed": 0}
    assert len(outbox.rows(kind="settlement")) == 1
    assert {row.id: row.stored_name for row in SettlementUnit.select()} == stored
    done = Settlement.get_by_id(settled.id)
    assert done.state == Settlement.DONE and done.delivered_at == dt.datetime(2027, 3, 1, 9, 0)
    kept = SettlementUnit.get(SettlementUnit.email.is_null())
    assert kept.error == settlement_run.NO_ADDRESS and kept.sent_at is not None


def test_a_unit_left_waiting_is_finished_by_the_next_run(settled, outbox):
    assert settlement_run.run(settled)
    row = SettlementUnit.get(SettlementUnit.email.is_null(False))
    # As if the job had died before this unit: its claim is undone, the settlement still running.
    SettlementUnit.update(sent_at=None, email=None).where(SettlementUnit.id == row.id).execute()
    Settlement.update(state=Settlement.RUNNING, delivered_at=None).where(Settlement.id == settled.id).execute()
    assert job.deliver(settled.id)["mailed"] == 1
    assert Settlement.get_by_id(settled.id).state == Settlement.DONE
