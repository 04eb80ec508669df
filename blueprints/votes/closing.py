"""A vote closes itself at its end (V5; issue 12 item 3): counted, published with its protocol, announced.

Two things close a vote, and either may come first: the job `jobs.votes.close` that ballots.start() scheduled
for the end (RQ's scheduler), and the periodic sweep (`rq cron` every minute, `flask jobs tick` or
`flask votes close-due` without Redis). Both call close(), which claims the vote with one conditional UPDATE
(running -> closed, only once its end has come): whichever claims it does the rest, the other finds nothing
to do. In that one transaction the tally is stored as published (result_json, outcome), the vote's
discussion is locked, the result is published as a document with the protocol PDF in the result folder,
and the result mail is written to the outbox for every owner of the eligible units (a per-rollam vote:
Czech law has the result announced in writing to every owner; the mail carries the resolution word for
word and the protocol) or, for a poll, for those who voted.

The protocol takes a second or two for a large house, so it is rendered before the claim; a ballot that
was committed between that count and the claim (cast a moment before the end) moves the ledger's head,
and the count and the protocol are made again inside the transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import peewee as pw
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.datastructures import FileStorage

from blueprints.documents import attachments, library
from blueprints.votes import protocol, rules, signals, tally
from core import clock
from core.audit import audit
from core.mail import attachment_file, external_url, store_attachment
from core.queue import enqueue
from core.text import locale_for
from models import OutboundAttachment, OutboundEmail, Role, User
from models.community import Thread
from models.db import transaction
from models.documents import Document, DocumentAttachment, Folder, FolderAccess
from models.register import Ownership, Person
from models.votes import Ballot, Vote, VoteUnit

# The vote's own page (blueprints/votes/views.py), linked from the mails.
VOTE_PAGE = "votes.vote"


def vote_url(vote: Vote) -> str:
    return external_url(VOTE_PAGE, slug=vote.association.slug, vote_id=vote.id)


@dataclass(frozen=True)
class Counted:
    """A vote counted at one ledger head, with its protocol."""

    head: str
    tally: tally.Tally
    pdf: bytes


def close(vote_id: int) -> bool:
    """Close the vote if it is running and its end has come; True if this call closed it (only one does)."""
    now = clock.utcnow_naive()
    vote = Vote.get_or_none(Vote.id == vote_id)
    if vote is None or not _due(vote, now):
        return False
    counted = _count(vote, now)
    written: list[DocumentAttachment] = []
    stored = ""
    try:
        with transaction():
            claimed = (
                Vote.update(state=Vote.CLOSED, closed_at=now)
                .where((Vote.id == vote_id) & (Vote.state == Vote.RUNNING) & (Vote.ends_at <= now))
                .execute()
            )
            if claimed != 1:
                return False
            vote = Vote.get_by_id(vote_id)
            if vote.ledger_head != counted.head:
                counted = _count(vote, now)
            vote.result_json, vote.outcome = counted.tally.to_json(), counted.tally.outcome
            Thread.update(locked=True).where(Thread.vote == vote.id).execute()
            document = publish(vote, counted)
            if document is not None:
                written = list(DocumentAttachment.select().where(DocumentAttachment.document == document.id))
            vote.protocol = document
            Vote.update(result_json=vote.result_json, outcome=vote.outcome, protocol=document).where(
                Vote.id == vote.id
            ).execute()
            stored, _shown = store_attachment(protocol.filename(vote), counted.pdf)
            mailed = announce(vote, counted, document, stored)
            audit("votes.closed", association=vote.association, target=vote.title, outcome=vote.outcome,
                  ballots=counted.tally.ballots, mailed=mailed)  # fmt: skip
            signals.vote_changed(vote)
    except BaseException:
        attachments.discard_files(vote.association, written)
        if stored:
            attachment_file(stored).unlink(missing_ok=True)
        raise
    return True


def close_due() -> list[int]:
    """Close every running vote whose end has passed (the sweep); the ids of those this call closed."""
    due = (
        Vote.select(Vote.id)
        .where((Vote.state == Vote.RUNNING) & (Vote.ends_at <= clock.utcnow_naive()))
        .order_by(Vote.ends_at, Vote.id)
    )
    return [vote_id for (vote_id,) in due.tuples() if close(vote_id)]


def _due(vote: Vote, now: dt.datetime) -> bool:
    return vote.state == Vote.RUNNING and vote.ends_at is not None and vote.ends_at <= now


def _count(vote: Vote, now: dt.datetime) -> Counted:
    """Count the ballots as they are and render the protocol, as the vote will read once closed at `now`."""
    vote.state, vote.closed_at = Vote.CLOSED, now
    counted = tally.read(vote)
    vote.result_json, vote.outcome = counted.to_json(), counted.outcome
    return Counted(vote.ledger_head, counted, protocol.render(vote, counted))


# --- publishing ------------------------------------------------------------------------------------------


def result_folder(vote: Vote) -> Folder | None:
    """Where the result goes: the folder chosen on the vote; else Minutes; else the first the board writes."""
    association = vote.association
    if vote.result_folder_id is not None:
        chosen = Folder.of(association).where(Folder.id == vote.result_folder_id).first()
        if chosen is not None:
            return chosen
    minutes = Folder.of(association).where(Folder.key == Folder.MINUTES).first()
    if minutes is not None:
        return minutes
    board = Role.select(Role.id).where((Role.association == association.id) & (Role.key == "board"))
    written = FolderAccess.select(FolderAccess.folder).where(
        FolderAccess.role.in_(board) & (FolderAccess.may_write == True)  # noqa: E712 (SQL)
    )
    return Folder.ordered(association).where(Folder.id.in_(written)).first()


def publish(vote: Vote, counted: Counted) -> Document | None:
    """The result as a published document with the protocol attached, in the association's language; None
    when the association has no folder to put it in (the vote still closes; the board downloads the protocol).
    Published without the new-document mail: the result mail below is the announcement."""
    folder = result_folder(vote)
    if folder is None:
        return None
    with force_locale(locale_for(vote.association.locale)):
        title = _("Result: %(title)s", title=vote.title)[:200]
        body = document_body(vote, counted.tally)
    upload = FileStorage(io.BytesIO(counted.pdf), filename=protocol.filename(vote), content_type="application/pdf")
    draft = library.Draft(title=title, body=body, folder=folder, quiet=True)
    author = User.get_or_none(User.id == vote.author_id) if vote.author_id else None
    return library.write(draft, [upload], author, publish=True)


def document_body(vote: Vote, counted: tally.Tally) -> str:
    """The result document's Markdown, in the current language."""
    summary = protocol.Summary(vote, counted)
    parts = [f"**{_md(summary.headline())}**", *(_md(reason) for reason in summary.reasons())]
    if vote.is_per_rollam:
        parts.append(_("Resolution:"))
        parts.append("\n".join(f"> {_md(line)}" if line.strip() else ">" for line in vote.resolution.splitlines()))
    else:
        parts.append(_("Question: %(title)s", title=_md(vote.title)))
    header = [_("Option"), _("Ballots"), _("Weight (exact)"), _("Of the votes cast"), _("Of all")]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for total in counted.options:
        cells = [_md(total.label), str(total.ballots), protocol.exact(total.weight), summary.share_of_voted(total),
                 summary.share_of_all(total)]  # fmt: skip
        table.append("| " + " | ".join(cells) + " |")
    parts.append("\n".join(table))
    parts.append(
        _("%(voted)s of %(eligible)s units voted, %(turnout)s of all shares. The attached protocol lists the rule,"
          " the ballots and the ledger's final hash: %(head)s.",
          voted=counted.ballots, eligible=counted.eligible_units, turnout=summary.turnout(), head=vote.ledger_head)
    )  # fmt: skip
    return "\n\n".join(parts)


def _md(text: str) -> str:
    """Text typed by the board, kept literal in Markdown (a table cell's bar, emphasis marks)."""
    return "".join("\\" + ch if ch in "\\`*_[]|<>#" else ch for ch in text)


# --- announcing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    address: str
    language: str
    user: User | None


def recipients(vote: Vote) -> list[Recipient]:
    """Who is mailed the result: for a per-rollam vote (whose law announces it to all) the owners of its
    units on the closing day and whoever cast a ballot (a proxy); for a poll, whoever cast a ballot.
    Each person once, and each address once; people without an address are left out (two queries)."""
    association = vote.association
    voters = Ballot.select(Ballot.cast_by).where((Ballot.vote == vote.id) & Ballot.cast_by.is_null(False))
    chosen = Person.id.in_(voters)
    if vote.is_per_rollam and rules.preset(vote.jurisdiction).announce_to_all:
        units = VoteUnit.select(VoteUnit.unit).where(VoteUnit.vote == vote.id)
        owners = Ownership.select(Ownership.person).where(
            Ownership.unit.in_(units) & Ownership.current(association.today())
        )
        chosen |= Person.id.in_(owners)
    return addressed(association, chosen)


def addressed(association, chosen: pw.Expression) -> list[Recipient]:
    """The people `chosen` (an expression on Person), in name order, each with where and in which language
    to mail them: their own address in the register, else their account's (when in use); their account's
    language, else their invoices', else the association's. Each address once; no address, no mail."""
    rows = (
        Person.select(Person, User)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Person.user == User.id))
        .where((Person.association == association.id) & chosen)
        .order_by(*Person.name_order())
    )
    found, seen = [], set()
    for person in rows:
        user = person.user if person.user_id is not None else None
        active = user is not None and user.state == User.ACTIVE
        address = person.email.strip() or (user.email if active else "")
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        language = (user.ui_language if user else None) or person.invoice_language or association.locale
        found.append(Recipient(person.id, person.full_name, address, language, user if active else None))
    return found


# A recipient's name in a mail rendered once for all who read its language; each row puts theirs in.
NAME_MARK = "porch-recipient-name-here"
DELIVER_MANY = "jobs.email.deliver_many"
CHUNK = 200  # outbox rows per delivery job (one SMTP connection each)
_BATCH = 50  # rows per INSERT: well under SQLite's 999 parameters
SWEEP_AFTER = dt.timedelta(minutes=10)  # the outbox sweep leaves the rows to their delivery jobs until then


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_result(vote: Vote, counted: tally.Tally, language: str, *, named: bool, **links) -> Rendered:
    """The result mail in one language, as core.mail.queue_mail renders a mail (the subject is what the text
    template sets, on one line), with NAME_MARK where the greeting names the reader."""
    context = dict(
        association=vote.association, user=None, name=NAME_MARK if named else "", vote=vote, tally=counted,
        summary=protocol.Summary(vote, counted), **links,
    )  # fmt: skip
    with force_locale(locale_for(language)):
        template = current_app.jinja_env.get_template("email/vote_result.txt")
        current_app.update_template_context(context)
        module = template.make_module(context)
        html = render_template("email/vote_result.html", **context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return Rendered(subject[:255], str(module).strip() + "\n", html)


def announce(vote: Vote, counted: Counted, document: Document | None, stored: str) -> int:
    """Write the result mail for every recipient to the outbox, each in their language with the protocol
    attached (one file for all), and have it delivered once the transaction commits; how many.

    Rendered once per language and written in bulk, as a mailing is (community/mailing.py): a house of
    2,000 owners would otherwise hold the database's write lock for seconds while 2,000 mails render."""
    association = vote.association
    links = dict(
        vote_link=vote_url(vote),
        document_link=external_url("documents.document", slug=association.slug, document_id=document.id)
        if document
        else "",
    )
    stamp = clock.utcnow_naive()
    rendered: dict[tuple[str, bool], Rendered] = {}
    rows = []
    for recipient in recipients(vote):
        key = (recipient.language, bool(recipient.name))
        if key not in rendered:
            rendered[key] = render_result(vote, counted.tally, recipient.language, named=key[1], **links)
        mail = rendered[key]
        rows.append(
            dict(
                association=association.id,
                recipient_user=recipient.user.id if recipient.user else None,
                to_address=recipient.address,
                kind="vote_result",
                language=recipient.language,
                subject=mail.subject,
                body_text=mail.text.replace(NAME_MARK, recipient.name),
                body_html=mail.html.replace(NAME_MARK, str(escape(recipient.name))),
                created_at=stamp,
                next_attempt_at=stamp + SWEEP_AFTER,
            )
        )
    before = OutboundEmail.select(pw.fn.MAX(OutboundEmail.id)).scalar() or 0
    for start in range(0, len(rows), _BATCH):
        OutboundEmail.insert_many(rows[start : start + _BATCH]).execute()
    written = [
        row_id
        for (row_id,) in OutboundEmail.select(OutboundEmail.id)
        .where(
            (OutboundEmail.association == association.id)
            & (OutboundEmail.kind == "vote_result")
            & (OutboundEmail.created_at == stamp)
            & (OutboundEmail.id > before)
        )
        .order_by(OutboundEmail.id)
        .tuples()
    ]
    files = [dict(email=row_id, path=stored, name=protocol.filename(vote), shared=True) for row_id in written]
    for start in range(0, len(files), _BATCH):
        OutboundAttachment.insert_many(files[start : start + _BATCH]).execute()
    for start in range(0, len(written), CHUNK):  # after the commit
        enqueue(DELIVER_MANY, written[start : start + CHUNK], job_id=f"vote-result-{vote.id}-{start // CHUNK}")
    return len(written)


def closing_report(vote_id: int) -> str:
    """One line on a closed vote, for `flask votes close-due`."""
    vote = Vote.get_by_id(vote_id)
    folder = Document.get_by_id(vote.protocol_id).folder.name if vote.protocol_id else "-"
    # Each result mail carries the protocol, named after the vote.
    mails = OutboundAttachment.select().where(OutboundAttachment.name == protocol.filename(vote)).count()
    return (
        f"vote {vote.id} «{vote.title}» ({vote.association.slug}): closed, outcome {vote.outcome or 'poll'};"
        f" result published in {folder}; {mails} result mail(s) queued; final hash {vote.ledger_head}"
    )
