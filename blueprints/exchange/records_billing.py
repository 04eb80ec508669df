"""records.py for the books: contracts, charges, invoices and payments (SPEC B1, B2, B8), in batches.

Contracts and charges are few and checked by billing's own forms (ContractForm, ChargeForm). Invoices and
payments come by the ten thousand (a year of an association's): each CHUNK of rows is read with a fixed
number of queries and written with bulk INSERTs, the invoices' columns made by invoicing.invoice_row and
the payments booked as payments.record_payment books one (a receipt of the invoice's recipient spent
wholly on it), with the paid totals raised in bounded UPDATEs (bank.booking's, which refuse to pay an
invoice more than it owes).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from blueprints.billing import invoicing, money, references
from blueprints.billing.bank import booking
from blueprints.billing.contract_forms import ChargeForm, ContractForm
from blueprints.billing.payments import NOTE_MAX, REFERENCE_MAX
from blueprints.exchange import values
from blueprints.exchange.outcomes import CHANGED, CREATED, Outcome
from blueprints.exchange.records_register import (
    CHUNK,
    Batch,
    _diff,
    _form,
    _form_errors,
    _has_any,
    _row_person,
    _unit_key,
    _word,
)
from core import clock
from core.text import lazy_gettext as _l
from core.text import money as money_text
from models.billing import BillingSettings, Charge, Contract, ContractParty, Invoice, InvoiceLine, Payment, Receipt
from models.db import db, loaded
from models.register import Ownership, Person, Unit

CATEGORY_WORDS = {
    Contract.HOME: ("home", "bostad", "bolig", "byt", "najem bytu", "eluruum", "flat"),
    Contract.COMMERCIAL: ("commercial", "lokal", "erhverv", "nebytovy prostor", "ariruum"),
    Contract.PARKING: ("parking", "parkering", "parkovani", "parkimine", "garage", "garaz"),
    Contract.STORAGE: ("storage", "forrad", "depotrum", "sklep", "panipaik"),
}
STATUS_WORDS = {
    Contract.ACTIVE: ("active", "aktiv", "aktivni", "platna", "kehtiv"),
    Contract.TERMINATED: ("terminated", "uppsagd", "opsagt", "vypovezena", "ulesoeldud"),
    Contract.ENDED: ("ended", "avslutad", "ophort", "ukoncena", "lopetatud"),
}
RENEWAL_WORDS = {
    Contract.INDEFINITE: ("indefinite", "tillsvidare", "tidsubegraenset", "na dobu neurcitou", "tahtajatu"),
    Contract.FIXED: ("fixed", "tidsbegransad", "tidsbegraenset", "na dobu urcitou", "tahtajaline"),
    Contract.RENEWS: ("renews", "forlangs", "fornyes", "prodluzuje se", "pikeneb"),
}


def _settings(batch: Batch) -> BillingSettings:
    if batch.settings is None:
        batch.settings = BillingSettings.for_association(batch.association)
    return batch.settings


def _decimal_text(minor_units: int | None, currency: str) -> str:
    return "" if minor_units is None else str(money.to_decimal(minor_units, currency))


def _rate_text(basis_points: int) -> str:
    return format((Decimal(basis_points) / 100).normalize(), "f")


def _contracts_by_number(batch: Batch, numbers: list[str]) -> dict[str, Contract]:
    found = {}
    wanted = sorted({n for n in numbers if n})
    for start in range(0, len(wanted), CHUNK):
        for contract in Contract.of(batch.association).where(Contract.number.in_(wanted[start : start + CHUNK])):
            found[contract.number] = contract
    return found


# --- contracts ------------------------------------------------------------------------------------------


def contracts(batch: Batch, rows: list[dict]) -> list[Outcome]:
    batch.read_units([row.get("unit", "") for row in rows])
    known = _contracts_by_number(batch, [row.get("number", "") for row in rows])
    parties: dict[int, set[int]] = defaultdict(set)
    ids = [contract.id for contract in known.values()]
    for start in range(0, len(ids), CHUNK):
        for party in ContractParty.select().where(ContractParty.contract.in_(ids[start : start + CHUNK])):
            parties[party.contract_id].add(party.person_id)
    return [_contract_row(batch, row, known, parties) for row in rows]


def _contract_row(batch: Batch, row: dict, known: dict[str, Contract], parties: dict[int, set[int]]) -> Outcome:
    outcome = Outcome(key=row.get("number", ""))
    if not row.get("number"):
        outcome.error("number", _l("Give the contract a number."))
        return outcome
    contract = known.get(row["number"])
    unit = batch.unit(row) if row.get("unit") else None
    if row.get("unit") and unit is None:
        outcome.error("unit", _l("The register has no unit %(unit)s in %(building)s.", unit=row["unit"],
                                 building=row.get("building", "")))  # fmt: skip
    elif unit is None and contract is None:
        outcome.error("unit", _l("Name the unit by its building and number."))
    person = None
    if _has_any(row, ("personal_id", "email", "surname", "name")):
        person = _row_person(batch, row, outcome, "tenant")
    if outcome.errors:
        return outcome
    currency, settings = batch.association.currency, _settings(batch)
    data = _contract_data(contract, currency)
    for key in ("number", "type_label", "notice_months", "renewal_months", "rent", "rent_vat", "note"):
        if key in row:
            data[key] = row[key]
    for key in ("start_date", "end_date"):
        if key in row:
            data[key] = values.day_text(row[key])
    for key, words in (("category", CATEGORY_WORDS), ("status", STATUS_WORDS), ("renewal", RENEWAL_WORDS)):
        if key in row:
            data[key] = _word(words, row[key])
    unit_id = unit.id if unit is not None else contract.unit_id
    chosen = sorted(parties[contract.id]) if contract else []
    if person is not None and person.id not in chosen:
        chosen.append(person.id)
    data["unit"] = str(unit_id)

    def offer(form):
        form.unit.choices = [(unit_id, "")]
        form.parties.choices = [(person_id, "") for person_id in chosen]

    form = _form(batch, ContractForm, data, currency=currency, vat_registered=settings.vat_registered, prepare=offer,
                 lists={"parties": [str(person_id) for person_id in chosen]})  # fmt: skip
    _form_errors(outcome, form, {"parties": "personal_id", "rent_vat": "rent_vat"})
    if outcome.errors:
        return outcome
    renews = form.renewal.data == Contract.RENEWS
    new = dict(
        unit=unit_id, category=form.category.data, type_label=(form.type_label.data or "").strip(),
        status=form.status.data, start_date=form.start_date.data, end_date=form.end_date.data,
        notice_months=form.notice_months.data, renewal=form.renewal.data,
        renewal_months=form.renewal_months.data if renews else None, rent=form.parsed["rent"],
        rent_vat_rate=form.parsed["rent_vat"], note=(form.note.data or "").strip(),
    )  # fmt: skip
    if contract is None:
        contract = Contract.create(association=batch.association.id, number=row["number"], **new)
        known[contract.number] = contract
        outcome.action = CREATED
    else:
        current = {name: getattr(contract, name) for name in new if name != "unit"} | {"unit": contract.unit_id}
        changed = _diff(outcome, current, new, {"rent_vat_rate": "rent_vat"})
        if changed:
            Contract.update(**changed).where(Contract.id == contract.id).execute()
            for name, value in changed.items():
                setattr(contract, name, value)
            outcome.action = CHANGED
    outcome.id = contract.id
    if person is not None and person.id not in parties[contract.id]:
        ContractParty.insert(contract=contract.id, person=person.id).execute()
        parties[contract.id].add(person.id)
        outcome.changes["personal_id"] = ("", person.full_name)
        if outcome.action != CREATED:
            outcome.action = CHANGED
    return outcome


def _contract_data(contract: Contract | None, currency: str) -> dict:
    if contract is None:
        return {"category": Contract.HOME, "status": Contract.ACTIVE, "renewal": Contract.INDEFINITE}
    return {
        "number": contract.number, "category": contract.category, "type_label": contract.type_label,
        "status": contract.status, "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else "",
        "notice_months": "" if contract.notice_months is None else str(contract.notice_months),
        "renewal": contract.renewal,
        "renewal_months": "" if contract.renewal_months is None else str(contract.renewal_months),
        "rent": _decimal_text(contract.rent, currency), "rent_vat": _rate_text(contract.rent_vat_rate),
        "note": contract.note,
    }  # fmt: skip


# --- charges ----------------------------------------------------------------------------------------------


def charges(batch: Batch, rows: list[dict]) -> list[Outcome]:
    batch.read_units([row.get("unit", "") for row in rows])
    known = _contracts_by_number(batch, [row.get("contract", "") for row in rows])
    existing = list(Charge.of(batch.association).order_by(Charge.id))
    return [_charge_row(batch, row, known, existing) for row in rows]


def _charge_row(batch: Batch, row: dict, known: dict[str, Contract], existing: list[Charge]) -> Outcome:
    outcome = Outcome(key=" · ".join(p for p in (row.get("contract") or _unit_key(row), row.get("description", ""),
                                                   row.get("valid_from", "")) if p))  # fmt: skip
    unit = contract = None
    if row.get("contract"):
        contract = known.get(row["contract"])
        if contract is None:
            outcome.error("contract", _l("No contract has the number %(number)s.", number=row["contract"]))
    elif row.get("unit"):
        unit = batch.unit(row)
        if unit is None:
            outcome.error("unit", _l("The register has no unit %(unit)s in %(building)s.", unit=row["unit"],
                                     building=row.get("building", "")))  # fmt: skip
    else:
        outcome.error("unit", _l("Name the unit (building and number) or the contract the charge is on."))
    if outcome.errors:
        return outcome
    currency, settings = batch.association.currency, _settings(batch)
    data = {key: row.get(key, "") for key in ("description", "amount", "vat_rate")}
    data.update({key: values.day_text(row[key]) for key in ("valid_from", "valid_to") if key in row})
    form = _form(batch, ChargeForm, data, currency=currency, vat_registered=settings.vat_registered,
                 prepare=lambda form: form.offer_services([]))  # fmt: skip
    _form_errors(outcome, form, {"service": "description"})
    if outcome.errors:
        return outcome
    new = dict(
        amount=form.parsed["amount"], vat_rate=form.parsed["vat_rate"], valid_to=form.valid_to.data,
    )  # fmt: skip
    description, valid_from = form.description.data.strip(), form.valid_from.data
    charge = next(
        (c for c in existing if c.unit_id == (unit.id if unit else None)
         and c.contract_id == (contract.id if contract else None)
         and c.description == description and c.valid_from == valid_from),
        None,
    )  # fmt: skip
    if charge is None:
        charge = Charge.create(
            association=batch.association.id, unit=unit.id if unit else None,
            contract=contract.id if contract else None, description=description, valid_from=valid_from, **new,
        )  # fmt: skip
        existing.append(charge)
        outcome.action, outcome.id = CREATED, charge.id
        return outcome
    outcome.id = charge.id
    if "valid_to" not in row:
        new.pop("valid_to")
    changed = _diff(outcome, charge, new)
    if changed:
        Charge.update(**changed).where(Charge.id == charge.id).execute()
        for name, value in changed.items():
            setattr(charge, name, value)
        outcome.action = CHANGED
    return outcome


# --- invoices -------------------------------------------------------------------------------------------


def invoices(batch: Batch, rows: list[dict]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for start in range(0, len(rows), CHUNK):
        outcomes.extend(_invoice_chunk(batch, rows[start : start + CHUNK]))
    return outcomes


def _whole_number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 9 and int(text) > 0 else None


def _invoice_chunk(batch: Batch, rows: list[dict]) -> list[Outcome]:
    association = batch.association
    numbers = [_whole_number(row.get("number", "")) for row in rows]
    existing = _invoices_numbered(association, numbers)
    batch.read_units([row.get("unit", "") for row in rows])
    _read_main_owners(batch, [batch.unit(row) for row in rows if row.get("unit") and not _has_any(row, _WHO)])
    contracts = _contracts_by_number(batch, [row.get("contract", "") for row in rows])
    first_party = _first_parties([c.id for c in contracts.values()])
    buildings = {building.id: building for building in batch.buildings().values()}
    planned, outcomes, lines = [], [], []
    for row, number in zip(rows, numbers, strict=True):
        outcome = Outcome(key=row.get("number", ""))
        outcomes.append(outcome)
        if number is None:
            outcome.error("number", _l("Give the invoice's number as a whole number, like 2026001."))
            continue
        invoice = _invoice_values(batch, row, number, outcome, contracts, first_party, buildings)
        if invoice is None:
            continue
        fields, line = invoice
        if number in existing:
            _compare_invoice(outcome, existing[number], fields, association.currency, bool(row.get("reference")))
            outcome.id = existing[number].id
            continue
        existing[number] = _Issued(fields)
        planned.append(fields)
        lines.append((number, line))
        outcome.action = CREATED
    _write_invoices(association, planned, lines, outcomes, numbers)
    return outcomes


_WHO = ("personal_id", "email", "contract")
_INVOICE_COLUMNS = ("number", "kind", "total", "paid_total", "credited_total", "recipient", "unit", "contract",
                    "currency", "issue_date", "due_date", "period_start", "reference")  # fmt: skip


def _invoices_numbered(association, numbers: list[int | None]) -> dict[int, Invoice]:
    """The association's invoices with these numbers: one range query (a chunk's numbers are mostly
    consecutive; a list of 500 numbers costs peewee more to write than the database to answer)."""
    wanted = {number for number in numbers if number}
    if not wanted:
        return {}
    columns = [Invoice.id, Invoice.association, *[getattr(Invoice, name) for name in _INVOICE_COLUMNS]]
    query = (
        Invoice.select(*columns)
        .where((Invoice.association == association) & Invoice.number.between(min(wanted), max(wanted)))
        .tuples()
    )
    found = {}
    for row in query:  # rows made by hand (db.loaded): a model per row costs more than the query
        if row[2] in wanted:
            found[row[2]] = loaded(
                Invoice, id=row[0], association=row[1], **dict(zip(_INVOICE_COLUMNS, row[2:], strict=True))
            )
    return found


class _Issued:
    """An invoice an earlier row of the same file makes: a later row with its number is compared with it."""

    def __init__(self, fields: dict):
        self.__dict__.update(fields)
        self.id = None
        self.recipient_id, self.unit_id, self.contract_id = fields["recipient"], fields["unit"], fields["contract"]


def _first_parties(contract_ids: list[int]) -> dict[int, Person]:
    found: dict[int, Person] = {}
    for start in range(0, len(contract_ids), CHUNK):
        query = (
            ContractParty.select(ContractParty, Person)
            .join(Person)
            .where(ContractParty.contract.in_(contract_ids[start : start + CHUNK]))
            .order_by(ContractParty.id)
        )
        for party in query:
            found.setdefault(party.contract_id, party.person)
    return found


def _read_main_owners(batch: Batch, units: list[Unit | None]) -> None:
    """The main owners (past and present) of these units, with their people: a query per CHUNK units."""
    cache = batch.__dict__.setdefault("_main_owners", {})
    ids = sorted({unit.id for unit in units if unit is not None and unit.id not in cache})
    for unit_id in ids:
        cache[unit_id] = []
    for start in range(0, len(ids), CHUNK):
        query = (
            Ownership.select(Ownership, Person).join(Person)
            .where(Ownership.unit.in_(ids[start : start + CHUNK]) & Ownership.is_main)
        )  # fmt: skip
        for ownership in query:
            cache[ownership.unit_id].append((ownership.started_on, ownership.ended_on, ownership.person))


def _main_owner(batch: Batch, unit: Unit, on: dt.date) -> Person | None:
    """The unit's main owner on the issue day, as a run bills a unit."""
    _read_main_owners(batch, [unit])
    for started, ended, person in batch.__dict__["_main_owners"][unit.id]:
        if (started is None or started <= on) and (ended is None or on < ended):
            return person
    return None


def _invoice_values(batch, row, number, outcome, contracts, first_party, buildings):
    """The invoice's columns (invoicing.invoice_row) and its one line, or None with the row's errors."""
    association, settings = batch.association, _settings(batch)
    unit = batch.unit(row) if row.get("unit") else None
    if row.get("unit") and unit is None:
        outcome.error("unit", _l("The register has no unit %(unit)s in %(building)s.", unit=row["unit"],
                                 building=row.get("building", "")))  # fmt: skip
    contract = contracts.get(row["contract"]) if row.get("contract") else None
    if row.get("contract") and contract is None:
        outcome.error("contract", _l("No contract has the number %(number)s.", number=row["contract"]))
    issue_date = values.parse_day(row.get("issue_date", ""))
    if issue_date is None:
        outcome.error("issue_date", _l("Give the issue date.") if not row.get("issue_date") else
                      _l("“%(text)s” is not a date.", text=row["issue_date"][:30]))  # fmt: skip
    due_date = values.parse_day(row["due_date"]) if row.get("due_date") else None
    if row.get("due_date") and due_date is None:
        outcome.error("due_date", _l("“%(text)s” is not a date.", text=row["due_date"][:30]))
    elif due_date and issue_date and due_date < issue_date:
        outcome.error("due_date", _l("The due date cannot be before the issue date."))
    period = None
    if row.get("period"):
        first = values.parse_month(row["period"])
        if first is None:
            outcome.error("period", _l("Write the period as a month, like 2026-01."))
        else:
            period = invoicing.month_period(first)
    amount = _amount(row, "amount", association.currency, outcome, required=True)
    rate = _rate(row, "vat_rate", settings, outcome)
    reference = references.normalize(row.get("reference", ""), settings.reference_standard)
    if len(reference) > references.MAX_LENGTH:
        outcome.error("reference", _l("The reference can be at most %(max)d characters.", max=references.MAX_LENGTH))
    recipient = None
    if _has_any(row, ("personal_id", "email")):
        recipient = _row_person(batch, row, outcome, "member")
    elif not outcome.errors:
        if contract is not None:
            recipient = first_party.get(contract.id)
        elif unit is not None:
            recipient = _main_owner(batch, unit, issue_date)
        if recipient is None:
            outcome.error("personal_id", _l("Name who the invoice is for (personal id or e-mail): the unit has no "
                                            "main owner on the issue day.") if unit is not None else
                          _l("Name who the invoice is for (personal id or e-mail), or its unit or contract."))  # fmt: skip
    if outcome.errors:
        return None
    line = money.Line((row.get("description") or str(invoicing.RENT))[:200], amount, rate)
    sums = money.totals([line])
    if sums.total <= 0:
        outcome.error("amount", _l("The invoice total must be more than zero. To pay money back, credit an invoice."))
        return None
    if unit is not None:
        unit.building = buildings.get(unit.building_id) or unit.building
    fields = invoicing.invoice_row(
        association, settings, number, recipient, sums, unit=unit, contract=contract, period=period,
        issue_date=issue_date, due_date=due_date or issue_date + dt.timedelta(days=settings.payment_terms_days),
        message=row.get("message", "")[:2000], user=batch.user,
    )  # fmt: skip
    fields["purpose"] = Invoice.CHARGES  # written by hand below: no column defaults
    if reference:
        fields["reference"] = reference
    return fields, line


def _amount(row: dict, key: str, currency: str, outcome: Outcome, *, required: bool) -> int:
    if not row.get(key):
        if required:
            outcome.error(key, _l("Give the amount."))
        return 0
    try:
        return money.parse_amount(row[key], currency)
    except money.AmountError:
        outcome.error(key, _l("Type an amount like %(example)s.", example=money.amount_example(currency)))
        return 0


def _rate(row: dict, key: str, settings: BillingSettings, outcome: Outcome) -> int:
    """A VAT rate in basis points; 0 unless the association is registered for VAT (as invoices are priced)."""
    if not settings.vat_registered or not row.get(key):
        return 0
    try:
        return money.parse_rate(row[key])
    except money.AmountError:
        outcome.error(key, _l("Type the VAT rate in percent, from 0 to 100."))
        return 0


COMPARED = (
    ("total", "amount"), ("issue_date", "issue_date"), ("due_date", "due_date"), ("recipient_id", "personal_id"),
    ("unit_id", "unit"), ("contract_id", "contract"), ("period_start", "period"), ("reference", "reference"),
)  # fmt: skip


def _compare_invoice(outcome: Outcome, invoice, fields: dict, currency: str, reference_given: bool) -> None:
    """An issued invoice stays as it was sent: the same row again is UNCHANGED, a different one INVALID."""
    new = dict(fields, recipient_id=fields["recipient"], unit_id=fields["unit"], contract_id=fields["contract"])
    for name, key in COMPARED:
        old, value = getattr(invoice, name), new[name]
        if name == "reference" and not reference_given:  # Porch made it: the row said nothing of it
            continue
        if old != value:
            shown = money_text(old, currency) if name == "total" else old
            outcome.error(key, _l("Invoice %(number)s was issued with %(value)s here; an import does not change an "
                                  "issued invoice (credit it in Porch instead).", number=invoice.number,
                                  value=shown if shown not in (None, "") else "—"))  # fmt: skip
            return


def _write_invoices(association, planned: list[dict], lines: list, outcomes: list[Outcome], numbers: list) -> None:
    if not planned:
        return
    booking.insert_many(Invoice, planned)
    made = dict(
        Invoice.select(Invoice.number, Invoice.id)
        .where((Invoice.association == association.id) & Invoice.number.in_([f["number"] for f in planned]))
        .tuples()
    )
    booking.insert_many(
        InvoiceLine,
        [
            dict(invoice=made[number], position=0, description=line.description, amount=line.amount,
                 vat_rate=line.vat_rate, vat_amount=line.vat, charge=None)
            for number, line in lines
        ],
    )  # fmt: skip
    for outcome, number in zip(outcomes, numbers, strict=True):
        if outcome.action == CREATED and outcome.id is None:
            outcome.id = made.get(number)
    BillingSettings.bump(association.id)  # the board's totals change


# --- payments ----------------------------------------------------------------------------------------------


def payments(batch: Batch, rows: list[dict]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for start in range(0, len(rows), CHUNK):
        outcomes.extend(_payment_chunk(batch, rows[start : start + CHUNK]))
    return outcomes


def _invoices_named(batch: Batch, rows: list[dict]) -> tuple[dict[int, Invoice], dict[str, Invoice]]:
    """The chunk's invoices by number and by payment reference (as allocation.invoice_named_by reads one)."""
    numbers = [_whole_number(row.get("invoice", "")) for row in rows]
    by_number = {n: i for n, i in _invoices_numbered(batch.association, numbers).items() if i.kind == Invoice.INVOICE}
    texts = set()
    for row in rows:
        text = references.normalize(row.get("reference", ""))
        if text:
            texts.update({text, text.lstrip("0") or "0"})
    by_reference = {}
    if texts:
        named = Invoice.of(batch.association).where(
            Invoice.reference.in_(sorted(texts)) & (Invoice.kind == Invoice.INVOICE)
        )
        for invoice in named.order_by(Invoice.id):
            by_reference.setdefault(invoice.reference, invoice)
            by_number.setdefault(invoice.number, invoice)
    return by_number, by_reference


def _payment_chunk(batch: Batch, rows: list[dict]) -> list[Outcome]:
    association = batch.association
    by_number, by_reference = _invoices_named(batch, rows)
    seen = Counter(
        Payment.select(Payment.invoice, Payment.paid_on, Payment.amount)
        .where(Payment.invoice.in_([invoice.id for invoice in by_number.values()] or [0]))
        .tuples()
    )
    today = association.today()
    owed = {invoice.id: invoice.outstanding for invoice in by_number.values()}
    planned, outcomes = [], []
    for row in rows:
        outcome = Outcome(key=row.get("invoice") or row.get("reference", ""))
        outcomes.append(outcome)
        invoice = _named_invoice(row, by_number, by_reference, outcome)
        paid_on, amount, reference, note = _payment_values(row, association, outcome)
        if outcome.errors:
            continue
        if paid_on > today:
            outcome.error("paid_on", _l("The payment date cannot be in the future."))
        elif paid_on.year < 2000:
            outcome.error("paid_on", _l("Give a date between the years 2000 and 2200."))
        if outcome.errors:
            continue
        key = (invoice.id, paid_on, amount)
        outcome.key, outcome.id = f"{invoice.number} · {paid_on.isoformat()}", invoice.id
        if seen[key] > 0:  # booked before (by an earlier import of this file): the same money, not new money
            seen[key] -= 1
            continue
        if amount > owed.get(invoice.id, invoice.outstanding):
            outcome.error("amount", _l("The amount is more than is still to pay (%(outstanding)s).",
                                       outstanding=money_text(owed.get(invoice.id, 0), invoice.currency)))  # fmt: skip
            continue
        owed[invoice.id] = owed.get(invoice.id, invoice.outstanding) - amount
        planned.append((invoice, amount, paid_on, reference, note))
        outcome.action = CREATED
    _book(batch, planned)
    return outcomes


def _payment_values(row: dict, association, outcome: Outcome) -> tuple[dt.date | None, int, str, str]:
    """The payment as billing's PaymentForm reads it (its rules and words: money.parse_amount in the
    association's currency, above zero; a day; the reference and note no longer than payments.py keeps),
    without making a form for each of a year's 24,000 payments."""
    currency, amount = association.currency, 0
    if not row.get("amount"):
        outcome.error("amount", _l("Enter the amount received."))
    else:
        try:
            amount = money.parse_amount(row["amount"], currency)
        except money.AmountError:
            digits = money.exponent(currency)
            example = "1234" + ("." + "5" * digits if digits else "")
            outcome.error("amount", _l("Enter an amount such as %(example)s.", example=example))
        else:
            if amount <= 0:
                outcome.error("amount", _l("Enter an amount greater than zero."))
    paid_on = values.parse_day(row.get("paid_on", ""))
    if paid_on is None:
        outcome.error("paid_on", _l("Enter the date the money arrived.") if not row.get("paid_on") else
                      _l("“%(text)s” is not a date.", text=row["paid_on"][:30]))  # fmt: skip
    reference, note = row.get("payment_reference", ""), row.get("note", "")
    if len(reference) > REFERENCE_MAX:
        outcome.error("payment_reference", _l("The reference can be at most %(max)d characters.", max=REFERENCE_MAX))
    if len(note) > NOTE_MAX:
        outcome.error("note", _l("The note can be at most %(max)d characters.", max=NOTE_MAX))
    return paid_on, amount, reference, note


def _named_invoice(row, by_number, by_reference, outcome) -> Invoice | None:
    number = _whole_number(row.get("invoice", ""))
    if number is not None:
        invoice = by_number.get(number)
        if invoice is None:
            outcome.error("invoice", _l("No invoice has the number %(number)s.", number=row["invoice"]))
        return invoice
    text = references.normalize(row.get("reference", ""))
    invoice = by_reference.get(text) or by_reference.get(text.lstrip("0") or "0") if text else None
    if invoice is None:
        field = "reference" if text else "invoice"
        outcome.error(field, _l("No invoice has this number or payment reference."))
    return invoice


def _book(batch: Batch, planned: list) -> None:
    """Receipts and their payments for the planned rows, as payments.record_payment books one."""
    if not planned:
        return
    association, now = batch.association, clock.utcnow_naive()
    recorded_by = batch.user.id if batch.user is not None else None
    receipt_ids = booking._insert_returning_ids(
        Receipt,
        [
            dict(association=association.id, person=invoice.recipient_id, amount=amount, allocated=amount,
                 currency=invoice.currency, received_on=paid_on, reference=reference[:140], note=note[:NOTE_MAX],
                 source=Receipt.MANUAL, bank_file=None, recorded_by=recorded_by, created_at=now)
            for invoice, amount, paid_on, reference, note in planned
        ],
    )  # fmt: skip
    booking.insert_many(
        Payment,
        [
            dict(association=association.id, invoice=invoice.id, receipt=receipt_id, amount=amount, paid_on=paid_on,
                 reference=reference[:35], note=note[:NOTE_MAX], source=Payment.MANUAL, recorded_by=recorded_by,
                 created_at=now)
            for (invoice, amount, paid_on, reference, note), receipt_id in zip(planned, receipt_ids, strict=True)
        ],
    )  # fmt: skip
    paid: dict[int, int] = defaultdict(int)
    for invoice, amount, *_rest in planned:
        paid[invoice.id] += amount
    _raise_paid_totals(paid)
    BillingSettings.bump(association.id)


def _raise_paid_totals(paid: dict[int, int]) -> None:
    """Each invoice's paid total up by what it received, never past what it owes, as bank.booking raises them
    (a BookingConflictError, rolling everything back, if someone paid or credited one meanwhile), with the
    SQL written here: peewee writing a CASE of 500 branches costs more than the database running it."""
    database = db.obj
    items = sorted(paid.items())
    for start in range(0, len(items), booking.INVOICES_PER_UPDATE):
        chunk = items[start : start + booking.INVOICES_PER_UPDATE]
        mark = database.param
        case = "CASE id " + " ".join([f"WHEN {mark} THEN {mark}"] * len(chunk)) + " END"
        sql = (
            f'UPDATE "invoice" SET "paid_total" = "paid_total" + {case} WHERE "id" IN ({", ".join([mark] * len(chunk))})'
            f' AND "total" - "paid_total" - "credited_total" >= {case}'
        )
        pairs = [value for pair in chunk for value in pair]
        cursor = database.execute_sql(sql, [*pairs, *[invoice_id for invoice_id, _amount in chunk], *pairs])
        if cursor.rowcount != len(chunk):
            raise booking.BookingConflictError()
