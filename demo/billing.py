"""Demo billing: the account to pay into, monthly charges, contracts, a year of invoices and their payments.

Every demo association gets its national payment details (Swedish bankgiro
and OCR numbers, Czech IBAN and variable symbols, Estonian IBAN and 7-3-1
references), monthly charges by floor area, a tenant's home contract and a
parking contract, and one invoice run per month for the last twelve months.
Most invoices are paid on time; some are paid in part and some are overdue,
and the demo owner's latest invoices show each case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from blueprints.billing import delivery, invoicing
from core import clock
from demo import balances
from models import Association, Person
from models.billing import (
    BillingSettings,
    Charge,
    Contract,
    ContractParty,
    Invoice,
    InvoiceDelivery,
    InvoiceRun,
    Payment,
)
from models.db import transaction
from models.register import Residency, Unit

# Per association: the payee's details, the monthly charges (per m² of floor area, or per unit), contracts.
PLANS = {
    "solrosen": dict(
        settings=dict(
            payee_name="Brf Solrosen",
            payee_address="Solrosgatan 3\n118 46 Stockholm",
            org_number="769600-1234",
            bankgiro="5050-1055",
            iban="SE4550000000058398257466",
            bic="ESSESESS",
            reference_standard=BillingSettings.SE_OCR,
            ocr_length_digit=True,
            payment_terms_days=30,
            invoice_footer="Frågor om avgiften: styrelsen@solrosen.example, 08-123 45 67",
        ),
        per_m2=[("Månadsavgift", Decimal("65.00"))],
        per_flat=[("Kabel-tv och bredband", Decimal("129.00"))],
        garage=("Garageplats", Decimal("650.00")),
        home_contract=dict(number="100-1", type_label="2 rum och kök", rent=Decimal("7850.00")),
        parking=dict(number="P-7", type_label="Parkeringsplats utomhus", rent=Decimal("450.00")),
    ),
    "nakopci": dict(
        settings=dict(
            payee_name="Společenství vlastníků Na Kopci 1201",
            payee_address="Na Kopci 1201/5\n140 00 Praha 4",
            org_number="24123455",
            iban="CZ6508000000192000145399",
            bic="GIBACZPX",
            account_number="19-2000145399/0800",
            reference_standard=BillingSettings.CZ_VS,
            payment_terms_days=30,
            invoice_footer="Dotazy k předpisu plateb: vybor@nakopci.example, +420 601 234 567",
        ),
        per_m2=[("Příspěvek do fondu oprav", Decimal("35.00"))],
        # An advance line per service (together 1450 Kč a month, as the one line they replace), so the yearly
        # settlement compares each with its service's cost (demo/services.py links them to the services).
        per_flat=[
            ("Záloha na vodu", Decimal("700.00")),
            ("Záloha na teplo", Decimal("550.00")),
            ("Záloha na úklid", Decimal("120.00")),
            ("Záloha na výtah", Decimal("80.00")),
            ("Správa domu", Decimal("250.00")),
        ],
        garage=("Garážové stání", Decimal("800.00")),
        home_contract=dict(number="2024/3", type_label="2+kk", rent=Decimal("16500.00")),
        parking=dict(number="GS-4", type_label="Venkovní stání", rent=Decimal("1200.00")),
    ),
    "kase5": dict(
        settings=dict(
            payee_name="Korteriühistu Kase 5",
            payee_address="Kase tn 5\n50407 Tartu",
            org_number="80123456",
            iban="EE382200221020145685",
            bic="HABAEE2X",
            reference_standard=BillingSettings.EE,
            payment_terms_days=30,
            invoice_footer="Küsimused arvete kohta: juhatus@kase5.example, +372 5123 4567",
        ),
        per_m2=[("Haldustasu", Decimal("0.45")), ("Remondifond", Decimal("0.60"))],
        per_flat=[("Vee ettemaks", Decimal("24.00")), ("Prügivedu", Decimal("6.50"))],
        garage=("Parkimiskoht", Decimal("15.00")),
        home_contract=dict(number="U-2025-1", type_label="2-toaline korter", rent=Decimal("520.00")),
        parking=dict(number="P-3", type_label="Parkimiskoht hoovis", rent=Decimal("25.00")),
    ),
}
MONTHS = 12


def load_billing() -> Iterator[str]:
    """Fill each demo association's billing once; an association with invoice runs is left alone."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if InvoiceRun.of(association).exists():
            yield f"{association.name}: invoices exist; left as they are."
            continue
        if not Unit.active(association).exists():
            yield f"{association.name}: no register; no invoices."
            continue
        with transaction():
            _settings(association, plan)
            _charges(association, plan)
            _contracts(association, plan)
        invoices, banked = _a_year_of_invoices(association)
        yield f"{association.name}: {invoices} invoices over {MONTHS} months, most paid, some partly, some overdue."
        yield banked


def _minor(amount: Decimal) -> int:
    return int(amount.scaleb(2))  # the demo currencies (SEK, CZK, EUR) all have two decimals


def _settings(association: Association, plan: dict) -> None:
    settings = BillingSettings.for_association(association)
    for name, value in plan["settings"].items():
        setattr(settings, name, value)
    settings.save()


def _charges(association: Association, plan: dict) -> None:
    rows = [
        dict(association=association.id, unit=unit.id, description=description, amount=amount, position=position)
        for unit in Unit.active(association).order_by(Unit.id)
        for position, (description, amount) in enumerate(_monthly_lines(unit, plan))
    ]
    Charge.insert_many(rows).execute()


def _monthly_lines(unit: Unit, plan: dict) -> list[tuple[str, int]]:
    """A garage pays its flat rate; a flat pays per m² of floor area, then its fixed charges."""
    if unit.kind == Unit.GARAGE:
        description, amount = plan["garage"]
        return [(description, _minor(amount))]
    by_area = [(description, _minor(per_m2 * Decimal(unit.area or 0))) for description, per_m2 in plan["per_m2"]]
    return by_area + [(description, _minor(amount)) for description, amount in plan["per_flat"]]


def _contracts(association: Association, plan: dict) -> None:
    """A home let to the tenant (a resident of the let unit), and a parking space let to the demo owner."""
    today = association.today()
    tenancy = (
        Residency.select(Residency, Unit)
        .join(Unit)
        .where((Unit.association == association) & (Residency.role == Residency.TENANT) & Residency.current(today))
        .order_by(Residency.id)
        .first()
    )
    if tenancy is not None:
        home = plan["home_contract"]
        _contract(
            association,
            tenancy.unit,
            tenancy.person,
            number=home["number"],
            category=Contract.HOME,
            type_label=home["type_label"],
            rent=_minor(home["rent"]),
            start_date=tenancy.start_date or dt.date(today.year - 1, 1, 1),
            notice_months=3,
        )
    owner = _demo_owner(association)
    garages = list(Unit.active(association).where(Unit.kind == Unit.GARAGE).order_by(Unit.id))
    if owner is not None and len(garages) > 1:
        parking = plan["parking"]
        _contract(
            association,
            garages[-1],
            owner,
            number=parking["number"],
            category=Contract.PARKING,
            type_label=parking["type_label"],
            rent=_minor(parking["rent"]),
            start_date=dt.date(today.year - 2, 4, 1),
            notice_months=1,
        )


def _contract(association: Association, unit: Unit, person: Person, **fields) -> None:
    contract = Contract.create(association=association, unit=unit, renewal=Contract.INDEFINITE, **fields)
    ContractParty.create(contract=contract, person=person)


def _demo_owner(association: Association) -> Person | None:
    return Person.of(association).where(Person.email.startswith("owner@")).first()


def _months(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(dt.date(year, month + 1, 1))
    return months


def _a_year_of_invoices(association: Association) -> tuple[int, str]:
    """One run per month (issued ten days before it starts, due 30 days later), then the payments received
    by today, from the bank's files; returns the number of invoices and what the bank files did."""
    today = association.today()
    board = _board_user(association)
    for period_start in _months(today):
        issue = period_start - dt.timedelta(days=10)
        invoicing.create_run(association, period_start, issue_date=issue, user=board)
    invoices = list(Invoice.of(association).order_by(Invoice.issue_date, Invoice.number))
    owner = _demo_owner(association)
    received = []
    for invoice in invoices:
        payment = _payment(invoice, today, board, demo_owner=owner is not None and invoice.recipient_id == owner.id)
        if payment is not None:
            received.append(payment)
    with transaction():
        _deliveries(association, invoices)
    # The payments arrive as the bank's own files, booked by the bank import (demo/balances.py).
    return len(invoices), balances.pay_by_bank_files(association, received, board)


def _deliveries(association: Association, invoices: list[Invoice]) -> None:
    """How the year's invoices went out, as the run pages show it, without rendering a year of PDFs:
    mailed (or no address) by each recipient's choice, paper printed; in the latest run one mail bounced
    and the paper invoices wait for their print batch."""
    latest = max((i.run_id for i in invoices if i.run_id), default=None)
    people = {p.id: p for p in Person.of(association)}
    owner = _demo_owner(association)
    now = clock.utcnow_naive()
    rows, bounced = [], False
    for invoice in invoices:
        person = people[invoice.recipient_id]
        for channel in delivery.ways_of(person):
            row = delivery.new_row(invoice, person, channel, now)
            if row["state"] == InvoiceDelivery.QUEUED:
                row["state"] = InvoiceDelivery.SENT
                if invoice.run_id == latest and not bounced and (owner is None or invoice.recipient_id != owner.id):
                    row["state"], row["error"], bounced = InvoiceDelivery.FAILED, "550 5.1.1 Mailbox unavailable", True
            elif row["state"] == InvoiceDelivery.TO_PRINT and invoice.run_id != latest:
                row["state"] = InvoiceDelivery.PRINTED
            rows.append(row)
    for start in range(0, len(rows), 500):
        InvoiceDelivery.insert_many(rows[start : start + 500]).execute()


def _payment(invoice: Invoice, today: dt.date, board, *, demo_owner: bool) -> dict | None:
    """Paid on time, in part, or not at all: by the invoice's age for the demo owner, by its number otherwise.

    The demo owner's latest invoices are partly paid (not yet due), the month before is overdue, older ones are paid.
    """
    months_ago = (today.year - invoice.period_start.year) * 12 + today.month - invoice.period_start.month
    if invoice.due_date >= today:  # not due yet: open, or partly paid already
        share = "part" if (demo_owner and months_ago == 0) or invoice.number % 7 == 0 else None
    elif demo_owner:
        share = None if months_ago == 1 else "full"
    else:
        share = {0: None, 1: "part"}.get(invoice.number % 12, "full")
    if share is None:
        return None
    return dict(
        association=invoice.association_id,
        invoice=invoice.id,
        amount=invoice.total if share == "full" else invoice.total // 2,
        paid_on=min(invoice.due_date - dt.timedelta(days=2 + invoice.number % 5), today),
        reference=invoice.reference,
        source=Payment.MANUAL,
        recorded_by=board.id if board is not None else None,
        created_at=clock.utcnow_naive(),
    )


def _board_user(association: Association):
    person = Person.of(association).where(Person.email.startswith("board@")).first()
    return person.user if person is not None else None
