"""The invoicing service: numbers, references, totals, credit notes and the monthly run (SPEC B2, B8)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from blueprints.billing import invoicing, references
from blueprints.billing.invoicing import InvoicingError, create_invoice, create_run, credit_note, preview_run
from blueprints.billing.money import Line
from models.billing import BillingSettings, Charge, Contract, Invoice, InvoiceLine, InvoiceRun
from models.db import db
from models.register import Ownership
from tests.factories.billing import make_billing, make_contract, make_unit

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def owned_unit(association, make_person, number, *charges, main=True, **person_fields):
    """A unit with a main owner and monthly charges (description, amount, vat_rate)."""
    unit = make_unit(association, number)
    owner = make_person(association, surname=f"Owner{number}", **person_fields)
    Ownership.create(unit=unit, person=owner, is_main=main, started_on=dt.date(2020, 1, 1))
    for position, (description, amount, rate) in enumerate(charges):
        Charge.create(
            association=association, unit=unit, description=description, amount=amount, vat_rate=rate, position=position
        )
    return unit, owner


# --- single invoices ---------------------------------------------------------------------


def test_totals_without_vat_registration_drop_every_rate(ctx, alpha, make_person):
    make_billing(alpha, vat_registered=False, payment_terms_days=10)
    person = make_person(alpha, street="Storgatan 1", postcode="111 22", city="Stockholm")
    invoice = create_invoice(
        alpha, person, [Line("Fee", 416700, 2500), Line("Parking", 50050, 2500)], issue_date=dt.date(2026, 11, 15)
    )
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (466750, 0, 466750)
    assert [(line.amount, line.vat_rate, line.vat_amount) for line in invoice.lines] == [(416700, 0, 0), (50050, 0, 0)]
    assert invoice.due_date == dt.date(2026, 11, 25)
    assert invoice.recipient_name == person.full_name
    assert invoice.recipient_address == "Storgatan 1\n111 22 Stockholm"
    assert invoice.currency == "SEK"


def test_totals_with_vat_add_up_per_line(ctx, alpha, make_person):
    make_billing(alpha, vat_registered=True)
    person = make_person(alpha)
    invoice = create_invoice(alpha, person, [Line("Office", 100001, 2500), Line("Storage", 333, 1200)])
    lines = list(invoice.lines.order_by(InvoiceLine.position))
    assert [line.vat_amount for line in lines] == [25000, 40]  # 25000.25 -> 25000, 39.96 -> 40
    assert invoice.vat_total == sum(line.vat_amount for line in lines) == 25040
    assert invoice.total == invoice.net_total + invoice.vat_total == 100334 + 25040


def test_numbers_are_consecutive_and_skip_past_existing_ones(ctx, alpha, make_person):
    make_billing(alpha, next_invoice_number=500)
    person = make_person(alpha)
    numbers = [create_invoice(alpha, person, [Line("Fee", 100)]).number for _ in range(3)]
    assert numbers == [500, 501, 502]
    assert BillingSettings.for_association(alpha).next_invoice_number == 503
    BillingSettings.update(next_invoice_number=1).execute()  # set back below what exists
    assert create_invoice(alpha, person, [Line("Fee", 100)]).number == 503


@pytest.mark.parametrize("standard", BillingSettings.REFERENCE_STANDARDS)
@pytest.mark.parametrize("length_digit", [False, True])
def test_references_validate_in_every_standard(ctx, alpha, make_person, standard, length_digit):
    make_billing(alpha, reference_standard=standard, ocr_length_digit=length_digit, next_invoice_number=1)
    person = make_person(alpha)
    for _ in range(12):
        invoice = create_invoice(alpha, person, [Line("Fee", 100)])
        check = length_digit and standard == BillingSettings.SE_OCR
        assert references.validate(standard, invoice.reference, length_digit=check), invoice.reference
    assert invoice.number == 12


def test_due_date_given_and_period_kept(ctx, alpha, make_person):
    make_billing(alpha)
    invoice = create_invoice(
        alpha,
        make_person(alpha),
        [Line("Fee", 100)],
        period=(DECEMBER, dt.date(2026, 12, 31)),
        issue_date=dt.date(2026, 11, 1),
        due_date=dt.date(2026, 11, 30),
        message="Thanks",
    )
    assert (invoice.period_start, invoice.period_end, invoice.due_date) == (
        DECEMBER,
        dt.date(2026, 12, 31),
        dt.date(2026, 11, 30),
    )
    assert invoice.message == "Thanks"


def test_an_invoice_needs_lines_and_a_recipient_of_the_association(ctx, alpha, make_association, make_person):
    make_billing(alpha)
    with pytest.raises(InvoicingError):
        create_invoice(alpha, make_person(alpha), [])
    beta = make_association("beta")
    with pytest.raises(InvoicingError):
        create_invoice(alpha, make_person(beta), [Line("Fee", 100)])
    assert Invoice.select().count() == 0


# --- credit notes ------------------------------------------------------------------------


def test_credit_note_negates_the_lines_and_credits_the_original(ctx, alpha, make_person):
    make_billing(alpha, vat_registered=True)
    original = create_invoice(alpha, make_person(alpha), [Line("Fee", 10000, 2500), Line("Water", 2000)])
    note = credit_note(original, reason="Billed twice")
    assert note.kind == Invoice.CREDIT_NOTE and note.credits_id == original.id
    assert [(line.amount, line.vat_amount) for line in note.lines.order_by(InvoiceLine.position)] == [
        (-10000, -2500),
        (-2000, 0),
    ]
    assert note.total == -original.total == -14500
    assert note.message == "Billed twice"
    assert note.number == original.number + 1
    reloaded = Invoice.get_by_id(original.id)
    assert reloaded.credited_total == 14500
    assert reloaded.status_on(dt.date(2026, 1, 1)) == Invoice.CREDITED
    assert original.credited_total == 14500


def test_credit_note_of_an_invoice_with_a_discount_line(ctx, alpha, make_person):
    make_billing(alpha)
    original = create_invoice(alpha, make_person(alpha), [Line("Fee", 10000), Line("Discount", -1500)])
    note = credit_note(original)
    assert [x.amount for x in note.lines.order_by(InvoiceLine.position)] == [-10000, 1500]
    assert note.total == -8500 and Invoice.get_by_id(original.id).credited_total == 8500


def test_credit_note_refuses_credit_notes_and_fully_credited_invoices(ctx, alpha, make_person):
    make_billing(alpha)
    original = create_invoice(alpha, make_person(alpha), [Line("Fee", 10000)])
    note = credit_note(original)
    with pytest.raises(InvoicingError, match="credit note cannot be credited"):
        credit_note(note)
    with pytest.raises(InvoicingError, match="already fully credited"):
        credit_note(Invoice.get_by_id(original.id))
    assert Invoice.select().count() == 2


def test_credit_note_credits_only_what_remains(ctx, alpha, make_person):
    make_billing(alpha)
    person = make_person(alpha)
    original = create_invoice(alpha, person, [Line("Fee", 10000), Line("Water", 3000)])
    create_invoice(alpha, person, [Line("Water refund", 3000)], kind=Invoice.CREDIT_NOTE, credits=original)
    assert Invoice.get_by_id(original.id).credited_total == 3000
    note = credit_note(Invoice.get_by_id(original.id))
    assert note.total == -10000
    assert Invoice.get_by_id(original.id).credited_total == 13000


# --- runs ------------------------------------------------------------------------------------


def test_month_period():
    assert invoicing.month_period(dt.date(2028, 2, 17)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert invoicing.month_period(dt.date(2026, 12, 31)) == (DECEMBER, dt.date(2026, 12, 31))


def make_run_world(association, make_person):
    """Two billed units, an unowned one, an archived one, a contract and a tenantless contract."""
    make_billing(association, vat_registered=True, payment_terms_days=20)
    unit1, owner1 = owned_unit(association, make_person, "1", ("Monthly fee", 416700, 0), ("Water", 25000, 2500))
    owned_unit(association, make_person, "2", ("Monthly fee", 300000, 0))
    Ownership.create(unit=unit1, person=make_person(association, surname="CoOwner"), is_main=False)
    lonely = make_unit(association, "3")
    Charge.create(association=association, unit=lonely, description="Monthly fee", amount=1000)
    archived, _ = owned_unit(association, make_person, "4", ("Monthly fee", 999, 0))
    archived.archived_at = dt.datetime(2025, 1, 1)
    archived.save()
    expired, _ = owned_unit(association, make_person, "5")
    Charge.create(association=association, unit=expired, description="Old", amount=5, valid_to=dt.date(2026, 11, 30))
    tenant = make_person(association, surname="Tenant")
    contract = make_contract(
        association, make_unit(association, "P1"), [tenant, make_person(association)], rent=80000, rent_vat_rate=2500
    )
    Charge.create(association=association, contract=contract, description="Charging point", amount=10000)
    make_contract(association, make_unit(association, "P2"), [], number="100-2")
    make_contract(association, make_unit(association, "P3"), [tenant], number="100-3", start_date=dt.date(2027, 1, 1))
    return unit1, owner1, lonely, contract, tenant


def test_preview_lists_invoices_and_skips_with_reasons(ctx, alpha, make_person):
    unit1, owner1, lonely, contract, tenant = make_run_world(alpha, make_person)
    drafts = preview_run(alpha, dt.date(2026, 12, 15))
    ready = {d.run_key: d for d in drafts if d.ready}
    assert set(ready) == {f"2026-12:unit:{unit1.id}", f"2026-12:unit:{unit1.id + 1}", f"2026-12:contract:{contract.id}"}
    first = ready[f"2026-12:unit:{unit1.id}"]
    assert first.recipient.id == owner1.id
    assert first.lines == [Line("Monthly fee", 416700, 0), Line("Water", 25000, 2500)]
    assert first.total == 416700 + 25000 + 6250
    rent = ready[f"2026-12:contract:{contract.id}"]
    assert rent.recipient.id == tenant.id
    assert [line.description for line in rent.lines] == ["Rent", "Charging point"]
    assert rent.total == 80000 + 20000 + 10000
    skipped = {d.run_key: d.problems for d in drafts if d.problems}
    assert skipped[f"2026-12:unit:{lonely.id}"] == [invoicing.NO_MAIN_OWNER]
    no_parties = next(d for d in drafts if d.contract and d.contract.number == "100-2")
    assert invoicing.NO_PARTIES in no_parties.problems
    unowned = next(d for d in drafts if d.run_key == f"2026-12:unit:{lonely.id}")
    assert unowned.recipient is None and not unowned.ready
    assert "no current main owner" in unowned.reasons[0]
    assert not any(d.unit and d.unit.number in ("4", "5") for d in drafts)  # archived; charge expired
    assert not any(d.contract and d.contract.number == "100-3" for d in drafts)  # starts in January


def test_run_creates_exactly_the_preview_and_twice_nothing_new(ctx, alpha, make_person, make_user):
    make_run_world(alpha, make_person)
    board = make_user(alpha, "board@alpha.example", "board")
    drafts = [d for d in preview_run(alpha, DECEMBER) if d.ready]
    run = create_run(alpha, DECEMBER, issue_date=dt.date(2026, 11, 20), user=board)
    assert run.created_now == len(drafts) == 3
    invoices = list(Invoice.select().where(Invoice.run == run).order_by(Invoice.number))
    assert [(i.run_key, i.recipient_id, i.total) for i in invoices] == [
        (d.run_key, d.recipient.id, d.total) for d in drafts
    ]
    for invoice, draft in zip(invoices, drafts, strict=True):
        stored = [Line(x.description, x.amount, x.vat_rate) for x in invoice.lines.order_by(InvoiceLine.position)]
        assert stored == draft.lines
        assert invoice.net_total + invoice.vat_total == invoice.total == draft.total
        assert (invoice.period_start, invoice.period_end) == (DECEMBER, dt.date(2026, 12, 31))
        assert (invoice.issue_date, invoice.due_date) == (dt.date(2026, 11, 20), dt.date(2026, 12, 10))
        assert references.validate(BillingSettings.EE, invoice.reference)
        assert invoice.created_by_id == board.id
    assert [i.number for i in invoices] == [1, 2, 3]
    stored_run = InvoiceRun.get_by_id(run.id)
    assert (stored_run.invoice_count, stored_run.total) == (3, sum(d.total for d in drafts))

    again = create_run(alpha, DECEMBER)
    assert again.id == run.id and again.created_now == 0
    assert Invoice.select().count() == 3 and InvoiceRun.select().count() == 1
    assert all(d.existing and not d.ready for d in preview_run(alpha, DECEMBER) if not d.problems)


def test_a_fixed_unit_is_added_by_running_again(ctx, alpha, make_person):
    _, _, lonely, _, _ = make_run_world(alpha, make_person)
    run = create_run(alpha, DECEMBER)
    Ownership.create(unit=lonely, person=make_person(alpha), is_main=True)
    again = create_run(alpha, DECEMBER)
    assert again.id == run.id and again.created_now == 1
    assert InvoiceRun.get_by_id(run.id).invoice_count == 4
    assert Invoice.select().where(Invoice.unit == lonely).count() == 1


def test_ended_contracts_and_changing_owners_follow_the_period(ctx, alpha, make_person):
    make_billing(alpha)
    unit = make_unit(alpha, "9")
    seller, buyer = make_person(alpha, surname="Seller"), make_person(alpha, surname="Buyer")
    Ownership.create(unit=unit, person=seller, is_main=True, ended_on=dt.date(2026, 12, 1))
    Ownership.create(unit=unit, person=buyer, is_main=True, started_on=dt.date(2026, 12, 1))
    Charge.create(association=alpha, unit=unit, description="Fee", amount=100)
    tenant = make_person(alpha)
    make_contract(alpha, make_unit(alpha, "A"), [tenant], number="1", status=Contract.ENDED, end_date=DECEMBER)
    make_contract(
        alpha, make_unit(alpha, "B"), [tenant], number="2", status=Contract.TERMINATED, end_date=dt.date(2026, 11, 30)
    )
    drafts = preview_run(alpha, DECEMBER)
    assert [d.recipient.surname for d in drafts if d.unit and d.unit.id == unit.id] == ["Buyer"]
    assert [d.contract.number for d in drafts if d.contract] == ["1"]
    assert [d.recipient.surname for d in preview_run(alpha, dt.date(2026, 11, 1)) if d.unit.id == unit.id] == ["Seller"]


def count_queries(action) -> int:
    count = 0

    def tick():
        nonlocal count
        count += 1

    db.obj.counter = tick
    try:
        action()
    finally:
        db.obj.counter = None
    return count


@pytest.mark.parametrize("step", ["preview", "run"])
def test_query_count_does_not_grow_with_units(ctx, alpha, make_person, step):
    make_billing(alpha)
    tenant = make_person(alpha)

    def grow(start, count):
        for n in range(start, start + count):
            owned_unit(alpha, make_person, str(n), ("Fee", 1000 + n, 0), ("Water", 200, 0))
            make_contract(alpha, make_unit(alpha, f"G{n}"), [tenant], number=f"C{n}")

    def measure(period):
        if step == "preview":
            return count_queries(lambda: preview_run(alpha, period))
        return count_queries(lambda: create_run(alpha, period))

    grow(0, 3)
    small = measure(dt.date(2026, 1, 1))
    grow(3, 40)
    large = measure(dt.date(2026, 2, 1))
    assert large == small


# --- concurrency -----------------------------------------------------------------------------


def in_threads(count, work):
    """Run work(i) in `count` threads at once, each on its own database connection; re-raise failures."""
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            db.connect(reuse_if_open=True)
            barrier.wait()
            work(i)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


def test_numbers_stay_unique_when_invoices_are_made_at_once(ctx, alpha, make_person):
    make_billing(alpha, next_invoice_number=100)
    person = make_person(alpha)

    def work(i):
        for _ in range(5):
            create_invoice(alpha, person, [Line(f"Fee {i}", 100)])

    in_threads(4, work)
    numbers = sorted(number for (number,) in Invoice.select(Invoice.number).tuples())
    assert numbers == list(range(100, 120))
    assert BillingSettings.for_association(alpha).next_invoice_number == 120


def test_two_runs_of_a_month_at_once_create_it_once(ctx, alpha, make_person):
    make_run_world(alpha, make_person)
    runs = []
    in_threads(2, lambda i: runs.append(create_run(alpha, DECEMBER)))
    assert sorted(run.created_now for run in runs) == [0, 3]
    assert Invoice.select().count() == 3 and InvoiceRun.select().count() == 1


def test_two_credit_notes_of_one_invoice_at_once_credit_it_once(ctx, alpha, make_person):
    make_billing(alpha)
    original = create_invoice(alpha, make_person(alpha), [Line("Fee", 10000)])
    failures = []

    def work(i):
        try:
            credit_note(Invoice.get_by_id(original.id))
        except InvoicingError as error:
            failures.append(error)

    in_threads(2, work)
    assert len(failures) == 1
    assert Invoice.select().where(Invoice.kind == Invoice.CREDIT_NOTE).count() == 1
    assert Invoice.get_by_id(original.id).credited_total == 10000
