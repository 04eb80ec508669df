"""What the residents' Contracts and Invoices pages show (SPEC B1, B2), in a constant number of queries.

Lists start from the member's own rows (Contract.held_by, Invoice.addressed_to) and details from
Contract.visible_to / Invoice.visible_to / PdfOrder.visible_to: a list never shows, and a details view
never opens, a row its viewer could not see (404). The lists read only the
rows' own columns (no per-row lazy loads); a row's details take a few queries of their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee as pw
from babel.numbers import format_percent
from flask import abort
from flask_babel import format_date, get_locale

from blueprints.billing import payment_codes, references
from models import Membership, Person
from models import permissions as perms
from models.billing import BillingSettings, Contract, ContractParty, Invoice, InvoiceLine, Payment
from models.db import PreparedSelect, first_or_404
from models.mail import PdfOrder
from models.register import Building, Unit

PAGE = 24  # invoices per page: two years of monthly invoices
MAX_PAGE = 10_000


# --- contracts ------------------------------------------------------------------------------

CONTRACT_ORDER = (
    pw.Case(Contract.status, ((Contract.ACTIVE, 0), (Contract.TERMINATED, 1)), 2),
    Contract.start_date.desc(),
    Contract.number,
)


def contract_list(membership: Membership) -> list[Contract]:
    """The member's own contracts (even a board member's list is their own): in force first, then newest, each with its unit (one query)."""
    return list(
        Contract.held_by(membership)
        .select(Contract, Unit.id, Unit.kind, Unit.number)
        .join_from(Contract, Unit)
        .order_by(*CONTRACT_ORDER)
    )


@dataclass
class ContractDetails:
    contract: Contract
    unit: Unit
    building: Building
    parties: list[Person]


def contract_details(membership: Membership, contract_id: int) -> ContractDetails:
    """A contract this member may open, with its unit, building and parties (two queries); else 404."""
    contract = first_or_404(
        Contract.visible_to(membership)
        .select(Contract, Unit, Building)
        .join_from(Contract, Unit)
        .join_from(Unit, Building)
        .where(Contract.id == contract_id)
    )
    parties = list(
        Person.select(Person)
        .join(ContractParty, on=(ContractParty.person == Person.id))
        .where(ContractParty.contract == contract)
        .order_by(*Person.name_order())
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


def invoice_page(membership: Membership, page: int, today: dt.date) -> InvoicePage:
    """One page of the member's own invoices, newest first, each with the unit and contract it is for,
    and their balance (two queries)."""
    page = max(1, min(page, MAX_PAGE))
    query = (
        Invoice.addressed_to(membership)
        .select(*LIST_COLUMNS, Unit.id, Unit.kind, Unit.number, Contract.id, Contract.number)
        .join_from(Invoice, Unit, pw.JOIN.LEFT_OUTER)
        .join_from(Invoice, Contract, pw.JOIN.LEFT_OUTER)
        .order_by(Invoice.issue_date.desc(), Invoice.number.desc())
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    )
    rows = list(query)
    return InvoicePage(rows=rows[:PAGE], page=page, more=len(rows) > PAGE, balances=balances(membership, today))


def balances(membership: Membership, today: dt.date) -> list[Balance]:
    """Outstanding and overdue totals of the member's own invoices, one per currency (one query)."""
    open_amount = Invoice.total - Invoice.paid_total - Invoice.credited_total
    overdue = pw.Case(None, ((Invoice.due_date < today, open_amount),), 0)
    query = (
        Invoice.addressed_to(membership)
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
    reference_label: str  # as the payer's bank names it ("OCR-nummer", "Variabilní symbol")
    account: Account
    pdf_order: PdfOrder | None  # the user's latest order of this invoice's PDF
    qr: tuple[str, str] | None = None  # (kind, payload): the PDF's payment code, EPC or SPD

    @property
    def shows_vat(self) -> bool:
        return any(line.vat_rate or line.vat_amount for line in self.lines)


def invoice_details(membership: Membership, invoice_id: int) -> InvoiceDetails:
    """An invoice this member may open with its lines, payments, credit notes, account and PDF order; else 404.

    Each query is prepared (see PreparedSelect): a resident opens their invoices often, and building
    six queries' SQL took longer than the database takes to answer them."""
    association = membership.association
    found = _VISIBLE_INVOICE(
        association.id, membership.user_id, invoice_id, granted=membership.role.permission_set & VIEW_ALL
    )
    if not found:
        abort(404)
    invoice = found[0]
    settings = BillingSettings.for_association(association)
    invoice.association = settings.association = association  # at hand: the payment code reads them
    credited = None
    if invoice.credits_id is not None:
        credited = next(iter(_INVOICE_ROW(association.id, invoice.credits_id)), None)
    pdf_orders = _LATEST_PDF_ORDER(association.id, membership.user_id, invoice.id)
    return InvoiceDetails(
        invoice=invoice,
        lines=_LINES(invoice.id),
        payments=_PAYMENTS(association.id, invoice.id),
        credit_notes=_CREDIT_NOTES(association.id, invoice.id),
        credited=credited,
        reference=references.display(settings.reference_standard, invoice.reference) if invoice.reference else "",
        reference_label=str(references.LABELS.get(settings.reference_standard, references.LABELS[references.FREE])),
        qr=payment_codes.qr_payload(settings, invoice),
        account=Account(
            payee=settings.payee_name or association.name,
            iban=references.display_iban(settings.iban) if settings.iban else "",
            bic=settings.bic,
            bankgiro=references.display_bankgiro(settings.bankgiro) if settings.bankgiro else "",
            account_number=settings.account_number,
        ),
        pdf_order=pdf_orders[0] if pdf_orders else None,
    )


VIEW_ALL = frozenset({perms.INVOICES_VIEW_ALL})  # the permission Invoice.seen_by reads


def _visible_invoice_query(association, user, invoice_id, *, granted) -> pw.ModelSelect:
    query = Invoice.of(association).where(Invoice.id == invoice_id)
    rule = Invoice.seen_by(granted, association, user)
    return query if rule is None else query.where(rule)


def _lines_query(invoice) -> pw.ModelSelect:
    return InvoiceLine.select().where(InvoiceLine.invoice == invoice).order_by(InvoiceLine.position, InvoiceLine.id)


def _payments_query(association, invoice) -> pw.ModelSelect:
    return Payment.of(association).where(Payment.invoice == invoice).order_by(Payment.paid_on, Payment.id)


def _credit_notes_query(association, invoice) -> pw.ModelSelect:
    return (
        Invoice.of(association)
        .select(*LIST_COLUMNS)
        .where(Invoice.credits == invoice)
        .order_by(Invoice.issue_date, Invoice.number)
    )


def _invoice_row_query(association, invoice_id) -> pw.ModelSelect:
    return Invoice.of(association).select(*LIST_COLUMNS).where(Invoice.id == invoice_id)


def _latest_pdf_order_query(association, user, invoice) -> pw.ModelSelect:
    # PdfOrder.visible_to's rule: the member's own orders.
    return (
        PdfOrder.of(association)
        .where(PdfOrder.seen_by(user) & (PdfOrder.invoice == invoice))
        .order_by(PdfOrder.created_at.desc(), PdfOrder.id.desc())
        .limit(1)
    )


# An invoice's page and its details in the list (a resident's): built once (see PreparedSelect).
_VISIBLE_INVOICE = PreparedSelect(_visible_invoice_query)
_LINES = PreparedSelect(_lines_query)
_PAYMENTS = PreparedSelect(_payments_query)
_CREDIT_NOTES = PreparedSelect(_credit_notes_query)
_INVOICE_ROW = PreparedSelect(_invoice_row_query)
_LATEST_PDF_ORDER = PreparedSelect(_latest_pdf_order_query)


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
