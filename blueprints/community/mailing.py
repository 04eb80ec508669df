"""Mass mail from the board (SPEC C4, seed 004 §4.9): who may get it, the test send, and sending.

Recipients are the people in the register (Person rows). A person's address is their own in the register,
else, when they have none, the address of their account if it is in use (active): the board reaches the
members who signed up without writing their address into the register twice. People at an address another
person already gets the mailing at are listed too, but the mail goes to the address once.

A person cannot be chosen, and is listed greyed with the reason, when they have no address, when mail to
their address bounced (until the address changes), when the mailing is a newsletter and they switched
newsletters off in My account, or when someone listed before them has the same address.

Sending writes one MailingRecipient and one outbox row per recipient in one transaction, in bulk: the mail
is rendered once per language (nothing in it differs per person but the unsubscribe link, which is put in
afterwards), and the rows are queued after the commit in chunks of 200, each chunk one job that sends its
rows over one SMTP connection (jobs.email.deliver_many). The mailing's files are stored once
and every row refers to them (OutboundAttachment, shared); the test send goes to the board member alone,
without them (seed 004 §4.9).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath

import peewee as pw
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import escape

from core import clock, notifications
from core.mail import attachment_file, external_url, mail_language, queue_mail, store_attachment
from core.queue import enqueue
from core.security import read_signed_ids, signed_ids
from core.text import fold, locale_for, markdown
from core.text import lazy_gettext as _l
from models import Association, Membership, OutboundAttachment, OutboundEmail, Person, User
from models.community import Mailing, MailingAttachment, MailingRecipient
from models.db import after_commit, transaction
from models.register import Ownership, Residency, Unit

KIND = "mailing"  # the outbox rows' kind: templates/email/mailing.txt and .html
NEWSLETTERS = "community.newsletters"

notifications.register(
    notifications.Kind(
        NEWSLETTERS,
        _l("Newsletters from the board"),
        order=60,
        hint=_l("Mass mail the board marks as a newsletter. Mail the board must send you always comes."),
    )
)

# Why a person is listed but cannot be chosen.
NO_ADDRESS, BOUNCED, NO_NEWSLETTERS, SAME_ADDRESS = "no_address", "bounced", "no_newsletters", "same_address"

# Where the unsubscribe link goes in a mail rendered once for many; replaced per recipient.
_UNSUBSCRIBE_MARK = "https://porch.invalid/unsubscribe-here"
_BATCH = 100  # outbox rows per INSERT: 11 values each, well under SQLite's 999 parameters
# The rows go to the worker in chunks, each sent over one SMTP connection (jobs.email.deliver_many): a job
# per mail would open a connection per mail, and queueing 2,000 jobs takes longer than writing the rows.
DELIVER_MANY = "jobs.email.deliver_many"
CHUNK = 200
# A chunk's rows wait for their job this long before the outbox sweep sends them one by one instead
# (their job was lost with Redis, or waits behind a long queue); the claim keeps a row from going twice.
SWEEP_AFTER = dt.timedelta(minutes=10)


class MailingError(Exception):
    """What the board is told when a mailing cannot be sent as asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Filters:
    """The board's narrowing of the list: a role, a building, owners only."""

    role_id: int | None = None
    building_id: int | None = None
    owners_only: bool = False

    @classmethod
    def from_args(cls, args) -> Filters:
        return cls(
            role_id=args.get("role", type=int) or None,
            building_id=args.get("building", type=int) or None,
            owners_only=args.get("owners") in ("1", "y", "on", "true"),
        )

    @classmethod
    def from_json(cls, text: str) -> Filters:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        return cls(data.get("role_id"), data.get("building_id"), bool(data.get("owners_only")))

    def to_json(self) -> str:
        return json.dumps({"role_id": self.role_id, "building_id": self.building_id, "owners_only": self.owners_only})


@dataclass
class Candidate:
    """A person as the recipient list shows them."""

    person_id: int
    name: str
    address: str
    language: str
    user_id: int | None
    bounced_at: dt.datetime | None = None
    reason: str | None = None  # None: may be chosen
    same_as: str = ""  # SAME_ADDRESS: who gets it at this address
    units: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.reason is None


def candidates(association: Association, filters: Filters, *, newsletter: bool) -> list[Candidate]:
    """Everyone in the register the filters keep, in name order, each with why they cannot be chosen
    (three queries: the people, their units, who switched newsletters off)."""
    today = association.today()
    rows = list(_people(association, today, filters))
    switched_off = _switched_off(association) if newsletter else set()
    found, seen = [], {}
    for row in rows:
        candidate = _candidate(association, row)
        if not candidate.address:
            candidate.reason = NO_ADDRESS
        elif candidate.bounced_at is not None:
            candidate.reason = BOUNCED
        elif candidate.user_id in switched_off:
            candidate.reason = NO_NEWSLETTERS
        elif candidate.address.lower() in seen:
            candidate.reason, candidate.same_as = SAME_ADDRESS, seen[candidate.address.lower()]
        else:
            seen[candidate.address.lower()] = candidate.name
        found.append(candidate)
    _attach_units(association, found, today)
    return found


def _candidate(association: Association, row: dict) -> Candidate:
    own = (row["email"] or "").strip()
    address = own or (row["user_email"] if row["user_state"] == User.ACTIVE else "") or ""
    language = row["user_language"] or row["invoice_language"] or association.locale
    return Candidate(
        person_id=row["id"],
        name=f"{row['given_name']} {row['surname']}".strip(),
        address=address,
        language=language,
        user_id=row["user"],
        bounced_at=row["email_bounced_at"],
    )


def _people(association: Association, today: dt.date, filters: Filters) -> pw.ModelSelect:
    membership_now = (
        (Membership.user == Person.user)
        & (Membership.association == association.id)
        & (Membership.valid_from.is_null() | (Membership.valid_from <= today))
        & (Membership.valid_to.is_null() | (Membership.valid_to >= today))
    )
    query = (
        Person.select(
            Person.id,
            Person.given_name,
            Person.surname,
            Person.email,
            Person.email_bounced_at,
            Person.invoice_language,
            Person.user,
            User.email.alias("user_email"),
            User.state.alias("user_state"),
            User.ui_language.alias("user_language"),
        )
        .join(User, pw.JOIN.LEFT_OUTER, on=(Person.user == User.id))
        .switch(Person)
        .join(Membership, pw.JOIN.LEFT_OUTER, on=membership_now)
        .where(Person.association == association.id)
        .order_by(*Person.name_order())
        .dicts()
    )
    if filters.role_id:
        # The role of their account here, else (no account) the role the register gives them.
        query = query.where(pw.fn.COALESCE(Membership.role, Person.role) == filters.role_id)
    if filters.owners_only:
        query = query.where(Person.id.in_(_owners(association, today, filters.building_id)))
    elif filters.building_id:
        query = query.where(
            Person.id.in_(_owners(association, today, filters.building_id))
            | Person.id.in_(_residents(association, today, filters.building_id))
        )
    return query


def _owners(association: Association, today: dt.date, building_id: int | None) -> pw.ModelSelect:
    where = (Unit.association == association.id) & Ownership.current(today)
    if building_id:
        where &= Unit.building == building_id
    return Ownership.select(Ownership.person).join(Unit).where(where)


def _residents(association: Association, today: dt.date, building_id: int) -> pw.ModelSelect:
    where = (Unit.association == association.id) & (Unit.building == building_id) & Residency.current(today)
    return Residency.select(Residency.person).join(Unit).where(where)


def _switched_off(association: Association) -> set[int]:
    return {row.user_id for row in notifications.switched_off(association.id, NEWSLETTERS)}


def _attach_units(association: Association, found: list[Candidate], today: dt.date) -> None:
    """The numbers of the units each person owns or lives in today (one query), to tell people apart."""
    by_person = {c.person_id: c for c in found}
    if not by_person:
        return
    here = Unit.association == association.id
    owned = Ownership.select(Ownership.person, Unit.number).join(Unit).where(here & Ownership.current(today))
    lived = Residency.select(Residency.person, Unit.number).join(Unit).where(here & Residency.current(today))
    for person_id, number in (owned | lived).tuples():
        candidate = by_person.get(person_id)
        if candidate is not None and number not in candidate.units:
            candidate.units.append(number)


# --- drafts ----------------------------------------------------------------------------------------------


def chosen_ids(mailing: Mailing) -> set[int]:
    """The people the board ticked on the draft (empty: nothing saved yet, everyone eligible is preselected)."""
    return {
        person_id
        for (person_id,) in MailingRecipient.select(MailingRecipient.person)
        .where(MailingRecipient.mailing == mailing.id)
        .tuples()
        if person_id is not None
    }


def choose(mailing: Mailing, filters: Filters, people: list[Candidate], ticked: set[int]) -> int:
    """Keep the board's choice on the draft: the ticked people the list offers, and the filters used."""
    chosen = [c for c in people if c.eligible and c.person_id in ticked]
    with transaction():
        files = personal_files(mailing)
        MailingRecipient.delete().where(MailingRecipient.mailing == mailing.id).execute()
        rows = [
            dict(
                mailing=mailing.id,
                person=c.person_id,
                user=c.user_id,
                name=c.name[:250],
                address=c.address[:254],
                personal_file=files.get(c.person_id, (None, ""))[0],
                personal_file_name=files.get(c.person_id, (None, ""))[1],
            )
            for c in chosen
        ]
        for start in range(0, len(rows), _BATCH):
            MailingRecipient.insert_many(rows[start : start + _BATCH]).execute()
        Mailing.update(recipient_filter=filters.to_json()).where(Mailing.id == mailing.id).execute()
    return len(chosen)


def recipients_to_send(mailing: Mailing, association: Association) -> list[Candidate]:
    """Who the mailing would go to now: the ticked people still eligible (addresses change, bounce, or
    newsletters get switched off between choosing and sending)."""
    ticked = chosen_ids(mailing)
    everyone = candidates(association, Filters(), newsletter=mailing.newsletter)
    return [c for c in everyone if c.eligible and c.person_id in ticked]


# --- rendering ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def mail_context(mailing: Mailing, *, test: bool = False, unsubscribe_link: str = "") -> dict:
    """What templates/email/mailing.txt and .html show."""
    return dict(
        mailing=mailing,
        body_html=markdown(mailing.body),
        unsubscribe_link=unsubscribe_link,
        test=test,
        sent_on=clock.utcnow_naive(),
    )


def render_mail(mailing: Mailing, association: Association, language: str, *, unsubscribe: bool) -> Rendered:
    """The mailing in one language, as every recipient of that language gets it (a newsletter's unsubscribe
    link is a mark each recipient's link replaces). As core.mail.queue_mail renders it: the subject is what
    the text template sets, on one line, so a header cannot be split by what was typed."""
    mark = _UNSUBSCRIBE_MARK if mailing.newsletter and unsubscribe else ""
    context = dict(mail_context(mailing, unsubscribe_link=mark), association=association, user=None)
    with force_locale(locale_for(language)):
        template = current_app.jinja_env.get_template("email/mailing.txt")
        current_app.update_template_context(context)
        module = template.make_module(context)
        html = render_template("email/mailing.html", **context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return Rendered(subject=subject[:255], text=str(module).strip() + "\n", html=html)


def unsubscribe_token(association_id: int, user_id: int) -> str:
    return signed_ids(NEWSLETTERS, association_id, user_id)


def unsubscribe_reader(token: str) -> tuple[int, int] | None:
    """(association id, user id) of a newsletter's unsubscribe link, or None if it was not ours."""
    return read_signed_ids(NEWSLETTERS, token, 2)


def switch_newsletters_off(association_id: int, user_id: int) -> None:
    with transaction():
        notifications.save_choices(user_id, association_id, {NEWSLETTERS: notifications.Choice(False, ())})


# --- sending --------------------------------------------------------------------------------------------


def send_test(mailing: Mailing, association: Association, user: User) -> OutboundEmail:
    """The mailing to the board member alone, marked as a test, without its files (seed 004 §4.9)."""
    language = mail_language(user, association)
    with transaction():
        row = queue_mail(
            KIND, user.email, language=language, association=association, user=user, **mail_context(mailing, test=True)
        )
        Mailing.update(test_sent_at=clock.utcnow_naive()).where(Mailing.id == mailing.id).execute()
    return row


def send_mailing(mailing: Mailing, association: Association) -> int:
    """Write every recipient's outbox row and MailingRecipient in one transaction and queue the rows once it
    commits; how many. Refused when the mailing is no longer a draft (sent twice by a double click)."""
    recipients = recipients_to_send(mailing, association)
    if not recipients:
        raise MailingError(_l("Nobody is chosen who can get this mail."))
    files = list(
        MailingAttachment.select().where(MailingAttachment.mailing == mailing.id).order_by(MailingAttachment.id)
    )
    stamp = clock.utcnow_naive()
    with transaction():
        started = (
            Mailing.update(state=Mailing.SENDING, sent_at=stamp)
            .where((Mailing.id == mailing.id) & (Mailing.state == Mailing.DRAFT))
            .execute()
        )
        if not started:
            raise MailingError(_l("This mailing is already sent."))
        before = OutboundEmail.select(pw.fn.MAX(OutboundEmail.id)).scalar() or 0
        outbox_ids = _write_outbox(mailing, association, recipients, stamp, before)
        personal = personal_files(mailing)
        MailingRecipient.delete().where(MailingRecipient.mailing == mailing.id).execute()
        _insert(
            MailingRecipient,
            [
                dict(
                    mailing=mailing.id,
                    person=c.person_id,
                    user=c.user_id,
                    name=c.name[:250],
                    address=c.address[:254],
                    language=c.language,
                    email=outbox_ids[c.address],
                    personal_file=personal.get(c.person_id, (None, ""))[0],
                    personal_file_name=personal.get(c.person_id, (None, ""))[1],
                )
                for c in recipients
            ],
        )
        _insert(OutboundAttachment, _personal_attachments(recipients, personal, outbox_ids))
        _insert(
            OutboundAttachment,
            [
                dict(email=row_id, path=file.stored_name, name=file.original_name, shared=True)
                for row_id in outbox_ids.values()
                for file in files
            ],
        )
        rows = sorted(outbox_ids.values())
        for start in range(0, len(rows), CHUNK):  # after the commit
            enqueue(DELIVER_MANY, rows[start : start + CHUNK], job_id=f"mailing-{mailing.id}-{start // CHUNK}")
    return len(recipients)


def _personal_attachments(recipients: list[Candidate], personal: dict, outbox_ids: dict[str, int]) -> list[dict]:
    """Each recipient's own file on their row alone (removed once sent); a file meant for several (the
    co-owners of a unit) is copied for each but the first, since a sent row removes its file."""
    rows, used = [], set()
    for c in recipients:
        stored, name = personal.get(c.person_id, (None, ""))
        if not stored:
            continue
        if stored in used:
            stored, _shown = store_attachment(name, attachment_file(stored).read_bytes())
        used.add(stored)
        rows.append(dict(email=outbox_ids[c.address], path=stored, name=name, shared=False))
    return rows


def _write_outbox(
    mailing: Mailing, association: Association, recipients: list[Candidate], stamp: dt.datetime, before: int
) -> dict[str, int]:
    """Insert the outbox rows in bulk; address -> row id (the addresses are distinct within a mailing, and
    the rows are told from others by being newer than `before` and written at `stamp` as the mailing's)."""
    # Rendered once per language, and for a newsletter with and without the unsubscribe link (people with
    # no account have nothing to switch off: they ask the board).
    rendered: dict[tuple[str, bool], Rendered] = {}
    rows = []
    for c in recipients:
        offers_unsubscribe = mailing.newsletter and c.user_id is not None
        mail = rendered.get((c.language, offers_unsubscribe))
        if mail is None:
            mail = render_mail(mailing, association, c.language, unsubscribe=offers_unsubscribe)
            rendered[(c.language, offers_unsubscribe)] = mail
        unsubscribe, text, html = "", mail.text, mail.html
        if offers_unsubscribe:
            token = unsubscribe_token(association.id, c.user_id)
            unsubscribe = external_url(
                "community.newsletter_unsubscribe", slug=association.slug, newsletter_token=token
            )
            text = text.replace(_UNSUBSCRIBE_MARK, unsubscribe)
            html = html.replace(_UNSUBSCRIBE_MARK, str(escape(unsubscribe)))
        rows.append(
            dict(
                association=association.id,
                recipient_user=c.user_id,
                to_address=c.address,
                kind=KIND,
                language=c.language,
                subject=mail.subject,
                body_text=text,
                body_html=html,
                created_at=stamp,
                next_attempt_at=stamp + SWEEP_AFTER,
                unsubscribe_url=unsubscribe,
            )
        )
    _insert(OutboundEmail, rows)
    found = (
        OutboundEmail.select(OutboundEmail.to_address, OutboundEmail.id)
        .where(
            (OutboundEmail.association == association.id)
            & (OutboundEmail.kind == KIND)
            & (OutboundEmail.created_at == stamp)
            & (OutboundEmail.id > before)
        )
        .tuples()
    )
    wanted = {c.address for c in recipients}
    return {address: row_id for address, row_id in found if address in wanted}


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), _BATCH):
        model.insert_many(rows[start : start + _BATCH]).execute()


# --- delivery status ------------------------------------------------------------------------------------

QUEUED, SENT, FAILED, BOUNCED = "queued", "sent", "failed", "bounced"
STATES = (QUEUED, SENT, FAILED, BOUNCED)
PAGE = 100


def state_of(status: str | None, bounced_at: dt.datetime | None) -> str:
    """A recipient's state from their outbox row: a bounce outranks the row's "sent"; "sending" is queued."""
    if bounced_at is not None:
        return BOUNCED
    if status == OutboundEmail.SENT:
        return SENT
    if status == OutboundEmail.FAILED:
        return FAILED
    return QUEUED


def _state_condition(state: str) -> pw.Expression:
    E = OutboundEmail
    if state == BOUNCED:
        return E.bounced_at.is_null(False)
    statuses = {QUEUED: [E.QUEUED, E.SENDING], SENT: [E.SENT], FAILED: [E.FAILED]}[state]
    return E.bounced_at.is_null() & E.status.in_(statuses)


def counts_of(mailing_ids: list[int]) -> dict[int, dict[str, int]]:
    """mailing id -> {state: recipients}, "chosen" for a draft's ticked people (one query for any number)."""
    counts: dict[int, dict[str, int]] = {mailing_id: {} for mailing_id in mailing_ids}
    if not mailing_ids:
        return counts
    bounced = OutboundEmail.bounced_at.is_null(False)
    query = (
        MailingRecipient.select(
            MailingRecipient.mailing, OutboundEmail.status, bounced, pw.fn.COUNT(MailingRecipient.id)
        )
        .join(OutboundEmail, pw.JOIN.LEFT_OUTER, on=(MailingRecipient.email == OutboundEmail.id))
        .where(MailingRecipient.mailing.in_(mailing_ids))
        .group_by(MailingRecipient.mailing, OutboundEmail.status, bounced)
        .tuples()
    )
    for mailing_id, status, was_bounced, count in query:
        state = "chosen" if status is None else state_of(status, True if was_bounced else None)
        counts[mailing_id][state] = counts[mailing_id].get(state, 0) + count
    return counts


def recipients_page(mailing: Mailing, state: str, page: int) -> tuple[list[MailingRecipient], bool]:
    """One page of the mailing's recipients with their outbox rows (one query), and whether more follow."""
    query = (
        MailingRecipient.select(MailingRecipient, OutboundEmail)
        .join(OutboundEmail, pw.JOIN.LEFT_OUTER, on=(MailingRecipient.email == OutboundEmail.id), attr="outbox")
        .where(MailingRecipient.mailing == mailing.id)
        .order_by(MailingRecipient.name, MailingRecipient.id)
    )
    if state in STATES:
        query = query.where(_state_condition(state))
    rows = list(query.limit(PAGE + 1).offset((page - 1) * PAGE))
    for row in rows:
        outbox = getattr(row, "outbox", None)
        row.state = state_of(outbox.status, outbox.bounced_at) if outbox is not None and outbox.id else QUEUED
    return rows[:PAGE], len(rows) > PAGE


def settle(mailing: Mailing, counts: dict[str, int]) -> None:
    """A mailing whose rows have all left (sent, failed or bounced) is sent."""
    if mailing.state == Mailing.SENDING and not counts.get(QUEUED):
        Mailing.update(state=Mailing.SENT).where(Mailing.id == mailing.id).execute()
        mailing.state = Mailing.SENT


# --- personal files (one PDF per recipient) -------------------------------------------------------------


def personal_files(mailing: Mailing) -> dict[int, tuple[str, str]]:
    """person id -> (stored file, name) of the personal files matched on the draft."""
    query = MailingRecipient.select(
        MailingRecipient.person, MailingRecipient.personal_file, MailingRecipient.personal_file_name
    ).where((MailingRecipient.mailing == mailing.id) & MailingRecipient.personal_file.is_null(False))
    return {person_id: (stored, name) for person_id, stored, name in query.tuples() if person_id is not None}


@dataclass
class Matching:
    """What an upload of personal files came to: who gets which file, and the files that matched nobody
    (or several people by name: the board renames them)."""

    matched: list[tuple[Candidate, str]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def match_files(names: list[str], recipients: list[Candidate]) -> dict[str, list[Candidate]]:
    """file name -> the recipients it is for: those living in or owning a unit whose number is a word of
    the name ("A1.pdf", "Statement 12B 2026.pdf": everyone of that unit), else the one person whose
    surname and given name both are ("Berg Bo.pdf"). A name naming several people matches nobody."""
    by_unit: dict[str, list[Candidate]] = {}
    for c in recipients:
        for number in c.units:
            by_unit.setdefault(fold(number), []).append(c)
    found = {}
    for name in names:
        words = set(re.split(r"[^0-9a-z]+", fold(PurePath(name).stem))) - {""}
        units = [c for word in sorted(words) for c in by_unit.get(word, [])]
        if units:
            found[name] = list({c.person_id: c for c in units}.values())
            continue
        named = [c for c in recipients if _named_in(c, words)]
        found[name] = named if len(named) == 1 else []
    return found


def _named_in(candidate: Candidate, words: set[str]) -> bool:
    parts = [part for part in re.split(r"[^0-9a-z]+", fold(candidate.name)) if part]
    return len(parts) >= 2 and all(part in words for part in parts)


def attach_personal_files(mailing: Mailing, association: Association, files: list[tuple[str, bytes]]) -> Matching:
    """Store the files that match a chosen recipient on their draft row (replacing an earlier one)."""
    chosen = recipients_to_send(mailing, association)
    matches = match_files([name for name, _data in files], chosen)
    result = Matching()
    replaced: set[str] = set()
    with transaction():
        for name, data in files:
            people = matches.get(name) or []
            if not people:
                result.unmatched.append(name)
                continue
            stored, shown = store_attachment(name, data)
            theirs = (MailingRecipient.mailing == mailing.id) & MailingRecipient.person.in_(
                [c.person_id for c in people]
            )
            replaced |= {
                earlier
                for (earlier,) in MailingRecipient.select(MailingRecipient.personal_file)
                .where(theirs & MailingRecipient.personal_file.is_null(False))
                .tuples()
            }
            MailingRecipient.update(personal_file=stored, personal_file_name=shown).where(theirs).execute()
            result.matched.extend((c, shown) for c in people)
        # A file no recipient has any longer leaves the disk, once the change is kept.
        unused = replaced - {stored for stored, _name in personal_files(mailing).values()}
        after_commit(lambda: [attachment_file(stored).unlink(missing_ok=True) for stored in unused])
    return result


def remove_personal_files(mailing: Mailing) -> None:
    with transaction():
        for stored, _name in set(personal_files(mailing).values()):
            attachment_file(stored).unlink(missing_ok=True)
        MailingRecipient.update(personal_file=None, personal_file_name="").where(
            MailingRecipient.mailing == mailing.id
        ).execute()


def personal_list(mailing: Mailing) -> list[tuple[str, str]]:
    """(recipient's name, file name) of the draft's personal files, by name (one query)."""
    return list(
        MailingRecipient.select(MailingRecipient.name, MailingRecipient.personal_file_name)
        .where((MailingRecipient.mailing == mailing.id) & MailingRecipient.personal_file.is_null(False))
        .order_by(MailingRecipient.name)
        .tuples()
    )
