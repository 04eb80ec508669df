"""Leaving Porch (SPEC I3): the whole association in one ZIP, for the board to take elsewhere.

- `tables/<table>.csv` and `tables/<table>.json` for every table, with the rows of this association only
  (privacy_graph.belongs_to follows each model's foreign keys to its association; the members' accounts
  through their memberships). Secrets (password and token hashes, second-factor keys) are never written.
  Cells go through core/csv.py's cell(), so a name like =cmd() stays text in a spreadsheet.
- `files/…`: every file the association uploaded or had made (photos, attachments, bank files, statements,
  print batches, mail attachments), as stored.
- `documents/…`: the association's documents as they appear in the portal (their Markdown rendered and
  cleaned), with an index page.
- `manifest.json`: the row count of every table, every file, and what was left out and why.

Everything is streamed into the ZIP on disk: rows are read a batch at a time, files copied in chunks.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import peewee as pw
from flask import render_template
from flask_babel import get_locale

import models
from blueprints.exchange import privacy_files as files
from blueprints.exchange import privacy_graph as graph
from blueprints.exchange.privacy_export import json_value
from core import clock
from core.csv import cell
from models import (
    Association,
    Document,
    OutboundAttachment,
    OutboundEmail,
    PrintBatch,
    Settlement,
    SettlementUnit,
)
from models.exchange import DataExport

FORMAT = 1
BATCH = 1000
# The association's own folders under UPLOAD_DIR besides UPLOAD_DIR/<id>/: bank files and meter imports.
OWN_FOLDERS = ("bank", "meter-imports")


def tables() -> list[type[pw.Model]]:
    """Every model with rows that belong to an association, in dependency order."""
    return [m for m in models.ALL_MODELS if m is models.User or graph.association_path(m) is not None]


def write_association_export(export: DataExport, archive: zipfile.ZipFile, progress) -> None:
    """The whole association into `archive` (the job, privacy_jobs.make_export)."""
    association = export.association
    file_keys = list(association_files(association))
    documents = list(Document.of(association).order_by(Document.id))
    chosen = tables()
    progress.planned(len(chosen) + len(file_keys) + len(documents) + 1)
    counts = {}
    for model in chosen:
        counts[model._meta.table_name] = _write_table(archive, model, association.id)
        progress.step()
    for name in file_keys:
        if files.exists(name):
            with archive.open(f"files/{name}", "w") as target:
                files.copy_into(name, target)
        progress.step()
    _write_documents(archive, association, documents, progress)
    manifest = {
        "format": FORMAT,
        "made_at": clock.utcnow_naive().replace(microsecond=0).isoformat(),
        "association": {"id": association.id, "name": association.name, "slug": association.slug},
        "tables": counts,
        "files": [f"files/{name}" for name in file_keys],
        "documents": len(documents),
        "left_out": {
            "columns": sorted(graph.SECRET_COLUMNS),
            "tables": {name: reason for name, reason in graph.ACCOUNT_ONLY.items() if name != "User"},
        },
    }
    archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    progress.step()


def _write_table(archive: zipfile.ZipFile, model: type[pw.Model], association_id: int) -> int:
    """One table as CSV, then as JSON (a ZIP takes one member at a time: the rows are read twice, a batch at a
    time, keyset on the primary key); its row count."""
    fields = graph.exported_columns(model)
    header = [f.column_name for f in fields]
    table = model._meta.table_name
    with archive.open(f"tables/{table}.csv", "w") as member:
        text = io.TextIOWrapper(member, encoding="utf-8", newline="")
        writer = csv.writer(text)
        text.write("\ufeff")  # spreadsheet programs then read names right, as core/csv.py's downloads
        writer.writerow([cell(name) for name in header])
        for row in _rows(model, fields, association_id):
            writer.writerow([cell(_csv_value(value)) for value in row])
        text.flush()
        text.detach()
    count = 0
    with archive.open(f"tables/{table}.json", "w") as member:
        text = io.TextIOWrapper(member, encoding="utf-8")
        text.write("[")
        for row in _rows(model, fields, association_id):
            text.write(",\n" if count else "\n")
            text.write(json.dumps(dict(zip(header, map(json_value, row), strict=True)), ensure_ascii=False))
            count += 1
        text.write("\n]\n")
        text.flush()
        text.detach()
    return count


def _rows(model: type[pw.Model], fields: list[pw.Field], association_id: int):
    key = model._meta.primary_key
    position = fields.index(key)
    condition = graph.belongs_to(model, association_id)
    last = None
    while True:
        query = model.select(*fields).where(condition)
        if last is not None:
            query = query.where(key > last)
        batch = list(query.order_by(key).limit(BATCH).tuples())
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1][position]


def _csv_value(value):
    value = json_value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# --- files --------------------------------------------------------------------------------------------


def association_files(association: Association):
    """The keys of every stored file of this association (duplicates and missing files left to the caller)."""
    seen = set()
    for name in _candidates(association):
        if name and name not in seen:
            seen.add(name)
            yield name


def _candidates(association: Association):
    yield from files.keys_under(str(association.id))
    for folder in OWN_FOLDERS:
        yield from files.keys_under(files.key(folder, association.id))
    settlements = Settlement.select(Settlement.id).where(Settlement.association == association)
    for (stored,) in (
        SettlementUnit.select(SettlementUnit.stored_name)
        .where(SettlementUnit.settlement.in_(settlements) & (SettlementUnit.stored_name != ""))
        .tuples()
    ):
        yield files.key("settlements", stored)
    for (stored,) in (
        PrintBatch.select(PrintBatch.stored_name)
        .where((PrintBatch.association == association) & (PrintBatch.stored_name != ""))
        .tuples()
    ):
        yield files.key("print", stored)
    mails = OutboundEmail.select(OutboundEmail.id).where(OutboundEmail.association == association)
    for (path,) in (
        OutboundEmail.select(OutboundEmail.attachment_path)
        .where((OutboundEmail.association == association) & OutboundEmail.attachment_path.is_null(False))
        .tuples()
    ):
        yield path
    for (path,) in (
        OutboundAttachment.select(OutboundAttachment.path).where(OutboundAttachment.email.in_(mails)).tuples()
    ):
        yield path


# --- documents as they appear -------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^a-z0-9]+")


def document_file(document: Document) -> str:
    slug = _UNSAFE.sub("-", (document.title or "").lower()).strip("-")[:60] or "document"
    return f"documents/{document.id}-{slug}.html"


def _write_documents(archive: zipfile.ZipFile, association: Association, documents: list[Document], progress) -> None:
    language = str(get_locale() or "en").replace("_", "-")
    for document in documents:
        archive.writestr(
            document_file(document),
            render_template(
                "exchange/leaving_document.html", association=association, document=document, language=language
            ),
        )
        progress.step()
    archive.writestr(
        "documents/index.html",
        render_template(
            "exchange/leaving_documents.html",
            association=association,
            documents=[(d, document_file(d).removeprefix("documents/")) for d in documents],
            language=language,
        ),
    )
