"""The board's overview (issue 13 item 6): the unit × month payment grid against the invoices and payments it
sums, at a constant number of queries; the debtors list's age buckets at their boundaries; the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict

import pytest
from openpyxl import load_workbook

from blueprints.billing import overview
from models import Person
from models.billing import BillingSettings, DebtReminder, InstalmentPlan, Invoice, Payment
from models.register import Building, Unit
from tests.factories.billing import make_billing, make_invoice, make_payment, make_unit

TODAY = dt.date(2026, 12, 20)


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


@pytest.fixture
def world(app, alpha, make_person, make_association, frozen_clock):
    """Units 1, 2 and 3 of House A with a year of dues and payments, and beta's invoice beside them."""
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    owner = make_person(alpha, given_name="Olle", surname="Owner")
    u1, u2, u3 = make_unit(alpha, "1"), make_unit(alpha, "2"), make_unit(alpha, "3")

    def due(unit, day, amount, **fields):
        return make_invoice(alpha, owner, unit=unit, lines=[("Fee", amount, 0)], issue_date=day - dt.timedelta(days=20),
                            due_date=day, **fields)  # fmt: skip

    january = due(u1, dt.date(2026, 1, 31), 10000)
    make_payment(january, 10000, dt.date(2026, 2, 3))  # paid in February for January
    march = due(u1, dt.date(2026, 3, 31), 10000)
    make_payment(march, 4000, dt.date(2026, 3, 10))  # partly: 60.00 overdue
    due(u2, dt.date(2026, 3, 15), 8000)  # unpaid
    due(u2, dt.date(2026, 12, 31), 5000)  # not yet due
    credited = due(u2, dt.date(2026, 4, 30), 6000)
    Invoice.update(credited_total=6000).where(Invoice.id == credited.id).execute()  # nothing left due
    old = due(u1, dt.date(2025, 12, 31), 7000)
    make_payment(old, 7000, dt.date(2026, 1, 5))  # last year's due, paid this January
    due(None, dt.date(2026, 5, 31), 9900)  # no unit: not in the grid
    beta = make_association("beta")
    make_billing(beta)
    stranger = make_person(beta, given_name="Beta", surname="Person")
    make_invoice(beta, stranger, unit=make_unit(beta, "1"), lines=[("Fee", 55500, 0)],
                 issue_date=dt.date(2026, 3, 1), due_date=dt.date(2026, 3, 15))  # fmt: skip
    return u1, u2, u3


def expected_cells(association, year: int, today: dt.date) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(unit, month) -> (due, settled, overdue, paid), worked out row by row from the invoices and payments."""
    cells = defaultdict(lambda: [0, 0, 0, 0])
    for invoice in Invoice.of(association).where(Invoice.kind == Invoice.INVOICE, Invoice.unit.is_null(False)):
        if invoice.due_date.year == year:
            left = invoice.total - invoice.credited_total
            settled = min(invoice.paid_total, left)
            cell = cells[(invoice.unit_id, invoice.due_date.month)]
            cell[0] += left
            cell[1] += settled
            cell[2] += left - settled if invoice.due_date < today else 0
    for payment in Payment.of(association).join(Invoice).where(Invoice.unit.is_null(False)):
        if payment.paid_on.year == year:
            cells[(payment.invoice.unit_id, payment.paid_on.month)][3] += payment.amount
    return {key: tuple(value) for key, value in cells.items() if value[0] or value[3]}


def test_the_grid_sums_what_fell_due_and_what_was_paid(app, alpha, world):
    u1, u2, u3 = world
    with app.test_request_context():
        grid = overview.payment_grid(alpha, 2026, TODAY)
    got = {
        (row.unit_id, month): (cell.due, cell.settled, cell.overdue, cell.paid)
        for row in grid.rows
        for month, cell in enumerate(row.cells, start=1)
        if cell.due or cell.paid
    }
    assert got == expected_cells(alpha, 2026, TODAY)
    markers = {(row.number, m): c.marker for row in grid.rows for m, c in enumerate(row.cells, 1)}
    assert markers[("1", 1)] == overview.PAID and markers[("1", 3)] == overview.PARTLY
    assert markers[("2", 3)] == overview.UNPAID and markers[("2", 12)] == overview.LATER
    assert markers[("2", 4)] == overview.NONE and markers[("3", 6)] == overview.NONE
    row1 = next(r for r in grid.rows if r.number == "1")
    assert (row1.total.due, row1.total.paid) == (20000, 10000 + 4000 + 7000)
    assert [c.due for c in grid.months][2] == 10000 + 8000  # March, every unit
    assert (grid.total.due, grid.total.paid) == (10000 + 10000 + 8000 + 5000, 21000)  # beta's and unit-less left out


def test_the_grid_page_shows_amounts_with_a_symbol_and_a_word(client, login_as, world):
    login_as("board")
    page = client.get("/alpha/admin/payment-grid?year=2026").get_data(as_text=True)
    assert 'class="payment-grid"' in page and 'scope="row">1<span class="grid-building">House A' in page
    assert '<span aria-hidden="true">✓</span> paid' in page and '<span aria-hidden="true">!</span> partly' in page
    assert '<span aria-hidden="true">✗</span> unpaid' in page and '<span aria-hidden="true">○</span> later' in page
    assert "80.00" in page and "All units" in page and "555.00" not in page  # beta's stays out
    assert "everything that fell due that month is paid" in page  # the legend
    part = client.get("/alpha/admin/payment-grid?year=2026", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.startswith('\n<div id="payment-grid">') or part.lstrip().startswith('<div id="payment-grid">')


def _grow(alpha, start: int, count: int) -> None:
    """`count` more units, each with a paid January invoice and an unpaid March one (written in bulk)."""
    building = Building.of(alpha).get()
    person = Person.of(alpha).get()
    Unit.insert_many(
        [dict(association=alpha.id, building=building.id, number=f"G{n}") for n in range(start, start + count)]
    ).execute()
    units = list(Unit.select(Unit.id).where(Unit.number.startswith("G")).order_by(Unit.id).offset(start).tuples())
    rows, number = [], 50000 + start * 2
    for (unit_id,) in units:
        for due, paid in ((dt.date(2026, 1, 31), 3000), (dt.date(2026, 3, 31), 0)):
            rows.append(dict(association=alpha.id, number=number, unit=unit_id, recipient=person.id,
                             recipient_name="x", issue_date=due - dt.timedelta(days=20), due_date=due,
                             currency="SEK", total=3000, net_total=3000, paid_total=paid))  # fmt: skip
            number += 1
    Invoice.insert_many(rows).execute()
    paid = Invoice.select(Invoice.id).where((Invoice.paid_total == 3000) & (Invoice.number >= 50000 + start * 2))
    Payment.insert_many(
        [dict(association=alpha.id, invoice=i, amount=3000, paid_on=dt.date(2026, 2, 1)) for (i,) in paid.tuples()]
    ).execute()
    BillingSettings.bump(alpha)  # as the services do: cached sums are stale now


@pytest.mark.parametrize("path", ["/alpha/admin/payment-grid?year=2026", "/alpha/admin/payment-grid?year=2026&page=2",
                                  "htmx:/alpha/admin/payment-grid?year=2026", "/alpha/admin/debtors"])  # fmt: skip
def test_the_overview_pages_cost_the_same_for_10_and_200_units(client, login_as, alpha, world, path):
    login_as("board")
    headers = {"HX-Request": "true"} if path.startswith("htmx:") else {}
    path = path.removeprefix("htmx:")
    _grow(alpha, 0, 60)  # a second page of units exists from the start

    def queries() -> int:
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        return int(response.headers["X-Query-Count"])

    few = queries()
    _grow(alpha, 60, 140)
    assert queries() == few
    assert few <= 10  # the member; units and their count; two page sums; the revision, two month sums; years; buildings


# --- debtors -------------------------------------------------------------------------------------------


@pytest.fixture
def aged(app, alpha, make_person, frozen_clock):
    """One debtor with an invoice overdue by each boundary's days, and one due today (not overdue)."""
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    person = make_person(alpha, email="aged@example.org", given_name="Ada", surname="Aged")
    for days, amount in ((0, 1), (1, 2), (30, 4), (31, 8), (60, 16), (61, 32), (90, 64), (91, 128)):
        due = TODAY - dt.timedelta(days=days)
        make_invoice(alpha, person, lines=[("Fee", amount, 0)], issue_date=due - dt.timedelta(days=14), due_date=due)
    return person


def test_debts_fall_into_their_age_bucket_at_each_boundary(app, alpha, aged):
    with app.test_request_context():
        (debtor,) = overview.all_debtors(alpha, TODAY)
    assert debtor.buckets == {"0-30": 2 + 4, "31-60": 8 + 16, "61-90": 32 + 64, "90+": 128}
    assert debtor.overdue == 254 and debtor.since == TODAY - dt.timedelta(days=91)
    assert [overview.bucket_of(d) for d in (1, 30, 31, 60, 61, 90, 91, 400)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+", "90+",
    ]  # fmt: skip


def test_the_debtors_list_filters_by_bucket_sorts_and_marks_plans_and_reminders(
    app, alpha, client, login_as, make_person, aged
):
    young = make_person(alpha, given_name="Bo", surname="Young")  # no address
    make_invoice(alpha, young, lines=[("Fee", 99900, 0)], issue_date=dt.date(2026, 12, 1),
                 due_date=dt.date(2026, 12, 10))  # fmt: skip
    InstalmentPlan.create(association=alpha, person=aged, total=1, instalment_count=1, first_due=TODAY)
    DebtReminder.create(association=alpha, person=aged, amount=254, sent_at=dt.datetime(2026, 12, 1, 8))
    login_as("board")
    page = client.get("/alpha/admin/debtors").get_data(as_text=True).replace("\u00a0", " ")
    assert page.index("Bo Young") < page.index("Ada Aged")  # the larger debt first
    assert "Plan kept" in page and "1 Dec 2026" in page and "Never" in page
    assert "Not reachable" in page and "No e-mail address" in page
    by_age = client.get("/alpha/admin/debtors?sort=age").get_data(as_text=True)
    assert by_age.index("Ada Aged") < by_age.index("Bo Young")
    oldest = client.get("/alpha/admin/debtors?bucket=90%2B").get_data(as_text=True)
    assert "Ada Aged" in oldest and "Bo Young" not in oldest


@pytest.fixture
def many_debtors(app, alpha, make_person, frozen_clock):
    """130 debtors with debts of many sizes and ages (some alike, to test the ties), some reminded."""
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    for n in range(130):
        person = make_person(alpha, email=f"d{n}@example.org", given_name=f"P{(n * 37) % 130:03}", surname="Debtor")
        due = TODAY - dt.timedelta(days=1 + (n * 13) % 120)
        make_invoice(alpha, person, lines=[("Fee", 100 * (1 + n % 9), 0)], issue_date=due - dt.timedelta(days=14),
                     due_date=due)  # fmt: skip
        if n % 4 == 0:
            DebtReminder.create(
                association=alpha, person=person, amount=1, sent_at=dt.datetime(2026, 11, 1 + n % 20, 8)
            )


@pytest.mark.parametrize("order", list(overview.SORTS))
@pytest.mark.parametrize("bucket", ["", "0-30", "90+"])
def test_the_debtors_pages_follow_the_lists_order_and_keep_every_debtors_totals(
    app, alpha, many_debtors, order, bucket
):
    """The page is cut in SQL: every page, in turn, is the Python order's slice, and the totals are everyone's."""
    with app.test_request_context():
        everyone = overview.all_debtors(alpha, TODAY)
        kept = [d for d in everyone if d.buckets[bucket]] if bucket else everyone
        expected = [d.person_id for d in overview.sort_debtors(kept, order)]
        count = -(-len(kept) // overview.DEBTORS_PER_PAGE)
        pages = [overview.debtor_list(alpha, TODAY, order=order, bucket=bucket, page=n) for n in range(1, count + 1)]
        whole = overview.debtor_list(alpha, TODAY, order=order, bucket=bucket, page=1, whole=True)
        past_the_end = overview.debtor_list(alpha, TODAY, order=order, bucket=bucket, page=99)
    assert len(everyone) == 130 and 0 < len(kept)
    assert [d.person_id for page in pages for d in page.rows] == expected
    assert [d.person_id for d in whole.filtered] == expected
    assert {page.matching for page in pages} == {len(kept)} and pages[0].people == 130
    assert pages[0].overdue == sum(d.overdue for d in everyone)
    assert [(t.amount, t.people) for t in pages[-1].totals] == [
        (sum(d.buckets[key] for d in everyone), sum(1 for d in everyone if d.buckets[key])) for key in overview.BUCKETS
    ]
    assert past_the_end.page == pages[0].pages and past_the_end.rows[-1].person_id == expected[-1]


def test_an_empty_bucket_still_shows_everyones_totals(app, alpha, aged):
    Invoice.update(paid_total=Invoice.total).where(Invoice.due_date < TODAY - dt.timedelta(days=90)).execute()
    with app.test_request_context():
        listing = overview.debtor_list(alpha, TODAY, order=overview.BY_AMOUNT, bucket="90+", page=1)
    assert listing.rows == [] and listing.matching == 0
    assert listing.people == 1 and listing.overdue == 2 + 4 + 8 + 16 + 32 + 64


# --- exports ---------------------------------------------------------------------------------------------

HOSTILE = ("=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@SUM(1)")


@pytest.fixture
def hostile(app, alpha, make_person, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    building = Building.create(association=alpha, name=HOSTILE[3])
    people = []
    for n, name in enumerate(HOSTILE):
        person = make_person(alpha, email=f"h{n}@example.org", given_name=name, surname="")
        unit = make_unit(alpha, name[:20], building=building)
        make_invoice(alpha, person, unit=unit, lines=[("Fee", 12345, 0)], issue_date=dt.date(2026, 9, 1),
                     due_date=dt.date(2026, 9, 15))  # fmt: skip
        people.append(person)
    return people


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _xlsx(response):
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.match(r'attachment; filename="alpha-[\w-]+\.xlsx"', response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).active
    return sheet, [[cell for cell in row] for row in sheet.iter_rows()]


def test_the_debtors_exports_neutralise_formulas_and_keep_numbers(client, login_as, hostile):
    login_as("board")
    rows = _csv(client.get("/alpha/admin/debtors.csv"))
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted(["'=cmd|' /C calc'!A0", "'+SUM(A1)", "'-2+3", "'@SUM(1)"])
    assert {row[3] for row in rows[1:]} == {"123.45"}
    sheet, cells = _xlsx(client.get("/alpha/admin/debtors.xlsx"))
    assert [c.value for c in cells[0][:4]] == ["name", "email", "reachable", "overdue"]
    assert sheet.freeze_panes == "B2"
    assert sorted(row[0].value for row in cells[1:]) == names
    assert all(row[0].data_type == "s" for row in cells[1:])  # text, never a formula
    assert {(row[3].value, row[3].data_type) for row in cells[1:]} == {(123.45, "n")}


def test_the_grid_exports_neutralise_formulas_and_keep_numbers(client, login_as, hostile):
    login_as("board")
    rows = _csv(client.get("/alpha/admin/payment-grid.csv?year=2026"))
    assert rows[0][:5] == ["building", "unit", "2026-01 due", "2026-01 paid", "2026-01 status"]
    assert {row[0] for row in rows[1:-1]} == {"'@SUM(1)"}
    assert sorted(row[1] for row in rows[1:-1]) == sorted("'" + name for name in HOSTILE)
    september = rows[0].index("2026-09 due")
    assert [row[september] for row in rows[1:-1]] == ["123.45"] * 4 and rows[-1][september] == "493.80"
    assert rows[1][september + 2] == "unpaid"
    sheet, cells = _xlsx(client.get("/alpha/admin/payment-grid.xlsx?year=2026"))
    assert sheet.freeze_panes == "C2" and sheet.title == "2026"
    assert all(row[1].data_type == "s" and str(row[1].value).startswith("'") for row in cells[1:-1])
    assert [row[september].value for row in cells[1:]] == [123.45] * 4 + [493.8]


def test_the_month_totals_are_reused_until_a_payment_changes_them(client, login_as, alpha, world):
    """The bottom row is cached per billing revision: a payment recorded through the board's page shows at once."""
    login_as("board")
    path = "/alpha/admin/payment-grid?year=2026"
    first = client.get(path)
    again = client.get(path)
    assert int(again.headers["X-Query-Count"]) == int(first.headers["X-Query-Count"]) - 2  # the sums, from the cache
    unpaid = Invoice.get(Invoice.total == 8000)  # unit 2, due 15 March
    response = client.submit(
        f"/alpha/admin/invoices/{unpaid.id}/payments", {"amount": "80", "paid_on": "2026-03-20"}, form_page=path
    )
    assert response.status_code in (200, 302)
    with client.application.test_request_context():
        months = overview.payment_grid(alpha, 2026, TODAY).months
    assert (months[2].settled, months[2].paid) == (4000 + 8000, 4000 + 8000)  # March: both paid now
