"""The waiting list's hourly job with the clock under the test's control: an offer left unanswered past its
deadline counts, the third in a row makes the applicant passive (seniority kept, no offers, a mail saying how
to come back) until they reactivate from their page; the yearly renewal is reminded 30 and 7 days before it is
due, once each, and seniority is lost after the grace period; `flask jobs tick` runs it."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.listings import waiting_service
from jobs.waiting_list import sweep
from models.listings import Applicant, ApplicantEvent, Offer, WaitingListRules
from tests.factories.listings import make_applicant, make_vacancy
from tests.factories.register import make_building, make_unit

NOW = dt.datetime(2026, 4, 10, 9, 0)


@pytest.fixture
def clock_at(frozen_clock):
    frozen_clock.set(NOW)
    return frozen_clock


def offer_round(app, association, home) -> list:
    with app.app_context():
        return waiting_service.send_offers(association, home)


def run(app):
    with app.app_context():
        return sweep()


def test_three_unanswered_offers_make_an_applicant_passive_until_they_come_back(app, client, alpha, clock_at, outbox):
    building = make_building(alpha, "Engen")
    homes = [make_vacancy(make_unit(alpha, f"E{n}", building=building, rooms=2)) for n in range(4)]
    ole = make_applicant(alpha, "Ole Olsen", dt.date(2015, 1, 1), email="ole@o.example")
    WaitingListRules.create(association=alpha, offer_batch=1, reply_days=2)
    for number, home in enumerate(homes[:3]):
        (offer,) = offer_round(app, alpha, home)
        assert offer.applicant_id == ole.id
        assert run(app) == (0, 0, 0)  # not yet past the deadline
        clock_at.advance(dt.timedelta(days=3))
        assert run(app)[0] == 1 and run(app)[0] == 0  # once
        ole = Applicant.get_by_id(ole.id)
        assert ole.unanswered == number + 1
    assert ole.status == Applicant.PASSIVE and ole.seniority_on == dt.date(2015, 1, 1)
    (mail,) = outbox.rows(kind="waiting_passive")
    assert mail.to_address == "ole@o.example" and "/alpha/waiting-list/link" in mail.body_text
    assert offer_round(app, alpha, homes[3]) == []  # passive: no offers
    # Ole comes back from his page: offers again, seniority kept.
    with client.session_transaction() as session:
        session[f"waiting_list:{alpha.id}"] = waiting_service.issue_token(ole, "session")
    assert "Send me offers again" in client.get("/alpha/waiting-list/me").get_data(as_text=True)
    assert client.submit("/alpha/waiting-list/me/reactivate", {}, form_page="/alpha/waiting-list/me").status_code == 302
    ole = Applicant.get_by_id(ole.id)
    assert (ole.status, ole.unanswered) == (Applicant.ACTIVE, 0)
    assert [offer.applicant_id for offer in offer_round(app, alpha, homes[3])] == [ole.id]
    kinds = [
        e.kind for e in ApplicantEvent.select().where(ApplicantEvent.applicant == ole.id).order_by(ApplicantEvent.id)
    ]
    assert kinds.count("unanswered") == 3 and kinds.index("passive") < kinds.index("reactivated")


def test_an_answer_breaks_the_run_of_unanswered_offers(app, alpha, clock_at, outbox):
    building = make_building(alpha, "Engen")
    homes = [make_vacancy(make_unit(alpha, f"E{n}", building=building)) for n in range(3)]
    ole = make_applicant(alpha, "Ole Olsen", dt.date(2015, 1, 1))
    WaitingListRules.create(association=alpha, offer_batch=1, reply_days=1)
    for number, home in enumerate(homes):
        (offer,) = offer_round(app, alpha, home)
        if number == 1:
            Offer.update(status=Offer.DECLINED).where(Offer.id == offer.id).execute()
            Applicant.update(unanswered=0).where(Applicant.id == ole.id).execute()
        clock_at.advance(dt.timedelta(days=2))
        run(app)
    assert Applicant.get_by_id(ole.id).status == Applicant.ACTIVE and Applicant.get_by_id(ole.id).unanswered == 1


def test_renewal_reminders_then_loss_of_seniority(app, alpha, clock_at, outbox):
    WaitingListRules.create(association=alpha, fee=20_000, grace_days=30)
    due = dt.date(2026, 5, 20)
    mette = make_applicant(alpha, "Mette Madsen", dt.date(2012, 5, 20), email="mette@m.example", paid_until=due)
    paid = make_applicant(alpha, "Per Poulsen", dt.date(2013, 5, 20), paid_until=dt.date(2026, 9, 1))
    assert run(app) == (0, 0, 0)  # 40 days before: nothing yet
    clock_at.set(dt.datetime(2026, 4, 21, 9))  # 29 days before: the first reminder, once
    assert run(app)[1] == 1 and run(app)[1] == 0
    clock_at.set(dt.datetime(2026, 5, 14, 9))  # 6 days before: the second
    assert run(app)[1] == 1 and run(app)[1] == 0
    reminders = outbox.rows(kind="waiting_renewal")
    assert [row.to_address for row in reminders] == ["mette@m.example"] * 2
    assert "200.00" in reminders[0].body_text and "20 Jun 2026" in reminders[0].body_text  # loses it then
    clock_at.set(dt.datetime(2026, 6, 19, 9))  # the last day of grace: seniority kept
    assert run(app) == (0, 0, 0)
    clock_at.set(dt.datetime(2026, 6, 20, 9))
    assert run(app)[2] == 1 and run(app)[2] == 0
    mette = Applicant.get_by_id(mette.id)
    assert (mette.seniority_on, mette.paid_until) == (dt.date(2026, 6, 20), dt.date(2027, 6, 20))  # due again
    (lost,) = outbox.rows(kind="waiting_seniority_lost")
    assert lost.to_address == "mette@m.example" and "20 May 2012" in lost.body_text
    event = ApplicantEvent.get((ApplicantEvent.applicant == mette.id) & (ApplicantEvent.kind == "seniority_lost"))
    assert event.seniority_on == dt.date(2012, 5, 20)  # those behind her see she was ahead
    assert Applicant.get_by_id(paid.id).seniority_on == dt.date(2013, 5, 20)
    # Now first in line: Per.
    assert waiting_service.positions(Applicant.get_by_id(paid.id)) == {"family": 1}


def test_unconfirmed_sign_ups_go_after_three_days_and_the_tick_runs_the_job(app, alpha, clock_at, outbox):
    with app.app_context():
        waiting_service.sign_up(
            alpha, name="Pia Pending", email="pia@p.example", birth_date=dt.date(1990, 1, 1), language="en",
            wishes=waiting_service.Wishes(["family"], [], None, None, []),
        )  # fmt: skip
    make_applicant(alpha, "Kim Kept", dt.date(2020, 1, 1), email="kim@k.example")
    with app.app_context():
        waiting_service.request_link(alpha, "kim@k.example")
    assert [row.to_address for row in outbox.rows()] == ["pia@p.example", "kim@k.example"]
    clock_at.advance(dt.timedelta(days=3, minutes=1))
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    assert "0 waiting-list offer(s) expired" in result.output
    assert [applicant.name for applicant in Applicant.select()] == ["Kim Kept"]
    assert [row.to_address for row in outbox.rows()] == ["kim@k.example"]  # Pia's mail went with her


def test_renewals_start_when_a_fee_comes_later_and_go_on_after_seniority_is_lost(app, alpha, clock_at, outbox):
    ida = make_applicant(alpha, "Ida Early", dt.date(2015, 1, 1), email="ida@i.example")  # joined without a fee
    rules = WaitingListRules.create(association=alpha, fee=None, grace_days=30)
    with app.app_context():
        rules.fee = 20_000
        rules.save()
        assert waiting_service.start_renewals(alpha) == 1
    assert Applicant.get_by_id(ida.id).paid_until == dt.date(2027, 4, 10)
    clock_at.set(dt.datetime(2027, 3, 20, 9))
    assert run(app) == (0, 1, 0)
    clock_at.set(dt.datetime(2027, 5, 11, 9))  # past the grace period
    assert run(app) == (0, 0, 1)
    ida = Applicant.get_by_id(ida.id)
    assert (ida.seniority_on, ida.paid_until) == (dt.date(2027, 5, 11), dt.date(2028, 5, 11))
    clock_at.set(dt.datetime(2028, 6, 11, 9))  # unpaid again: reminded and losing it again, not free for ever
    assert run(app)[2] == 1
    assert Applicant.get_by_id(ida.id).seniority_on == dt.date(2028, 6, 11)
