"""Demo balances (issue 13 item 7): the year's payments arrive as the bank's own files, late interest is
charged, and one debtor pays by instalments.

Each demo association's payments (demo/billing.py decides who paid what and when) are written month by
month in its country's format — camt.053 for Kase 5 (version .001.08) and Na Kopci (.001.02), Bankgirot
BgMax for Solrosen — then uploaded and booked through the bank import, as the board would. The files also
hold what real statements hold: the bank's monthly fee (a debit, never booked), a credit nobody can place
(it waits in the queue), one the import can only suggest (no reference, but the amount and the name of an
open invoice), a credit sent back (a reversal) and an overpayment, whose rest settles the payer's next
invoice. One resident stopped paying half a year ago: the late interest run charges them with the
others, and the board agreed a plan of six instalments with them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from blueprints.billing import interest_runs, plans
from blueprints.billing.bank import importing
from demo import bank_files
from demo.bank_files import DEBIT, REVERSAL, BankEntry
from models import Association, Person
from models.billing import BankFile, BillingSettings, Invoice, ReferenceRate
from models.db import transaction

# Per association: the file format, the reference rate late interest follows (as published: the ECB's
# main refinancing rate, the CNB's two-week repo rate, Sveriges Riksbank's reference rate), the bank's
# monthly fee, and the names on the credits the import cannot place.
BANKS = {
    "kase5": dict(
        format="camt053", version="08", fee=350, reference="ECB",
        rates=[("2025-02-05", 290), ("2025-03-12", 265), ("2025-04-23", 240), ("2025-06-11", 215)],
        stranger=("Maris Tamm", "üür oktoober"), fee_text="Teenustasu",
        plan_note="Kokku lepitud juhatuse vastuvõtul.",
    ),
    "nakopci": dict(
        format="camt053", version="02", fee=9900, reference="ČNB repo",
        rates=[("2025-02-06", 375), ("2025-05-02", 350)],
        stranger=("Jan Dvořák", "platba za garáž"), fee_text="Poplatek za vedení účtu",
        plan_note="Dohodnuto na úředních hodinách výboru.",
    ),
    "solrosen": dict(
        format="bgmax", fee=4500, reference="Riksbankens referensränta",
        rates=[("2025-01-01", 250), ("2025-07-01", 200), ("2026-01-01", 175)],
        stranger=("Lindqvist Bygg AB", "Återbetalning"), fee_text="Avgift",
        plan_note="Överenskommet på styrelsens mottagning.",
    ),
}  # fmt: skip
MARGIN = 800  # 8 points over the reference rate: the statutory default in Estonia, Czechia and Sweden
GRACE_DAYS = 5
PLAN_MONTHS = 6


def pay_by_bank_files(association: Association, payments: list[dict], board) -> str:
    """Book the planned payments (Payment-like dicts: invoice, amount, paid_on) from a year of bank files,
    with a debtor on a plan and late interest. Returns a line saying what was done."""
    bank = BANKS.get(association.slug)
    if bank is None or BankFile.of(association).exists():
        return f"{association.name}: bank files exist or none planned; left as they are."
    invoices = {i.id: i for i in Invoice.of(association)}
    people = {p.id: p for p in Person.of(association)}
    debtor = _debtor(association, invoices, people)
    half_a_year_ago = association.today() - dt.timedelta(days=31 * PLAN_MONTHS)
    kept = [p for p in payments if not _skipped_by_debtor(p, invoices, debtor, half_a_year_ago)]
    _interest_rule(association, bank, board)
    entries = [_entry(p, invoices[p["invoice"]], people) for p in kept]
    entries += _extras(association, bank, invoices, people, debtor)
    files = 0
    for month, month_entries in sorted(_by_month(entries).items()):
        data = _write(association, bank, month_entries)
        uploaded = importing.upload(association, board, _file_name(bank, month), data)
        importing.book(uploaded, association, board)
        files += 1
    charged = _charge_interest(association, board)
    plan = _agree_plan(association, debtor, board, bank["plan_note"])
    return (
        f"{association.name}: {files} bank files booked ({len(kept)} payments), late interest charged "
        f"({charged}), {'an instalment plan for ' + debtor.full_name if plan else 'no instalment plan'}."
    )


# --- who pays ----------------------------------------------------------------------------------------


def _debtor(association: Association, invoices: dict[int, Invoice], people: dict[int, Person]) -> Person | None:
    """The resident who stopped paying: the one with most invoices who is neither a demo account nor on the
    board (their invoices of the last half year stay unpaid)."""
    counts: dict[int, int] = defaultdict(int)
    for invoice in invoices.values():
        counts[invoice.recipient_id] += 1
    for person_id, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        person = people[person_id]
        if not person.email.endswith(f"@{association.slug}.example"):
            return person
    return None


def _skipped_by_debtor(payment: dict, invoices: dict[int, Invoice], debtor: Person | None, since: dt.date) -> bool:
    invoice = invoices[payment["invoice"]]
    return debtor is not None and invoice.recipient_id == debtor.id and invoice.issue_date >= since


def _entry(payment: dict, invoice: Invoice, people: dict[int, Person]) -> BankEntry:
    payer = people[invoice.recipient_id]
    return BankEntry(payment["paid_on"], payment["amount"], reference=invoice.reference, name=payer.full_name)


def _extras(
    association: Association, bank: dict, invoices: dict[int, Invoice], people: dict[int, Person], debtor
) -> list[BankEntry]:
    """What real statements hold besides payments by reference (see the module's docstring)."""
    today = association.today()
    months = [(today.replace(day=1) - dt.timedelta(days=31 * back)).replace(day=3) for back in range(11, -1, -1)]
    # The bank's fee: a debit on the account statement (a BgMax file reports credits to a bankgiro only).
    extras = []
    if bank["format"] != "bgmax":
        extras = [
            BankEntry(m, bank["fee"], name=association.name, message=bank["fee_text"], kind=DEBIT) for m in months
        ]
    stranger, message = bank["stranger"]
    unplaced = months[-4] + dt.timedelta(days=9)
    extras.append(BankEntry(unplaced, 150000, name=stranger, message=message))
    latest = [i for i in invoices.values() if i.due_date >= today and i.paid_total == 0 and i.kind == Invoice.INVOICE]
    others = [i for i in latest if debtor is None or i.recipient_id != debtor.id]
    if others:
        # No reference, but the amount and the name of an open invoice: the import suggests it.
        suggested = others[0]
        payer = people[suggested.recipient_id]
        extras.append(BankEntry(months[-1] + dt.timedelta(days=1), suggested.total, name=payer.full_name))
    if len(others) > 1:
        # An overpayment: a tenth more than the invoice; the rest is the payer's credit for the next one.
        over = others[1]
        payer = people[over.recipient_id]
        extras.append(
            BankEntry(months[-1] + dt.timedelta(days=2), over.total + over.total // 10, reference=over.reference,
                      name=payer.full_name)
        )  # fmt: skip
    # Part of that credit the bank sent back the same day (BgMax reports it as a deduction from the deposit).
    extras.append(BankEntry(unplaced, 50000, name=stranger, message=message, kind=REVERSAL))
    return extras


def _by_month(entries: Iterable[BankEntry]) -> dict[dt.date, list[BankEntry]]:
    months: dict[dt.date, list[BankEntry]] = defaultdict(list)
    for entry in entries:
        months[entry.day.replace(day=1)].append(entry)
    return months


def _write(association: Association, bank: dict, entries: list[BankEntry]) -> bytes:
    settings = BillingSettings.for_association(association)
    if bank["format"] == "bgmax":
        return bank_files.bgmax(entries, bankgiro=settings.bankgiro, account="58410000010098")
    return bank_files.camt053(entries, iban=settings.iban, currency=association.currency, version=bank["version"])


def _file_name(bank: dict, month: dt.date) -> str:
    if bank["format"] == "bgmax":
        return f"BgMax_{month:%Y%m}.txt"
    return f"camt053_{month:%Y-%m}.xml"


# --- late interest and the plan ----------------------------------------------------------------------------


def _interest_rule(association: Association, bank: dict, board) -> None:
    """The reference rate plus 8 points, after five days' grace, as a separate interest invoice."""
    with transaction():
        BillingSettings.for_association(association)
        BillingSettings.update(
            interest_mode=BillingSettings.INTEREST_REFERENCE,
            interest_margin=MARGIN,
            interest_reference=bank["reference"],
            interest_grace_days=GRACE_DAYS,
            interest_charged_as=BillingSettings.INTEREST_AS_INVOICE,
            interest_minimum=100,
        ).where(BillingSettings.association == association).execute()
        for valid_from, rate in bank["rates"]:
            ReferenceRate.create(
                association=association, valid_from=dt.date.fromisoformat(valid_from), rate=rate, created_by=board
            )


def _charge_interest(association: Association, board) -> int:
    """Late interest up to the end of last month, as the board runs it at the start of a month."""
    through = association.today().replace(day=1) - dt.timedelta(days=1)
    run, _made = interest_runs.create(association, through, user=board)
    return run.charge_count


def _agree_plan(association: Association, debtor: Person | None, board, note: str):
    """The debtor's overdue invoices in six monthly instalments from the 15th of next month."""
    if debtor is None:
        return None
    today = association.today()
    overdue = [i.id for i in plans.movable_invoices(debtor) if i.due_date < today]
    if not overdue:
        return None
    first_due = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=15)
    made = plans.create_plan(debtor, overdue, PLAN_MONTHS, first_due, 1, note=note, user=board)
    return made.plan
