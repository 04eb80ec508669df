"""What the residents' Contracts and Invoices pages show (SPEC B1, B2), in a constant number of queries.

Every load starts from Contract.visible_to / Invoice.visible_to / PdfOrder.visible_to: a list never
shows, and a details view never opens, a row its viewer could not see. The lists read only the
rows' own columns (no per-row lazy loads); a row's details take a few queries of their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw
from babel.numbers import format_percent
from flask_babel import format_date, get_locale

from blueprints.billing import references
from models import Association, Person, User
from models.billing import BillingSettings, Contract, ContractParty, Invoice, InvoiceLine, Payment, PdfOrder
from models.register import Building, Unit

PAGE = 24  # invoices per page: two years of monthly invoices
MAX_PAGE = 10_000


# --- contracts ------------------------------------------------------------------------------

CONTRACT_ORDER = (
    pw.Case(Contract.status, ((Contract.ACTIVE, 0), (Contract.TERMINATED, 1)), 2),
    Contract.start_date.desc(),
    Contract.number,
)


def contract_list(association: Association, user: User) -> list[Contract]:
    """The user's own contracts (even a board member's list is their own): in force first, then newest (one query)."""
    return list(Contract.visible_to(association, user, see_all=False).order_by(*CONTRACT_ORDER))


@dataclass
class ContractDetails:
    contract: Contract
    unit: Unit
    building: Building
    parties: list[Person]


def contract_details(
    association: Association, user: User, contract_id: int, *, see_all: bool
) -> ContractDetails | None:
    """A contract this user may open, with its unit, building and parties (two queries); None if not theirs."""
    contract = (
        Contract.visible_to(association, user, see_all=see_all)
        .select(Contract, Unit, Building)
        .join_from(Contract, Unit)
        .join_from(Unit, Building)
        .where(Contract.id == contract_id)
        .first()
    )
    if contract is None:
        return None
    parties = list(
        Person.select(Person)
        .join(ContractParty, on=(ContractParty.person == Person.id))
        .where(ContractParty.contract == contract)
        .order_by(Person.surname, Person.given_name, Person.id)
    )
    return ContractDetails(contract=contract, unit=contract.unit, building=contract.unit.building, parties=parties)


# --- invoices ---------------------------------------------------------------------------------

LIST_COLUMNS = (
    Invoice.id,
    Invoice.number,
    Invoice.kind,
    Invoice.credits,
    Invoice.period_start,
    Invoice.period_end,
    Invoice.issue_date,
    Invoice.due_date,
    Invoice.currency,
    Invoice.total,
    Invoice.paid_total,
    Invoice.credited_total,
)


@dataclass
class Balance:
    """What the user still has to pay in one currency, and how much of it is past its due date."""

    currency: str
    outstanding: int
    overdue: int


@dataclass
class InvoicePage:
    rows: list[Invoice]
    page: int
    more: bool
    balances: list[Balance] = field(default_factory=list)


def invoice_page(association: Association, user: User, page: int, today: dt.date) -> InvoicePage:
    """One page of the user's own invoices, newest first, and their balance (two queries)."""
    page = max(1, min(page, MAX_PAGE))
    query = (
        Invoice.visible_to(association, user, see_all=False)
        .select(*LIST_COLUMNS)
        .order_by(Invoice.issue_date.desc(), Invoice.number.desc())
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    )
    rows = list(query)
    return InvoicePage(rows=rows[:PAGE], page=page, more=len(rows) > PAGE, balances=balances(association, user, today))


def balances(association: Association, user: User, today: dt.date) -> list[Balance]:
    """Outstanding and overdue totals of the user's invoices, one per currency (one query)."""
    open_amount = Invoice.total - Invoice.paid_total - Invoice.credited_total
    overdue = pw.Case(None, ((Invoice.due_date < today, open_amount),), 0)
    query = (
        Invoice.visible_to(association, user, see_all=False)
        .select(Invoice.currency, pw.fn.SUM(open_amount).alias("outstanding"), pw.fn.SUM(overdue).alias("overdue"))
        .where((Invoice.kind == Invoice.INVOICE) & (open_amount > 0))
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )
    return [
        Balance(currency=row["currency"], outstanding=int(row["outstanding"]), overdue=int(row["overdue"] or 0))
        for row in query.dicts()
    ]


@dataclass
class Account:
    """Where to pay: the payee and whichever accounts the association keeps."""

    payee: str
    iban: str
    bic: str
    bankgiro: str
    account_number: str

    @property
    def any(self) -> bool:
        return bool(self.iban or self.bankgiro or self.account_number)


@dataclass
class InvoiceDetails:
    invoice: Invoice
    lines: list[InvoiceLine]
    payments: list[Payment]
    credit_notes: list[Invoice]  # against this invoice
    credited: Invoice | None  # the invoice this credit note is against
    reference: str  # grouped for reading
    account: Account
    pdf_order: PdfOrder | None  # the user's latest order of this invoice's PDF

    @property
    def shows_vat(self) -> bool:
        return any(line.vat_rate or line.vat_amount for line in self.lines)


def invoice_details(association: Association, user: User, invoice_id: int, *, see_all: bool) -> InvoiceDetails | None:
    """An invoice this user may open with its lines, payments, credit notes, account and PDF order; None if not theirs."""
    invoices = Invoice.visible_to(association, user, see_all=see_all)
    invoice = invoices.where(Invoice.id == invoice_id).first()
    if invoice is None:
        return None
    settings = BillingSettings.for_association(association)
    lines = list(
        InvoiceLine.select().where(InvoiceLine.invoice == invoice).order_by(InvoiceLine.position, InvoiceLine.id)
    )
    payments = list(Payment.of(association).where(Payment.invoice == invoice).order_by(Payment.paid_on, Payment.id))
    credit_notes = list(
        Invoice.of(association)
        .select(*LIST_COLUMNS)
        .where(Invoice.credits == invoice)
        .order_by(Invoice.issue_date, Invoice.number)
    )
    credited = None
    if invoice.credits_id is not None:
        credited = Invoice.of(association).select(*LIST_COLUMNS).where(Invoice.id == invoice.credits_id).first()
    pdf_order = (
        PdfOrder.visible_to(association, user)
        .where(PdfOrder.invoice == invoice)
        .order_by(PdfOrder.created_at.desc(), PdfOrder.id.desc())
        .first()
    )
    return InvoiceDetails(
        invoice=invoice,
        lines=lines,
        payments=payments,
        credit_notes=credit_notes,
        credited=credited,
        reference=references.display(settings.reference_standard, invoice.reference) if invoice.reference else "",
        account=Account(
            payee=settings.payee_name or association.name,
            iban=references.display_iban(settings.iban) if settings.iban else "",
            bic=settings.bic,
            bankgiro=references.display_bankgiro(settings.bankgiro) if settings.bankgiro else "",
            account_number=settings.account_number,
        ),
        pdf_order=pdf_order,
    )


# --- words -------------------------------------------------------------------------------------


def period_label(start: dt.date | None, end: dt.date | None) -> str:
    """A whole calendar month as its name in the user's language ("December 2026", "prosinec 2026"),
    any other period as a range of dates; "" when the invoice has no period."""
    if start is None:
        return ""
    if end is None or _is_whole_month(start, end):
        name = format_date(start, "LLLL y")
        return name[:1].upper() + name[1:]
    return f"{format_date(start, 'short')} – {format_date(end, 'short')}"


def _is_whole_month(start: dt.date, end: dt.date) -> bool:
    next_month = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start.day == 1 and end == next_month - dt.timedelta(days=1)


def vat_rate(basis_points: int) -> str:
    """2500 basis points -> "25 %" in the user's language (exactly: 1250 -> "12.5 %")."""
    return format_percent(Decimal(basis_points).scaleb(-4), locale=get_locale(), decimal_quantization=False)
