"""Erasure of a person who has left (GDPR, SPEC I3): their personal data replaced by a pseudonym, their account
deleted, their history kept under the pseudonym.

Refused while they own or live in a unit, or owe money (the billing ledger's balance), with the reason.
Then, in one transaction:

- their register entry keeps its place in the history (ownership, invoices, ballots, posts, fault reports
  point at it) but holds only the pseudonym; invoices' and bank lines' copies of their name and address too;
- their account: this association's rows that point at the login are moved to a closed stand-in account
  named by the pseudonym (so posts and ballots still show who, as the pseudonym); the membership, settings,
  subscriptions, mentions, calendar feeds, reminders, consents and their own-data exports go; the login
  itself, with its sessions, tokens, second factors and recovery codes, is deleted unless another
  association still has them as a member (that association's data is not this board's to erase);
- mail to them in the outbox loses its body and address; their posts' earlier versions are deleted;
- every text column of every row of this association is searched for their name, e-mail address, phone
  numbers and personal id, which are replaced (audit entries, mentions in others' posts, mail bodies…);
- the search index is made again from the scrubbed rows;
- the files they uploaded (fault photos, post attachments, meter photos, scans of their paper ballots) are
  removed, unless the board keeps them for a legal reason it states.

The Erasure row and the audit entry record who erased whom (by pseudonym), when and what was counted,
never the erased data.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

import peewee as pw
from flask_babel import force_locale
from flask_babel import gettext as _

import models
from blueprints.billing import ledger
from blueprints.exchange import privacy_files as files
from blueprints.exchange import privacy_graph as graph
from core import search
from core.audit import audit
from core.text import locale_for, money
from models import (
    Ballot,
    BankTransaction,
    CalendarFeed,
    Consent,
    EventReminder,
    FaultAttachment,
    FaultReport,
    Invoice,
    LoginAttempt,
    MailingRecipient,
    Membership,
    Meter,
    NotificationChoice,
    OutboundAttachment,
    OutboundEmail,
    Ownership,
    Person,
    Post,
    PostAttachment,
    PostMention,
    PostRevision,
    Reading,
    RecoveryCode,
    RegistrationRequest,
    Residency,
    SavedSearch,
    SecondFactor,
    SecondFactorAttempt,
    Subscription,
    Token,
    Unit,
    User,
    UserSession,
    Vote,
)
from models.db import after_commit, db, like, like_pattern, transaction
from models.exchange import DataExport, Erasure

ERASED = "[erased]"
# Values shorter than this are not searched for in free text: "12" would be replaced everywhere.
SHORTEST = 4
# Never swept as text: the register entries and logins are rewritten field by field (a namesake's row must
# not change), the search index is made again, and the erasure records hold no erased data.
NOT_SWEPT = {"Person", "User", "SearchEntry", "SearchText", "Erasure", "DataExport"}


class ErasureRefusedError(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class PlannedFile:
    key: str
    label: str


@dataclass
class ErasurePlan:
    """What the confirmation page lists: why it cannot be done, or what will happen."""

    person: Person
    refusals: list[str] = field(default_factory=list)
    files: list[PlannedFile] = field(default_factory=list)
    account: str = "none"  # "none", "deleted", or "elsewhere" (the login stays for another association)
    kept: dict[str, int] = field(default_factory=dict)  # history kept under the pseudonym: label -> count

    @property
    def allowed(self) -> bool:
        return not self.refusals


def already_erased(person: Person) -> bool:
    return Erasure.select().where(Erasure.person == person).exists()


def plan(association, person: Person) -> ErasurePlan:
    today = association.today()
    result = ErasurePlan(person=person, refusals=refusals(association, person, today))
    result.files = personal_files(association, person)
    if person.user_id:
        result.account = "elsewhere" if _member_elsewhere(association, person.user_id) else "deleted"
    result.kept = {
        _("Ownership records"): Ownership.select().where(Ownership.person == person).count(),
        _("Invoices"): Invoice.select().where(Invoice.recipient == person).count(),
        _("Ballots"): Ballot.select().where(Ballot.cast_by == person).count(),
        _("Posts"): _their(Post, Post.author, person).count(),
        _("Fault reports"): FaultReport.select()
        .where((FaultReport.association == association) & _reported_by(person))
        .count(),
    }
    return result


def _member_elsewhere(association, user) -> bool:
    return Membership.select().where((Membership.user == user) & (Membership.association != association)).exists()


def refusals(association, person: Person, today: dt.date) -> list[str]:
    """Why this person cannot be erased today (empty: they may be)."""
    reasons = []
    owned = Unit.select().join(Ownership).where((Ownership.person == person) & Ownership.current(today))
    for unit in owned:
        reasons.append(_("They still own %(unit)s: record the change of owner first.", unit=unit.title))
    lived = Unit.select().join(Residency).where((Residency.person == person) & Residency.current(today))
    for unit in lived:
        reasons.append(_("They still live in %(unit)s: end the residency first.", unit=unit.title))
    balance = owed(person, today)
    if balance > 0:
        reasons.append(
            _(
                "They owe %(amount)s: settle or write off the debt first.",
                amount=money(balance, association.currency),
            )
        )
    return reasons


def owed(person: Person, today: dt.date) -> int:
    """What the person owes today across their whole history (the ledger's closing balance; <= 0: nothing)."""
    everything = ledger.Period(dt.date(ledger.MIN_YEAR, 1, 1), today)
    return ledger.person_statement(person, everything, today).closing


def _their(model, link, person: Person) -> pw.ModelSelect:
    if not person.user_id:
        return model.select().where(pw.Value(False))
    return model.select().where((link == person.user_id) & (model.association == person.association_id))


def _reported_by(person: Person) -> pw.Expression:
    condition = FaultReport.reporter_person == person
    if person.user_id:
        condition |= FaultReport.reporter == person.user_id
    return condition


def personal_files(association, person: Person) -> list[PlannedFile]:
    """The files this person uploaded here (and the scans of their signed paper ballots)."""
    found = []
    if person.user_id:
        attachments = FaultAttachment.select(FaultAttachment.stored_name, FaultAttachment.original_name).join(
            FaultReport
        )
        for stored, name in attachments.where(
            (FaultAttachment.uploaded_by == person.user_id) & (FaultReport.association == association)
        ).tuples():
            found.append(PlannedFile(files.key(association.id, "faults", stored), _("Fault photo %(name)s", name=name)))
        posts = _their(Post, Post.author, person).select(Post.id)
        for stored, name in (
            PostAttachment.select(PostAttachment.stored_name, PostAttachment.original_name)
            .where(PostAttachment.post.in_(posts))
            .tuples()
        ):
            found.append(
                PlannedFile(files.key(association.id, "discussions", stored), _("Post attachment %(name)s", name=name))
            )
        meters = Meter.select(Meter.id).where(Meter.association == association)
        for (photo,) in (
            Reading.select(Reading.photo)
            .where((Reading.entered_by == person.user_id) & Reading.meter.in_(meters) & Reading.photo.is_null(False))
            .tuples()
        ):
            found.append(PlannedFile(files.key(association.id, "meters", photo), _("Meter reading photo")))
    votes = Vote.select(Vote.id).where(Vote.association == association)
    for (scan,) in (
        Ballot.select(Ballot.scan_name)
        .where((Ballot.cast_by == person) & Ballot.vote.in_(votes) & Ballot.scan_name.is_null(False))
        .tuples()
    ):
        found.append(PlannedFile(files.key(association.id, "votes", scan), _("Scan of a paper ballot")))
    return found


# --- the erasure ------------------------------------------------------------------------------------------


@dataclass
class Old:
    """The values that must not be found anywhere after the erasure, each with what replaces it."""

    replacements: list[tuple[str, str]]

    def apply(self, text: str) -> str:
        for old, new in self.replacements:
            text = re.sub(re.escape(old), new.replace("\\", "\\\\"), text, flags=re.IGNORECASE)
        return text


def erase(association, person: Person, actor: User, keep_reason: str = "") -> Erasure:
    """Erase the person (ErasureRefusedError with the reasons if they may not be erased now)."""
    reasons = refusals(association, person, association.today())
    if reasons:
        raise ErasureRefusedError(reasons)
    with force_locale(locale_for(association.locale)):
        pseudonym = f"{_('Former resident')} {secrets.token_hex(3).upper()}"
    address = f"erased-{secrets.token_hex(6)}@erased.invalid"
    user = User.get_or_none(User.id == person.user_id) if person.user_id else None
    # Rows of no association (account mail, account audit entries) are the login's: theirs to scrub only when
    # the login goes, not while another association still has it as a member.
    login_goes = user is None or not _member_elsewhere(association, user)
    old = _old_values(association, person, user, pseudonym, address)
    theirs = personal_files(association, person)
    planned = [] if keep_reason else theirs
    with transaction():
        if not keep_reason:
            _drop_file_rows(association, person)
        scrubbed = _scrub_outbox(association, person, user, address, include_unscoped=login_goes)
        _drop_personal_settings(association, person, user)
        _rewrite_copies(person, pseudonym)
        if user is not None:
            _close_account(association, person, user, pseudonym)
        scrubbed += sweep(association, old, include_unscoped=login_goes)
        _rewrite_person(person, pseudonym)
        search.rebuild(association.id)
        _forget_deleted_words()
        erasure = Erasure.create(
            association=association,
            person=person,
            pseudonym=pseudonym,
            erased_by=actor,
            files_removed=len(planned),
            files_kept=len(theirs) if keep_reason else 0,
            kept_reason=keep_reason,
            rows_scrubbed=scrubbed,
        )
        audit(
            "register.person_erased",
            actor=actor,
            association=association,
            target=pseudonym,
            files_removed=len(planned),
            kept_reason=keep_reason,
        )
        after_commit(lambda: [files.delete(f.key) for f in planned])
    return erasure


def _old_values(association, person: Person, user: User | None, pseudonym: str, address: str) -> Old:
    names = {person.full_name, person.sort_name}
    if user is not None and len(user.name.split()) > 1:  # a full name; a single word ("Board") is too common
        names.add(user.name)
    namesake = (
        Person.select()
        .where(
            (Person.association == association)
            & (Person.id != person.id)
            & (pw.fn.LOWER(Person.given_name) == person.given_name.lower())
            & (pw.fn.LOWER(Person.surname) == person.surname.lower())
        )
        .exists()
    )
    replacements = []
    for email in {person.email, user.email if user else ""}:
        if len(email) >= SHORTEST:
            replacements.append((email, address))
    if not namesake:  # someone else of the same name: their mentions in text must stay theirs
        replacements += [(name, pseudonym) for name in sorted(names, key=len, reverse=True) if len(name) >= SHORTEST]
    phones = {person.phone_home, person.phone_mobile, person.phone_work, person.personal_id}
    if user is not None:
        phones |= {user.phone_home, user.phone_mobile, user.phone_work}
    replacements += [(value, ERASED) for value in sorted(phones, key=len, reverse=True) if len(value) >= SHORTEST]
    return Old(replacements)


def sweep(association, old: Old, *, include_unscoped: bool = False) -> int:
    """Replace the old values in every text column of every row of this association; how many rows changed.

    `include_unscoped`: also rows of no association (account mail, account audit entries), once the login
    they were about is gone."""
    if not old.replacements:
        return 0
    changed = 0
    for model in models.ALL_MODELS:
        if model.__name__ in NOT_SWEPT:
            continue
        scope = graph.belongs_to(model, association.id)
        own = model._meta.fields.get("association")
        if include_unscoped and isinstance(own, pw.ForeignKeyField) and own.null:
            scope = own.is_null() if scope is None else scope | own.is_null()
        if scope is None:  # a login's own rows (sessions, second factors): deleted with it, or another's
            continue
        changed += _sweep_model(model, scope, old)
    return changed


def _text_fields(model) -> list[pw.Field]:
    return [f for f in model._meta.sorted_fields if isinstance(f, pw.CharField | pw.TextField)]


def _sweep_model(model, scope: pw.Expression, old: Old) -> int:
    columns = _text_fields(model)
    if not columns:
        return 0
    anywhere = pw.Value(False)
    for column in columns:
        for value, _new in old.replacements:
            anywhere |= like(column, like_pattern(value))
    key = model._meta.primary_key
    changed = 0
    for row in model.select(key, *columns).where(scope & anywhere).tuples():
        values = {}
        for column, text in zip(columns, row[1:], strict=True):
            if text and old.apply(text) != text:
                values[column] = old.apply(text)[: getattr(column, "max_length", None) or None]
        if values:
            model.update(values).where(key == row[0]).execute()
            changed += 1
    return changed


def _drop_file_rows(association, person: Person) -> None:
    """The rows naming the files that will be removed (the files go after the commit)."""
    if person.user_id:
        reports = FaultReport.select(FaultReport.id).where(FaultReport.association == association)
        FaultAttachment.delete().where(
            (FaultAttachment.uploaded_by == person.user_id) & FaultAttachment.report.in_(reports)
        ).execute()
        posts = _their(Post, Post.author, person).select(Post.id)
        PostAttachment.delete().where(PostAttachment.post.in_(posts)).execute()
        meters = Meter.select(Meter.id).where(Meter.association == association)
        Reading.update(photo=None).where((Reading.entered_by == person.user_id) & Reading.meter.in_(meters)).execute()
    votes = Vote.select(Vote.id).where(Vote.association == association)
    Ballot.update(scan_name=None, scan_original_name="", scan_content_type="").where(
        (Ballot.cast_by == person) & Ballot.vote.in_(votes)
    ).execute()


def _scrub_outbox(association, person: Person, user: User | None, address: str, *, include_unscoped: bool) -> int:
    """Mail to them keeps its row (the board's mail log counts it) but loses its body, address and files."""
    addresses = [a for a in {User.normalize_email(person.email), User.normalize_email(user.email if user else "")} if a]
    to_them = pw.fn.LOWER(OutboundEmail.to_address).in_(addresses) if addresses else pw.Value(False)
    if user is not None:
        to_them |= OutboundEmail.recipient_user == user
    where = OutboundEmail.association == association
    if include_unscoped:
        where |= OutboundEmail.association.is_null()
    mails = list(OutboundEmail.select(OutboundEmail.id, OutboundEmail.attachment_path).where(to_them & where))
    ids = [mail.id for mail in mails]
    if not ids:
        return 0
    gone = [mail.attachment_path for mail in mails if mail.attachment_path]
    own = OutboundAttachment.select(OutboundAttachment.path).where(
        OutboundAttachment.email.in_(ids) & ~OutboundAttachment.shared
    )
    gone += [path for (path,) in own.tuples()]
    OutboundAttachment.delete().where(OutboundAttachment.email.in_(ids)).execute()
    OutboundEmail.update(
        to_address=address,
        subject=ERASED,
        body_text=ERASED,
        body_html="",
        reply_to="",
        unsubscribe_url="",
        attachment_path=None,
        attachment_name="",
        last_error="",
        bounce_reason="",
    ).where(OutboundEmail.id.in_(ids)).execute()
    MailingRecipient.update(address=address, personal_file="", personal_file_name="").where(
        MailingRecipient.email.in_(ids)
    ).execute()
    after_commit(lambda: [files.delete(path) for path in gone])
    return len(ids)


def _drop_personal_settings(association, person: Person, user: User | None) -> None:
    """What only served them: settings, subscriptions, reminders, feeds, mentions, their posts' old versions,
    their own-data exports, registration requests' contact details, saved searches by their address."""
    for export in DataExport.select().where(
        (DataExport.association == association)
        & ((DataExport.person == person) | (DataExport.user == user))
        & (DataExport.kind == DataExport.PERSON)
    ):
        if export.stored_name:
            name = export.stored_name
            after_commit(lambda name=name: files.delete(name))
        export.delete_instance()
    RegistrationRequest.update(email="", ip="").where(RegistrationRequest.person == person).execute()
    if person.email:
        SavedSearch.delete().where(
            (SavedSearch.association == association) & (pw.fn.LOWER(SavedSearch.email) == person.email.lower())
        ).execute()
    MailingRecipient.update(name="").where(MailingRecipient.person == person).execute()
    if user is None:
        return
    for model in (NotificationChoice, Subscription, EventReminder, CalendarFeed, Consent):
        model.delete().where((model.user == user) & (model.association == association)).execute()
    Token.delete().where((Token.user == user) & (Token.association == association)).execute()
    posts_here = Post.select(Post.id).where(Post.association == association)
    PostMention.delete().where((PostMention.user == user) & PostMention.post.in_(posts_here)).execute()
    their_posts = _their(Post, Post.author, person).select(Post.id)
    PostRevision.delete().where(PostRevision.post.in_(their_posts)).execute()
    Membership.delete().where((Membership.user == user) & (Membership.association == association)).execute()


def _rewrite_copies(person: Person, pseudonym: str) -> None:
    """Invoices and bank lines keep a copy of the name and address as it was: the pseudonym replaces it."""
    Invoice.update(recipient_name=pseudonym, recipient_address="").where(Invoice.recipient == person).execute()
    BankTransaction.update(payer_name=pseudonym, payer_account="").where(BankTransaction.person == person).execute()
    MailingRecipient.update(name=pseudonym).where(MailingRecipient.person == person).execute()


def _close_account(association, person: Person, user: User, pseudonym: str) -> bool:
    """Move this association's rows from the login to a closed stand-in; delete the login unless another
    association still has it as a member. True when the login is gone."""
    stand_in = User.create(
        email=f"erased-{secrets.token_hex(8)}@erased.invalid", name=pseudonym, state=User.DISABLED, password_hash=None
    )
    for link in graph.personal_links():
        if link.rel_model is not User or link.model is User:
            continue
        scope = graph.belongs_to(link.model, association.id)
        if scope is None:
            continue
        link.model.update({link: stand_in.id}).where((link == user.id) & scope).execute()
    Person.update(user=None).where(Person.id == person.id).execute()
    if Membership.select().where(Membership.user == user).exists():
        return False
    for model in (UserSession, Token, SecondFactor, RecoveryCode, SecondFactorAttempt):
        model.delete().where(model.user == user).execute()
    LoginAttempt.delete().where(pw.fn.LOWER(LoginAttempt.email) == user.email.lower()).execute()
    user.delete_instance()  # what else points at it (other associations' old rows) lets go: SET NULL
    return True


def _rewrite_person(person: Person, pseudonym: str) -> None:
    person.surname, person.given_name = pseudonym, ""
    for name in ("email", "email_bounce_reason", "phone_home", "phone_mobile", "phone_work", "personal_id", "street",
                 "postcode", "city", "country"):  # fmt: skip
        setattr(person, name, "")
    person.email_bounced_at = None
    person.invoice_by_email = person.invoice_by_paper = False
    person.invoice_language = None
    person.user = None
    person.save()  # the search name and sort key follow the new name


def _forget_deleted_words() -> None:
    """SQLite's full-text index keeps a deleted row's words until its segments merge: merge them now."""
    if isinstance(db.obj, pw.SqliteDatabase):
        db.execute_sql("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
