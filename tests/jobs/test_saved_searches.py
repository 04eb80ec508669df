"""The saved searches' job (issue 15 item 2): a confirmed search gets one mail per run listing the homes that
newly match it, each home once, with the RFC 8058 one-click unsubscribe headers (through the real SMTP
server); an unconfirmed or unsubscribed search gets nothing; stale searches are purged; the board listing a
home runs it at once; its queries do not grow with the searches that share filters."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from blueprints.listings import saved_searches
from core import clock
from jobs import saved_searches as job
from models import OutboundEmail
from models.listings import SavedSearch, SavedSearchHit, Vacancy
from tests.blueprints.billing.test_invoicing import count_queries
from tests.blueprints.listings import board_world
from tests.blueprints.listings.board_world import vacancy_fields
from tests.blueprints.listings.public_world import home, world
from tests.helpers import link_in, text_of

listing_world, board = board_world.listing_world, board_world.board  # fixtures


def confirmed(association, query: str, email: str = "sofie@seeker.example", language: str = "en") -> SavedSearch:
    """A search saved and confirmed as the pages do it (the homes listed now count as seen)."""
    saved = SavedSearch.create(
        association=association, email=email, language=language, query=query, sender_key="k" * 64
    )
    saved_searches.confirm(saved)
    return SavedSearch.get_by_id(saved.id)


def run(app) -> int:
    with app.app_context():
        return job.mail_new_homes()


def test_new_homes_are_mailed_once_each_with_a_one_click_unsubscribe(app, smtp_server, client):
    made = world()
    with app.app_context():
        saved = confirmed(made.association, "municipality=Odense&rooms_min=2")
        confirmed(made.association, "rooms_min=9", email="nobody.matches@seeker.example")
    assert run(app) == 0  # the homes listed at confirmation are not new
    fresh = home(made.association, made.south, "6", rooms=3, rent=720_000, move_in=dt.date(2027, 6, 1))
    home(made.association, made.north, "7", rooms=3)  # Aarhus: not this search's
    too_small = home(made.association, made.south, "8", rooms=1)
    assert run(app) == 1
    (mail,) = smtp_server.wait_for(1)
    body = text_of(mail)
    assert mail["To"] == "sofie@seeker.example" and mail["Subject"] == "A new home matches your search"
    assert "Odense, 2+ rooms" in body and "Family home, 3 rooms, 72 m²" in body and "7,200.00" in body
    assert f"http://porch.test/alpha/homes/{fresh.id}" in body
    assert f"/alpha/homes/{too_small.id}" not in body and "Nørregade" not in body
    # RFC 8058: the https (here BASE_URL's) address, and the one-click POST the mail programme sends.
    stop = re.fullmatch(r"<(http://porch\.test/homes/saved/stop/\S+)>", mail["List-Unsubscribe"].strip()).group(1)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_in(mail, "/homes/saved/stop/") == stop.removeprefix("http://porch.test")
    assert SavedSearchHit.get((SavedSearchHit.search == saved.id) & (SavedSearchHit.vacancy == fresh.id)).mailed
    # Again: nothing new, nothing mailed.
    assert run(app) == 0
    # Unsubscribed by the mail programme's POST: the next new home is not mailed.
    assert app.test_client().post(stop, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    home(made.association, made.south, "9", rooms=2)
    assert run(app) == 0
    assert len(smtp_server.messages) == 1


def test_many_new_homes_make_one_mail_naming_the_first_and_linking_the_rest(app, outbox):
    made = world()
    with app.app_context():
        confirmed(None, "association=alpha&rooms_min=5", language="en")
    for n in range(saved_searches.HOMES_IN_A_MAIL + 3):
        home(made.association, made.south, f"B{n}", rooms=5)
    assert run(app) == 1
    (row,) = outbox.rows()
    assert row.subject == f"{saved_searches.HOMES_IN_A_MAIL + 3} new homes match your search"
    assert row.body_text.count("http://porch.test/alpha/homes/") == saved_searches.HOMES_IN_A_MAIL
    assert "And 3 more: http://porch.test/homes?association=alpha&rooms_min=5" in row.body_text
    assert "Alpha Housing, 5+ rooms" in row.body_text and row.association_id is None
    assert SavedSearchHit.select().where(SavedSearchHit.mailed).count() == saved_searches.HOMES_IN_A_MAIL + 3
    assert run(app) == 0


def test_unconfirmed_searches_get_nothing_and_stale_ones_are_purged(app, outbox, frozen_clock):
    made = world()
    pending = SavedSearch.create(association=made.association, email="p@seeker.example", language="en", query="",
                                 sender_key="k" * 64)  # fmt: skip
    with app.app_context():
        stopped = confirmed(made.association, "", email="s@seeker.example")
        kept = confirmed(made.association, "rooms_min=9", email="k@seeker.example")
        saved_searches.unsubscribe(stopped)
    home(made.association, made.south, "6")
    assert run(app) == 0 and outbox.rows() == []
    frozen_clock.advance(dt.timedelta(days=1, minutes=1))
    run(app)  # unsubscribed more than a day ago: gone, with the homes it saw
    assert {s.id for s in SavedSearch.select()} == {pending.id, kept.id}
    assert not SavedSearchHit.select().where(SavedSearchHit.search == stopped.id).exists()
    frozen_clock.advance(dt.timedelta(days=2))
    run(app)  # never confirmed, and its link expired three days after it was saved
    assert [s.id for s in SavedSearch.select()] == [kept.id]


def test_the_board_listing_a_home_mails_the_matching_searches_at_once(app, board, listing_world, outbox):
    with app.app_context():
        confirmed(listing_world.alpha, "rooms_min=3&access=step_free")
    response = board.submit(f"/alpha/board/vacancies/new/{listing_world.free.id}", vacancy_fields(rooms="3"))
    assert response.status_code == 302
    (row,) = outbox.rows(kind="saved_search_homes")
    vacancy = Vacancy.get()
    assert f"/alpha/homes/{vacancy.id}" in row.body_text and row.unsubscribe_url.startswith("http://porch.test/")


def test_the_job_asks_once_per_distinct_search_however_many_share_it(app, outbox):
    made = world()

    def searches(count: int, start: int) -> None:
        with app.app_context():
            for n in range(start, start + count):
                confirmed(made.association, "rooms_min=2", email=f"s{n}@seeker.example")
                confirmed(made.association, "municipality=Aarhus", email=f"a{n}@seeker.example")

    def queries() -> int:
        with app.app_context():
            return count_queries(job.mail_new_homes)

    searches(2, 0)
    few = queries()
    searches(20, 2)
    assert queries() == few  # nothing new: one query for the searches, one per distinct search, the purge
    assert few <= 4
    home(made.association, made.south, "6", rooms=2)
    assert run(app) == 22  # every "rooms_min=2" search hears of it, once
    assert {row.to_address for row in OutboundEmail.select()} == {f"s{n}@seeker.example" for n in range(22)}
    assert clock.utcnow_naive() - SavedSearch.get(SavedSearch.email == "s0@seeker.example").mailed_at < dt.timedelta(
        minutes=1
    )


def test_confirming_the_same_search_twice_at_once_confirms_it_once(app):
    """A double click, or a scanner beside the seeker: both requests found the link unused."""
    made = world()
    token_hash = hashlib.sha256(b"token").hexdigest()
    saved = SavedSearch.create(association=made.association, email="sofie@seeker.example", language="en",
                               query="rooms_min=2", sender_key="k" * 64, token_hash=token_hash)  # fmt: skip
    first, second = SavedSearch.get_by_id(saved.id), SavedSearch.get_by_id(saved.id)
    with app.app_context():
        assert saved_searches.confirm(first) is True
        hits = SavedSearchHit.select().count()
        assert hits > 0  # a listed home: the second's hits would clash
        assert saved_searches.confirm(second) is False  # answered as already confirmed, not a 500
    assert SavedSearchHit.select().count() == hits
    again = SavedSearch.get_by_id(saved.id)
    assert again.confirmed_at is not None and again.token_hash is None


def test_purging_a_search_deletes_the_mails_the_outbox_kept_of_it(app, outbox, frozen_clock):
    made = world()
    with app.app_context():
        gone = confirmed(made.association, "rooms_min=2", email="a@seeker.example")
        kept = confirmed(made.association, "municipality=Odense", email="A@Seeker.example")
        alone = confirmed(made.association, "rooms_min=2", email="b@seeker.example")
    home(made.association, made.south, "6", rooms=2)
    assert run(app) == 3
    for kind, to in (("saved_search_confirm", "a@seeker.example"), ("saved_search_confirm", "B@seeker.example"),
                     ("activate", "b@seeker.example")):  # fmt: skip
        OutboundEmail.create(association=made.association, to_address=to, kind=kind, subject="s", body_text="Hello")
    with app.app_context():
        saved_searches.unsubscribe(gone)
        saved_searches.unsubscribe(alone)
        kept_token = saved_searches.stop_token(kept)
    frozen_clock.advance(dt.timedelta(days=1, minutes=1))
    run(app)
    assert [s.id for s in SavedSearch.select()] == [kept.id]
    left = sorted((row.kind, row.to_address, row.unsubscribe_url.rsplit("/", 1)[-1]) for row in OutboundEmail.select())
    assert left == [
        ("activate", "b@seeker.example", ""),  # not a saved search's
        ("saved_search_confirm", "a@seeker.example", ""),  # names no search, and the address keeps one
        ("saved_search_homes", "A@Seeker.example", kept_token),
    ]
