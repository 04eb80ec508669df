"""A person's and a unit's ledger and balance statement (issue 13 item 1): every entry in date order with a
running balance, and a statement whose figures add up and agree with what the invoices still owe."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from playhouse.test_utils import count_queries

from blueprints.billing import allocation, interest, ledger
from blueprints.billing.ledger import Period
from models.billing import InterestCharge, InterestRun, Invoice, Payment
from tests.factories.billing import make_billing, make_invoice, make_payment, make_unit

TODAY = dt.date(2026, 12, 20)


@pytest.fixture
def ctx(app, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    with app.test_request_context():
        yield


def invoice(alpha, person, issued: dt.date, amount: int = 10000, **fields) -> Invoice:
    lines = fields.pop("lines", [("Monthly fee", amount, 0)])
    return make_invoice(
        alpha, person, lines=lines, issue_date=issued, due_date=issued + dt.timedelta(days=16), **fields
    )


def credit_note(alpha, original: Invoice, amount: int, issued: dt.date, purpose: str) -> Invoice:
    note = make_invoice(
        alpha,
        original.recipient,
        unit=original.unit,
        lines=[("Written off", -amount, 0)],
        issue_date=issued,
        due_date=issued,
        kind=Invoice.CREDIT_NOTE,
        credits=original,
        purpose=purpose,
    )
    Invoice.update(credited_total=Invoice.credited_total + amount).where(Invoice.id == original.id).execute()
    return note


def interest_charge(alpha, overdue: Invoice, first: dt.date, last: dt.date, principal: int, rate: int, carrier):
    """A charge as the interest run writes it: its pieces and their exact sum rounded half up."""
    pieces = [interest.Piece(first, last, principal, rate, 366 if first.year % 4 == 0 else 365)]
    amount = interest.round_half_up(sum((p.exact for p in pieces), start=Fraction(0)))
    run = InterestRun.get_or_none(InterestRun.through == last) or InterestRun.create(
        association=alpha, through=last, charged_as="invoice"
    )
    return InterestCharge.create(
        association=alpha,
        run=run,
        invoice=overdue,
        person=overdue.recipient_id,
        first_day=first,
        last_day=last,
        amount=amount,
        calculation=interest.dump(pieces),
        charged_on=carrier,
    )


def interest_invoice(alpha, person, issued, overdue, first, last, principal, rate=800):
    """An interest invoice carrying one charge; its total is the charge."""
    carrier = invoice(alpha, person, issued, 1, purpose=Invoice.INTEREST, lines=[("Late interest", 1, 0)])
    charge = interest_charge(alpha, overdue, first, last, principal, rate, carrier)
    Invoice.update(total=charge.amount, net_total=charge.amount).where(Invoice.id == carrier.id).execute()
    return Invoice.get_by_id(carrier.id), charge


@pytest.fixture
def story(ctx, alpha, make_person, make_user):
    """Dana's year: an old debt partly paid, three invoices, a write-off, an overpayment spent later,
    interest as an invoice and as a line, a payment taken back, and a neighbour paying for her."""
    make_billing(alpha)
    board = make_user(alpha, "board@alpha.example", "board")
    dana = make_person(alpha, given_name="Dana", surname="Debtor")
    neighbour = make_person(alpha, given_name="Nils", surname="Neighbour")
    a = invoice(alpha, dana, dt.date(2025, 12, 15))
    allocation.receive(dana, 4000, dt.date(2025, 12, 20), first=a)
    b = invoice(alpha, dana, dt.date(2026, 1, 15))
    c = invoice(alpha, dana, dt.date(2026, 2, 15))
    credit_note(alpha, c, 3000, dt.date(2026, 3, 1), Invoice.WRITE_OFF)
    allocation.receive(dana, 25000, dt.date(2026, 3, 10))  # A 6000, B 10000, C 7000, 2000 left
    d = invoice(alpha, dana, dt.date(2026, 4, 15))
    allocation.settle_from_credit(dana)  # 2000 on D
    e, charge_e = interest_invoice(
        alpha, dana, dt.date(2026, 5, 1), b, dt.date(2026, 2, 1), dt.date(2026, 3, 10), 10000
    )
    f = invoice(alpha, dana, dt.date(2026, 6, 15), lines=[("Monthly fee", 10000, 0), ("Late interest", 53, 0)])
    charge_f = interest_charge(alpha, d, dt.date(2026, 5, 1), dt.date(2026, 5, 31), 8000, 800, f)
    assert charge_f.amount == 54  # 31 × 8000 × 8 % ÷ 365 = 54.36…
    Invoice.update(total=10054, net_total=10054).where(Invoice.id == f.id).execute()
    allocation.receive(dana, 5000, dt.date(2026, 7, 1))  # on D
    allocation.undo(Payment.get((Payment.invoice == d) & (Payment.amount == 5000)), "Meant for the garage", user=board)
    allocation.receive(neighbour, 3000, dt.date(2026, 8, 1), first=Invoice.get_by_id(f.id), settle_others=False)
    return dict(dana=dana, neighbour=neighbour, a=a, b=b, c=c, d=d, e=e, f=f, charge_e=charge_e, charge_f=charge_f)


def owed_in_the_books(person) -> int:
    """What the invoices say the person still owes, less their credit: what the closing balance must be."""
    invoices = Invoice.select().where((Invoice.recipient == person) & (Invoice.kind == Invoice.INVOICE))
    left = sum(i.total - i.paid_total - i.credited_total for i in invoices)
    return left - allocation.credit_of(person)


def test_the_year_adds_up_and_agrees_with_the_invoices(story):
    dana, e = story["dana"], story["e"]
    statement = ledger.person_statement(dana, Period.year(2026), TODAY)
    interest_total = e.total + 54
    assert statement.opening == 6000
    assert statement.invoiced == 40000  # B, C, D and F's fee (F's interest line counts as interest)
    assert statement.interest == interest_total
    assert statement.paid == 25000 + 5000 + 3000  # the neighbour's payment on Dana's invoice counts
    assert statement.credited == 3000
    assert statement.closing == 6000 + 40000 + interest_total - 33000 - 3000
    assert statement.closing == owed_in_the_books(dana)
    # D (8000), E and F less the neighbour's 3000 are overdue on 20 December; the undone 5000 is credit.
    assert (statement.overdue, statement.not_yet_due, statement.credit) == (8000 + e.total + 7054, 0, 5000)
    assert statement.adds_up
    assert [c.id for c in statement.charges] == [story["charge_e"].id, story["charge_f"].id]


def test_entries_are_in_date_order_with_a_running_balance(story):
    statement = ledger.person_statement(story["dana"], Period.year(2026), TODAY)
    kinds = [(entry.day, entry.kind) for entry in statement.entries]
    assert kinds == sorted(kinds, key=lambda k: k[0])
    balance = statement.opening
    for entry in statement.entries:
        balance += entry.debit - entry.credit
        assert entry.balance == balance
    assert balance == statement.closing
    labels = [entry.label for entry in statement.entries]
    assert f"Write-off, credit note {story['c'].number + 1}" in labels
    assert f"Late interest, invoice {story['e'].number}" in labels
    assert f"Paid by another payer, invoice {story['f'].number}" in labels
    taken_back = next(entry for entry in statement.entries if entry.kind == ledger.UNDO)
    assert (taken_back.undone_amount, taken_back.reason, taken_back.undone_by) == (
        5000,
        "Meant for the garage",
        "board",
    )


def test_a_receipt_shows_what_it_settled_and_the_credit_left(story):
    statement = ledger.person_statement(story["dana"], Period.year(2026), TODAY)
    march = next(e for e in statement.entries if e.kind == ledger.RECEIPT and e.day == dt.date(2026, 3, 10))
    assert march.credit == 25000
    settled = [(a.invoice_number, a.amount) for a in march.allocations]
    assert settled == [(story["a"].number, 6000), (story["b"].number, 10000), (story["c"].number, 7000),
                       (story["d"].number, 2000)]  # fmt: skip
    assert march.credit_left == 0
    july = next(e for e in statement.entries if e.kind == ledger.RECEIPT and e.day == dt.date(2026, 7, 1))
    assert july.allocations == [] and july.credit_left == 5000  # taken back: credit again


def test_period_boundaries(story):
    dana = story["dana"]
    q1 = ledger.person_statement(dana, Period.quarter(2026, 1), TODAY)
    assert (q1.opening, q1.invoiced, q1.interest, q1.paid, q1.credited) == (6000, 20000, 0, 25000, 3000)
    # On 31 March the 2000 left of March's money had not yet met D (issued 15 April): it is credit.
    assert (q1.closing, q1.overdue, q1.not_yet_due, q1.credit) == (-2000, 0, 0, 2000)
    q2 = ledger.person_statement(dana, Period.quarter(2026, 2), TODAY)
    assert q2.opening == q1.closing  # one period's closing is the next one's opening
    assert q2.adds_up and q1.adds_up
    # An entry on the first or the last day belongs to the period; the day before does not.
    march_10 = ledger.person_statement(dana, Period.between(dt.date(2026, 3, 10), dt.date(2026, 3, 10)), TODAY)
    assert march_10.paid == 25000 and march_10.opening == 6000 + 20000 - 3000
    march_9 = ledger.person_statement(dana, Period.between(dt.date(2026, 3, 2), dt.date(2026, 3, 9)), TODAY)
    assert march_9.paid == 0 and march_9.entries == []
    # Before everything: nothing; a month with only an issue date in it: that invoice, not yet due.
    assert ledger.person_statement(dana, Period.year(2024), TODAY).empty
    june = ledger.person_statement(dana, Period.month(2026, 6), dt.date(2026, 6, 20))
    assert june.invoiced == 10000 and june.interest == 54
    assert june.judged_on == dt.date(2026, 6, 20)
    assert june.not_yet_due == 10054 and june.adds_up


def test_a_legacy_payment_counts_as_its_own_receipt(ctx, alpha, make_person):
    make_billing(alpha)
    erik = make_person(alpha, given_name="Erik")
    old = invoice(alpha, erik, dt.date(2026, 9, 15))
    make_payment(old, 4000, dt.date(2026, 9, 20))
    statement = ledger.person_statement(erik, Period.year(2026), TODAY)
    assert [(e.kind, e.credit) for e in statement.entries if e.credit] == [(ledger.PAYMENT, 4000)]
    assert statement.closing == 6000 == owed_in_the_books(erik) and statement.adds_up


def test_money_paid_for_someone_else_is_a_debit_for_the_payer(story):
    neighbour = story["neighbour"]
    statement = ledger.person_statement(neighbour, Period.year(2026), TODAY)
    assert [(e.kind, e.credit, e.debit) for e in statement.entries] == [
        (ledger.RECEIPT, 3000, 0),
        (ledger.PAID_FOR_OTHER, 0, 3000),
    ]
    assert statement.paid == 0 and statement.closing == 0 == owed_in_the_books(neighbour)


def test_a_units_ledger_holds_its_invoices_and_what_paid_them(ctx, alpha, make_person):
    make_billing(alpha)
    unit, other = make_unit(alpha, "11"), make_unit(alpha, "12")
    seller, buyer = make_person(alpha, given_name="Sam"), make_person(alpha, given_name="Bea")
    first = invoice(alpha, seller, dt.date(2026, 5, 15), unit=unit)
    invoice(alpha, buyer, dt.date(2026, 6, 15), unit=unit)
    invoice(alpha, buyer, dt.date(2026, 6, 15), unit=other)
    allocation.receive(seller, 15000, dt.date(2026, 5, 20))  # 10000 on the unit's invoice, 5000 credit
    statement = ledger.unit_statement(unit, Period.year(2026), TODAY)
    assert (statement.invoiced, statement.paid, statement.closing) == (20000, 10000, 10000)
    assert [e.number for e in statement.entries if e.kind == ledger.INVOICE][0] == first.number
    assert statement.overdue == 10000 and statement.credit == 0 and statement.adds_up


def test_query_count_stays_the_same_for_ten_or_two_hundred_invoices(ctx, alpha, make_person):
    make_billing(alpha)
    payer = make_person(alpha)

    def grow(count):
        for n in range(count):
            issued = dt.date(2026, 1, 1) + dt.timedelta(days=n % 360)
            made = invoice(alpha, payer, issued, 1000 + n)
            if n % 3 == 0:
                allocation.receive(payer, 700, issued)
            if n % 7 == 0:
                interest_invoice(alpha, payer, issued, made, issued, issued + dt.timedelta(days=5), 1000 + n)

    def measure() -> int:
        with count_queries() as counted:
            ledger.person_statement(payer, Period.year(2026), TODAY)
        return counted.count

    grow(10)
    few = measure()
    grow(190)
    assert measure() == few <= 5


def test_periods_are_read_from_the_chooser_or_from_to():
    today = TODAY
    assert Period.from_args({}, today) == (Period.year(2026), True)
    assert Period.from_args({"period": "2026-Q2"}, today)[0] == Period(
        dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026-Q2"
    )
    assert Period.from_args({"period": "2024-02"}, today)[0].last == dt.date(2024, 2, 29)
    ranged, understood = Period.from_args({"from": "2026-03-05", "to": "2026-04-04", "period": "2025"}, today)
    assert understood and (ranged.first, ranged.last, ranged.key) == (dt.date(2026, 3, 5), dt.date(2026, 4, 4), "")
    for wrong in ({"period": "2026-13"}, {"period": "1999"}, {"from": "2026-05-01", "to": "2026-04-01"},
                  {"from": "2026-05-01"}, {"period": "<script>"}):  # fmt: skip
        assert Period.from_args(wrong, today) == (Period.year(2026), False)


@pytest.mark.parametrize(("language", "alone", "in_sentence"), [("cs", "Prosinec 2026", "prosinec 2026"),
                                                                 ("sv", "December 2026", "december 2026"),
                                                                 ("en", "December 2026", "December 2026")])  # fmt: skip
def test_a_month_is_capitalised_alone_and_written_as_the_language_does_mid_sentence(app, language, alone, in_sentence):
    from flask_babel import force_locale

    december = Period.from_args({"period": "2026-12"}, TODAY)[0]
    with app.test_request_context(), force_locale(language):
        assert (december.label(), december.label(in_sentence=True)) == (alone, in_sentence)
