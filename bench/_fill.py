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
  ballots cast by residents 1..V through the casting service; none when 0).

Prints one JSON line: for each resident client (1..R), its unit's id, its latest invoice's id, the
Notice board's id, a document it reads, a topic of 60 posts and the running poll (0 without --votes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from app import create_app  # noqa: E402
from blueprints.billing import invoicing  # noqa: E402
from core import (
    clock,  # noqa: E402
    search,  # noqa: E402
)
from demo.register import make_board  # noqa: E402
from models import Association, Invoice, Membership, Person, User  # noqa: E402
from models.billing import BillingSettings, Charge  # noqa: E402
from models.community import Category, Post, Thread  # noqa: E402
from models.db import db, transaction  # noqa: E402
from models.documents import Document, Folder  # noqa: E402
from models.faults import FaultEvent, FaultReport  # noqa: E402
from models.register import Unit  # noqa: E402

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
    args = parser.parse_args()
    app = create_app()
    # Not connection_context(): on PostgreSQL the poll's requests give their connection back to the pool
    # at their teardown (app.py), and the context's exit would then find nothing to close.
    db.connect(reuse_if_open=True)
    try:
        bench = Association.get(Association.slug == SLUG)
        for number in range(args.residents + 1, args.residents + args.board + 1):
            make_board(bench, resident(number))
        board = User.get(User.email == resident(args.residents + 1))
        bill(bench, board, args.months)
        report_faults(bench, board, args.reports)
        start_discussions(bench, args.topics, args.residents)
        publish_documents(bench, board, args.documents)  # indexes the posts too
        vote_id = run_poll(app, bench, board, args.votes) if args.votes else 0
        print(json.dumps(client_rows(bench, args.residents, vote_id)))
    finally:
        if not db.is_closed():
            db.close()


def resident(number: int) -> str:
    return f"resident{number}@{SLUG}.example"


def bill(bench: Association, board: User, months: int) -> None:
    """Two charges per unit, `months` monthly runs, four invoices in five paid in full."""
    settings = BillingSettings.for_association(bench)
    settings.iban, settings.bic, settings.reference_standard = "EE382200221020145685", "HABAEE2X", "ee"
    settings.payee_address = "Bench street 1\n10111 Tallinn"
    settings.save()
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


if __name__ == "__main__":
    main()
