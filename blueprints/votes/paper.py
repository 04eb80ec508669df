"""Paper ballots (V7): their scans, and a batch of them read from a spreadsheet.

A scan is a PDF or a picture, checked by its bytes as documents' files are (blueprints/documents/attachments.py:
a picture is re-encoded from its pixels, so its metadata is gone) and kept under a server-made name in
<association id>/votes/ in the storage, which only the scan view serves, to the vote's managers.

A batch is read in three steps: the board uploads a CSV or XLSX file, sees every row with what it would
record and every error with its row and column, and confirms. Between preview and confirm the rows travel as
a token signed with SECRET_KEY (for this vote and this board member, for an hour), so nothing the browser
sends back is believed unsigned; confirming checks every row again and stores all of them in one
transaction, or none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import peewee as pw
from babel.dates import parse_date
from flask import abort, current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from blueprints.documents.attachments import file_in, write_file
from blueprints.votes import ballots
from blueprints.votes.ballots import VoteRefused
from core import images, uploads
from core.storage import FileHandle
from core.text import fold, locale_for, translated
from core.text import lazy_gettext as _l
from core.xlsx import UnreadableSpreadsheetError, read_rows
from models.db import transaction
from models.register import Building, Ownership, Person, Unit, VotingProxy
from models.votes import Ballot, Vote, VoteOption, VoteUnit

FOLDER = "votes"
PDF_MAGIC = b"%PDF-"
SCAN_ACCEPT = "application/pdf,image/*"
SCAN_HINT = _l("A PDF, or a photo of the ballot (JPEG, PNG or WebP). Its metadata is removed.")

BATCH_MAX_BYTES = 2 * 1024 * 1024
BATCH_MAX_ROWS = 5000
TOKEN_SALT = "votes-paper-batch"
TOKEN_MAX_AGE = 3600  # seconds between the preview and the confirmation
XLSX_MAGIC = b"PK\x03\x04"
# The spreadsheet's columns: the header row names them (in English, or as the template in the page's language).
COLUMNS = ("unit", "building", "choice", "received", "signed_by")
REQUIRED = ("unit", "choice", "received")
COLUMN_TITLES = {
    "unit": _l("unit"),
    "building": _l("building"),
    "choice": _l("choice"),
    "received": _l("received"),
    "signed_by": _l("signed_by"),
}
# What a per-rollam vote's answers are called, in English and in the association's language.
MEANING_WORDS = {VoteOption.FOR: "For", VoteOption.AGAINST: "Against", VoteOption.ABSTAIN: "Abstain"}


class ScanRefused(Exception):  # noqa: N818 (what the views catch)
    """A scan we do not keep; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


# --- Managers and scans --------------------------------------------------------------------------------------


def manager_permission(vote: Vote) -> str:
    """Who records paper ballots and sees their scans: the managers of the vote's kind."""
    return "votes.manage_per_rollam" if vote.is_per_rollam else "votes.manage"


def managed_vote(association, vote_id: int, granted: frozenset[str]) -> Vote:
    """The association's vote with this id if the member manages its kind; else 404 (as if it were not there)."""
    vote = Vote.of(association).where(Vote.id == vote_id).first()
    if vote is None or manager_permission(vote) not in granted:
        abort(404)
    return vote


def check_scan(upload, association) -> tuple[str, bytes, str] | None:
    """A chosen scan read and checked (shown name, bytes, "pdf" or "image"); None when no file was chosen."""
    if upload is None or not (getattr(upload, "filename", "") or ""):
        return None
    name = uploads.display_name(upload.filename)
    limit = int(association.document_max_mb or 5) * 1024 * 1024
    data = uploads.read_capped(getattr(upload, "stream", upload), limit)
    if data is None:
        raise ScanRefused(uploads.too_large(name, limit))
    if not data:
        raise ScanRefused(_("%(name)s is empty.", name=name))
    if data.startswith(PDF_MAGIC):
        return name, data, "pdf"
    try:
        images._open(data)  # decodes it as write_file will: a refusal here writes nothing
    except images.ImageRefusedError:
        raise ScanRefused(_("%(name)s is not a PDF or a picture.", name=name)) from None
    return name, data, "image"


def store_scan(association, checked: tuple[str, bytes, str]) -> tuple[str, str, str]:
    """Write a checked scan; (stored name, shown name, content type) for the ballot."""
    name, data, extension = checked
    written = write_file(association, FOLDER, data, extension)
    return written.stored_name, name, written.content_type


def discard_scan(association, stored_name: str | None) -> None:
    """Remove a scan whose ballot was not stored (refused or rolled back)."""
    file = file_in(association, FOLDER, stored_name or "")
    if file is not None:
        file.unlink(missing_ok=True)


def scan_path(vote: Vote, ballot: Ballot) -> FileHandle:
    """The stored scan of a paper ballot of this vote; 404 when it has none or the file is gone."""
    if ballot.vote_id != vote.id or not ballot.scan_name:
        abort(404)
    file = file_in(vote.association, FOLDER, ballot.scan_name)
    if file is None or not file.is_file():
        abort(404)
    return file


def record_one(vote: Vote, actor, unit_id: int, option_id: int, received_on: dt.date, person_id: int | None,
               scan_upload) -> Ballot:  # fmt: skip
    """Check the row and the scan, write the scan, record the ballot; the scan goes again if it is refused."""
    ballots.check_paper(vote, unit_id, option_id, received_on)
    if person_id is not None and person_id not in dict(signers(vote, unit_id, received_on)):
        raise VoteRefused(_("Choose one of the unit's owners or its proxy."), "signed_by")
    checked = check_scan(scan_upload, vote.association)
    scan = store_scan(vote.association, checked) if checked is not None else None
    try:
        return ballots.record_paper(vote, actor, unit_id, option_id, received_on, person_id=person_id, scan=scan)
    except BaseException:
        discard_scan(vote.association, scan[0] if scan else None)
        raise


# --- What the page lists -------------------------------------------------------------------------------------


def units_without_ballot(vote: Vote) -> list[Unit]:
    """The vote's eligible units that have no ballot yet, in natural order (building, then number)."""
    voted = Ballot.select(Ballot.unit).where(Ballot.vote == vote.id)
    return list(
        Unit.select(Unit, Building)
        .join(VoteUnit, on=(VoteUnit.unit == Unit.id))
        .switch(Unit)
        .join(Building)
        .where((VoteUnit.vote == vote.id) & Unit.id.not_in(voted))
        .order_by(*Unit.natural_order())
    )


def signers(vote: Vote, unit_id: int | None, on: dt.date) -> list[tuple[int, str]]:
    """Who may sign the unit's ballot on `on`: its owners then and its voting proxy then, by name."""
    if unit_id is None:
        return []
    owners = Ownership.select(Ownership.person).where((Ownership.unit == unit_id) & Ownership.current(on))
    proxies = VotingProxy.select(VotingProxy.person).where((VotingProxy.unit == unit_id) & ballots.proxy_valid(on))
    people = (
        Person.of(vote.association).where(Person.id.in_(owners) | Person.id.in_(proxies)).order_by(*Person.name_order())
    )
    proxy_ids = {row[0] for row in proxies.tuples()}
    owner_ids = {row[0] for row in owners.tuples()}
    return [
        (person.id, person.full_name if person.id in owner_ids or person.id not in proxy_ids
         else _("%(name)s (proxy)", name=person.full_name))
        for person in people
    ]  # fmt: skip


@dataclass(frozen=True)
class PaperCounts:
    eligible: int
    ballots: int
    paper: int

    @property
    def online(self) -> int:
        return self.ballots - self.paper

    @property
    def missing(self) -> int:
        return self.eligible - self.ballots


def counts(vote: Vote) -> PaperCounts:
    """How many units may vote, how many did, and how many of those on paper (one query)."""
    total, paper = (
        Ballot.select(pw.fn.COUNT(Ballot.id), pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, [(Ballot.channel == Ballot.PAPER, 1)], 0)), 0))
        .where(Ballot.vote == vote.id)
        .tuples()
        .get()
    )  # fmt: skip
    return PaperCounts(vote.eligible_units, total or 0, paper or 0)


def paper_ballots(vote: Vote) -> list[Ballot]:
    """The vote's paper ballots, newest first, with their unit, building, choice, signer and recorder (one query)."""
    from models.portal import User

    return list(
        Ballot.select(Ballot, Unit, Building, VoteOption, Person, User)
        .join(Unit, on=(Ballot.unit == Unit.id))
        .join(Building)
        .switch(Ballot)
        .join(VoteOption, on=(Ballot.option == VoteOption.id))
        .switch(Ballot)
        .join(Person, pw.JOIN.LEFT_OUTER, on=(Ballot.cast_by == Person.id))
        .switch(Ballot)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Ballot.recorded_by == User.id))
        .where((Ballot.vote == vote.id) & (Ballot.channel == Ballot.PAPER))
        .order_by(Ballot.paper_received_on.desc(), Ballot.id.desc())
    )


# --- A batch from a spreadsheet ------------------------------------------------------------------------------


@dataclass
class BatchRow:
    """One row of the file as read, and what it would record once understood."""

    line: int  # the spreadsheet's row number (the header is row 1)
    cells: dict[str, str]
    unit: Unit | None = None
    option: VoteOption | None = None
    received_on: dt.date | None = None
    person_id: int | None = None
    signer: str = ""
    raw_received: object = None  # an XLSX date cell arrives as a date, not as text
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Batch:
    rows: list[BatchRow]
    problems: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems and all(row.ok for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.problems) + sum(len(row.errors) for row in self.rows)


class BatchRefused(Exception):  # noqa: N818 (what the views catch)
    """A file that cannot be read as a batch at all; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def read_batch(vote: Vote, upload) -> Batch:
    """Read an uploaded CSV or XLSX and check every row against the vote, as record_paper() would."""
    if upload is None or not (getattr(upload, "filename", "") or ""):
        raise BatchRefused(_("Choose a CSV or XLSX file."))
    data = uploads.read_capped(getattr(upload, "stream", upload), BATCH_MAX_BYTES)
    if data is None:
        raise BatchRefused(uploads.too_large(uploads.display_name(upload.filename), BATCH_MAX_BYTES))
    table = _xlsx_table(data) if data.startswith(XLSX_MAGIC) else _csv_table(data)
    return check_batch(vote, _rows(vote, table))


def _csv_table(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchRefused(_("The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_table(data: bytes) -> list[list]:
    try:
        # Formulas are read as the text the cell holds, never evaluated.
        return read_rows(data, max_rows=BATCH_MAX_ROWS + 1, formulas_as_text=True)
    except UnreadableSpreadsheetError:
        raise BatchRefused(_("The file cannot be read as an XLSX spreadsheet.")) from None


def _header_keys() -> dict[str, str]:
    keys = {}
    for key, title in COLUMN_TITLES.items():
        keys[fold(key)] = key
        keys[fold(str(title))] = key
    keys[fold("signed by")] = "signed_by"
    return keys


def _rows(vote: Vote, table: list[list]) -> list[BatchRow]:
    table = [row for row in table if any(_text(cell) for cell in row)]
    if not table:
        raise BatchRefused(_("The file is empty."))
    known = _header_keys()
    header = [known.get(fold(_text(cell)).replace("-", "_"), "") for cell in table[0]]
    missing = [str(COLUMN_TITLES[key]) for key in REQUIRED if key not in header]
    if missing:
        raise BatchRefused(_("The first row must name the columns; missing: %(columns)s.", columns=", ".join(missing)))
    if len(table) - 1 > BATCH_MAX_ROWS:
        raise BatchRefused(_("A batch holds at most %(count)d rows.", count=BATCH_MAX_ROWS))
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        cells = {key: raw[i] for i, key in enumerate(header) if key and i < len(raw)}
        texts = {key: _text(value) for key, value in cells.items()}
        rows.append(BatchRow(number, texts, raw_received=cells.get("received")))
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_batch(vote: Vote, rows: list[BatchRow]) -> Batch:
    """Understand every row (unit, choice, day, signer) and check it as record_paper() would; a unit twice
    in the file is refused on every row after its first."""
    batch = Batch(rows)
    units = _unit_lookup(vote)
    choices = _choice_lookup(vote)
    first_line: dict[int, int] = {}
    for row in rows:
        _understand(vote, row, units, choices)
        if row.unit is not None:
            if row.unit.id in first_line:
                row.errors.append(
                    ("unit", _("%(unit)s is in the file twice (also row %(line)d).",
                               unit=row.unit.title, line=first_line[row.unit.id]))
                )  # fmt: skip
                continue
            first_line[row.unit.id] = row.line
        if row.ok:
            try:
                ballots.check_paper(vote, row.unit.id, row.option.id, row.received_on)
            except VoteRefused as refused:
                row.errors.append((_column_of(refused.field), refused.message))
    if not rows:
        batch.problems.append(_("The file has no rows below its header."))
    return batch


def _column_of(service_field: str | None) -> str:
    return {"received_on": "received", "option": "choice", "unit": "unit"}.get(service_field or "", "")


def _understand(vote: Vote, row: BatchRow, units, choices) -> None:
    unit_text, building_text = row.cells.get("unit", ""), row.cells.get("building", "")
    if not unit_text:
        row.errors.append(("unit", _("Give the unit's number.")))
    else:
        found = units.get(fold(unit_text), [])
        if building_text:
            found = [unit for unit in found if fold(unit.building.name) == fold(building_text)]
        if not found:
            row.errors.append(("unit", _("No unit %(number)s votes in this vote.", number=unit_text)))
        elif len(found) > 1:
            row.errors.append(
                ("building", _("Unit %(number)s is in more than one building: name the building.", number=unit_text))
            )
        else:
            row.unit = found[0]
    choice_text = row.cells.get("choice", "")
    row.option = choices.get(fold(choice_text)) if choice_text else None
    if row.option is None:
        row.errors.append(
            ("choice", _("“%(choice)s” is not one of the options.", choice=choice_text) if choice_text
             else _("Give the choice."))
        )  # fmt: skip
    row.received_on = _day(vote, row.raw_received, row.cells.get("received", ""))
    if row.received_on is None:
        row.errors.append(
            ("received", _("“%(day)s” is not a date: write it as 2026-03-31.", day=row.cells.get("received", "")))
        )
    signed = row.cells.get("signed_by", "")
    if signed and row.unit is not None and row.received_on is not None:
        people = signers(vote, row.unit.id, row.received_on)
        match = [(pid, name) for pid, name in people if fold(signed) in (fold(name), fold(name.split(" (")[0]))]
        if not match:
            row.errors.append(
                ("signed_by", _("%(name)s is not an owner or the proxy of %(unit)s.", name=signed,
                                unit=row.unit.title))
            )  # fmt: skip
        else:
            row.person_id, row.signer = match[0][0], match[0][1]


def _unit_lookup(vote: Vote) -> dict[str, list[Unit]]:
    found: dict[str, list[Unit]] = {}
    query = (
        Unit.select(Unit, Building)
        .join(VoteUnit, on=(VoteUnit.unit == Unit.id))
        .switch(Unit)
        .join(Building)
        .where(VoteUnit.vote == vote.id)
    )
    for unit in query:
        found.setdefault(fold(unit.number), []).append(unit)
    return found


def _choice_lookup(vote: Vote) -> dict[str, VoteOption]:
    """Option labels, and for per rollam For/Against/Abstain in English and the association's language."""
    options = list(VoteOption.select().where(VoteOption.vote == vote.id).order_by(VoteOption.position))
    found: dict[str, VoteOption] = {}
    for option in options:
        if option.meaning in MEANING_WORDS:
            english = MEANING_WORDS[option.meaning]
            found.setdefault(fold(english), option)
            found.setdefault(fold(translated(english, vote.association.locale)), option)
    for option in options:
        found[fold(option.label)] = option  # the labels win
    return found


def _day(vote: Vote, raw, text: str) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        day = parse_date(text, locale=locale_for(vote.association.locale))
    except (ValueError, IndexError, LookupError):
        return None
    return day if day.year >= 1900 else None


# --- Between preview and confirm -----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def batch_token(vote: Vote, user_id: int, batch: Batch) -> str:
    """The checked rows, signed for this vote and this board member."""
    rows = [[row.line, row.unit.id, row.option.id, row.received_on.isoformat(), row.person_id] for row in batch.rows]
    return _serializer().dumps({"vote": vote.id, "user": user_id, "rows": rows})


def rows_of_token(vote: Vote, user_id: int, token: str) -> list[tuple[int, int, int, dt.date, int | None]] | None:
    """The rows a batch_token() holds, or None for a token not signed for this vote and member, or too old."""
    try:
        data = _serializer().loads(token or "", max_age=TOKEN_MAX_AGE)
        if data["vote"] != vote.id or data["user"] != user_id:
            return None
        return [(int(li), int(u), int(o), dt.date.fromisoformat(d), None if p is None else int(p))
                for li, u, o, d, p in data["rows"]]  # fmt: skip
    except (BadSignature, SignatureExpired, KeyError, TypeError, ValueError):
        return None


def confirm_batch(vote: Vote, actor, rows) -> int:
    """Record every row in one transaction, checked again now; VoteRefused (naming the row) stores nothing."""
    seen = set()
    with transaction():
        for line, unit_id, option_id, received_on, person_id in rows:
            if unit_id in seen:
                raise VoteRefused(_("Row %(line)d: the unit is in the file twice.", line=line))
            seen.add(unit_id)
            try:
                ballots.record_paper(vote, actor, unit_id, option_id, received_on, person_id=person_id)
            except VoteRefused as refused:
                raise VoteRefused(_("Row %(line)d: %(reason)s", line=line, reason=refused.message)) from None
    return len(rows)


def template_rows(vote: Vote) -> list[list[str]]:
    """The template's rows: every eligible unit without a ballot, with its building, the rest to fill in."""
    return [[unit.number, unit.building.name, "", "", ""] for unit in units_without_ballot(vote)]


def column_titles() -> list[str]:
    return [str(COLUMN_TITLES[key]) for key in COLUMNS]
