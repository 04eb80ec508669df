"""Saving a search by e-mail (issue 15 item 2) through the pages: the form under the results keeps the
filters shown (also after htmx swaps them), the confirmation link comes through the real SMTP server, a GET
of it confirms nothing, its button confirms once and marks the homes listed now as seen; the link expires;
a robot filling the honeypot sees success and nothing is kept; too many saves from one sender or for one
address are refused; an unknown place or a hostile address is refused; the unsubscribe page asks, and the
mail programme's one-click POST stops the mail without a CSRF token."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from html import unescape

from blueprints.listings import saved_searches
from models.listings import SavedSearch, SavedSearchHit
from tests.blueprints.listings.public_world import world
from tests.helpers import link_in, text_of

SEARCH = "municipality=Odense&rooms_min=2&rent_max=7000&access=step_free&sort=rent&page=2"
NORMALISED = "municipality=Odense&rent_max=7000&rooms_min=2&access=step_free"
WORDS = "Odense, 2+ rooms, up to 7,000\u00a0SEK a month, step-free entrance"


def saved_form(html: str) -> tuple[str, str]:
    """(action, query) of the saved-search form on a page."""
    form = html[html.index('id="saved-search"') :]
    action = re.search(r'<form method="post" action="([^"]+)"', form).group(1)
    query = re.search(r'name="query" value="([^"]*)"', form).group(1)
    return action, unescape(query)


def test_a_saved_search_is_confirmed_by_the_mailed_link_once(client, app, smtp_server):
    made = world()
    page = client.get(f"/alpha/homes?{SEARCH}").get_data(as_text=True)
    action, query = saved_form(page)
    assert action == "/alpha/homes/saved" and query == NORMALISED  # no page, no order, one order of fields
    # The form follows a search changed in place: the swapped results carry its hidden field out of band.
    swapped = client.get("/alpha/homes?rooms_min=4", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in swapped and "<form" not in swapped
    assert (
        '<input type="hidden" id="saved-search-query" name="query" value="rooms_min=4" hx-swap-oob="true">' in swapped
    )
    assert "hx-swap-oob" not in page

    response = client.submit(action, {"email": "sofie@seeker.example", "query": query}, form_page="/alpha/homes")
    assert response.status_code == 200 and "Check your mail." in response.get_data(as_text=True)
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "sofie@seeker.example"
    assert mail["Subject"] == "Confirm your saved search for vacant homes"
    assert WORDS in text_of(mail) and mail["List-Unsubscribe"] is None
    saved = SavedSearch.get()
    assert (saved.association_id, saved.query, saved.language, saved.confirmed_at) == (
        made.association.id,
        NORMALISED,
        "en",
        None,
    )
    link = link_in(mail, "/homes/saved/confirm/")
    token = link.rsplit("/", 1)[1]
    assert saved.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in saved.token_hash

    # A GET (a mail scanner's) confirms nothing; the page names the search and asks.
    asking = client.get(link).get_data(as_text=True)
    assert WORDS in unescape(asking) and "Yes, mail me new homes" in asking
    assert SavedSearch.get().confirmed_at is None
    confirmed = client.submit(link, {})
    assert confirmed.status_code == 200 and "Confirmed." in confirmed.get_data(as_text=True)
    saved = SavedSearch.get()
    assert saved.confirmed_at is not None and saved.token_hash is None
    # The one home listed now that matches (Odense, 2 rooms, step-free, 6,500) counts as seen, not new.
    assert [hit.vacancy_id for hit in SavedSearchHit.select()] == [made.homes["senior"].id]
    assert not SavedSearchHit.get().mailed
    # The link is used up.
    assert client.get(link).status_code == 404
    assert client.post(link, data={"csrf_token": client.csrf("/alpha/homes")}).status_code == 404


def test_the_same_search_confirmed_twice_is_kept_once(client, outbox):
    world()
    tokens = []
    for _ in range(2):
        client.submit("/alpha/homes/saved", {"email": "Sofie@Seeker.example", "query": "rooms_min=2"},
                      form_page="/alpha/homes")  # fmt: skip
    for row in outbox.rows(kind="saved_search_confirm"):
        tokens.append(re.search(r"/homes/saved/confirm/(\S+)", row.body_text).group(1))
    first = client.submit(f"/homes/saved/confirm/{tokens[0]}", {}).get_data(as_text=True)
    second = client.submit(f"/homes/saved/confirm/{tokens[1]}", {}).get_data(as_text=True)
    assert "Confirmed." in first and "You already get mail for this search" in second
    assert SavedSearch.select().count() == 1


def test_the_link_expires_after_three_days(client, frozen_clock, outbox):
    world()
    client.submit("/alpha/homes/saved", {"email": "late@seeker.example", "query": ""}, form_page="/alpha/homes")
    (row,) = outbox.rows(kind="saved_search_confirm")
    assert "every vacant home" in row.body_text and "3 days" in row.body_text
    link = re.search(r"http://porch\.test(/homes/saved/confirm/\S+)", row.body_text).group(1)
    frozen_clock.advance(dt.timedelta(days=3, minutes=1))
    expired = client.get(link)
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    assert client.post(link, data={"csrf_token": client.csrf("/alpha/homes")}).status_code == 410
    assert SavedSearch.get().confirmed_at is None


def test_the_install_wide_search_saves_its_landlord_filter_and_mails_in_the_pages_language(client, outbox):
    world()
    world("beta", name="Beta Homes")
    page = client.get("/homes?association=beta&rooms_min=4", headers={"Accept-Language": "da"}).get_data(as_text=True)
    action, query = saved_form(page)
    assert action == "/homes/saved" and query == "association=beta&rooms_min=4"
    response = client.submit(action, {"email": "ida@seeker.example", "query": query}, form_page="/homes",
                             headers={"Accept-Language": "da"})  # fmt: skip
    assert response.status_code == 200
    saved = SavedSearch.get()
    assert (saved.association_id, saved.language) == (None, "da")
    (row,) = outbox.rows()
    assert row.language == "da" and row.association_id is None and "Beta Homes, 4+" in row.body_text


def test_htmx_swaps_the_form_alone_with_its_answer(client, outbox):
    world()
    headers = {"HX-Request": "true"}
    refused = client.submit("/alpha/homes/saved", {"email": "not an address", "query": ""},
                            form_page="/alpha/homes", headers=headers)  # fmt: skip
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and html.lstrip().startswith('<section id="saved-search"')
    assert "Enter a valid e-mail address." in html and 'aria-invalid="true"' in html
    sent = client.submit("/alpha/homes/saved", {"email": "a@seeker.example", "query": ""},
                         form_page="/alpha/homes", headers=headers)  # fmt: skip
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "<html" not in html and "a@seeker.example" in html
    assert len(outbox.rows()) == 1


def test_a_robot_in_the_honeypot_sees_success_and_nothing_is_kept(client, outbox):
    world()
    response = client.submit("/alpha/homes/saved", {"email": "bot@spam.example", "query": "", "website": "x"},
                             form_page="/alpha/homes")  # fmt: skip
    assert response.status_code == 200 and "Check your mail." in response.get_data(as_text=True)
    assert SavedSearch.select().count() == 0 and outbox.rows() == []
    page = client.get("/alpha/homes").get_data(as_text=True)
    assert '<div class="hp" aria-hidden="true" hidden>' in page[page.index('id="saved-search"') :]


def test_too_many_saves_from_one_sender_or_for_one_address_are_refused(client, app, outbox):
    world()

    def save(email, ip="192.0.2.1"):
        return client.submit("/alpha/homes/saved", {"email": email, "query": ""}, form_page="/alpha/homes",
                             environ_base={"REMOTE_ADDR": ip})  # fmt: skip

    for n in range(saved_searches.PER_HOUR):
        assert save(f"seeker{n}@example.org").status_code == 200
    refused = save("one.more@example.org")
    assert refused.status_code == 429 and "Too many searches" in refused.get_data(as_text=True)
    # Another sender may still save, but one inbox gets at most PER_ADDRESS confirmation mails a day.
    for n in range(saved_searches.PER_ADDRESS - 1):
        assert save("target@example.org", ip=f"198.51.100.{n}").status_code == 200
    assert save("TARGET@example.org ", ip="198.51.100.200").status_code == 200
    assert save("target@example.org", ip="198.51.100.201").status_code == 429
    assert len(outbox.rows(to_address="target@example.org")) == saved_searches.PER_ADDRESS - 1
    assert SavedSearch.select().count() == saved_searches.PER_HOUR + saved_searches.PER_ADDRESS


def test_hostile_input_is_refused_or_inert(client, outbox):
    world()
    hostile_place = "municipality=%3Cscript%3Ealert(1)%3C/script%3E"
    page = client.get(f"/alpha/homes?{hostile_place}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    _, query = saved_form(page)
    refused = client.submit("/alpha/homes/saved", {"email": "a@seeker.example", "query": query},
                            form_page="/alpha/homes")  # fmt: skip
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "no homes with us" in html and "<script>alert" not in html
    for email in ("a@seeker.example\r\nBcc: victim@example.org", '"><script>@x.example', "a@b@c.example"):
        response = client.submit("/alpha/homes/saved", {"email": email, "query": ""}, form_page="/alpha/homes")
        assert response.status_code == 422 and "<script>" not in response.get_data(as_text=True)
    assert SavedSearch.select().count() == 0 and outbox.rows() == []
    # A quote in the query cannot leave the hidden field.
    page = client.get("/alpha/homes?region=%22%3E%3Cb%3E").get_data(as_text=True)
    assert '"><b>' not in page


def test_the_unsubscribe_page_asks_and_the_one_click_post_stops_without_csrf(client, app, outbox):
    made = world()
    saved = SavedSearch.create(
        association=made.association, email="sofie@seeker.example", language="en", query="rooms_min=2",
        sender_key="k" * 64, confirmed_at=dt.datetime(2026, 1, 1),
    )  # fmt: skip
    with app.test_request_context():
        token = saved_searches.stop_token(saved)
    path = f"/homes/saved/stop/{token}"
    asking = client.get(path).get_data(as_text=True)
    assert "2+ rooms" in asking and "Stop these mails" in asking
    assert "sofie@seeker.example" not in asking  # the link may be forwarded: the page never shows the address
    assert SavedSearch.get().unsubscribed_at is None  # a GET (a mail scanner's) stops nothing
    # The mail programme's RFC 8058 POST: no session, no CSRF token.
    stopped = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200 and "Stopped." in stopped.get_data(as_text=True)
    assert "sofie@seeker.example" not in stopped.get_data(as_text=True)
    assert SavedSearch.get().unsubscribed_at is not None
    assert "Stopped." in client.get(path).get_data(as_text=True)
    assert client.get(path[:-3] + "xyz").status_code == 404
    unconfirmed = SavedSearch.create(email="x@example.org", language="en", query="", sender_key="k" * 64)
    with app.test_request_context():
        assert client.get(f"/homes/saved/stop/{saved_searches.stop_token(unconfirmed)}").status_code == 404


def test_an_old_unsubscribe_link_never_reaches_a_later_search_given_the_same_id(client, app):
    """SQLite hands a purged row's id to the next search saved (PostgreSQL's sequence does not, so the new
    search is given the id here, as SQLite would): the link is bound to the search's time too."""
    made = world()
    fields = {"association": made.association, "language": "en", "query": "rooms_min=2", "sender_key": "k" * 64}
    alice = SavedSearch.create(email="alice@seeker.example", created_at=dt.datetime(2026, 1, 1, 9),
                               confirmed_at=dt.datetime(2026, 1, 1, 10), **fields)  # fmt: skip
    with app.test_request_context():
        old = f"/homes/saved/stop/{saved_searches.stop_token(alice)}"
    assert client.post(old, data={"csrf_token": client.csrf("/alpha/homes")}).status_code == 200
    assert saved_searches.purge(now=dt.datetime.now() + dt.timedelta(days=2)) == 1
    SavedSearch.insert(id=alice.id, email="bob@seeker.example", created_at=dt.datetime(2026, 2, 1, 9),
                       confirmed_at=dt.datetime(2026, 2, 1, 10), **fields).execute()  # fmt: skip
    bob = SavedSearch.get_by_id(alice.id)  # the id came back
    assert client.get(old).status_code == 404
    assert app.test_client().post(old, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert SavedSearch.get_by_id(bob.id).unsubscribed_at is None
    with app.test_request_context():
        assert client.get(f"/homes/saved/stop/{saved_searches.stop_token(bob)}").status_code == 200
