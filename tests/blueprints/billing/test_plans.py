"""Instalment plans (issue 13 item 5): an exact schedule, a plan that moves the debt without changing what the
debtor owes, completion when every instalment is paid, cancellation that invoices the rest, and a resident
who sees their own plan and nobody else's."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from blueprints.billing import allocation, plans
from blueprints.billing.plans import PlanError, add_months, schedule
from models import Person
from models.billing import InstalmentPlan, Invoice, PlanDebt
from tests.factories.billing import make_billing, make_invoice, make_payment, make_unit

TODAY = dt.date(2026, 12, 20)


@pytest.fixture
def debtor(app, alpha, make_person, frozen_clock):
    """Dana owes for September (overdue, 100.00), October (overdue, 100.00 of which 30.00 paid) and
    December (not yet due, 40.00)."""
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    dana = make_person(alpha, email="dana@example.org", given_name="Dana", surname="Debtor")
    unit = make_unit(alpha, "12")
    dana.september = _invoice(alpha, dana, unit, dt.date(2026, 9, 30), 10000)
    dana.october = _invoice(alpha, dana, unit, dt.date(2026, 10, 31), 10000)
    make_payment(dana.october, 3000)
    dana.december = _invoice(alpha, dana, unit, dt.date(2026, 12, 31), 4000)
    dana.unit = unit
    return dana


def _invoice(alpha, person, unit, due, amount):
    return make_invoice(
        alpha, person, unit=unit, lines=[("Fee", amount, 0)], issue_date=due - dt.timedelta(days=15), due_date=due
    )


def owed(person) -> int:
    """What the person owes in all: the open amounts of their invoices."""
    return sum(i.outstanding for i in Invoice.select().where(Invoice.recipient == person.id))


def fresh(invoice) -> Invoice:
    return Invoice.get_by_id(invoice.id)


def text(response) -> str:
    return response.get_data(as_text=True).replace("\u00a0", " ")


# --- the schedule -------------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [1, 2, 99, 100, 101, 17000, 123457, 10**12 + 7])
@pytest.mark.parametrize("count", [1, 2, 3, 7, 12, 60])
def test_the_schedule_adds_up_exactly_with_the_remainder_on_the_first(total, count):
    if total < count:
        with pytest.raises(PlanError):
            schedule(total, count, TODAY)
        return
    parts = schedule(total, count, TODAY)
    assert sum(p.amount for p in parts) == total
    assert [p.number for p in parts] == list(range(1, count + 1))
    rest = [p.amount for p in parts[1:]]
    assert len(set(rest)) <= 1 and all(a == total // count for a in rest)
    assert parts[0].amount == total // count + total % count


def test_due_dates_keep_the_day_or_take_the_months_last():
    parts = schedule(600, 6, dt.date(2027, 1, 31), interval_months=1)
    assert [p.due_date for p in parts] == [
        dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31),
        dt.date(2027, 4, 30), dt.date(2027, 5, 31), dt.date(2027, 6, 30),
    ]  # fmt: skip
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)  # a leap year
    assert [p.due_date for p in schedule(300, 3, dt.date(2027, 1, 15), interval_months=4)] == [
        dt.date(2027, 1, 15), dt.date(2027, 5, 15), dt.date(2027, 9, 15),
    ]  # fmt: skip


# --- making a plan through the board's pages --------------------------------------------------------


def test_the_form_chooses_the_overdue_invoices_and_the_preview_shows_the_schedule(client, login_as, debtor):
    login_as("board")
    page = text(client.get(f"/alpha/admin/debtors/{debtor.id}/plans/new"))
    ticked = set(re.findall(r'<input checked id="[^"]+" name="invoices" type="checkbox" value="(\d+)">', page))
    assert ticked == {str(debtor.september.id), str(debtor.october.id)}  # December is not yet due
    preview = text(
        client.submit(
            f"/alpha/admin/debtors/{debtor.id}/plans/new",
            {"invoices": [debtor.september.id, debtor.october.id], "instalment_count": "3",
             "first_due": "2027-01-31", "interval_months": "1", "action": "preview"},
        )
    )  # fmt: skip
    assert "Preview: nothing has been made yet" in preview
    # 170.00 in three: 56.68 first (it carries the remainder), then 56.66 twice.
    assert re.findall(r"SEK (56\.6\d)", preview) == ["56.68", "56.66", "56.66"]
    assert "first instalment also carries the remainder of SEK 0.02" in preview
    assert "28 Feb 2027" in preview and "31 Mar 2027" in preview
    assert not InstalmentPlan.select().exists() and owed(debtor) == 10000 + 7000 + 4000


def _make(client, debtor, count="3", expected="17000", invoices=None):
    invoices = invoices or [debtor.september.id, debtor.october.id]
    return client.submit(
        f"/alpha/admin/debtors/{debtor.id}/plans/new",
        {"invoices": invoices, "instalment_count": count, "first_due": "2027-01-31", "interval_months": "1",
         "note": "Agreed on the phone", "action": "create", "expected_total": expected},
    )  # fmt: skip


def test_making_a_plan_moves_the_debt_into_instalments_and_the_total_owed_stays(client, login_as, debtor, outbox):
    login_as("board")
    before = owed(debtor)
    response = _make(client, debtor)
    plan = InstalmentPlan.get()
    assert response.status_code == 302 and response.location.endswith(f"/alpha/admin/plans/{plan.id}")
    assert (plan.total, plan.instalment_count, plan.state, plan.unit_id) == (17000, 3, "active", debtor.unit.id)
    assert plan.note == "Agreed on the phone"
    # The originals read as settled: what was open on each was credited into the plan.
    assert fresh(debtor.september).outstanding == 0 and fresh(debtor.october).outstanding == 0
    assert fresh(debtor.october).paid_total == 3000  # the payment stays recorded
    notes = list(Invoice.select().where(Invoice.kind == Invoice.CREDIT_NOTE).order_by(Invoice.number))
    assert [(n.credits_id, n.total, n.purpose) for n in notes] == [
        (debtor.september.id, -10000, Invoice.INTO_PLAN),
        (debtor.october.id, -7000, Invoice.INTO_PLAN),
    ]
    assert all(n.message == f"Moved to instalment plan {plan.id}" for n in notes)
    assert sorted((d.invoice_id, d.amount) for d in PlanDebt.select()) == [
        (debtor.september.id, 10000), (debtor.october.id, 7000),
    ]  # fmt: skip
    instalments = list(plan.instalments.order_by(Invoice.due_date))
    assert [(i.total, i.due_date, i.issue_date, i.purpose) for i in instalments] == [
        (5668, dt.date(2027, 1, 31), TODAY, Invoice.INSTALMENT),
        (5666, dt.date(2027, 2, 28), TODAY, Invoice.INSTALMENT),
        (5666, dt.date(2027, 3, 31), TODAY, Invoice.INSTALMENT),
    ]
    assert len({i.reference for i in instalments}) == 3 and all(i.reference for i in instalments)
    assert owed(debtor) == before  # nothing was forgiven, nothing added
    assert fresh(debtor.december).outstanding == 4000  # not chosen, not moved
    # Each instalment goes out as any new invoice does.
    assert sorted(m.subject for m in outbox.rows(kind="invoice")) == sorted(
        f"Invoice {i.number} from Alpha Housing" for i in instalments
    )


def test_a_plan_is_not_made_when_a_payment_changed_the_debt_after_the_preview(client, login_as, debtor):
    login_as("board")
    make_payment(debtor.september, 1000)  # after the board saw 170.00
    response = _make(client, debtor, expected="17000")
    assert response.status_code == 409 and "changed meanwhile" in text(response)
    assert not InstalmentPlan.select().exists() and fresh(debtor.september).credited_total == 0


def test_an_instalment_cannot_move_into_another_plan(app, alpha, debtor, outbox):
    with app.test_request_context():
        made = plans.create_plan(debtor, [debtor.september.id], 2, TODAY)
        with pytest.raises(PlanError):
            plans.create_plan(debtor, [made.instalments[0].id], 2, TODAY)
        with pytest.raises(PlanError):  # the first due date in the past
            plans.create_plan(debtor, [debtor.october.id], 2, TODAY - dt.timedelta(days=1))
    assert InstalmentPlan.select().count() == 1


# --- completing -------------------------------------------------------------------------------------


def test_the_plan_completes_when_every_instalment_is_paid(app, alpha, client, login_as, debtor, outbox):
    with app.test_request_context():
        made = plans.create_plan(debtor, [debtor.september.id, debtor.october.id], 2, TODAY)
        plan = made.plan
        allocation.receive(debtor, 8500, TODAY, first=made.instalments[0], settle_others=False)
        assert plans.settle_plans_of([made.instalments[0].id]) == 0  # one of two paid: still kept
        assert InstalmentPlan.get_by_id(plan.id).state == InstalmentPlan.ACTIVE
        allocation.receive(debtor, 8500, TODAY, first=made.instalments[1], settle_others=False)
        assert plans.settle_plans_of([made.instalments[1].id]) == 1
    done = InstalmentPlan.get_by_id(plan.id)
    assert done.state == InstalmentPlan.COMPLETED and done.ended_at is not None
    login_as("board")
    page = text(client.get(f"/alpha/admin/plans/{plan.id}"))
    assert 'state-plan-completed">Completed' in page and "Cancel the plan" not in page
    assert page.count('state-instalment-paid">Paid') == 2


def test_a_page_marks_a_plan_completed_when_its_last_instalment_was_paid(app, client, login_as, debtor, outbox):
    with app.test_request_context():
        made = plans.create_plan(debtor, [debtor.october.id], 1, TODAY)
    make_payment(made.instalments[0], 7000)  # paid without the plans being told
    login_as("board")
    assert 'state-plan-completed">Completed' in text(client.get("/alpha/admin/plans"))
    assert InstalmentPlan.get_by_id(made.plan.id).state == InstalmentPlan.COMPLETED


def test_the_plan_page_shows_paid_left_and_what_is_late(app, client, login_as, debtor, frozen_clock, outbox):
    with app.test_request_context():
        made = plans.create_plan(debtor, [debtor.september.id, debtor.october.id], 3, dt.date(2027, 1, 31))
    make_payment(made.instalments[0], 5668)
    make_payment(made.instalments[1], 1000)
    frozen_clock.set(dt.datetime(2027, 3, 5, 9))  # February's is late now, March's not yet due
    login_as("board")
    page = text(client.get(f"/alpha/admin/plans/{made.plan.id}"))
    statuses = re.findall(r'state-instalment-(\w+)">(\w+)<', page)
    assert statuses == [("paid", "Paid"), ("late", "Late"), ("open", "Open")]
    assert "1 instalment is late: SEK 46.66 to pay now." in page
    assert "<dt>Paid</dt><dd>SEK 66.68</dd>" in page and "<dt>Remaining</dt><dd>SEK 103.32</dd>" in page
    listing = text(client.get("/alpha/admin/plans"))
    assert "Dana Debtor" in listing and "SEK 46.66" in listing


# --- cancelling --------------------------------------------------------------------------------------------


def test_cancelling_credits_the_unpaid_instalments_and_invoices_the_rest_at_once(app, client, login_as, debtor, outbox):
    with app.test_request_context():
        made = plans.create_plan(debtor, [debtor.september.id, debtor.october.id], 3, dt.date(2027, 1, 31))
    make_payment(made.instalments[0], 5668)
    make_payment(made.instalments[1], 1000)  # partly paid: 46.66 of it is left
    before = owed(debtor)
    login_as("board")
    path = f"/alpha/admin/plans/{made.plan.id}/cancel"
    assert "Are you sure?" in text(client.get(path))
    refused = client.submit(path, {"reason": "  "})
    assert refused.status_code == 422 and InstalmentPlan.get().state == InstalmentPlan.ACTIVE
    response = client.submit(path, {"reason": "Two instalments missed"})
    assert response.status_code == 302
    plan = InstalmentPlan.get()
    assert plan.state == InstalmentPlan.CANCELLED and "Two instalments missed" in plan.note
    assert [fresh(i).outstanding for i in made.instalments] == [0, 0, 0]
    rest = Invoice.get((Invoice.plan == plan.id) & (Invoice.purpose == Invoice.CHARGES))
    assert (rest.total, rest.issue_date, rest.due_date) == (4666 + 5666, TODAY, TODAY)
    assert rest.message == f"Remaining debt of instalment plan {plan.id}"
    assert owed(debtor) == before
    page = text(client.get(f"/alpha/admin/plans/{plan.id}"))
    assert f"invoice {rest.number} asks for the remaining SEK 103.32" in page
    assert client.submit(path, {"reason": "again"}).status_code == 409  # ended: nothing more happens
    assert Invoice.select().where(Invoice.message == rest.message).count() == 1


# --- the resident's own plan -----------------------------------------------------------------------------


def test_a_resident_sees_their_own_plan_and_nobody_elses(
    app, alpha, client, new_client, login, make_user, debtor, outbox
):
    member = make_user(alpha, "member@alpha.example", "member")
    mine = Person.get(Person.user == member)
    their = make_invoice(alpha, mine, lines=[("Fee", 9000, 0)], issue_date=dt.date(2026, 10, 1),
                         due_date=dt.date(2026, 10, 15))  # fmt: skip
    board = make_user(alpha, "board@alpha.example", "board")
    with app.test_request_context():
        my_plan = plans.create_plan(mine, [their.id], 3, dt.date(2027, 1, 15)).plan
        other_plan = plans.create_plan(debtor, [debtor.september.id], 2, dt.date(2027, 1, 15)).plan
    login(client, member.email)
    page = text(client.get(f"/alpha/balance/plans/{my_plan.id}"))
    assert f"Instalment plan {my_plan.id}" in page and "SEK 30.00" in page and "Cancel the plan" not in page
    assert client.get(f"/alpha/balance/plans/{other_plan.id}").status_code == 404
    assert client.get(f"/alpha/admin/plans/{my_plan.id}").status_code == 403
    assert client.get("/alpha/balance/plans/99999").status_code == 404
    board_client = new_client()
    login(board_client, board.email)
    assert board_client.get(f"/alpha/balance/plans/{my_plan.id}").status_code == 404  # the board has its own page
    assert board_client.get(f"/alpha/admin/plans/{my_plan.id}").status_code == 200
    with app.test_request_context():
        from blueprints.billing.plans import active_plans_of
        from models import Membership

        membership = Membership.get(Membership.user == member)
        assert [p.id for p in active_plans_of(membership)] == [my_plan.id]


def test_my_balance_links_to_the_plans_kept(app, alpha, client, login, make_user, debtor):
    member = make_user(alpha, "member@alpha.example", "member")
    mine = Person.get(Person.user == member)
    their = make_invoice(alpha, mine, lines=[("Fee", 9000, 0)], issue_date=dt.date(2026, 10, 1),
                         due_date=dt.date(2026, 10, 15))  # fmt: skip
    with app.test_request_context():
        kept = plans.create_plan(mine, [their.id], 3, dt.date(2027, 1, 15)).plan
        plans.create_plan(debtor, [debtor.september.id], 2, dt.date(2027, 1, 15))  # someone else's
    login(client, member.email)
    page = text(client.get("/alpha/balance"))
    assert f'href="/alpha/balance/plans/{kept.id}"' in page
    assert f"Instalment plan {kept.id}: 3 instalments, SEK 90.00" in page
    assert page.count("/alpha/balance/plans/") == 1
