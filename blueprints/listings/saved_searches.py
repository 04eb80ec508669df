"""Saved searches by e-mail (issue 15 item 2): a seeker keeps the filters of a search, confirms the address by
a link mailed to it, and then gets one mail per run of the job listing the homes that newly match, each home
once; every such mail unsubscribes in one click (RFC 8058).

The filters are kept as search.query_string() and read back by search.Filters, and the homes are found by
search.narrow() over search.listed_homes(): a saved search matches exactly what the search page shows. The
job asks once per distinct search (association and filters), for every saved search that shares it, and
leaves out the homes each has seen (SavedSearchHit); homes listed when a search is confirmed count as seen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import defaultdict
from urllib.parse import parse_qsl

import peewee as pw
from babel import numbers
from flask import current_app
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from blueprints.listings import search
from blueprints.listings.public_views import install_day, title_of
from core import clock
from core.mail import external_url, queue_mail
from core.security import read_signed_ids, signed_ids
from core.text import date, locale_for
from models.db import transaction
from models.listings import SavedSearch, SavedSearchHit, Vacancy
from models.mail import OutboundEmail
from models.portal import Association
from models.register import Building

CONFIRM_DAYS = 3  # the confirmation link works this long; an unconfirmed search is purged after it
PURGE_UNSUBSCRIBED_AFTER = dt.timedelta(days=1)
PER_HOUR, PER_DAY = 5, 20  # searches one sender may save (LISTINGS_SAVED_PER_HOUR / _PER_DAY override)
PER_ADDRESS = 5  # confirmation mails one address may get a day (LISTINGS_SAVED_PER_ADDRESS overrides)
HOMES_IN_A_MAIL = 20  # more new homes than this: the mail names the first ones and links to the rest
STOP = "saved-search-stop"  # the purpose of the signed unsubscribe token
MAIL_KINDS = "saved_search"  # the outbox kinds of this feature's mails all start so
_EPOCH = dt.datetime(1970, 1, 1)
MAIL_JOB = "jobs.saved_searches.mail_new_homes"


class UnknownPlaceError(ValueError):
    """The search names a region, municipality or landlord no home has: it would never match, and its text
    (anyone can type it into the address) must not be mailed to the address given."""


# --- saving and confirming -------------------------------------------------------------------------------


def sender_key(ip: str) -> str:
    """A keyed hash of the sender's IP address: the throttle counts senders without keeping addresses."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"listings-saved-search:" + ip.encode(), hashlib.sha256).hexdigest()


def throttled(key: str, email: str, now: dt.datetime | None = None) -> bool:
    """Whether this sender has saved as many searches as allowed in the last hour or day, or this address
    has had as many confirmation mails today (a sender changing IP addresses cannot flood one inbox)."""
    now = now or clock.utcnow_naive()
    config = current_app.config
    day = SavedSearch.select().where(SavedSearch.created_at > now - dt.timedelta(days=1))
    by_sender = day.where(SavedSearch.sender_key == key)
    if by_sender.count() >= config.get("LISTINGS_SAVED_PER_DAY", PER_DAY):
        return True
    hour = by_sender.where(SavedSearch.created_at > now - dt.timedelta(hours=1))
    if hour.count() >= config.get("LISTINGS_SAVED_PER_HOUR", PER_HOUR):
        return True
    to_address = day.where(pw.fn.LOWER(SavedSearch.email) == email.strip().lower())
    return to_address.count() >= config.get("LISTINGS_SAVED_PER_ADDRESS", PER_ADDRESS)


def filters_of(query: str) -> search.Filters:
    """A saved query read back as the search reads an address."""
    return search.Filters.from_args(MultiDict(parse_qsl(query, keep_blank_values=False)))


def check_places(filters: search.Filters, association: Association | None) -> None:
    """Refuse a region, municipality or landlord that no building or association has (UnknownPlaceError)."""
    buildings = Building.select()
    if association is not None:
        buildings = buildings.where(Building.association == association.id)
    if filters.region and not buildings.where(Building.region == filters.region).exists():
        raise UnknownPlaceError("region")
    if filters.municipality and not buildings.where(Building.municipality == filters.municipality).exists():
        raise UnknownPlaceError("municipality")
    if filters.association and not Association.select().where(Association.slug == filters.association).exists():
        raise UnknownPlaceError("association")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def save(association: Association | None, filters: search.Filters, *, email: str, language: str, key: str):
    """Keep the search unconfirmed and mail the link that confirms it (only the link's hash is stored)."""
    token = secrets.token_urlsafe(32)
    with transaction():
        saved = SavedSearch.create(
            association=association,
            email=email.strip(),
            language=language,
            query=search.query_string(filters),
            token_hash=_token_hash(token),
            sender_key=key,
        )
        queue_mail(
            "saved_search_confirm",
            saved.email,
            language=language,
            association=association,
            words=_in_language(
                language, describe, filters, association, landlords({filters.association}).get(filters.association)
            ),
            confirm_url=external_url("listings_site.saved_search_confirm", saved_token=token),
            days=CONFIRM_DAYS,
        )
    return saved


def by_token(token: str) -> SavedSearch | None:
    """The unconfirmed search this confirmation link is for (None once used, or never ours)."""
    if not token or len(token) > 100:
        return None
    # With its association (if any) in the same query: the page names it, and the count stays the same
    # for a search of one association's homes and an install-wide one.
    return (
        SavedSearch.select(SavedSearch, Association)
        .join(Association, pw.JOIN.LEFT_OUTER, on=(SavedSearch.association == Association.id))
        .where(SavedSearch.token_hash == _token_hash(token))
        .first()
    )


def expired(saved: SavedSearch, now: dt.datetime | None = None) -> bool:
    return (now or clock.utcnow_naive()) - saved.created_at > dt.timedelta(days=CONFIRM_DAYS)


def active_twin(saved: SavedSearch) -> SavedSearch | None:
    """A confirmed, still subscribed search of the same address for the same homes, other than `saved`."""
    return (
        SavedSearch.select()
        .where(
            (pw.fn.LOWER(SavedSearch.email) == saved.email.lower())
            & (SavedSearch.association.is_null() if saved.association_id is None else
               (SavedSearch.association == saved.association_id))
            & (SavedSearch.query == saved.query)
            & SavedSearch.confirmed_at.is_null(False)
            & SavedSearch.unsubscribed_at.is_null()
            & (SavedSearch.id != saved.id)
        )
        .first()
    )  # fmt: skip


def confirm(saved: SavedSearch) -> bool:
    """Confirm the search: the link is used up, and the homes listed now count as seen (they are not new).
    False when the address already has this very search (the new one is dropped, nothing is mailed twice), or
    when the link was used meanwhile: a double click or a scanner beside the seeker, answered as the same
    search already confirmed."""
    try:
        with transaction():
            if active_twin(saved) is not None:
                saved.delete_instance()
                return False
            now = clock.utcnow_naive()
            # Use the link up first, only if nobody has: the second of two at once changes nothing.
            used = (
                SavedSearch.update(confirmed_at=now, token_hash=None)
                .where((SavedSearch.id == saved.id) & SavedSearch.confirmed_at.is_null())
                .execute()
            )
            if used != 1:
                return False
            seen_now = _matching(saved.association, filters_of(saved.query)).select(
                pw.Value(saved.id), Vacancy.id, pw.Value(False), pw.Value(now)
            )
            fields = [SavedSearchHit.search, SavedSearchHit.vacancy, SavedSearchHit.mailed, SavedSearchHit.created_at]
            SavedSearchHit.insert_from(seen_now, fields).execute()
    except pw.IntegrityError:  # another confirmation of the same search got there first
        return False
    saved.confirmed_at, saved.token_hash = now, None
    return True


def _today(association: Association | None) -> dt.date:
    return association.today() if association is not None else install_day()


def _matching(association: Association | None, filters: search.Filters) -> pw.ModelSelect:
    """The homes listed today that the filters match (the search page's own query, without its order)."""
    listed = search.listed_homes(_today(association), association.id if association else None)
    return search.narrow(listed, filters)


# --- unsubscribing ---------------------------------------------------------------------------------------


def _micros(moment: dt.datetime) -> int:
    """A stored time as whole microseconds since 1970 (naive UTC, as the rows keep it)."""
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def stop_token(saved: SavedSearch) -> str:
    """The signed unsubscribe token: the row's id and the time it was saved, so an id SQLite hands out again
    once the row is purged never matches an old mail's link."""
    return signed_ids(STOP, saved.id, _micros(saved.created_at))


def by_stop_token(token: str) -> SavedSearch | None:
    """The confirmed search an unsubscribe link names (None when the link is not ours, or its search was
    purged, even if a later search got the same id)."""
    found = read_signed_ids(STOP, token, 2)
    if found is None:
        return None
    saved = SavedSearch.get_or_none((SavedSearch.id == found[0]) & SavedSearch.confirmed_at.is_null(False))
    if saved is None or _micros(saved.created_at) != found[1]:
        return None
    return saved


def unsubscribe(saved: SavedSearch) -> None:
    """No more mail for this search (again: the mail programme and the page's button may both ask)."""
    SavedSearch.update(unsubscribed_at=clock.utcnow_naive()).where(
        (SavedSearch.id == saved.id) & SavedSearch.unsubscribed_at.is_null()
    ).execute()


# --- the search in words ---------------------------------------------------------------------------------


def describe(filters: search.Filters, association: Association | None, landlord: Association | None = None) -> str:
    """The search as a seeker says it: "Odense, 2+ rooms, up to 7,000 kr. a month, step-free entrance".
    `landlord`: the association the install-wide search's filter names (its name and currency)."""
    parts = [landlord.name if landlord else filters.association] if filters.association else []
    parts += [place for place in (filters.municipality, filters.region) if place]
    parts += [str(Vacancy.HOUSING_TYPES[key]) for key in filters.types]
    rooms = _range(filters.rooms_min, filters.rooms_max)
    if rooms:
        parts.append(_("%(range)s rooms", range=rooms))
    area = _range(filters.area_min, filters.area_max)
    if area:
        parts.append(_("%(range)s m²", range=area))
    priced_by = association or landlord
    rent = _range(filters.rent_min, filters.rent_max, priced_by.currency if priced_by else "")
    if rent:
        parts.append(_("%(range)s a month", range=rent))
    parts += [str(search.ACCESS_LABELS[key]).lower() for key in filters.access]
    if filters.pets:
        parts.append(_("pets allowed"))
    if filters.schemes:
        schemes = ", ".join(str(Vacancy.SCHEMES[key]).lower() for key in filters.schemes)
        parts.append(_("flexible letting for %(schemes)s", schemes=schemes))
    if filters.move_in_before is not None:
        parts.append(_("move in before %(date)s", date=date(filters.move_in_before)))
    if filters.wait_max is not None:
        parts.append(ngettext("waiting time at most %(num)d month", "waiting time at most %(num)d months",
                              filters.wait_max))  # fmt: skip
    return ", ".join(parts) if parts else _("every vacant home")


def words_of(saved: SavedSearch) -> str:
    """A saved search in words, in the current language (for its pages)."""
    filters = filters_of(saved.query)
    association = saved.association if saved.association_id is not None else None
    return describe(filters, association, landlords({filters.association}).get(filters.association))


def _range(low: int | None, high: int | None, currency: str = "") -> str:
    """ "2–3", "2+", "up to 3"; amounts with the currency ("7,000 DKK"), without decimals."""
    locale = str(get_locale() or "en_GB")

    def amount(value: int) -> str:
        text = numbers.format_decimal(value, locale=locale)
        return f"{text}\u00a0{numbers.get_currency_symbol(currency, locale=locale)}" if currency else text

    if low is not None and high is not None:
        return f"{amount(low)}–{amount(high)}" if low != high else amount(low)
    if low is not None:
        return _("%(amount)s or more", amount=amount(low)) if currency else f"{amount(low)}+"
    if high is not None:
        return _("up to %(amount)s", amount=amount(high))
    return ""


def _in_language(language: str, function, *args):
    with force_locale(locale_for(language)):
        return function(*args)


# --- the job: mail the new homes -------------------------------------------------------------------------


def mail_new_homes() -> int:
    """Mail every confirmed search the homes that newly match it; the number of mails written. One query per
    distinct search finds the new homes of every saved search sharing it; each search's homes are marked seen
    and its mail written in one transaction, so a second run (or one running beside it) never mails a home
    twice."""
    groups: dict[tuple[int | None, str], list[SavedSearch]] = defaultdict(list)
    active = (
        SavedSearch.select(SavedSearch, Association)
        .join(Association, pw.JOIN.LEFT_OUTER, on=(SavedSearch.association == Association.id))
        .where(SavedSearch.confirmed_at.is_null(False) & SavedSearch.unsubscribed_at.is_null())
        .order_by(SavedSearch.id)
    )
    for saved in active:
        groups[(saved.association_id, saved.query)].append(saved)
    named = landlords({filters_of(query).association for _scope, query in groups})
    mailed = 0
    for (_scope, query), searches in groups.items():
        new_homes = _new_homes(searches, filters_of(query))
        for saved in searches:
            if new_homes.get(saved.id):
                mailed += _mail(saved, new_homes[saved.id], named)
    return mailed


def _new_homes(searches: list[SavedSearch], filters: search.Filters) -> dict[int, list[search.Home]]:
    """For each of `searches` (one association, one filter set) the matching homes it has not seen, in the
    order of their move-in: one query for them all."""
    seen = SavedSearchHit.select(SavedSearchHit.id).where(
        (SavedSearchHit.search == SavedSearch.id) & (SavedSearchHit.vacancy == Vacancy.id)
    )
    query = (
        _matching(searches[0].association, filters)
        .select_extend(SavedSearch.id)
        .join_from(Vacancy, SavedSearch, on=SavedSearch.id.in_([saved.id for saved in searches]))
        .where(~pw.fn.EXISTS(seen))
        .order_by(SavedSearch.id, Vacancy.move_in, Vacancy.id)
    )
    found: dict[int, list[search.Home]] = defaultdict(list)
    for row in query.tuples():
        found[row[-1]].append(search.Home(*row[:-1]))
    return found


def landlords(slugs: set[str]) -> dict[str, Association]:
    """The associations the install-wide searches' filters name, by slug (one query; none without a slug)."""
    slugs = slugs - {""}
    if not slugs:
        return {}
    found = Association.select(Association.id, Association.slug, Association.name, Association.currency)
    return {association.slug: association for association in found.where(Association.slug.in_(slugs))}


def _mail(saved: SavedSearch, homes: list[search.Home], named: dict[str, Association]) -> int:
    """Mark the homes seen and write the mail about them, together; 0 when another run got there first."""
    association = saved.association if saved.association_id is not None else None
    filters = filters_of(saved.query)
    now = clock.utcnow_naive()
    try:
        with transaction():
            SavedSearchHit.insert_many(
                [{"search": saved.id, "vacancy": home.id, "mailed": True, "created_at": now} for home in homes]
            ).execute()
            SavedSearch.update(mailed_at=now).where(SavedSearch.id == saved.id).execute()
            stop_url = external_url("listings_site.saved_search_stop", saved_stop_token=stop_token(saved))
            queue_mail(
                "saved_search_homes",
                saved.email,
                language=saved.language,
                association=association,
                unsubscribe_url=stop_url,
                words=_in_language(saved.language, describe, filters, association, named.get(filters.association)),
                homes=homes[:HOMES_IN_A_MAIL],
                more=max(0, len(homes) - HOMES_IN_A_MAIL),
                count=len(homes),
                links={home.id: external_url("listings.listing", slug=home.slug, vacancy_id=home.id) for home in homes},
                search_url=search_url(saved),
                stop_url=stop_url,
                title_of=title_of,
            )
    except pw.IntegrityError:  # a run beside this one marked a home first: it mails them
        return 0
    return 1


def search_url(saved: SavedSearch) -> str:
    """The search page with the saved filters, as a link in a mail."""
    if saved.association_id is not None:
        base = external_url("listings.homes", slug=saved.association.slug)
    else:
        base = external_url("listings_site.homes")
    return f"{base}?{saved.query}" if saved.query else base


# --- purging ---------------------------------------------------------------------------------------------


def purge(now: dt.datetime | None = None) -> int:
    """Delete the searches never confirmed whose link has expired, and those unsubscribed more than a day
    ago (their seen homes go with them), and the mails the outbox kept of them; the number deleted."""
    now = now or clock.utcnow_naive()
    stale = (SavedSearch.confirmed_at.is_null() & (SavedSearch.created_at < now - dt.timedelta(days=CONFIRM_DAYS))) | (
        SavedSearch.unsubscribed_at < now - PURGE_UNSUBSCRIBED_AFTER
    )
    fields = (SavedSearch.id, SavedSearch.association, SavedSearch.email, SavedSearch.created_at)
    doomed = list(SavedSearch.select(*fields).where(stale))
    deleted = 0
    for start in range(0, len(doomed), 500):
        chunk = doomed[start : start + 500]
        with transaction():
            deleted += SavedSearch.delete().where(stale & SavedSearch.id.in_([s.id for s in chunk])).execute()
            _forget_mail(chunk)
    return deleted


def _forget_mail(searches: list[SavedSearch]) -> None:
    """Delete what the outbox kept of these purged searches (the address, the search, the links): the mails
    of each that its unsubscribe link names, and every saved-search mail to an address left with no search
    of that association (the confirmation mail names no search)."""
    by_address: dict[tuple[int | None, str], list[SavedSearch]] = defaultdict(list)
    for saved in searches:
        by_address[(saved.association_id, saved.email.strip().lower())].append(saved)
    for (scope, address), gone in by_address.items():
        in_scope = OutboundEmail.association.is_null() if scope is None else (OutboundEmail.association == scope)
        mails = (
            OutboundEmail.kind.startswith(MAIL_KINDS) & (pw.fn.LOWER(OutboundEmail.to_address) == address) & in_scope
        )
        searches_left = SavedSearch.select().where(
            (pw.fn.LOWER(SavedSearch.email) == address)
            & (SavedSearch.association.is_null() if scope is None else (SavedSearch.association == scope))
        )
        if not searches_left.exists():
            OutboundEmail.delete().where(mails).execute()
            continue
        tokens = {stop_token(saved) for saved in gone}
        named = [
            mail.id
            for mail in OutboundEmail.select(OutboundEmail.id, OutboundEmail.unsubscribe_url).where(mails)
            if mail.unsubscribe_url.rsplit("/", 1)[-1] in tokens
        ]
        if named:
            OutboundEmail.delete().where(OutboundEmail.id.in_(named)).execute()
