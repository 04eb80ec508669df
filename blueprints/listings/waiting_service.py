"""The waiting list's rules (L4, issue 15 item 4), shared by the applicant's pages, the board's pages and the
jobs: sign-up and confirmation, seniority and positions, the internal list's turns, offers and their answers,
lettings, the yearly renewal, passivity, the applicants' own data, and the log of every step.

Order on every list is seniority (the confirmation day, or the day seniority was lost), then sign-up order.
On an internal turn the internal list (the association's own tenants, a flag the board sets) comes first;
whether a home is an internal turn follows a running tally over the association's lettings through the list,
so the internal list gets the board's share of them over time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import peewee as pw
from flask import current_app

from core import clock
from core.mail import external_url, queue_mail
from models.db import transaction
from models.listings import (
    Applicant,
    ApplicantEvent,
    ApplicantToken,
    Letting,
    Offer,
    Vacancy,
    WaitingListRequest,
    WaitingListRules,
)
from models.mail import OutboundEmail
from models.portal import Association, hash_secret
from models.register import Unit

REQUESTS_PER_HOUR, REQUESTS_PER_DAY = 5, 20  # sign-ups and link requests one sender may make
MAILS_PER_DAY = 5  # links one address may be sent a day, whoever asks
REMINDER_DAYS = (30, 7)  # the renewal reminders go this many days before it is due


# --- small rules ---------------------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def old_enough(birth_date: dt.date, today: dt.date) -> bool:
    """Whether someone born on `birth_date` is 15 or older on `today` (Danish practice: sign-up from 15)."""
    if birth_date > today:  # also keeps add_years clear of the year 9999
        return False
    return add_years(birth_date, Applicant.MIN_AGE) <= today


def end_of_day(association: Association, day: dt.date) -> dt.datetime:
    """The last moment of `day` in the association's time zone, as a stored (naive UTC) time."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(association.timezone))
    return (midnight - dt.timedelta(seconds=1)).astimezone(dt.UTC).replace(tzinfo=None)


def rules_of(association: Association) -> WaitingListRules:
    return WaitingListRules.for_association(association)


def new_pseudonym() -> str:
    return f"A-{secrets.token_hex(3).upper()}"


# --- tokens and the throttle ---------------------------------------------------------------------------


def issue_token(applicant: Applicant, purpose: str, *, offer: Offer | None = None, expires_at=None) -> str:
    """Create a token and return the raw secret (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    ApplicantToken.create(
        token_hash=hash_secret(raw),
        purpose=purpose,
        applicant=applicant,
        offer=offer,
        expires_at=expires_at or clock.utcnow_naive() + ApplicantToken.LIFETIMES[purpose],
    )
    return raw


def valid_token(association: Association, purpose: str, raw: str | None) -> ApplicantToken | None:
    """The unused, unexpired token of this association's applicant, or None."""
    if not raw:
        return None
    token = (
        ApplicantToken.select(ApplicantToken, Applicant)
        .join(Applicant)
        .where(
            (ApplicantToken.token_hash == hash_secret(raw))
            & (ApplicantToken.purpose == purpose)
            & (Applicant.association == association)
        )
        .first()
    )
    if token is None or token.used_at is not None or token.expires_at <= clock.utcnow_naive():
        return None
    return token


def use_token(token: ApplicantToken) -> bool:
    """Mark used; False when another request used it first (single use under races)."""
    query = ApplicantToken.update(used_at=clock.utcnow_naive()).where(
        (ApplicantToken.id == token.id) & ApplicantToken.used_at.is_null()
    )
    return query.execute() == 1


def sender_key(ip: str) -> str:
    """A keyed hash of the sender's IP address: the throttle counts senders without keeping addresses."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"waiting-list:" + ip.encode(), hashlib.sha256).hexdigest()


def throttled(association: Association, key: str) -> bool:
    """Count this request; whether the sender has made too many in the last hour or day."""
    now = clock.utcnow_naive()
    recent = WaitingListRequest.select().where(
        (WaitingListRequest.sender_key == key) & (WaitingListRequest.created_at > now - dt.timedelta(days=1))
    )
    config = current_app.config
    too_many = recent.count() >= config.get("WAITING_LIST_REQUESTS_PER_DAY", REQUESTS_PER_DAY) or (
        recent.where(WaitingListRequest.created_at > now - dt.timedelta(hours=1)).count()
        >= config.get("WAITING_LIST_REQUESTS_PER_HOUR", REQUESTS_PER_HOUR)
    )
    if not too_many:
        WaitingListRequest.create(association=association, sender_key=key)
    return too_many


LINK_MAILS = ("waiting_confirm", "waiting_link")  # the mails anyone can have sent to an address


def _mailed_too_often(association: Association | int, email: str) -> bool:
    """Whether this address had as many sign-up and page links from the association in the last day as one
    address may get, whoever asked: nobody floods an inbox. Counted from the outbox, which keeps what was
    sent when a pending sign-up (and its tokens) is replaced."""
    since = clock.utcnow_naive() - dt.timedelta(days=1)
    sent = OutboundEmail.select().where(
        (OutboundEmail.association == association)
        & OutboundEmail.kind.in_(LINK_MAILS)
        & (pw.fn.LOWER(OutboundEmail.to_address) == email.strip().lower())
        & (OutboundEmail.created_at > since)
    )
    return sent.count() >= MAILS_PER_DAY


def _forget_mails(association: Association | int, email: str) -> int:
    """Delete the waiting list's mails to this address (name, links, homes offered) once no applicant of
    the association has it any more: erased means erased, the outbox too."""
    address = email.strip().lower()
    still_used = (
        Applicant.select()
        .where((Applicant.association == association) & (pw.fn.LOWER(Applicant.email) == address))
        .exists()
    )
    if still_used:
        return 0
    return (
        OutboundEmail.delete()
        .where(
            (OutboundEmail.association == association)
            & (pw.fn.SUBSTR(OutboundEmail.kind, 1, len("waiting_")) == "waiting_")
            & (pw.fn.LOWER(OutboundEmail.to_address) == address)
        )
        .execute()
    )


# --- the log -------------------------------------------------------------------------------------------


def log(applicant: Applicant, kind: str, *, vacancy: Vacancy | int | None = None, detail: str = "") -> None:
    ApplicantEvent.create(
        association=applicant.association_id,
        applicant=applicant,
        applicant_number=applicant.id,
        pseudonym=applicant.pseudonym,
        seniority_on=applicant.seniority_on,
        housing_types=applicant.housing_types,
        vacancy=vacancy,
        kind=kind,
        detail=detail[:200],
    )


# Others' steps that move an applicant behind them up (or, on a reactivation, down) a place.
MOVES = ("got_home", "deleted", "seniority_lost", "passive", "reactivated")


def own_events(applicant: Applicant) -> list[ApplicantEvent]:
    """The applicant's own steps and, since they joined, others' steps that changed their positions:
    someone ahead of them on one of their lists got a home, left, lost seniority or became passive."""
    mine = (ApplicantEvent.applicant == applicant.id) & (ApplicantEvent.kind != "reminder")
    others = (
        (ApplicantEvent.association == applicant.association_id)
        & (ApplicantEvent.applicant_number != applicant.id)
        & ApplicantEvent.kind.in_(MOVES)
        & (ApplicantEvent.created_at >= applicant.signed_up_at)
    )
    rows = (
        ApplicantEvent.select()
        .where(mine | others)
        .order_by(ApplicantEvent.created_at.desc(), ApplicantEvent.id.desc())
    )
    wished = set(applicant.type_keys)
    found = []
    for event in rows.limit(500):
        if event.applicant_number != applicant.id:
            ahead = (event.seniority_on, event.applicant_number) < applicant.order_key if event.seniority_on else False
            if not ahead or not wished & set(event.housing_types.split()) or applicant.seniority_on is None:
                continue
        found.append(event)
    return found[:100]


# --- sign-up, confirmation, links ----------------------------------------------------------------------


@dataclass
class Wishes:
    housing_types: list[str]
    departments: list[int]
    rooms_from: int | None
    max_rent: int | None
    accessibility: list[str]

    def fields(self) -> dict:
        return {
            "housing_types": " ".join(key for key in Vacancy.HOUSING_TYPES if key in self.housing_types),
            "departments": " ".join(str(number) for number in sorted(set(self.departments))),
            "rooms_from": self.rooms_from,
            "max_rent": self.max_rent,
            "accessibility": " ".join(key for key in Unit.ACCESSIBILITY if key in self.accessibility),
        }


def on_list(association: Association, email: str) -> Applicant | None:
    """The applicant on this association's list (confirmed, not housed) with this address, if any."""
    return (
        Applicant.of(association)
        .where(
            (pw.fn.LOWER(Applicant.email) == email.strip().lower())
            & Applicant.status.in_((Applicant.ACTIVE, Applicant.PASSIVE))
        )
        .first()
    )


def sign_up(association: Association, *, name: str, email: str, birth_date: dt.date, wishes: Wishes, language: str):
    """A new applicant waits for their confirmation; someone already on the list is mailed their link instead
    (the page answers the same either way, so it tells nobody who is on the list)."""
    with transaction():
        known = on_list(association, email)
        if known is not None:
            send_link(known)
            return
        if _mailed_too_often(association, email):
            return
        # A second sign-up before the first was confirmed replaces it: the latest wishes count.
        Applicant.delete().where(
            (Applicant.association == association)
            & (Applicant.status == Applicant.PENDING)
            & (pw.fn.LOWER(Applicant.email) == email.strip().lower())
        ).execute()
        applicant = Applicant.create(
            association=association, name=name, email=email.strip(), birth_date=birth_date, language=language,
            pseudonym=new_pseudonym(), **wishes.fields(),
        )  # fmt: skip
        raw = issue_token(applicant, ApplicantToken.CONFIRM)
        link = external_url("listings.waiting_confirm", slug=association.slug, wait_token=raw)
        queue_mail(
            "waiting_confirm", applicant.email, language=language, association=association, applicant=applicant,
            link=link,
        )  # fmt: skip


def send_link(applicant: Applicant) -> bool:
    """Mail the applicant a link to their page (valid an hour, once); False when they had enough today."""
    if _mailed_too_often(applicant.association_id, applicant.email):
        return False
    raw = issue_token(applicant, ApplicantToken.LINK)
    association = applicant.association
    link = external_url("listings.waiting_open", slug=association.slug, wait_link_token=raw)
    queue_mail(
        "waiting_link", applicant.email, language=applicant.language, association=association, applicant=applicant,
        link=link,
    )  # fmt: skip
    return True


def request_link(association: Association, email: str) -> None:
    """Mail the page's link when the address is on the list; nothing otherwise (the page says the same)."""
    with transaction():
        applicant = on_list(association, email)
        if applicant is not None:
            send_link(applicant)


def confirm(token: ApplicantToken) -> Applicant | None:
    """Put the applicant on the list from today (their seniority), once; None when the link was used."""
    applicant = token.applicant
    association = applicant.association
    today = association.today()
    with transaction():
        if not use_token(token) or applicant.status != Applicant.PENDING:
            return None
        applicant.status = Applicant.ACTIVE
        applicant.seniority_on = today
        if rules_of(association).fee is not None:
            applicant.paid_until = add_years(today, 1)  # the sign-up pays the first year
        applicant.save()
        log(applicant, "signed_up")
    return applicant


def open_session(token: ApplicantToken) -> str | None:
    """Use a page link; the key the browser keeps for a while (None when the link was used)."""
    with transaction():
        if not use_token(token):
            return None
        return issue_token(token.applicant, ApplicantToken.SESSION)


def end_session(token: ApplicantToken) -> None:
    use_token(token)


# --- positions and order -------------------------------------------------------------------------------


def active(association: Association) -> pw.ModelSelect:
    return Applicant.of(association).where(Applicant.status == Applicant.ACTIVE)


def positions(applicant: Applicant) -> dict[str, int | None]:
    """The applicant's place on each list they wish (a housing type): 1 + active applicants ahead of them on
    it; None while they are not active (passive, housed)."""
    if applicant.status != Applicant.ACTIVE:
        return dict.fromkeys(applicant.type_keys)
    ahead = (Applicant.seniority_on < applicant.seniority_on) | (
        (Applicant.seniority_on == applicant.seniority_on) & (Applicant.id < applicant.id)
    )
    rows = active(applicant.association).select(Applicant.housing_types).where(ahead).tuples()
    counts = dict.fromkeys(applicant.type_keys, 1)
    for (types,) in rows:
        for key in types.split():
            if key in counts:
                counts[key] += 1
    return counts


def matches(applicant: Applicant, vacancy: Vacancy, unit: Unit) -> bool:
    """Whether the home fits the applicant's wishes (each wish left empty fits every home)."""
    if applicant.type_keys and vacancy.housing_type not in applicant.type_keys:
        return False
    if applicant.department_ids and unit.building_id not in applicant.department_ids:
        return False
    if applicant.rooms_from and (unit.rooms or 0) < applicant.rooms_from:
        return False
    if applicant.max_rent is not None and vacancy.rent > applicant.max_rent:
        return False
    return applicant.accessibility_keys <= unit.accessibility_set


@dataclass
class Turn:
    internal: bool  # this home goes to the internal list first
    share: int  # the board's share of lettings for the internal list, percent
    lettings: int  # homes let through the list so far
    internal_lettings: int  # of them on internal turns


def turn(association: Association) -> Turn:
    """Whether the next letting is an internal turn: it is while the internal list has had less than the
    board's share of the lettings including this one (50 %: every other home)."""
    share = rules_of(association).internal_share
    row = (
        Letting.of(association)
        .select(
            pw.fn.COUNT(Letting.id).alias("lettings"),
            pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, [(Letting.internal_turn, 1)], 0)), 0).alias("internal"),
        )
        .dicts()
        .get()
    )
    lettings, internal = int(row["lettings"] or 0), int(row["internal"] or 0)
    return Turn(internal=share > 0 and internal * 100 < share * (lettings + 1), share=share, lettings=lettings,
                internal_lettings=internal)  # fmt: skip


def candidates(association: Association, vacancy: Vacancy, the_turn: Turn) -> list[Applicant]:
    """The active applicants the home fits who have not been offered it, in order: by seniority, the
    internal list first on an internal turn. Two queries whatever the list's length."""
    offered = Offer.select(Offer.applicant).where(Offer.vacancy == vacancy.id)
    rows = active(association).where(Applicant.id.not_in(offered)).order_by(Applicant.seniority_on, Applicant.id)
    fitting = [applicant for applicant in rows if matches(applicant, vacancy, vacancy.unit)]
    if the_turn.internal:
        fitting.sort(key=lambda applicant: not applicant.internal)  # stable: seniority within each list
    return fitting


# --- offers --------------------------------------------------------------------------------------------


def is_let(vacancy: Vacancy | int) -> bool:
    """Whether the home was let through the list: its letting stays when the housed applicant is erased
    (and their offer with them)."""
    return Letting.select().where(Letting.vacancy == vacancy).exists()


def is_closed(association: Association, vacancy: Vacancy) -> bool:
    """Whether the vacancy ended or its unit was archived: no more offers for it."""
    if vacancy.ends_on is not None and vacancy.ends_on < association.today():
        return True
    return bool(vacancy.unit_archived) or vacancy.unit.archived_at is not None


def offerable(association: Association, vacancy: Vacancy) -> bool:
    return not is_let(vacancy) and not is_closed(association, vacancy)


def send_offers(association: Association, vacancy: Vacancy) -> list[Offer]:
    """Offer the home to the next applicants in order (the board's batch size), each with a mailed link to
    answer by the deadline (the end of the day, the board's number of days from today). None for a home
    already let, ended or archived."""
    if not offerable(association, vacancy):
        return []
    rules = rules_of(association)
    the_turn = turn(association)
    deadline = end_of_day(association, association.today() + dt.timedelta(days=rules.reply_days))
    sent = []
    with transaction():
        for applicant in candidates(association, vacancy, the_turn)[: rules.offer_batch]:
            offer = Offer.create(
                association=association, vacancy=vacancy, applicant=applicant, deadline=deadline,
                internal_turn=the_turn.internal,
            )  # fmt: skip
            raw = issue_token(applicant, ApplicantToken.OFFER, offer=offer, expires_at=deadline)
            log(applicant, "offered", vacancy=vacancy)
            queue_mail(
                "waiting_offer", applicant.email, language=applicant.language, association=association,
                applicant=applicant, offer=offer, vacancy=vacancy, unit=vacancy.unit,
                link=external_url("listings.waiting_offer", slug=association.slug, wait_offer_token=raw),
            )  # fmt: skip
            sent.append(offer)
    return sent


def answer(token: ApplicantToken, accept: bool) -> Offer | None:
    """The applicant accepts or declines the offer, once and before its deadline; an answer either way ends
    their run of unanswered offers."""
    offer = Offer.get_by_id(token.offer_id)
    applicant = token.applicant
    with transaction():
        if offer.status != Offer.OPEN or offer.deadline <= clock.utcnow_naive() or not use_token(token):
            return None
        offer.status = Offer.ACCEPTED if accept else Offer.DECLINED
        offer.answered_at = clock.utcnow_naive()
        offer.save()
        Applicant.update(unanswered=0).where(Applicant.id == applicant.id).execute()
        log(applicant, "accepted" if accept else "declined", vacancy=offer.vacancy_id)
    return offer


def let(association: Association, vacancy: Vacancy, offer: Offer) -> None:
    """The home goes to the offer's applicant: the vacancy ends today (gone from tomorrow), the applicant
    leaves the list, the others' offers for it are withdrawn and they are told."""
    today = association.today()
    with transaction():
        Offer.update(status=Offer.LET, answered_at=offer.answered_at or clock.utcnow_naive()).where(
            Offer.id == offer.id
        ).execute()
        housed = offer.applicant
        housed.status = Applicant.HOUSED
        housed.save()
        log(housed, "got_home", vacancy=vacancy)
        Letting.create(
            association=association, vacancy=vacancy, applicant=housed, internal_turn=offer.internal_turn, let_on=today
        )
        ends_on = today if vacancy.ends_on is None or vacancy.ends_on > today else vacancy.ends_on
        Vacancy.update(ends_on=ends_on, updated_at=clock.utcnow_naive()).where(Vacancy.id == vacancy.id).execute()
        others = list(
            Offer.select(Offer, Applicant)
            .join(Applicant)
            .where(
                (Offer.vacancy == vacancy.id) & (Offer.id != offer.id) & Offer.status.in_((Offer.OPEN, Offer.ACCEPTED))
            )
        )
        for other in others:
            Offer.update(status=Offer.WITHDRAWN).where(Offer.id == other.id).execute()
            log(other.applicant, "withdrawn", vacancy=vacancy)
            queue_mail(
                "waiting_withdrawn", other.applicant.email, language=other.applicant.language,
                association=association, applicant=other.applicant, unit=vacancy.unit,
                link=external_url("listings.waiting_link", slug=association.slug),
            )  # fmt: skip


def expire_offers() -> int:
    """Open offers past their deadline are unanswered; the third in a row makes the applicant passive (they
    keep their seniority, get no offers and are told how to come back). Idempotent."""
    now = clock.utcnow_naive()
    due = list(
        Offer.select(Offer, Applicant)
        .join(Applicant)
        .where((Offer.status == Offer.OPEN) & (Offer.deadline <= now))
        .order_by(Offer.deadline, Offer.id)
    )
    for offer in due:
        with transaction():
            if (
                Offer.update(status=Offer.UNANSWERED)
                .where((Offer.id == offer.id) & (Offer.status == Offer.OPEN))
                .execute()
                != 1
            ):
                continue
            applicant = Applicant.get_by_id(offer.applicant_id)
            applicant.unanswered += 1
            log(applicant, "unanswered", vacancy=offer.vacancy_id)
            if applicant.unanswered >= Applicant.PASSIVE_AFTER and applicant.status == Applicant.ACTIVE:
                applicant.status = Applicant.PASSIVE
                log(applicant, "passive")
                association = applicant.association
                queue_mail(
                    "waiting_passive", applicant.email, language=applicant.language, association=association,
                    applicant=applicant, link=external_url("listings.waiting_link", slug=association.slug),
                )  # fmt: skip
            applicant.save()
    return len(due)


def reactivate(applicant: Applicant) -> None:
    """A passive applicant comes back: offers again, with the seniority they kept."""
    with transaction():
        applicant.status = Applicant.ACTIVE
        applicant.unanswered = 0
        applicant.save()
        log(applicant, "reactivated")


# --- the board's changes -------------------------------------------------------------------------------


def set_internal(applicant: Applicant, internal: bool) -> None:
    with transaction():
        applicant.internal = internal
        applicant.save()
        log(applicant, "internal_on" if internal else "internal_off")


def record_payment(applicant: Applicant, fee: int) -> None:
    """The yearly fee is paid: the renewal is due a year later than it was (a year from today if it had
    lapsed), and the reminders start afresh."""
    today = applicant.association.today()
    with transaction():
        base = applicant.paid_until if applicant.paid_until and applicant.paid_until >= today else today
        applicant.paid_until = add_years(base, 1)
        applicant.save()
        log(applicant, "renewed", detail=str(fee))


# --- the yearly renewal --------------------------------------------------------------------------------


def renewals(association: Association) -> tuple[int, int]:
    """Mail the renewal reminders that are due (30 and 7 days before) and take seniority from applicants
    whose grace period after the due day ended; (reminders mailed, seniorities lost). Idempotent."""
    rules = rules_of(association)
    if rules.fee is None:
        return 0, 0
    today = association.today()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    due = list(
        Applicant.of(association)
        .where(
            Applicant.status.in_((Applicant.ACTIVE, Applicant.PASSIVE))
            & Applicant.paid_until.is_null(False)
            & (Applicant.paid_until <= horizon)
        )
        .order_by(Applicant.id)
    )
    reminded = lost = 0
    for applicant in due:
        with transaction():
            if applicant.paid_until + dt.timedelta(days=rules.grace_days) < today:
                _lose_seniority(applicant, today)
                lost += 1
            elif _remind(applicant, rules, today):
                reminded += 1
    return reminded, lost


def _remind(applicant: Applicant, rules: WaitingListRules, today: dt.date) -> bool:
    sent = applicant.reminders_sent if applicant.reminded_for == applicant.paid_until else 0
    needed = sum(1 for days in REMINDER_DAYS if today >= applicant.paid_until - dt.timedelta(days=days))
    if needed <= sent or sent >= len(REMINDER_DAYS):
        return False
    applicant.reminded_for, applicant.reminders_sent = applicant.paid_until, needed
    applicant.save()
    log(applicant, "reminder", detail=str(needed))
    association = applicant.association
    queue_mail(
        "waiting_renewal", applicant.email, language=applicant.language, association=association,
        applicant=applicant, fee=rules.fee, due=applicant.paid_until,
        loses_on=applicant.paid_until + dt.timedelta(days=rules.grace_days + 1),
    )  # fmt: skip
    return True


def _lose_seniority(applicant: Applicant, today: dt.date) -> None:
    """Unrenewed past the grace period: the applicant starts again from today, like a new sign-up, and the
    next renewal is due a year on (so the reminders and the rule keep applying)."""
    old = applicant.seniority_on
    log(applicant, "seniority_lost", detail=old.isoformat() if old else "")  # logged with the seniority they had
    applicant.seniority_on = today
    applicant.paid_until = add_years(today, 1)
    applicant.save()
    queue_mail(
        "waiting_seniority_lost", applicant.email, language=applicant.language, association=applicant.association,
        applicant=applicant, old=old,
    )  # fmt: skip


def start_renewals(association: Association) -> int:
    """The board set a yearly fee where there was none: those already on the list without a due date owe
    it a year from today, as a new sign-up would. Call in the rules' transaction."""
    return (
        Applicant.update(paid_until=add_years(association.today(), 1))
        .where(
            (Applicant.association == association)
            & Applicant.status.in_((Applicant.ACTIVE, Applicant.PASSIVE))
            & Applicant.paid_until.is_null()
        )
        .execute()
    )


def prune_unconfirmed() -> int:
    """Sign-ups never confirmed within the confirmation link's life go (nothing of them is kept, their
    mails neither)."""
    before = clock.utcnow_naive() - ApplicantToken.LIFETIMES[ApplicantToken.CONFIRM]
    stale = (Applicant.status == Applicant.PENDING) & (Applicant.signed_up_at < before)
    with transaction():
        addresses = set(Applicant.select(Applicant.association, Applicant.email).where(stale).tuples())
        gone = Applicant.delete().where(stale).execute()
        for association_id, email in addresses:
            _forget_mails(association_id, email)
    return gone


def prune_requests() -> int:
    before = clock.utcnow_naive() - dt.timedelta(days=1)
    return WaitingListRequest.delete().where(WaitingListRequest.created_at < before).execute()


# --- the applicant's own data --------------------------------------------------------------------------


def export(applicant: Applicant) -> dict:
    """Everything the list holds about the applicant, for their download."""
    offers = Offer.select().where(Offer.applicant == applicant.id).order_by(Offer.id)
    events = ApplicantEvent.select().where(ApplicantEvent.applicant == applicant.id).order_by(ApplicantEvent.id)
    return {
        "association": applicant.association.name,
        "name": applicant.name,
        "email": applicant.email,
        "birth_date": applicant.birth_date.isoformat(),
        "language": applicant.language,
        "wishes": {
            "housing_types": applicant.type_keys,
            "departments": sorted(applicant.department_ids),
            "rooms_from": applicant.rooms_from,
            "max_rent_minor_units": applicant.max_rent,
            "accessibility": sorted(applicant.accessibility_keys),
        },
        "internal": applicant.internal,
        "status": applicant.status,
        "signed_up_at": applicant.signed_up_at.isoformat(),
        "seniority_on": applicant.seniority_on.isoformat() if applicant.seniority_on else None,
        "renewal_due_on": applicant.paid_until.isoformat() if applicant.paid_until else None,
        "unanswered_offers_in_a_row": applicant.unanswered,
        "offers": [
            {
                "vacancy": o.vacancy_id,
                "sent_at": o.sent_at.isoformat(),
                "deadline": o.deadline.isoformat(),
                "status": o.status,
            }
            for o in offers
        ],  # fmt: skip
        "events": [{"at": e.created_at.isoformat(), "kind": e.kind, "detail": e.detail} for e in events],
    }


def delete(applicant: Applicant) -> None:
    """Erase the applicant: the row, their offers and links go; the log keeps the pseudonym only."""
    with transaction():
        log(applicant, "deleted")
        applicant.delete_instance()  # events: applicant set to NULL; offers and tokens go with the row
        _forget_mails(applicant.association_id, applicant.email)
