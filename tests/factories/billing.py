"""Rows for billing tests, written straight to the database (not through the services under test)."""

from __future__ import annotations

import datetime as dt

from blueprints.billing.money import Line, totals
from models import Association, Person
from models.billing import BillingSettings, Contract, ContractParty, Invoice, InvoiceLine, Payment
from models.register import Unit
from tests.factories.register import make_unit  # noqa: F401 (billing tests take units from here too)


def make_billing(association: Association, **fields) -> BillingSettings:
    """The association's billing settings with an account to pay into."""
    settings = BillingSettings.for_association(association)
    defaults = {"iban": "EE382200221020145685", "bic": "HABAEE2X", "reference_standard": BillingSettings.EE}
    for name, value in {**defaults, **fields}.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def make_contract(
    association: Association, unit: Unit, people: list[Person], number: str = "100-1", **fields
) -> Contract:
    values = {
        "category": Contract.HOME,
        "type_label": "2 rooms and kitchen",
        "start_date": dt.date(2024, 1, 1),
        "notice_months": 3,
        "rent": 650000,
    }
    contract = Contract.create(association=association, unit=unit, number=number, **{**values, **fields})
    for person in people:
        ContractParty.create(contract=contract, person=person)
    return contract


def make_invoice(
    association: Association,
    recipient: Person,
    *,
    unit: Unit | None = None,
    lines: list[tuple[str, int, int]] | None = None,
    issue_date: dt.date = dt.date(2026, 11, 15),
    due_date: dt.date = dt.date(2026, 11, 30),
    period: tuple[dt.date, dt.date] | None = (dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    reference: str = "",
    **fields,
) -> Invoice:
    """An invoice with lines (description, net minor units, VAT basis points); numbered after the last one."""
    drafts = [Line(d, a, r) for d, a, r in (lines or [("Monthly fee", 416700, 0)])]
    sums = totals(drafts)
    last = Invoice.of(association).order_by(Invoice.number.desc()).first()
    invoice = Invoice.create(
        association=association,
        number=fields.pop("number", (last.number + 1) if last else 1001),
        unit=unit,
        recipient=recipient,
        recipient_name=recipient.full_name,
        recipient_address="\n".join(filter(None, [recipient.street, f"{recipient.postcode} {recipient.city}".strip()])),
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        issue_date=issue_date,
        due_date=due_date,
        currency=association.currency,
        reference=reference,
        net_total=sums.net,
        vat_total=sums.vat,
        total=sums.total,
        **fields,
    )
    BillingSettings.bump(association)  # as the services do: the board's cached totals are stale now
    for position, line in enumerate(drafts):
        InvoiceLine.create(
            invoice=invoice,
            position=position,
            description=line.description,
            amount=line.amount,
            vat_rate=line.vat_rate,
            vat_amount=line.vat,
        )
    return invoice


def make_payment(invoice: Invoice, amount: int, paid_on: dt.date = dt.date(2026, 11, 20)) -> Payment:
    payment = Payment.create(association=invoice.association, invoice=invoice, amount=amount, paid_on=paid_on)
    Invoice.update(paid_total=Invoice.paid_total + amount).where(Invoice.id == invoice.id).execute()
    BillingSettings.bump(invoice.association_id)
    return payment
