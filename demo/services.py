"""Demo settlement inputs (issue 14 item 6): Na Kopci's services, their advances and last year's draft.

SVJ Na Kopci buys water (vodné a stočné), heating, cleaning and the lifts' upkeep for its units, and its
monthly prescription (demo/billing.py) carries an advance for each: this module names the services and
links those charges to them, so every invoice line of an advance counts for its service. The demo's
invoices cover the last twelve months only; the settlement is of last calendar year, so the months of
that year without an invoice run get one here, the same way (invoicing.create_run, issued ten days
before the month), paid on time by hand as the board recorded them then. Then a draft settlement for last
year holds each service's actual cost and its key, as the board would enter them before the run:

- Vodné a stočné: the water company's bill (the main meters' use at its price per m³), shared by the
  units' water meters, 60 % by cold and 40 % by hot water (their part of the use).
- Teplo: 50 % by floor area, 50 % by the heat cost allocators (the law's usual basic and used parts).
- Úklid: by the number of residents; the board keeps the count of flats that listed nobody.
- Výtah: by ownership share.

The settlement stays a draft: the board previews it and runs it (blueprints/billing/settlement_run.py).
Solrosen and Kase 5 settle no services in the demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from blueprints.billing import delivery, invoicing
from blueprints.meters import readings
from core import clock
from demo.meters import household_size
from models import Association, Person, User
from models.billing import (
    BillingSettings,
    Charge,
    Invoice,
    InvoiceDelivery,
    InvoiceRun,
    Payment,
    Receipt,
    Service,
    Settlement,
    SettlementCost,
    SettlementKey,
)
from models.db import transaction
from models.meters import Meter
from models.register import Residency, Unit

K = SettlementKey

PLANS = {
    "nakopci": dict(
        # (service, the charge that is its monthly advance, the cost's key: (kind, per cent, meter kind))
        services=[
            ("Vodné a stočné", "Záloha na vodu", [(K.CONSUMPTION, 60, Meter.COLD_WATER),
                                                   (K.CONSUMPTION, 40, Meter.HOT_WATER)]),
            ("Teplo", "Záloha na teplo", [(K.AREA, 50, ""), (K.CONSUMPTION, 50, Meter.HEAT_ALLOCATOR)]),
            ("Úklid", "Záloha na úklid", [(K.RESIDENTS, 100, "")]),
            ("Výtah", "Záloha na výtah", [(K.SHARE, 100, "")]),
        ],
        # Pražské vodovody a kanalizace: vodné and stočné per m³ with VAT, billed on the main meters.
        water_price=Decimal("127.43"),
        # The year's bills in Kč: the heating plant, the cleaning company (4 950 Kč a month), the lifts'
        # service contract and inspections (3 350 Kč a month).
        costs={"Teplo": Decimal("268900.00"), "Úklid": Decimal("59400.00"), "Výtah": Decimal("40200.00")},
        note=(
            "Vyúčtování služeb za rok {year} podle zákona č. 67/2013 Sb. Náklady jsou rozúčtovány podle klíčů "
            "schválených shromážděním vlastníků. Námitky lze podat výboru do 30 dnů od doručení vyúčtování."
        ),
    ),
}  # fmt: skip


def load_settlement() -> Iterator[str]:
    """Services, advances and last year's draft settlement, once; an association with a settlement is left
    alone. Run after load_billing() (the charges) and load_meters() (the readings the keys use)."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if Settlement.of(association).exists():
            yield f"{association.name}: a settlement exists; left as it is."
            continue
        if not Charge.of(association).exists():
            yield f"{association.name}: no charges; no settlement."
            continue
        year = association.today().year - 1
        board = _board(association)
        with transaction():
            services = _services(association, plan)
            linked = _link_advances(association, plan, services)
            counted = _count_residents(association)
        runs = _invoice_last_year(association, year, board)
        with transaction():
            settlement = _draft(association, plan, services, year, board)
        yield (
            f"{association.name}: {len(services)} services, {linked} advance charges linked, "
            f"{counted} flats' residents counted, {runs} invoice runs added for {year}; "
            f"a draft settlement of {year} with {settlement.costs.count()} costs."
        )


def _board(association: Association) -> User | None:
    person = Person.of(association).where(Person.email.startswith("board@") & Person.user.is_null(False)).first()
    return person.user if person is not None else None


def _services(association: Association, plan: dict) -> dict[str, Service]:
    return {
        name: Service.create(association=association, name=name, position=position)
        for position, (name, _advance, _key) in enumerate(plan["services"], start=1)
    }


def _link_advances(association: Association, plan: dict, services: dict[str, Service]) -> int:
    """Each service's advance charge names it; the invoice lines made from it count as its advances."""
    linked = 0
    for name, advance, _key in plan["services"]:
        linked += (
            Charge.update(service=services[name])
            .where((Charge.association == association) & (Charge.description == advance))
            .execute()
        )
    return linked


def _count_residents(association: Association) -> int:
    """The board's count of residents for flats that listed nobody (the cleaning key shares by it), the
    same household the demo's water meters measure (demo.meters.household_size)."""
    today = association.today()
    listed = {
        unit_id
        for (unit_id,) in Residency.select(Residency.unit).join(Unit)
        .where((Unit.association == association) & Residency.current(today))
        .tuples()
    }  # fmt: skip
    counted = 0
    for index, unit in enumerate(Unit.active(association).order_by(Unit.id)):
        if unit.kind == Unit.FLAT and unit.resident_count is None and unit.id not in listed:
            Unit.update(resident_count=household_size(unit, index)).where(Unit.id == unit.id).execute()
            counted += 1
    return counted


# --- last year's invoices --------------------------------------------------------------------------------


def _invoice_last_year(association: Association, year: int, board: User | None) -> int:
    """An invoice run for each month of `year` without one (as demo/billing.py runs them: issued ten days
    before the month), each invoice paid two to six days before it fell due. Returns the runs added."""
    made = []
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        if InvoiceRun.of(association).where(InvoiceRun.period_start == start).exists():
            continue
        run = invoicing.create_run(association, start, issue_date=start - dt.timedelta(days=10), user=board)
        made.append(run.id)
    if made:
        with transaction():
            _credit_kept(association, made)
            invoices = list(Invoice.of(association).where(Invoice.run.in_(made)).order_by(Invoice.number))
            _paid(association, invoices, board)
            _delivered(association, invoices)
    return len(made)


def _credit_kept(association: Association, run_ids: list[int]) -> None:
    """A run spends any credit on its payer's oldest open invoices: here the demo's overpayment (of this
    month, demo/balances.py) on a last year's invoice that was in truth paid on time then. Put back, the
    credit waits for the payer's next invoice, as the balances demo means it (allocate() logs nothing)."""
    spent = (
        Payment.select()
        .join(Invoice)
        .where((Invoice.association == association) & Invoice.run.in_(run_ids) & Payment.receipt.is_null(False))
    )
    for payment in spent:
        Receipt.update(allocated=Receipt.allocated - payment.amount).where(Receipt.id == payment.receipt_id).execute()
        Invoice.update(paid_total=Invoice.paid_total - payment.amount).where(Invoice.id == payment.invoice_id).execute()
        payment.delete_instance()


def _paid(association: Association, invoices: list[Invoice], board: User | None) -> None:
    """Paid in full and on time, as the board recorded it by hand then (payments without a receipt, as
    Porch keeps those recorded before receipts existed)."""
    today = association.today()
    now = clock.utcnow_naive()
    rows, paid = [], []
    for invoice in invoices:
        owed = invoice.total - invoice.paid_total - invoice.credited_total
        if invoice.kind != Invoice.INVOICE or owed <= 0:
            continue
        rows.append(
            dict(
                association=association.id,
                invoice=invoice.id,
                amount=owed,
                paid_on=min(invoice.due_date - dt.timedelta(days=2 + invoice.number % 5), today),
                reference=invoice.reference,
                source=Payment.MANUAL,
                recorded_by=board.id if board is not None else None,
                created_at=now,
            )
        )
        paid.append(invoice.id)
    for start in range(0, len(rows), 400):
        Payment.insert_many(rows[start : start + 400]).execute()
    if paid:
        Invoice.update(paid_total=Invoice.total - Invoice.credited_total).where(Invoice.id.in_(paid)).execute()
        BillingSettings.bump(association)


def _delivered(association: Association, invoices: list[Invoice]) -> None:
    """Mailed or printed long ago, by each recipient's choice (or no address), as the run pages show it."""
    people = {p.id: p for p in Person.of(association)}
    now = clock.utcnow_naive()
    rows = []
    for invoice in invoices:
        person = people[invoice.recipient_id]
        for channel in delivery.ways_of(person):
            row = delivery.new_row(invoice, person, channel, now)
            row["state"] = {
                InvoiceDelivery.QUEUED: InvoiceDelivery.SENT,
                InvoiceDelivery.TO_PRINT: InvoiceDelivery.PRINTED,
            }.get(row["state"], row["state"])
            rows.append(row)
    for start in range(0, len(rows), 400):
        InvoiceDelivery.insert_many(rows[start : start + 400]).execute()


# --- the draft -------------------------------------------------------------------------------------------


def _draft(association: Association, plan: dict, services: dict[str, Service], year: int, board) -> Settlement:
    """Last year's settlement as the board entered it: each service's cost and key, not yet run."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    settlement = Settlement.create(
        association=association,
        year=year,
        period_start=first,
        period_end=last,
        deadline=dt.date(year + 1, 4, 30),  # Act 67/2013: the statement reaches each unit by 30 April
        note=plan["note"].format(year=year),
        created_by=board,
    )
    for position, (name, _advance, key) in enumerate(plan["services"], start=1):
        amount = plan["costs"].get(name)
        if amount is None:  # water: the water company's bill for what the main meters measured
            amount = water_bill(association, first, last, plan["water_price"])
        cost = SettlementCost.create(
            settlement=settlement, service=services[name], amount=_minor(amount), position=position
        )
        for kind, percent, meter_kind in key:
            SettlementKey.create(cost=cost, kind=kind, percent=percent, meter_kind=meter_kind)
    return settlement


def water_bill(association: Association, first: dt.date, last: dt.date, price: Decimal) -> Decimal:
    """What the main meters measured over the period, at the water company's price per m³, in whole Kč."""
    mains = list(
        Meter.of(association).where(
            Meter.unit.is_null() & (Meter.kind == Meter.COLD_WATER) & Meter.in_use_during(first, last)
        )
    )
    used = sum(readings.consumption(mains, first, last).values(), Decimal(0))
    return (used * price).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _minor(amount: Decimal) -> int:
    return int(amount.scaleb(2))
