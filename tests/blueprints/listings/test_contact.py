"""The contact form of a listing, through the real SMTP server: the landlord gets the message with the home
quoted, the seeker a copy; a robot filling the honeypot sees success and nothing is sent; a sender who
writes too often is refused with a 429; a name cannot add a header."""

from __future__ import annotations

import datetime as dt
import email.policy
from email import message_from_string

import pytest

from blueprints.listings import contact
from core import clock
from models import OutboundEmail
from models.listings import ContactMessage, SeekerRoute
from tests.blueprints.listings.public_world import form_route, world
from tests.factories.listings import make_route
from tests.helpers import text_of


@pytest.fixture
def homes(app):
    made = world()
    form_route(made.association, email="letting@alpha.example")
    return made


def path(vacancy):
    return f"/alpha/homes/{vacancy.id}/contact"


SEEKER = {
    "name": "Sofie Seeker",
    "email": "sofie@seeker.example",
    "phone": "+45 20 30 40 50",
    "message": "Is the flat still free?\nI have a cat.",
}


def test_the_message_reaches_the_landlord_with_the_listing_quoted_and_the_seeker_a_copy(client, homes, smtp_server):
    vacancy = homes.homes["senior"]
    response = client.submit(path(vacancy), SEEKER)
    assert response.status_code == 200 and "Your message is on its way" in response.get_data(as_text=True)
    messages = smtp_server.wait_for(2)
    (landlord,) = smtp_server.to("letting@alpha.example")
    (copy,) = smtp_server.to("sofie@seeker.example")
    body = text_of(landlord)
    assert "Sydvej 9, 5000 Odense" in landlord["Subject"]
    for part in (
        "Sofie Seeker",
        "sofie@seeker.example",
        "+45 20 30 40 50",
        "I have a cat.",
        "6,500.00",
        f"/alpha/homes/{vacancy.id}",
    ):
        assert part in body
    # The copy says the message went; it echoes neither the words nor the name typed (anyone may type any
    # address: the copy must not carry a stranger's text to it).
    assert copy["Subject"] == "Your message to Alpha Housing" and "has been sent" in text_of(copy)
    assert "Is the flat still free?" not in text_of(copy) and "Sofie" not in text_of(copy)
    # The landlord answers the seeker straight from their mail programme; the seeker's copy has no Reply-To.
    (seeker,) = landlord["Reply-To"].addresses
    assert (seeker.display_name, seeker.addr_spec) == ("Sofie Seeker", "sofie@seeker.example")
    assert copy["Reply-To"] is None
    assert len(messages) == 2
    stored = ContactMessage.get()
    assert (stored.vacancy_id, stored.name, stored.email, stored.association_id) == (
        vacancy.id,
        "Sofie Seeker",
        "sofie@seeker.example",
        homes.association.id,
    )
    assert len(stored.sender_key) == 64 and "127.0.0.1" not in stored.sender_key


def test_a_robot_filling_the_honeypot_sees_success_and_nothing_is_sent(client, homes, smtp_server):
    response = client.submit(path(homes.homes["small"]), {**SEEKER, "website": "http://spam.example"})
    assert response.status_code == 200 and "Your message is on its way" in response.get_data(as_text=True)
    assert ContactMessage.select().count() == 0 and OutboundEmail.select().count() == 0
    assert smtp_server.messages == []


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, homes):
    html = client.get(path(homes.homes["small"])).get_data(as_text=True)
    assert '<div class="hp" aria-hidden="true" hidden>' in html and 'name="website"' in html


def test_too_many_messages_from_one_sender_are_refused(client, homes, smtp_server):
    vacancy = homes.homes["small"]
    for n in range(contact.PER_HOUR):
        assert client.submit(path(vacancy), {**SEEKER, "message": f"Message {n}"}).status_code == 200
    smtp_server.wait_for(2 * contact.PER_HOUR)
    refused = client.submit(path(vacancy), SEEKER)
    assert refused.status_code == 429
    assert "Too many messages have been sent from here recently" in refused.get_data(as_text=True)
    assert ContactMessage.select().count() == contact.PER_HOUR
    assert OutboundEmail.select().count() == 2 * contact.PER_HOUR
    # An hour later the hourly limit is lifted...
    ContactMessage.update(created_at=clock.utcnow_naive() - dt.timedelta(hours=2)).execute()
    assert client.submit(path(vacancy), SEEKER).status_code == 200


def test_the_daily_limit(app, homes):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        key = contact.sender_key("192.0.2.7")
        earlier = clock.utcnow_naive() - dt.timedelta(hours=3)
        for _ in range(contact.PER_DAY - 1):
            ContactMessage.create(
                association=homes.association,
                name="x",
                email="x@example.org",
                message="x",
                sender_key=key,
                created_at=earlier,
            )
        assert not contact.throttled(key)
        ContactMessage.create(
            association=homes.association,
            name="x",
            email="x@example.org",
            message="x",
            sender_key=key,
            created_at=earlier,
        )
        assert contact.throttled(key)
        assert not contact.throttled(contact.sender_key("192.0.2.8"))


def test_a_name_with_line_breaks_cannot_add_a_header(client, homes, smtp_server):
    hostile = {**SEEKER, "name": "Eve\r\nBcc: victim@example.org\r\nSubject: hi"}
    assert client.submit(path(homes.homes["small"]), hostile).status_code == 200
    smtp_server.wait_for(2)
    assert all(m["Bcc"] is None for m in smtp_server.messages)
    assert not smtp_server.to("victim@example.org")
    (landlord,) = smtp_server.to("letting@alpha.example")
    assert [a.addr_spec for a in landlord["Reply-To"].addresses] == ["sofie@seeker.example"]
    assert ContactMessage.get().name == "Eve Bcc: victim@example.org Subject: hi"
    # The seeker as a Reply-To header: encoded, one address, the name on one line.
    header = contact.reply_to("Åse\r\nBcc: victim@example.org", "ase@seeker.example")
    parsed = message_from_string(f"Reply-To: {header}\n\n", policy=email.policy.default)["Reply-To"]
    (address,) = parsed.addresses
    assert address.addr_spec == "ase@seeker.example" and address.display_name == "Åse Bcc: victim@example.org"


def test_a_refused_form_is_shown_again(client, homes):
    response = client.submit(path(homes.homes["small"]), {"name": "", "email": "not-an-address", "message": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your name." in html and "Enter a valid e-mail address." in html and "Write your message." in html
    assert ContactMessage.select().count() == 0


def test_csrf_applies(client, homes):
    assert client.post(path(homes.homes["small"]), data=SEEKER).status_code == 400
    assert ContactMessage.select().count() == 0


def test_no_form_where_the_route_is_not_the_form(client, app):
    made = world("beta")
    make_route(made.association, SeekerRoute.WEBSITE, url="https://beta.example/apply")
    assert client.get(f"/beta/homes/{made.homes['small'].id}/contact").status_code == 404


def test_an_address_a_header_cannot_carry_is_still_mailed_without_reply_to(client, homes, smtp_server):
    """An internationalised address passes the form; the landlord's mail names it in the text instead."""
    seeker = {**SEEKER, "email": "üser@seeker.example"}
    assert client.submit(path(homes.homes["small"]), seeker).status_code == 200
    assert contact.reply_to("Üna", "üser@seeker.example") == ""
    (row,) = OutboundEmail.select().where(OutboundEmail.kind == "listing_contact")
    assert row.reply_to == "" and "üser@seeker.example" in row.body_text


def test_one_address_gets_no_more_copies_than_one_sender_may_send(app, client, homes, smtp_server):
    """A sender changing IP addresses still cannot make Porch mail one inbox over and over."""
    app.config["LISTINGS_CONTACT_PER_DAY"] = 2
    for _ in range(2):
        ContactMessage.create(
            association=homes.association, name="x", email="Victim@Example.org", message="m", sender_key="other-ip"
        )
    victim = {**SEEKER, "email": "victim@example.org"}
    response = client.submit(path(homes.homes["small"]), victim)
    assert response.status_code == 429
    assert ContactMessage.select().count() == 2 and not smtp_server.messages
