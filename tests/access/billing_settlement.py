"""Access matrix entries for services and the yearly settlement (issue 14 item 5). The board's pages need
invoices.manage (the board and the administrator); members and tenants get 403, beta's board 403.

A unit's statement (billing.settlement_statement) is for the board or the unit's current owners: alpha's
board and administrator get the PDF; the tenant and member own no unit and get 404 (it exists, but is not
theirs); beta's board 403 (not a member of alpha).

world() adds a service (service_id) and a draft settlement of 2025 (settlement_id) with one cost
(settlement_cost_id) and one unit's stored statement (settlement_unit_id), so that every route has its row.
Empty posts: forms are refused (422); moving and archiving need no field (302); running the draft with its
one cost shares it by area: no unit has an area, so the run is refused and goes back to the page (302).
"""

import datetime as dt
import secrets
from pathlib import Path

from flask import appcontext_pushed

from blueprints.billing.settlement_pdf import DIRECTORY
from models.billing import Service, Settlement, SettlementCost, SettlementKey, SettlementUnit
from tests.access.common import BOARD_UP, LOGIN, holders_of
from tests.factories.register import make_unit


def managers(status=200):
    return holders_of(BOARD_UP, status)


MATRIX = {
    ("billing.services", "GET"): managers(),
    ("billing.service_add", "POST"): managers(422),
    ("billing.service_rename", "POST"): managers(422),
    ("billing.service_move", "POST"): managers(302),
    ("billing.service_archive", "POST"): managers(302),
    ("billing.settlements", "GET"): managers(),
    ("billing.settlement_create", "POST"): managers(422),
    ("billing.settlement", "GET"): managers(),
    ("billing.settlement_details", "POST"): managers(422),
    ("billing.settlement_cost_add", "POST"): managers(422),
    ("billing.settlement_cost", "GET"): managers(),
    ("billing.settlement_cost", "POST"): managers(422),
    ("billing.settlement_cost_delete", "GET"): managers(),
    ("billing.settlement_cost_delete", "POST"): managers(302),
    ("billing.settlement_run", "GET"): managers(),
    ("billing.settlement_run", "POST"): managers(302),
    ("billing.settlement_statement", "GET"): {
        "anonymous": LOGIN,
        "tenant": 404,
        "member": 404,
        "board": 200,
        "administrator": 200,
        "outsider": 403,
    },  # fmt: skip
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A service, and alpha's settlement of 2025 with one cost and one unit's stored statement."""
    service = Service.create(association=alpha, name="Water", position=1)
    settlement = Settlement.create(
        association=alpha,
        year=2025,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        deadline=dt.date(2026, 4, 30),
    )
    cost = SettlementCost.create(settlement=settlement, service=service, amount=10_000)
    SettlementKey.create(cost=cost, kind=SettlementKey.AREA, percent=100)
    unit = make_unit(alpha, "S1")
    stored = f"{secrets.token_hex(16)}.pdf"
    _write_when_the_app_runs(stored, b"%PDF-1.4 test statement")
    row = SettlementUnit.create(settlement=settlement, unit=unit, stored_name=stored)
    return {
        "service_id": service.id,
        "settlement_id": settlement.id,
        "settlement_cost_id": cost.id,
        "settlement_unit_id": row.id,
    }


def _write_when_the_app_runs(stored_name: str, body: bytes) -> None:
    """Keep the statement where the app keeps them, once the first request tells which app that is
    (world() runs outside an application context; see faults.py)."""

    def write(app, **_extra):
        appcontext_pushed.disconnect(write)
        directory = Path(app.config["UPLOAD_DIR"]) / DIRECTORY
        directory.mkdir(parents=True, exist_ok=True)
        (directory / stored_name).write_bytes(body)

    appcontext_pushed.connect(write, weak=False)
