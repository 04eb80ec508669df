"""A member's own data (GDPR access, SPEC I3): everything the association holds about them, as JSON and as a
readable HTML page, with the files they uploaded, in one ZIP.

What is theirs is read from the model graph (privacy_graph.LINKS): every row linked to their register entry
or their account in a way that makes it theirs, the rows that come with those (an invoice's lines and
payments, their posts' earlier versions), the units and contracts they hold, and rows that carry their
e-mail address. A link that only says they acted on someone else's row (the board member who closed a
fault) gives the row's table and id, never its content: nobody else's data is in the file.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import zipfile
from dataclasses import dataclass, field

import peewee as pw
from flask import render_template
from flask_babel import get_locale

from blueprints.exchange import privacy_files as files
from blueprints.exchange import privacy_graph as graph
from core import clock
from core.text import lazy_gettext as _l
from models import Association, Membership, Person, User
from models.exchange import DataExport

FORMAT = 1
# The summary page shows this much of a long text (a mail's HTML); data.json holds all of it.
SHOWN_CHARS = 600

TABLE_LABELS = {
    "user": _l("Your account"),
    "person": _l("Your entry in the register"),
    "membership": _l("Your membership"),
    "unit": _l("Units"),
    "ownership": _l("Ownership"),
    "residency": _l("Where you live"),
    "voting_proxy": _l("Voting proxies"),
    "contract": _l("Contracts"),
    "contract_party": _l("Your part in contracts"),
    "invoice": _l("Invoices"),
    "invoice_line": _l("Invoice lines"),
    "payment": _l("Payments"),
    "receipt": _l("Money received"),
    "fault_report": _l("Fault reports"),
    "fault_event": _l("Fault report history"),
    "thread": _l("Topics"),
    "post": _l("Posts"),
    "ballot": _l("Ballots"),
    "consent": _l("Consents"),
    "notification_choice": _l("Notification settings"),
    "outbound_email": _l("Mails sent to you"),
    "user_session": _l("Where you are or were logged in"),
}


def json_value(value):
    """A column's value as JSON writes it: times and dates in ISO 8601, amounts exact, bytes in base64."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


@dataclass
class Collected:
    """A member's rows by table (table -> primary key -> columns), and the rows they only acted on."""

    tables: dict[str, dict] = field(default_factory=dict)
    references: list[dict] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (key under UPLOAD_DIR, name in the ZIP)

    def add(self, model: type[pw.Model], rows: list[dict]) -> None:
        table = self.tables.setdefault(model._meta.table_name, {})
        pk = model._meta.primary_key.column_name
        for row in rows:
            # A row found by two links keeps every column either gave.
            table.setdefault(row[pk], {}).update(row)

    def ids(self, model: type[pw.Model]) -> list:
        return list(self.tables.get(model._meta.table_name, {}))

    def rows(self, model: type[pw.Model]) -> list[dict]:
        return list(self.tables.get(model._meta.table_name, {}).values())


def collect(association: Association, user: User, person: Person | None) -> Collected:
    """Everything the association holds about this member (their account and their register entry)."""
    found = Collected()
    found.add(User, _select(User, User.id == user.id))
    if person is not None:
        found.add(Person, _select(Person, Person.id == person.id))
    subjects = {Person: person.id if person else None, User: user.id}
    for link in graph.personal_links():
        meaning = graph.LINKS[(link.model.__name__, link.name)]
        subject = subjects[link.rel_model]
        if subject is None or isinstance(meaning, graph.Skip):
            continue
        where = (link == subject) & _scope(link.model, association)
        if meaning == graph.REFERENCE:
            table, pk = link.model._meta.table_name, link.model._meta.primary_key
            for (row_id,) in link.model.select(pk).where(where).tuples():
                found.references.append({"table": table, "id": row_id, "as": link.name})
            continue
        only = None if meaning == graph.ROW else meaning
        found.add(link.model, _select(link.model, where, only))
    _by_address(found, association, user, person)
    for model_name, field_name, target_name in graph.PARENTS:
        model, target = graph.model_named(model_name), graph.model_named(target_name)
        column = model._meta.fields[field_name].column_name
        ids = {row[column] for row in found.rows(model) if row.get(column) is not None}
        if ids:
            found.add(target, _select(target, target._meta.primary_key.in_(sorted(ids))))
    for model_name, field_name in graph.CHILDREN:
        model = graph.model_named(model_name)
        link = model._meta.fields[field_name]
        ids = found.ids(link.rel_model)
        if ids:
            found.add(model, _select(model, link.in_(ids)))
    _files(found, association)
    return found


def _scope(model: type[pw.Model], association: Association) -> pw.Expression:
    """Rows of this association; account-level rows (no association) are the login's own."""
    condition = graph.belongs_to(model, association.id)
    if condition is None:
        return pw.Value(True)
    own = model._meta.fields.get("association")
    if isinstance(own, pw.ForeignKeyField) and own.null:
        return condition | own.is_null()
    return condition


def _select(model: type[pw.Model], where: pw.Expression, only: tuple[str, ...] | None = None) -> list[dict]:
    fields = graph.exported_columns(model)
    if only is not None:
        fields = [f for f in fields if f.column_name in only or f.name in only]
    rows = model.select(*fields).where(where).order_by(model._meta.primary_key).tuples()
    names = [f.column_name for f in fields]
    return [{name: json_value(value) for name, value in zip(names, row, strict=True)} for row in rows]


def _by_address(found: Collected, association: Association, user: User, person: Person | None) -> None:
    addresses = sorted(
        {a for a in (User.normalize_email(user.email), User.normalize_email(person and person.email)) if a}
    )
    if not addresses:
        return
    for model_name, column in graph.BY_ADDRESS:
        model = graph.model_named(model_name)
        address = model._meta.fields[column]
        found.add(model, _select(model, pw.fn.LOWER(address).in_(addresses) & _scope(model, association)))


def _files(found: Collected, association: Association) -> None:
    for model_name, (column, folder) in graph.FILE_COLUMNS.items():
        for row in found.rows(graph.model_named(model_name)):
            stored = row.get(column)
            name = files.key(association.id, folder, stored) if stored else None
            if name and files.exists(name):
                found.files.append((name, f"files/{folder}/{stored}"))


# --- the ZIP ------------------------------------------------------------------------------------------


def write_person_export(export: DataExport, archive: zipfile.ZipFile, progress) -> None:
    """data.json, summary.html and the member's uploaded files (the job, privacy_jobs.make_export)."""
    association, user = export.association, export.user
    person = export.person or _person_of(association, user)
    found = collect(association, user, person)
    progress.planned(2 + len(found.files))
    made_at = clock.utcnow_naive().replace(microsecond=0)
    document = {
        "format": FORMAT,
        "made_at": made_at.isoformat(),
        "association": {"name": association.name, "slug": association.slug},
        "tables": {table: list(rows.values()) for table, rows in found.tables.items()},
        "references": found.references,
        "files": [inside for _key, inside in found.files],
    }
    archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=1, default=str))
    progress.step()
    archive.writestr("summary.html", summary_html(association, user, person, found, made_at))
    progress.step()
    for name, inside in found.files:
        with archive.open(inside, "w") as target:
            files.copy_into(name, target)
        progress.step()


def _person_of(association: Association, user: User) -> Person | None:
    membership = Membership.get_or_none((Membership.user == user) & (Membership.association == association))
    if membership is not None and membership.person_id:
        return Person.get_or_none(Person.id == membership.person_id)
    return Person.get_or_none((Person.user == user) & (Person.association == association))


def summary_html(association, user, person, found: Collected, made_at) -> str:
    """The readable page: one section per kind of row, every value escaped by the template."""
    sections = []
    for table, rows in found.tables.items():
        rows = list(rows.values())
        columns = list(dict.fromkeys(name for row in rows for name in row))
        label = TABLE_LABELS.get(table) or table.replace("_", " ").capitalize()
        shown = [[_shown(row.get(column)) for column in columns] for row in rows]
        sections.append({"table": table, "label": str(label), "columns": columns, "rows": shown})
    first = [s for s in sections if s["table"] in TABLE_LABELS]
    first.sort(key=lambda s: list(TABLE_LABELS).index(s["table"]))
    rest = sorted((s for s in sections if s["table"] not in TABLE_LABELS), key=lambda s: s["table"])
    return render_template(
        "exchange/privacy_summary.html",
        association=association,
        user=user,
        person=person,
        sections=first + rest,
        references=found.references,
        files=[inside for _key, inside in found.files],
        made_at=made_at,
        language=str(get_locale() or "en").replace("_", "-"),
    )


def _shown(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
