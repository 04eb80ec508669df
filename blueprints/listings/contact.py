"""A seeker's message to the landlord through a listing's contact form (L2): the throttle per sender, the
stored message, the landlord's mail with the listing quoted and the seeker's copy, in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from email.headerregistry import Address

import peewee as pw
from flask import current_app

from core import clock
from core.mail import external_url, queue_mail
from models.db import transaction
from models.listings import ContactMessage, SeekerRoute
from models.portal import Association

PER_HOUR, PER_DAY = 5, 20  # messages one sender may send (LISTINGS_CONTACT_PER_HOUR / _PER_DAY override)


def sender_key(ip: str) -> str:
    """A keyed hash of the sender's IP address: the throttle counts senders without keeping addresses."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"listings-contact:" + ip.encode(), hashlib.sha256).hexdigest()


def throttled(key: str, now: dt.datetime | None = None) -> bool:
    """Whether this sender has sent as many messages as allowed in the last hour or day."""
    now = now or clock.utcnow_naive()
    config = current_app.config
    recent = ContactMessage.select().where(
        (ContactMessage.sender_key == key) & (ContactMessage.created_at > now - dt.timedelta(days=1))
    )
    per_day = config.get("LISTINGS_CONTACT_PER_DAY", PER_DAY)
    per_hour = config.get("LISTINGS_CONTACT_PER_HOUR", PER_HOUR)
    if recent.count() >= per_day:
        return True
    return recent.where(ContactMessage.created_at > now - dt.timedelta(hours=1)).count() >= per_hour


def copies_throttled(email: str, now: dt.datetime | None = None) -> bool:
    """Whether this address has had as many copies today as one sender may send: a sender changing IP
    addresses still cannot make Porch mail one inbox over and over."""
    now = now or clock.utcnow_naive()
    per_day = current_app.config.get("LISTINGS_CONTACT_PER_DAY", PER_DAY)
    sent = ContactMessage.select().where(
        (pw.fn.LOWER(ContactMessage.email) == email.strip().lower())
        & (ContactMessage.created_at > now - dt.timedelta(days=1))
    )
    return sent.count() >= per_day


def reply_to(name: str, email: str) -> str:
    """The seeker as a Reply-To header value, the name encoded and any line break in it made a space; ""
    for an address a mail header cannot carry as it is (a non-ASCII local part): the mail names it instead."""
    try:
        return str(Address(display_name=" ".join(name.split()), addr_spec=email.strip()))
    except (ValueError, IndexError):  # email.errors.HeaderParseError and the header defects are ValueErrors
        return ""


def send(
    association: Association,
    home,
    route: SeekerRoute,
    *,
    name: str,
    email: str,
    phone: str,
    message: str,
    key: str,
    seeker_language: str,
) -> ContactMessage:
    """Store the message, mail it to the route's address with the listing quoted, and mail the seeker a copy."""
    listing_url = external_url("listings.listing", slug=association.slug, vacancy_id=home.id)
    seeker = {"name": name, "email": email, "phone": phone, "message": message, "reply_to": reply_to(name, email)}
    with transaction():
        stored = ContactMessage.create(
            association=association,
            vacancy=home.id,
            name=name,
            email=email,
            phone=phone,
            message=message,
            sender_key=key,
        )
        common = {"home": home, "seeker": seeker, "listing_url": listing_url}
        queue_mail(
            "listing_contact", route.email, language=association.locale, association=association,
            reply_to=seeker["reply_to"], **common,
        )  # fmt: skip
        queue_mail("listing_contact_copy", email, language=seeker_language, association=association, **common)
    return stored
