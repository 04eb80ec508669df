"""Making invoices: single ones by hand, credit notes, and the monthly run (SPEC B2, B8).

Numbers come from BillingSettings.next_invoice_number, reserved with one
atomic UPDATE (the row stays locked until the transaction commits, on SQLite
and PostgreSQL alike), so two boards pressing at once never share a number.

A run bills every unit with charges in force to its main owner and every
contract in force to its first party. preview_run() says what a run would
create, create_run() creates exactly that; every run invoice carries a run_key
("2026-12:unit:7") that is unique in the database, so a period run twice
creates nothing new, and one run again after a skipped unit was fixed creates
only that unit's invoice.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import peewee as pw
from flask_babel import force_locale

from blueprints.billing import allocation, interest_lines, references
from blueprints.billing.money import Line, Totals, totals
from core import clock
from core.text import lazy_gettext as _l
from models import Association, Person, User
from models.billing import BillingSettings, Charge, Contract, ContractParty, Invoice, InvoiceLine, InvoiceRun
from models.db import transaction
from models.register import Building, Ownership, Unit

# Why a unit or contract with something to bill is left out of a run (shown in the preview).
NO_MAIN_OWNER, NO_PARTIES, NOTHING_TO_BILL = "no_main_owner", "no_parties", "nothing_to_bill"
PROBLEMS = {
    NO_MAIN_OWNER: _l("The unit has charges but no current main owner to send the invoice to."),
    NO_PARTIES: _l("The contract names nobody to send the invoice to."),
    NOTHING_TO_BILL: _l("The contract has neither rent nor charges for this period."),
}
RENT = _l("Rent")

# Bound parameters per INSERT: SQLite allows 32766 (since 3.32), PostgreSQL 65535.
_MAX_PARAMETERS = 30_000


class InvoicingError(ValueError):
    """A request the books cannot take (crediting a credit note, an invoice with no lines...).

    `code` says which, for a page to put in its own words: no_lines, foreign_recipient, no_original,
    missing, is_credit_note, fully_credited, nothing_to_credit."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Draft:
    """One invoice a run would create, or a unit/contract it has to skip (problems not empty)."""

    run_key: str
    unit: Unit | None
    contract: Contract | None
    recipient: Person | None
    lines: list[Line] = field(default_factory=list)
    charge_ids: list[int | None] = field(default_factory=list)  # per line: the Charge it came from
    problems: list[str] = field(default_factory=list)  # keys of PROBLEMS
    existing: bool = False  # an earlier run of this period already made it
    interest_charges: list[int] = field(default_factory=list)  # late interest waiting, added as its last line
    _totals: tuple[list[Line], Totals] | None = field(default=None, repr=False, compare=False)

    @property
    def totals(self) -> Totals:
        """money.totals of the lines, worked out once (a 2,000-unit preview asks for them often)."""
        if self._totals is None or self._totals[0] is not self.lines:
            self._totals = (self.lines, totals(self.lines))
        return self._totals[1]

    @property
    def total(self) -> int:
        return self.totals.total

    @property
    def ready(self) -> bool:
        """Will create_run() create it?"""
        return not self.problems and not self.existing

    @property
    def reasons(self) -> list[str]:
        return [str(PROBLEMS[key]) for key in self.problems]


# --- periods and small helpers -------------------------------------------------------------


def month_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month holding `day`: (first day, last day)."""
    first = day.replace(day=1)
    return first, day.replace(day=calendar.monthrange(day.year, day.month)[1])


def postal_address(person: Person, unit: Unit | None = None) -> str:
    """The recipient's address as printed: theirs if the register has one, else the unit's building."""
    lines = [person.street, f"{person.postcode} {person.city}".strip()]
    if not any(lines) and unit is not None:
        building: Building = unit.building
        lines = [building.street, f"{building.postcode} {building.municipality}".strip()]
    return "\n".join(line for line in lines if line)


def reserve_numbers(association: Association, count: int) -> int:
    """The first of `count` consecutive invoice numbers, taken from the settings in one UPDATE.

    Call inside a transaction: the UPDATE locks the settings row (PostgreSQL) or the database
    (SQLite) until commit, and a rollback gives the numbers back. The numbers also skip past
    any invoice already numbered higher, so rows imported or typed in never collide."""
    S = BillingSettings
    highest = pw.fn.COALESCE(Invoice.select(pw.fn.MAX(Invoice.number)).where(Invoice.association == association), 0)
    floor = pw.Case(None, [(S.next_invoice_number > highest, S.next_invoice_number)], highest + 1)
    # A new invoice changes the board's totals: the same UPDATE raises the revision (see BillingSettings).
    query = S.update(next_invoice_number=floor + count, revision=S.revision + 1).where(S.association == association)
    if not query.execute():
        S.for_association(association)
        query.execute()
    following = S.select(S.next_invoice_number).where(S.association == association).scalar()
    return following - count


def _reference(settings: BillingSettings, number: int) -> str:
    return references.generate(settings.reference_standard, str(number), length_digit=settings.ocr_length_digit)


def _priced(settings: BillingSettings, lines: list[Line], *, credit: bool = False) -> list[Line]:
    """Lines as billed: no VAT unless the association is VAT registered.

    A credit note's lines are the credited lines negated (a discount line of the original comes back
    positive); lines that already add up to a negative amount are taken as negated already."""
    sign = -1 if credit and totals(lines).total > 0 else 1
    return [
        Line(line.description, sign * line.amount, line.vat_rate if settings.vat_registered else 0) for line in lines
    ]


def _line_rows(invoice_id: int, lines: list[Line], charge_ids: list[int | None] | None = None) -> list[dict]:
    charge_ids = charge_ids or [None] * len(lines)
    return [
        {
            "invoice": invoice_id,
            "position": position,
            "description": line.description[:200],
            "amount": line.amount,
            "vat_rate": line.vat_rate,
            "vat_amount": line.vat,
            "charge": charge_id,
        }
        for position, (line, charge_id) in enumerate(zip(lines, charge_ids, strict=True))
    ]


def _insert_many(model: type[pw.Model], rows: list[dict]) -> None:
    """Bulk insert in as few statements as the database's parameter limit allows."""
    if not rows:
        return
    per_statement = max(1, _MAX_PARAMETERS // len(rows[0]))
    for start in range(0, len(rows), per_statement):
        model.insert_many(rows[start : start + per_statement]).execute()


# --- single invoices and credit notes -----------------------------------------------------


def invoice_row(
    association: Association,
    settings: BillingSettings,
    number: int,
    recipient: Person,
    sums: Totals,
    *,
    unit: Unit | None = None,
    contract: Contract | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    issue_date: dt.date,
    due_date: dt.date,
    message: str = "",
    user: User | None = None,
    kind: str = Invoice.INVOICE,
    credits: Invoice | None = None,
    run: InvoiceRun | None = None,
    run_key: str | None = None,
) -> dict:
    """One invoice's columns, the same for a single invoice, a credit note and every invoice of a run:
    number and reference, the recipient's name and address as sent, the period, dates and totals."""
    return {
        "association": association.id,
        "number": number,
        "kind": kind,
        "credits": credits.id if credits else None,
        "unit": unit.id if unit else None,
        "contract": contract.id if contract else None,
        "recipient": recipient.id,
        "recipient_name": recipient.full_name[:250],
        "recipient_address": postal_address(recipient, unit),
        "period_start": period[0] if period else None,
        "period_end": period[1] if period else None,
        "issue_date": issue_date,
        "due_date": due_date,
        "currency": association.currency,
        "reference": _reference(settings, number),
        "message": message,
        "net_total": sums.net,
        "vat_total": sums.vat,
        "total": sums.total,
        "paid_total": 0,
        "credited_total": 0,
        "run": run.id if run else None,
        "run_key": run_key,
        "created_by": user.id if user else None,
        "created_at": clock.utcnow_naive(),
    }


def create_invoice(
    association: Association,
    recipient: Person,
    lines: list[Line],
    *,
    unit: Unit | None = None,
    contract: Contract | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    issue_date: dt.date | None = None,
    due_date: dt.date | None = None,
    message: str = "",
    user: User | None = None,
    kind: str = Invoice.INVOICE,
    credits: Invoice | None = None,
    run: InvoiceRun | None = None,
    run_key: str | None = None,
) -> Invoice:
    """Number, reference, recipient snapshot, lines and totals of one new invoice or credit note."""
    if not lines:
        raise InvoicingError("no_lines", "An invoice needs at least one line.")
    if recipient.association_id != association.id:
        raise InvoicingError("foreign_recipient", "The recipient belongs to another association.")
    if kind == Invoice.CREDIT_NOTE and (credits is None or credits.association_id != association.id):
        raise InvoicingError("no_original", "A credit note must name the invoice it credits.")
    settings = BillingSettings.for_association(association)
    credit = kind == Invoice.CREDIT_NOTE
    priced = _priced(settings, lines, credit=credit)
    sums = totals(priced)
    if credit and sums.total >= 0:
        raise InvoicingError("nothing_to_credit", "A credit note must credit an amount.")
    issue_date = issue_date or association.today()
    if due_date is None:
        due_date = issue_date if credit else issue_date + dt.timedelta(days=settings.payment_terms_days)
    with transaction():
        number = reserve_numbers(association, 1)
        invoice = Invoice.create(
            **invoice_row(
                association,
                settings,
                number,
                recipient,
                sums,
                unit=unit,
                contract=contract,
                period=period,
                issue_date=issue_date,
                due_date=due_date,
                message=message,
                user=user,
                kind=kind,
                credits=credits if credit else None,
                run=run,
                run_key=run_key,
            )
        )
        # The rows it points to are at hand: reading them costs the caller no query.
        invoice.association, invoice.recipient, invoice.unit, invoice.contract = association, recipient, unit, contract
        _insert_many(InvoiceLine, _line_rows(invoice.id, priced))
        if credit:
            _add_credit(credits, -sums.total)
        elif allocation.settle_credits(association, {recipient.id}, user=user):  # their credit settled some
            invoice.paid_total = Invoice.select(Invoice.paid_total).where(Invoice.id == invoice.id).scalar()
    return invoice


def _add_credit(original: Invoice, amount: int) -> None:
    """Raise the original's credited_total in SQL, never past its total (two clicks cannot credit twice)."""
    I = Invoice  # noqa: E741
    done = (
        I.update(
            credited_total=pw.Case(None, [(I.credited_total + amount > I.total, I.total)], I.credited_total + amount)
        )
        .where((I.id == original.id) & (I.credited_total < I.total))
        .execute()
    )
    if not done:
        raise InvoicingError("fully_credited", "The invoice is already fully credited.")


def credit_note(invoice: Invoice, *, user: User | None = None, reason: str = "") -> Invoice:
    """A credit note for everything not yet credited on `invoice` (its lines negated)."""
    association = invoice.association
    with transaction():
        # A write first: it locks the invoice (PostgreSQL) or the database (SQLite), so a second
        # click waits here and then finds the invoice already credited.
        Invoice.update(credited_total=Invoice.credited_total).where(Invoice.id == invoice.id).execute()
        fresh = Invoice.of(association).where(Invoice.id == invoice.id).first()
        check_creditable(fresh)
        lines = credit_lines(fresh)
        note = create_invoice(
            association,
            fresh.recipient,
            lines,
            unit=fresh.unit,
            contract=fresh.contract,
            period=(fresh.period_start, fresh.period_end) if fresh.period_start else None,
            message=reason,
            user=user,
            kind=Invoice.CREDIT_NOTE,
            credits=fresh,
        )
    invoice.credited_total = Invoice.select(Invoice.credited_total).where(Invoice.id == invoice.id).scalar()
    return note


def check_creditable(invoice: Invoice | None) -> None:
    """Raise InvoicingError unless a credit note can be made for this invoice."""
    if invoice is None:
        raise InvoicingError("missing", "No such invoice.")
    if invoice.kind == Invoice.CREDIT_NOTE:
        raise InvoicingError("is_credit_note", "A credit note cannot be credited.")
    if invoice.total <= 0:
        raise InvoicingError("nothing_to_credit", "The invoice has nothing to credit.")
    if invoice.credited_total >= invoice.total:
        raise InvoicingError("fully_credited", "The invoice is already fully credited.")


def credit_lines(invoice: Invoice) -> list[Line]:
    """What a credit note for `invoice` would hold (positive amounts; create_invoice negates them).

    Nothing credited yet: its own lines. Partly credited (by a credit note made another way):
    what remains, one line per VAT rate."""
    own = list(invoice.lines.order_by(InvoiceLine.position))
    if not invoice.credited_total:
        return [Line(line.description, line.amount, line.vat_rate) for line in own]
    remaining: dict[int, int] = defaultdict(int)
    for line in own:
        remaining[line.vat_rate] += line.amount
    earlier = (
        InvoiceLine.select(InvoiceLine.vat_rate, pw.fn.SUM(InvoiceLine.amount).alias("net"))
        .join(Invoice)
        .where((Invoice.credits == invoice.id) & (Invoice.kind == Invoice.CREDIT_NOTE))
        .group_by(InvoiceLine.vat_rate)
    )
    for row in earlier:
        remaining[row.vat_rate] += row.net
    description = str(_l("Credit of invoice %(number)s", number=invoice.number))
    return [Line(description, net, rate) for rate, net in sorted(remaining.items()) if net > 0]


# --- runs --------------------------------------------------------------------------------


def run_key(period_start: dt.date, kind: str, row_id: int) -> str:
    return f"{period_start:%Y-%m}:{kind}:{row_id}"


def preview_run(association: Association, period_start: dt.date) -> list[Draft]:
    """Every invoice a run for the month of `period_start` would create, and what it must skip.

    Six queries whatever the number of units: charges, owners, contracts, their charges, their
    parties and the run keys already used."""
    first, last = month_period(period_start)
    settings = BillingSettings.for_association(association)
    drafts = _unit_drafts(association, first, last) + _contract_drafts(association, first, last)
    for draft in drafts:
        draft.lines = _priced(settings, draft.lines)
    used = _used_run_keys(association, first)
    for draft in drafts:
        draft.existing = draft.run_key in used
    interest_lines.attach(association, [d for d in drafts if d.ready])
    return drafts


def _used_run_keys(association: Association, first: dt.date) -> set[str]:
    query = Invoice.select(Invoice.run_key).where(
        (Invoice.association == association) & Invoice.run_key.startswith(f"{first:%Y-%m}:")
    )
    return {key for (key,) in query.tuples()}


_ADDRESS = (Building.id, Building.name, Building.street, Building.postcode, Building.municipality)


def _unit_drafts(association: Association, first: dt.date, last: dt.date) -> list[Draft]:
    # Charges come back as plain tuples and units, owners as one row each: a preview of
    # 2,000 units builds 2,000 model objects, not one per charge.
    billed = (Charge.association == association) & Charge.contract.is_null() & Charge.in_force(first, last)
    with_charges = Charge.select(Charge.unit).where(billed)
    units = list(
        # Only what an invoice and the preview show: a unit's other columns stay unloaded.
        Unit.select(Unit.id, Unit.association, Unit.building, Unit.number, Unit.kind, *_ADDRESS)
        .join(Building)
        .where(Unit.id.in_(with_charges) & Unit.archived_at.is_null())
        .order_by(*Unit.natural_order(), Unit.id)
    )
    if not units:
        return []
    by_unit: dict[int, list[tuple]] = defaultdict(list)
    charges = (
        Charge.select(Charge.unit, Charge.id, Charge.description, Charge.amount, Charge.vat_rate)
        .where(billed)
        .order_by(Charge.position, Charge.id)
        .tuples()
    )
    for unit_id, *charge in charges:
        by_unit[unit_id].append(charge)
    mains = (
        Ownership.select(Ownership.unit, Ownership.person)
        .where(Ownership.unit.in_(with_charges) & Ownership.is_main & Ownership.current(first))
        .order_by(Ownership.id.desc())
        .tuples()
    )
    owner_of = dict(mains)  # the lowest id wins
    people = {p.id: p for p in Person.select().where(Person.id.in_(list(set(owner_of.values()))))}
    drafts = []
    for unit in units:
        owner = people.get(owner_of.get(unit.id))
        drafts.append(
            Draft(
                run_key=run_key(first, "unit", unit.id),
                unit=unit,
                contract=None,
                recipient=owner,
                lines=[Line(description, amount, rate) for _, description, amount, rate in by_unit[unit.id]],
                charge_ids=[charge_id for charge_id, *_ in by_unit[unit.id]],
                problems=[] if owner else [NO_MAIN_OWNER],
            )
        )
    return drafts


def _contract_drafts(association: Association, first: dt.date, last: dt.date) -> list[Draft]:
    in_force = (
        (Contract.association == association)
        & (Contract.start_date <= last)
        & (
            (Contract.status == Contract.ACTIVE)
            | (Contract.status.in_([Contract.TERMINATED, Contract.ENDED]) & (Contract.end_date >= first))
        )
    )
    contracts = list(
        Contract.select(Contract, Unit.id, Unit.association, Unit.building, Unit.number, Unit.kind, *_ADDRESS)
        .join(Unit)
        .join(Building)
        .where(in_force)
        .order_by(*Unit.natural_order(), Contract.number, Contract.id)
    )
    if not contracts:
        return []
    chosen = Contract.select(Contract.id).where(in_force)
    charges: dict[int, list[Charge]] = defaultdict(list)
    for charge in (
        Charge.select()
        .where(Charge.contract.in_(chosen) & Charge.in_force(first, last))
        .order_by(Charge.position, Charge.id)
    ):
        charges[charge.contract_id].append(charge)
    first_party: dict[int, Person] = {}
    for party in (
        ContractParty.select(ContractParty, Person)
        .join(Person)
        .where(ContractParty.contract.in_(chosen))
        .order_by(ContractParty.id.desc())
    ):
        first_party[party.contract_id] = party.person  # lowest id wins
    # The line is stored and printed as written: in the association's language, not the board member's.
    with force_locale(association.locale):
        rent_label = str(RENT)
    drafts = []
    for contract in contracts:
        lines, charge_ids = [], []
        if contract.rent > 0:
            lines.append(Line(rent_label, contract.rent, contract.rent_vat_rate))
            charge_ids.append(None)
        for charge in charges[contract.id]:
            lines.append(Line(charge.description, charge.amount, charge.vat_rate))
            charge_ids.append(charge.id)
        tenant = first_party.get(contract.id)
        problems = [] if lines else [NOTHING_TO_BILL]
        if tenant is None:
            problems.append(NO_PARTIES)
        drafts.append(
            Draft(
                run_key=run_key(first, "contract", contract.id),
                unit=contract.unit,
                contract=contract,
                recipient=tenant,
                lines=lines,
                charge_ids=charge_ids,
                problems=problems,
            )
        )
    return drafts


def create_run(
    association: Association, period_start: dt.date, *, issue_date: dt.date | None = None, user: User | None = None
) -> InvoiceRun:
    """Create the preview's ready invoices for the month in one transaction; idempotent.

    The run of a period exists once: running it again returns the same run and adds only
    invoices whose run key is still free (none, unless a skipped unit has since been fixed)."""
    first, last = month_period(period_start)
    settings = BillingSettings.for_association(association)
    issue_date = issue_date or association.today()
    due_date = issue_date + dt.timedelta(days=settings.payment_terms_days)
    drafts = preview_run(association, first)
    with transaction():
        # A write first: it takes the lock, so a second board member's run waits for this one.
        InvoiceRun.insert(
            association=association,
            period_start=first,
            period_end=last,
            issue_date=issue_date,
            due_date=due_date,
            created_by=user,
            created_at=clock.utcnow_naive(),
        ).on_conflict_ignore().execute()
        run = InvoiceRun.get((InvoiceRun.association == association) & (InvoiceRun.period_start == first))
        used = _used_run_keys(association, first)
        todo = [d for d in drafts if not d.problems and d.run_key not in used]
        if todo:
            _write_run_invoices(association, settings, run, todo, issue_date, due_date, user)
            added_total = sum(d.total for d in todo)
            InvoiceRun.update(
                invoice_count=InvoiceRun.invoice_count + len(todo), total=InvoiceRun.total + added_total
            ).where(InvoiceRun.id == run.id).execute()
            run.invoice_count += len(todo)
            run.total += added_total
            # Money paid ahead (an overpayment) settles the new invoices, in the same transaction.
            allocation.settle_credits(association, {d.recipient.id for d in todo}, user=user)
    # What this call added, for the page that says what the click did.
    run.created_now = len(todo)
    run.created_total = sum(d.total for d in todo)
    return run


def _write_run_invoices(
    association: Association,
    settings: BillingSettings,
    run: InvoiceRun,
    drafts: list[Draft],
    issue_date: dt.date,
    due_date: dt.date,
    user: User | None,
) -> None:
    first_number = reserve_numbers(association, len(drafts))
    # Late interest waiting for this run, read again now that reserve_numbers holds the lock.
    interest_lines.attach(association, drafts)
    rows = [
        invoice_row(
            association,
            settings,
            first_number + offset,
            draft.recipient,
            draft.totals,
            unit=draft.unit,
            contract=draft.contract,
            period=(run.period_start, run.period_end),
            issue_date=issue_date,
            due_date=due_date,
            user=user,
            run=run,
            run_key=draft.run_key,
        )
        for offset, draft in enumerate(drafts)
    ]
    _insert_many(Invoice, rows)
    ids = dict(
        Invoice.select(Invoice.number, Invoice.id)
        .where(
            (Invoice.association == association)
            & (Invoice.number >= first_number)
            & (Invoice.number < first_number + len(drafts))
        )
        .tuples()
    )
    line_rows = []
    for offset, draft in enumerate(drafts):
        line_rows.extend(_line_rows(ids[first_number + offset], draft.lines, draft.charge_ids))
    _insert_many(InvoiceLine, line_rows)
    interest_lines.mark(drafts, [ids[first_number + offset] for offset in range(len(drafts))])


def runs_of(association: Association) -> pw.ModelSelect:
    """The association's past runs, newest period first, with who made them."""
    return (
        InvoiceRun.select(InvoiceRun, User)
        .join(User, pw.JOIN.LEFT_OUTER, on=(InvoiceRun.created_by == User.id))
        .where(InvoiceRun.association == association)
        .order_by(InvoiceRun.period_start.desc())
    )
