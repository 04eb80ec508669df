"""The bench association's data for bench/pages.py: board members, invoices and fault reports.

Runs inside the app, with the bench database's environment, after `flask demo --units N`
(resident i owns unit i):

    .venv/bin/python bench/_fill.py --residents 20 --board 20 --months 3 --reports 4000

- residents 1..R stay members (the residents' pages are measured as them);
- residents R+1..R+B join the board (the board's pages: each client its own account, so
  nothing cached per user flatters the numbers);
- every unit gets two monthly charges, and `--months` invoice runs are made through the real
  service (blueprints.billing.invoicing.create_run); four invoices in five are then paid;
- `--reports` fault reports and requests spread over the units, common areas and buildings,
  a third of them open, each with its "reported" event (as bench/faults.py writes them);
- `--documents` published documents over a year in the built-in folders (Notice board,
  Information, Minutes, Board only, a few in the Sidebar), a monthly and a yearly event among
  them, and the search index built for them;
- `--topics` discussion topics in the "All members" category, 20 to 120 posts each by the
  residents (indexed for the search with the documents);
- `--votes` ballots in a running poll counted by share (started through blueprints.votes.ballots, the
  ballots cast by residents 1..V through the casting service; none when 0);
- `--meter-months` monthly reading windows (default 13: a year of readings and the window open today), with
  a cold and a hot water meter in every unit and a main meter per building, as demo/meters.py makes them;
- `--settlement` (the default; `--no-settlement` leaves it out): last year's settlement of four services,
  run through blueprints.billing.settlement_run (an invoice per unit) and its statements delivered;
- `--vacancies` homes listed publicly (default 60, and a sixth as many ended), `--applicants` on the waiting
  list (default 500) and `--saved-searches` confirmed saved searches (default 200; and one per client
  waiting for its confirmation).

The data of later issues comes before the invoices: the settlement's invoices are then not a client's latest
invoice, and the invoice runs' "four in five paid" pays them too.

Prints one JSON line: for each resident client (1..R), its unit's id, its latest invoice's id, the
Notice board's id, a document it reads, a topic of 60 posts and the running poll (0 without --votes); the
open reading window, the settlement and the client's statement in it (0 without them); and for the
anonymous client of the same number a listed home and its saved search's confirmation token.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import sys
from decimal import Decimal
from pathlib import Path

import peewee as pw
from werkzeug.datastructures import MultiDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from listings import SCHEMES as LISTING_SCHEMES  # noqa: E402 (bench/listings.py: the national bench's mix)
from listings import TYPES as LISTING_TYPES  # noqa: E402

from app import create_app  # noqa: E402
from blueprints.billing import invoicing, settlement_pdf  # noqa: E402
from blueprints.listings import search as homes  # noqa: E402
from blueprints.listings.waiting_service import new_pseudonym  # noqa: E402
from core import (
    clock,  # noqa: E402
    images,  # noqa: E402
    search,  # noqa: E402
)
from demo import services as demo_services  # noqa: E402
from demo.listings import GIVEN as APPLICANT_GIVEN  # noqa: E402
from demo.listings import PHOTO_BOX, PHOTO_FOLDER, PHOTO_KIND  # noqa: E402
from demo.listings import SURNAMES as APPLICANT_SURNAMES  # noqa: E402
from demo.listings import _move_in as demo_move_in  # noqa: E402
from demo.listings import facade as demo_facade  # noqa: E402
from demo.listings import room as demo_room  # noqa: E402
from demo.meters import PLANS as METER_PLANS  # noqa: E402
from demo.meters import _add_months as add_months  # noqa: E402
from demo.meters import _Maker as MeterMaker  # noqa: E402
from demo.meters import monthly_periods  # noqa: E402
from demo.register import make_board  # noqa: E402
from models import Association, Invoice, Membership, OutboundEmail, Person, User  # noqa: E402
from models.billing import BillingSettings, Charge, Settlement, SettlementKey, SettlementUnit  # noqa: E402
from models.community import Category, Post, Thread  # noqa: E402
from models.db import db, transaction  # noqa: E402
from models.documents import Document, Folder  # noqa: E402
from models.faults import FaultEvent, FaultReport  # noqa: E402
from models.listings import (  # noqa: E402
    Applicant,
    ApplicantEvent,
    SavedSearch,
    SeekerRoute,
    Vacancy,
    VacancyPhoto,
    VacancyText,
    WaitingListRules,
)
from models.meters import Meter, ReadingWindow  # noqa: E402
from models.register import Building, Unit  # noqa: E402

SLUG = "bench"
FIRST_MONTH = dt.date(2026, 1, 1)
BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, required=True)
    parser.add_argument("--board", type=int, required=True)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--reports", type=int, default=4000)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--topics", type=int, default=500)
    parser.add_argument("--votes", type=int, default=0, help="ballots in a running poll (0: no poll)")
    parser.add_argument("--meter-months", type=int, default=13, help="monthly reading windows (0: no meters)")
    parser.add_argument("--settlement", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--vacancies", type=int, default=60)
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--saved-searches", type=int, default=200)
    args = parser.parse_args()
    if args.settlement and not args.meter_months:
        parser.error("--settlement shares the water by the meters: it needs --meter-months")
    app = create_app()
    # Not connection_context(): on PostgreSQL the poll's requests give their connection back to the pool
    # at their teardown (app.py), and the context's exit would then find nothing to close.
    db.connect(reuse_if_open=True)
    context = app.app_context()
    context.push()
    try:
        bench = Association.get(Association.slug == SLUG)
        for number in range(args.residents + 1, args.residents + args.board + 1):
            make_board(bench, resident(number))
        board = User.get(User.email == resident(args.residents + 1))
        set_up_billing(bench)
        if args.meter_months:
            install_meters(bench, args.meter_months)
        if args.settlement:
            settle_last_year(app, bench, board, args.residents)
        bill(bench, board, args.months)
        report_faults(bench, board, args.reports)
        start_discussions(bench, args.topics, args.residents)
        publish_documents(bench, board, args.documents)  # indexes the posts too
        vote_id = run_poll(app, bench, board, args.votes) if args.votes else 0
        list_vacancies(bench, board, args.vacancies, args.residents)
        fill_waiting_list(bench, args.applicants)
        tokens = save_searches(app, bench, args.saved_searches, args.residents)
        rows = client_rows(bench, args.residents, vote_id)
        for number, row in rows.items():
            row.update(later_rows(bench, int(number), tokens))
        print(json.dumps(rows))
    finally:
        context.pop()
        if not db.is_closed():
            db.close()


def resident(number: int) -> str:
    return f"resident{number}@{SLUG}.example"


def set_up_billing(bench: Association) -> None:
    """The association's account and reference standard, as its invoices and statements print them."""
    settings = BillingSettings.for_association(bench)
    settings.iban, settings.bic, settings.reference_standard = "EE382200221020145685", "HABAEE2X", "ee"
    settings.payee_address = "Bench street 1\n10111 Tallinn"
    settings.save()


def bill(bench: Association, board: User, months: int) -> None:
    """Two charges per unit, `months` monthly runs, four invoices in five paid in full."""
    rows = []
    for unit in Unit.of(bench).select(Unit.id, Unit.area):
        area = int(unit.area or 40)
        for position, (description, per_m2) in enumerate((("Management fee", 45), ("Repair fund", 60))):
            rows.append(
                dict(
                    association=bench.id, unit=unit.id, description=description, amount=area * per_m2, position=position
                )
            )
    with transaction():
        for start in range(0, len(rows), BATCH):
            Charge.insert_many(rows[start : start + BATCH]).execute()
    for n in range(months):
        year, index = divmod(FIRST_MONTH.month - 1 + n, 12)
        first = dt.date(FIRST_MONTH.year + year, index + 1, 1)
        invoicing.create_run(bench, first, issue_date=first - dt.timedelta(days=10), user=board)
    # Straight in the database, as bench/billing.py does: the lists then show every status.
    # Every fifth invoice open (peewee's % would be LIKE: the remainder is written out, as both databases
    # divide integers whole).
    paid = (Invoice.association == bench) & ((Invoice.number - Invoice.number / 5 * 5) != 0)
    Invoice.update(paid_total=Invoice.total).where(paid).execute()
    BillingSettings.bump(bench)  # as recording payments does


def report_faults(bench: Association, board: User, count: int) -> None:
    """`count` reports and requests over the units, common areas and buildings, each with its first event."""
    R = FaultReport
    units = list(Unit.of(bench).select(Unit.id, Unit.building, Unit.number).order_by(Unit.id))
    owners = {u.email: u.id for u in User.select(User.id, User.email).where(User.email.startswith("resident"))}
    now = clock.utcnow_naive()
    rows = []
    for i in range(count):
        unit = units[i % len(units)]
        created = now - dt.timedelta(minutes=37 * (count - i))
        status = ("new", "in_progress", "reopened")[i // 3 % 3] if i % 3 == 0 else ("resolved", "rejected")[i % 2]
        is_open = status in R.OPEN_STATUSES
        kind, place, responsible = "fault", "unit", ""
        if i % 7 == 0:
            place = "common_area"
        elif i % 11 == 0:
            place = "building"
        elif i % 13 == 0:
            kind, place, responsible = "request", "building", ("administration", "repairs", "accounts")[i % 3]
        rows.append(
            dict(
                association=bench.id, kind=kind, place=place, responsible=responsible,
                unit=unit.id if place == "unit" else None, building=unit.building_id,
                area="Laundry room" if place == "common_area" else "",
                category=R.CATEGORIES[i % len(R.CATEGORIES)], severity=R.SEVERITIES[i % 3],
                title=f"Report {i}: something is broken", details="It does not work. " * 5,
                reporter=owners.get(resident(int(unit.number))),
                assignee=board.id if i % 4 == 0 else None, status=status,
                deadline_at=now - dt.timedelta(hours=5) if is_open and i % 10 == 0 else created + dt.timedelta(days=30),
                created_at=created, updated_at=created, closed_at=None if is_open else created + dt.timedelta(days=1),
            )
        )  # fmt: skip
    with transaction():
        for start in range(0, len(rows), BATCH):
            R.insert_many(rows[start : start + BATCH]).execute()
        made = R.select(R.id, R.reporter, R.created_at).where(R.association == bench)
        events = [
            dict(report=r.id, actor=r.reporter_id, kind="created", to_status="new", created_at=r.created_at)
            for r in made
        ]
        for start in range(0, len(events), BATCH):
            FaultEvent.insert_many(events[start : start + BATCH]).execute()


# Folder key -> share of the documents.
FOLDER_SHARES = (("notice_board", 40), ("information", 20), ("minutes", 25), ("board", 14), ("sidebar", 1))
WORDS = "meeting minutes laundry heating roof budget cleaning garden water lift stairwell bicycles".split()


def publish_documents(bench: Association, board: User, count: int) -> None:
    """`count` published documents over the last year, newest last; two of them recurring events."""
    folders = {f.key: f for f in Folder.of(bench).where(Folder.key.is_null(False))}
    keys = [key for key, share in FOLDER_SHARES for _ in range(share)]
    now = clock.utcnow_naive()
    rows = []
    for i in range(count):
        words = " ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(40))
        created = now - dt.timedelta(minutes=(count - i) * 263)
        rows.append(
            dict(
                association=bench.id, folder=folders[keys[i % len(keys)]].id, title=f"Notice {i}: {WORDS[i % len(WORDS)]}",
                body=words, author=board.id, state=Document.PUBLISHED, notify=False, created_at=created,
                published_at=created, search_title=f"notice {i}: {WORDS[i % len(WORDS)]}",
            )
        )  # fmt: skip
    with transaction():
        for start in range(0, len(rows), BATCH):
            Document.insert_many(rows[start : start + BATCH]).execute()
        for rule, title in (("FREQ=MONTHLY", "Cleaning day"), ("FREQ=YEARLY", "General meeting")):
            Document.create(
                association=bench, folder=folders["notice_board"], title=title, author=board,
                state=Document.PUBLISHED, notify=False, created_at=now, published_at=now,
                event_start=now + dt.timedelta(days=3), event_rrule=rule,
            )  # fmt: skip
    search.rebuild(bench.id)


def start_discussions(bench: Association, count: int, residents: int) -> None:
    """`count` topics over the last year; the last `residents` hold 60 posts each (a client's own: its
    first page shows 30), the others 20 to 120."""
    everyone = Category.get((Category.association == bench) & (Category.key == Category.EVERYONE))
    authors = [m.user_id for m in Membership.select(Membership.user).where(Membership.association == bench)]
    now = clock.utcnow_naive()
    with transaction():
        for i in range(count):
            size = 60 if i >= count - residents else 20 + (i * 37) % 101
            start = now - dt.timedelta(minutes=(count - i) * 1000)
            thread = Thread.create(
                association=bench, category=everyone, title=f"Topic {i}: {WORDS[i % len(WORDS)]}",
                author=authors[i % len(authors)], post_count=size, created_at=start,
                last_post_at=start + dt.timedelta(minutes=size),
            )  # fmt: skip
            posts = [
                dict(
                    thread=thread.id, association=bench.id, number=n + 1, author=authors[(i + n) % len(authors)],
                    body=_post_text(i + n),
                    created_at=start + dt.timedelta(minutes=n),
                )
                for n in range(size)
            ]  # fmt: skip
            for at in range(0, len(posts), BATCH):
                Post.insert_many(posts[at : at + BATCH]).execute()


def run_poll(app, bench: Association, board: User, ballots_cast: int) -> int:
    """A running poll counted by share, three options, with a ballot from residents 1..`ballots_cast`."""
    from blueprints.votes import ballots, tally
    from models.votes import Vote, VoteOption

    with app.test_request_context():  # the services' messages and queue need the app
        vote = Vote.create(
            association=bench, title="Paint the stairwell?", author=board, counting=Vote.BY_SHARE,
            ends_at=clock.utcnow_naive() + dt.timedelta(days=14),
        )  # fmt: skip
        for position, label in enumerate(("Light grey", "Warm white", "Pale green")):
            VoteOption.create(vote=vote, position=position, label=label)
        vote = ballots.start(vote)
        options = [option_id for option_id, _label, _meaning in tally.options_of(vote.id)]
        unit_of = {int(u.number): u.id for u in Unit.of(bench).select(Unit.id, Unit.number)}
        emails = {resident(n): n for n in range(1, ballots_cast + 1)}
        members = (
            Membership.select(Membership, User)
            .join(User)
            .where((Membership.association == bench) & User.email.in_(list(emails)))
        )
        for member in members:
            number = emails[member.user.email]
            ballots.cast(vote, member, unit_of[number], options[number % 3])
    return vote.id


# Posts talk of other things than the documents; one in twenty mentions the laundry (the bench's search).
POST_WORDS = "neighbours yard parking noise stroller keys door mail package dog cat bins snow spring".split()


def _post_text(seed: int) -> str:
    text = " ".join(POST_WORDS[(seed * 5 + j) % len(POST_WORDS)] for j in range(25))
    return text + (" laundry" if seed % 20 == 0 else "")


# --- Meters (issue 14): what demo/meters.py makes for Kase 5, over the bench's units -----------------------


class BenchMeters(MeterMaker):
    """Kase 5's way (demo/meters.py): a cold and a hot water meter in every flat, read by its residents in a
    monthly window open from the 25th, the last `months` windows, the one open today among them; a main meter
    per building read by the board. One flat has not handed in the open window yet, one month of one flat is
    an estimate, one reading is flagged high and one hot water meter was replaced (the demo's cases, all in
    the client residents' flats)."""

    def __init__(self, bench: Association, units: list[Unit], months: int):
        super().__init__(bench, dict(METER_PLANS["kase5"], replaced_note="The old meter leaked; replaced."), units)
        self.periods = monthly_periods(self.today, months)
        self.installed_on = add_months(self.periods[0].start, -1).replace(day=10)  # as the demo's __init__


def install_meters(bench: Association, months: int) -> None:
    with transaction():
        BenchMeters(bench, list(Unit.active(bench).order_by(Unit.id)), months).make()


# --- The yearly settlement (issue 14): last year's, run and delivered -----------------------------------------

K = SettlementKey
SETTLEMENT_PLAN = dict(
    # demo/services.py's shape: (service, its advance charge, the key: (kind, per cent, meter kind)).
    services=[
        ("Water", "", [(K.CONSUMPTION, 60, Meter.COLD_WATER), (K.CONSUMPTION, 40, Meter.HOT_WATER)]),
        ("Heating", "", [(K.AREA, 50, ""), (K.SHARE, 50, "")]),
        ("Cleaning", "", [(K.EQUAL, 100, "")]),
        ("Lift", "", [(K.SHARE, 100, "")]),
    ],
    water_price=Decimal("3.85"),  # € per m³: the water company's bill on the main meters
    costs={"Heating": Decimal("1150000.00"), "Cleaning": Decimal("96000.00"), "Lift": Decimal("42000.00")},
    note="Settlement of services for {year}. Questions to the board within 30 days, please.",
)


def settle_last_year(app, bench: Association, board: User, clients: int) -> None:
    """Last year's settlement through the real preview and run (settlement_run.run): a statement row and an
    invoice per unit. The advances were not invoiced through Porch (the bench's invoices start this year), so
    every unit owes its whole share. Delivered as jobs.settlements does it for the client residents' units
    (their PDFs rendered and their mails written); the other units' statements are marked mailed straight in
    the database, their PDF a hard link to the first client's (nobody downloads those)."""
    from blueprints.billing import settlement_run
    from jobs import settlements as delivery

    year = bench.today().year - 1
    with app.test_request_context():  # the run's texts, the PDFs and the mails need the app
        with transaction():
            services = demo_services._services(bench, SETTLEMENT_PLAN)
            settlement = demo_services._draft(bench, SETTLEMENT_PLAN, services, year, board)
        settlement_run.enqueue = lambda *args, **kwargs: None  # the delivery is done below, not by the job
        settlement_run.run(settlement, user=board)
        settlement = Settlement.get_by_id(settlement.id)
        rows = dict(
            SettlementUnit.select(Unit.number, SettlementUnit.id).join(Unit).where(
                SettlementUnit.settlement == settlement.id
            ).tuples()
        )  # fmt: skip
        for number in range(1, clients + 1):
            delivery.deliver_unit(settlement, rows[str(number)])
        _mark_delivered(bench, settlement)


def _mark_delivered(bench: Association, settlement: Settlement) -> None:
    S = SettlementUnit
    first = S.select().where((S.settlement == settlement.id) & (S.stored_name != "")).order_by(S.id).first()
    source = settlement_pdf.statement_file(first.stored_name)
    subject = OutboundEmail.get_by_id(first.email_id).subject
    waiting = list(
        S.select(S.id, Person.email).join(Person, on=(S.person == Person.id))
        .where((S.settlement == settlement.id) & S.sent_at.is_null()).tuples()
    )  # fmt: skip
    delivered = min(clock.utcnow_naive(), dt.datetime.combine(settlement.deadline, dt.time(9)) - dt.timedelta(days=40))
    mails = [
        dict(
            association=bench.id, to_address=email, kind="settlement", language="en", subject=subject,
            body_text="(bench/_fill.py: the statement's mail, not written out)", status=OutboundEmail.SENT,
            created_at=delivered, sent_at=delivered,
        )
        for _row_id, email in waiting
    ]  # fmt: skip
    with transaction():
        before = OutboundEmail.select(pw.fn.MAX(OutboundEmail.id)).scalar() or 0
        for start in range(0, len(mails), BATCH):
            OutboundEmail.insert_many(mails[start : start + BATCH]).execute()
        mail_of = dict(
            OutboundEmail.select(OutboundEmail.to_address, OutboundEmail.id).where(OutboundEmail.id > before).tuples()
        )
        for row_id, email in waiting:
            name = f"{secrets.token_hex(16)}.pdf"  # as settlement_pdf.store names them
            os.link(source, source.with_name(name))
            S.update(stored_name=name, email=mail_of[email]).where(S.id == row_id).execute()
        S.update(sent_at=delivered, error="").where(S.settlement == settlement.id).execute()
        Settlement.update(state=Settlement.DONE, run_at=delivered - dt.timedelta(days=1), delivered_at=delivered).where(
            Settlement.id == settlement.id
        ).execute()


# --- Listings (issue 15): vacant homes, the waiting list, saved searches ----------------------------------


def list_vacancies(bench: Association, board: User, count: int, clients: int) -> None:
    """`count` vacant homes listed (a third moving in later, a third listed until a day), and a sixth as many
    ended ones, in units of residents after the clients' (resident 2C+1 on), each with an English description
    and two photos (stored once, shared), the contact form as the seekers' way and the youth homes' website."""
    today = bench.today()
    ended = count // 6
    numbers = [str(n) for n in spread(2 * clients + 1, Unit.of(bench).count(), count + ended)]
    units = list(Unit.of(bench).select(Unit.id, Unit.number, Unit.area, Unit.rooms).where(Unit.number.in_(numbers)))
    now = clock.utcnow_naive()
    rows = []
    for k, unit in enumerate(sorted(units, key=lambda u: int(u.number))):
        rent = int(round(float(unit.area or 40) * 9.5 / 5) * 5 * 100)  # € 9.50 a m², to whole 5 €
        listed = k < count
        if listed:  # moved in or moving in on a 1st or 15th; a third listed until a day
            move_in = demo_move_in(today, (k * 11) % 150 - 60)
            last_day = today + dt.timedelta(days=20 + k) if k % 3 == 1 else None
        else:
            move_in, last_day = today - dt.timedelta(days=200 + k), today - dt.timedelta(days=k)
        rows.append(
            dict(
                association=bench.id, unit=unit.id, move_in=move_in, ends_on=last_day, rent=rent, deposit=2 * rent,
                housing_type=LISTING_TYPES[k % len(LISTING_TYPES)], lift=k % 4 == 0, pets=k % 3 == 0,
                schemes=LISTING_SCHEMES[k % len(LISTING_SCHEMES)], waiting_months=(None, 3, 6, 12, 24)[k % 5],
                created_by=board.id, created_at=now, updated_at=now,
            )
        )  # fmt: skip
    photos = [
        images.store_image(io.BytesIO(picture), bench, kind=PHOTO_KIND, max_size=PHOTO_BOX, folder=PHOTO_FOLDER)
        for picture in (demo_facade(0), demo_room(0))
    ]
    with transaction():
        Vacancy.insert_many(rows).execute()
        made = [v.id for v in Vacancy.of(bench).select(Vacancy.id).order_by(Vacancy.id)]
        VacancyText.insert_many(
            [dict(vacancy=v, language="en", description=VACANCY_TEXT.format(n=v)) for v in made]
        ).execute()
        VacancyPhoto.insert_many(
            [
                dict(vacancy=v, stored_name=p.name, width=p.width, height=p.height, position=at, created_at=now)
                for v in made
                for at, p in enumerate(photos)
            ]
        ).execute()
        SeekerRoute.create(association=bench, kind=SeekerRoute.FORM, email=f"letting@{SLUG}.example")
        SeekerRoute.create(association=bench, housing_type=Vacancy.YOUTH, kind=SeekerRoute.WEBSITE, url=YOUTH_URL)


VACANCY_TEXT = "A bright home (listing {n}) near the park, with a balcony to the yard and a bus stop at the door."
YOUTH_URL = f"https://{SLUG}.example/youth-homes"


def spread(first: int, last: int, count: int) -> list[int]:
    """`count` numbers spread evenly from `first` to `last`."""
    if count <= 1:
        return [first][:count]
    return [first + (last - first) * k // (count - 1) for k in range(count)]


def fill_waiting_list(bench: Association, count: int) -> None:
    """`count` applicants over ten years of seniority: most active, some passive, not yet confirmed or housed,
    with wishes (types, departments, rooms, rent, accessibility) and each one's "signed up" event; a fee of
    € 150 a year and a quarter of the homes to the internal list first."""
    today = bench.today()
    departments = [b.id for b in Building.of(bench).order_by(Building.id)]
    WaitingListRules.create(association=bench, fee=15_000, internal_share=25)
    rows = []
    for n in range(count):
        status = (Applicant.PASSIVE if n % 12 == 5 else Applicant.PENDING if n % 16 == 7
                  else Applicant.HOUSED if n % 17 == 3 else Applicant.ACTIVE)  # fmt: skip
        signed_up = today - dt.timedelta(days=(count - n) * 3650 // count)
        seniority = None if status == Applicant.PENDING else signed_up
        if status == Applicant.PENDING:
            signed_up = today - dt.timedelta(days=n % 3)
        due = None if seniority is None else next_anniversary(seniority, today)  # the renewal falls due
        given, surname = APPLICANT_GIVEN[n % len(APPLICANT_GIVEN)], APPLICANT_SURNAMES[n * 7 % len(APPLICANT_SURNAMES)]
        rows.append(
            dict(
                association=bench.id, name=f"{given} {surname}", email=f"applicant{n}@seeker.example",
                birth_date=dt.date(1950 + n % 56, 1 + n % 12, 1 + n % 28), language="en",
                housing_types=" ".join(APPLICANT_TYPES[n % len(APPLICANT_TYPES)]),
                departments=" ".join(str(d) for d in departments[n % len(departments):][: n % 3]),
                rooms_from=(None, 1, 2, 3)[n % 4], max_rent=(None, 60_000, 80_000, 120_000)[n % 4],
                accessibility=("", "", "", "step_free", "lift", "step_free wheelchair")[n % 6], internal=n % 9 == 0,
                status=status, pseudonym=new_pseudonym(), signed_up_at=dt.datetime.combine(signed_up, dt.time(10)),
                seniority_on=seniority, paid_until=due,
                unanswered=Applicant.PASSIVE_AFTER if status == Applicant.PASSIVE else 0,
            )
        )  # fmt: skip
    with transaction():
        for start in range(0, len(rows), BATCH):
            Applicant.insert_many(rows[start : start + BATCH]).execute()
        events = [
            dict(
                association=bench.id, applicant=a.id, applicant_number=a.id, pseudonym=a.pseudonym,
                seniority_on=a.seniority_on, housing_types=a.housing_types, kind="signed_up",
                created_at=dt.datetime.combine(a.seniority_on, dt.time(10)),
            )
            for a in Applicant.of(bench).where(Applicant.seniority_on.is_null(False))
        ]  # fmt: skip
        for start in range(0, len(events), BATCH):
            ApplicantEvent.insert_many(events[start : start + BATCH]).execute()


def next_anniversary(day: dt.date, today: dt.date) -> dt.date:
    """The day's next anniversary after today (as demo/listings.py dates the renewals)."""
    this_year = day.replace(year=today.year) if (day.month, day.day) != (2, 29) else today
    return this_year if this_year > today else this_year + dt.timedelta(days=365)


APPLICANT_TYPES = (("family",), ("family", "senior"), ("youth",), ("family",), ("senior",), ("youth", "family"))


def save_searches(app, bench: Association, count: int, clients: int) -> list[str]:
    """`count` confirmed saved searches (the bench's own and the install's, alternately) and one waiting for
    its confirmation per client, made just now; returns the clients' confirmation tokens (the mailed link's)."""
    from blueprints.listings import saved_searches

    now = clock.utcnow_naive()
    tokens = [f"bench-{number}-{secrets.token_urlsafe(24)}" for number in range(1, clients + 1)]
    with app.test_request_context():  # the sender key's secret
        rows = []
        for n in range(count + clients):
            args = MultiDict(SAVED_FILTERS[n % len(SAVED_FILTERS)])
            waiting = n >= count
            rows.append(
                dict(
                    association=bench.id if n % 2 == 0 else None, email=f"seeker{n}@seeker.example", language="en",
                    query=homes.query_string(homes.Filters.from_args(args)),
                    token_hash=hashlib.sha256(tokens[n - count].encode()).hexdigest() if waiting else None,
                    sender_key=saved_searches.sender_key(f"198.51.100.{n % 250}"),
                    created_at=now if waiting else now - dt.timedelta(days=1 + n % 300),
                    confirmed_at=None if waiting else now - dt.timedelta(days=n % 300),
                )
            )  # fmt: skip
    with transaction():
        for start in range(0, len(rows), BATCH):
            SavedSearch.insert_many(rows[start : start + BATCH]).execute()
    return tokens


SAVED_FILTERS = (
    [("rooms_min", "2")],
    [("rent_max", "800"), ("pets", "1")],
    [("type", "youth")],
    [("access", "step_free"), ("rooms_min", "3")],
    [("type", "senior"), ("access", "lift")],
)


def client_rows(bench: Association, residents: int, vote_id: int = 0) -> dict[str, dict[str, int]]:
    """Resident number -> the unit it owns, its latest invoice, the Notice board, one of its documents,
    a topic of its own and the running poll."""
    rows = {}
    # The topics, not the running vote's discussion (made when the vote starts, with no posts).
    topics = [
        t.id
        for t in Thread.of(bench)
        .select(Thread.id)
        .where(Thread.category.is_null(False))
        .order_by(Thread.id.desc())
        .limit(residents)
    ]
    for number in range(1, residents + 1):
        unit = Unit.get((Unit.association == bench) & (Unit.number == str(number)))
        person = Person.get((Person.association == bench) & (Person.email == resident(number)))
        invoice = Invoice.of(bench).where(Invoice.recipient == person).order_by(Invoice.id.desc()).first()
        notices = Folder.get((Folder.association == bench) & (Folder.key == Folder.NOTICE_BOARD))
        document = (
            Document.select(Document.id)
            .where((Document.folder == notices) & (Document.state == Document.PUBLISHED))
            .order_by(Document.id.desc())
            .offset(number)
            .first()
        )
        rows[str(number)] = dict(
            unit=unit.id,
            invoice=invoice.id,
            folder=notices.id,
            document=document.id,
            thread=topics[number - 1],
            vote=vote_id,
        )
    return rows


def later_rows(bench: Association, number: int, tokens: list[str]) -> dict[str, int | str]:
    """Client `number`'s rows of the later issues: the open reading window, last year's settlement and its
    own statement in it, a listed home and its saved search's confirmation token (0 or "" without them)."""
    window = ReadingWindow.of(bench).where(ReadingWindow.open_on(bench.today())).first()
    settlement = Settlement.of(bench).order_by(Settlement.year.desc()).first()
    statement = None
    if settlement is not None:
        statement = (
            SettlementUnit.select(SettlementUnit.id)
            .join(Unit)
            .where((SettlementUnit.settlement == settlement.id) & (Unit.number == str(number)))
            .first()
        )
    today = bench.today()
    homes_listed = [v.id for v in Vacancy.of(bench).where(Vacancy.listed_on(today)).order_by(Vacancy.id)]
    return dict(
        window=window.id if window else 0,
        settlement=settlement.id if settlement else 0,
        statement=statement.id if statement else 0,
        vacancy=homes_listed[(number - 1) % len(homes_listed)] if homes_listed else 0,
        saved=tokens[number - 1] if number <= len(tokens) else "",
    )


if __name__ == "__main__":
    main()
