"""The board's bank pages (SPEC B6, issue 13 item 4): upload a bank file, see what booking it would do,
book or discard it, map a bank's CSV columns, and work through the credits that matched no invoice.

All of it needs invoices.manage. Bank files and transactions are loaded through get_visible with the
board's membership: another association's file is a 404 like an id that does not exist. The work is
blueprints/billing/bank/importing.py's.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.billing import bp
from blueprints.billing.bank import csvfile, importing, matching
from blueprints.billing.bank.importing import BankImportError
from blueprints.billing.bank.reading import Unmapped
from blueprints.billing.bank.statement import BankFileError
from blueprints.billing.bank_forms import (
    COLUMN_LABELS,
    DELIMITER_LABELS,
    ENCODING_LABELS,
    AssignForm,
    IgnoreForm,
    MappingForm,
    UploadForm,
)
from core import text, uploads
from core.access import requires
from core.forms import ConfirmForm
from core.rendering import htmx, render
from models import Person
from models import permissions as perms
from models.billing import BankFile, BankMapping, BankTransaction, Invoice
from models.db import first_or_404
from models.portal import User

FILES_PER_PAGE = 20
ROWS_PER_PAGE = 100
QUEUE_PER_PAGE = 50
MAX_PAGE = 10_000
_INVOICE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits that fit the invoice number's column


def _user():
    return current_user._get_current_object()


def _page() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, MAX_PAGE))


def _labels() -> dict:
    """Words and formats repeated per row, looked up once per request (a file lists hundreds of entries)."""
    currency = g.association.currency
    return dict(
        amount=functools.lru_cache(maxsize=2048)(lambda minor, cur=currency: text.money(minor, cur)),
        short_date=functools.lru_cache(maxsize=512)(lambda day: text.date(day, "short")),
        formats={key: str(label) for key, label in BankFile.FORMATS.items()},
        file_states={
            BankFile.PREVIEW: _("Preview"),
            BankFile.BOOKED: _("Booked"),
            BankFile.DISCARDED: _("Discarded"),
        },
        states=_state_words(),
    )


def _state_words() -> dict[str, str]:
    """What became of an entry, in a word (beside its colour)."""
    return {
        matching.MATCHED: _("Will be booked"),
        BankTransaction.BOOKED: _("Booked"),
        matching.SUGGESTED: _("Suggestion"),
        matching.UNMATCHED: _("To the queue"),
        matching.NOT_BOOKED: _("Not booked"),
        matching.DUPLICATE: _("Already imported"),
        BankTransaction.IGNORED: _("Ignored"),
    }


# --- the files -----------------------------------------------------------------------------------


@bp.route("/admin/bank", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def bank_files():
    """Bank files uploaded so far, with their states and counts, and the form that uploads the next one."""
    form = UploadForm()
    problem, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = _upload(form)
            if not isinstance(outcome, dict):
                return outcome  # a redirect: the file is in, its preview (or column mapping) next
            problem, status = outcome, 422
        else:
            problem, status = {"message": _("The form expired; choose the file again.")}, 400
    page = _page()
    query = BankFile.of(g.association).order_by(BankFile.created_at.desc(), BankFile.id.desc())
    total = query.count()
    files = list(
        query.select(BankFile, User.name, User.email)
        .join(User, pw.JOIN.LEFT_OUTER, on=(BankFile.created_by == User.id))
        .paginate(page, FILES_PER_PAGE)
        .objects()
    )
    return render(
        "billing/bank_files.html",
        "billing/_bank_file_list.html",
        form=form,
        problem=problem,
        files=files,
        current_page=page,
        pages=max(1, math.ceil(total / FILES_PER_PAGE)),
        waiting=importing.waiting_count(g.association),
        max_mb=importing.MAX_BYTES // 1024 // 1024,
        status=status,
        **_labels(),
    )


def _upload(form: UploadForm):
    """Read and keep the uploaded file; a redirect to its preview, or what went wrong (a dict for the page)."""
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        return {"message": _("Choose the bank file to upload.")}
    name = uploads.display_name(upload.filename)
    data = uploads.read_capped(upload.stream, importing.MAX_BYTES)
    if data is None:
        return {"message": str(uploads.too_large(name, importing.MAX_BYTES))}
    try:
        bank_file = importing.upload(g.association, _user(), name, data)
    except BankFileError as error:
        return {"message": _("%(name)s was not read: %(reason)s", name=name, reason=str(error.message)),
                "where": error.where}  # fmt: skip
    except BankImportError as error:
        earlier = error.earlier
        if earlier is None:
            return {"message": str(error.message)}
        return {
            "message": _(
                "%(name)s was uploaded before, on %(day)s (“%(earlier)s”); it is not read twice.",
                name=name,
                day=text.datetime(earlier.created_at, "short"),
                earlier=earlier.original_name,
            ),
            "earlier_url": url_for("billing.bank_file", bank_file_id=earlier.id),
        }
    if bank_file.format == BankFile.CSV and isinstance(importing.preview(bank_file, g.association), Unmapped):
        flash(_("Say which column holds what: this bank's CSV is new to Porch."), "success")
        return redirect(url_for("billing.bank_file_mapping", csv_file_id=bank_file.id))
    flash(_("%(name)s is read. Check what will be booked, then book it.", name=name), "success")
    return redirect(url_for("billing.bank_file", bank_file_id=bank_file.id))


def _bank_file_or_404(bank_file_id: int) -> BankFile:
    return BankFile.get_visible(g.membership, bank_file_id)


@dataclass
class Row:
    """One entry as the file pages list it: from a preview's outcome or a booked transaction."""

    state: str
    why: str
    booked_on: object
    kind: str
    amount: int
    currency: str
    payer_name: str
    payer_account: str
    reference: str
    message: str
    invoice_id: int | None = None
    invoice_number: int | None = None
    recipient_name: str = ""
    seen_in: int | None = None
    tx_id: int | None = None
    person_name: str = ""  # a credit booked for a person rather than an invoice
    ignore_reason: str = ""
    handled_by: str = ""
    handled_at: object = None


PREVIEW_FILTERS = (matching.MATCHED, matching.SUGGESTED, matching.UNMATCHED, matching.NOT_BOOKED, matching.DUPLICATE)
BOOKED_FILTERS = (
    BankTransaction.BOOKED, BankTransaction.SUGGESTED, BankTransaction.UNMATCHED, BankTransaction.NOT_BOOKED,
    BankTransaction.IGNORED,
)  # fmt: skip


@bp.route("/admin/bank/files/<int:bank_file_id>")
@requires(perms.INVOICES_MANAGE)
def bank_file(bank_file_id: int):
    """A bank file: before booking, every entry with what booking will do and the totals; after, what it did."""
    bank_file = _bank_file_or_404(bank_file_id)
    show = request.args.get("show", "")
    page = _page()
    context = dict(
        bank_file=bank_file, show=show, current_page=page, confirm_form=ConfirmForm(), problem=None, **_labels()
    )
    if bank_file.state == BankFile.PREVIEW:
        try:
            result = importing.preview(bank_file, g.association)
        except (BankFileError, BankImportError) as error:
            context.update(problem=error, rows=[], counts={}, filters=(), summary=None, pages=1)
            return render("billing/bank_file.html", "billing/_bank_entries.html", status=409, **context)
        if isinstance(result, Unmapped):
            return redirect(url_for("billing.bank_file_mapping", csv_file_id=bank_file.id))
        context.update(_preview_context(result, show, page))
    elif bank_file.state == BankFile.BOOKED:
        context.update(_booked_context(bank_file, show, page))
    else:
        context.update(rows=[], counts={}, filters=(), summary=None, pages=1)
    return render("billing/bank_file.html", "billing/_bank_entries.html", **context)


def _preview_context(result: importing.Preview, show: str, page: int) -> dict:
    outcomes = result.outcomes
    counts = {state: result.summary.of(state).count for state in PREVIEW_FILTERS}
    chosen = [o for o in outcomes if o.state == show] if show in PREVIEW_FILTERS else outcomes
    shown = chosen[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
    seen_files = {o.seen_in for o in shown if o.seen_in is not None}
    names = dict(
        BankFile.of(g.association).where(BankFile.id.in_(seen_files)).select(BankFile.id, BankFile.original_name)
        .tuples()
    ) if seen_files else {}  # fmt: skip
    rows = [_outcome_row(o) for o in shown]
    return dict(
        rows=rows,
        counts=counts,
        filters=PREVIEW_FILTERS,
        summary=result.summary,
        statement=result.statement,
        seen_names=names,
        pages=max(1, math.ceil(len(chosen) / ROWS_PER_PAGE)),
    )


def _outcome_row(outcome: matching.Outcome) -> Row:
    entry, invoice = outcome.entry, outcome.invoice
    return Row(
        state=outcome.state,
        why=outcome.why,
        booked_on=entry.booked_on,
        kind=entry.kind,
        amount=entry.amount,
        currency=entry.currency,
        payer_name=entry.payer_name,
        payer_account=entry.payer_account,
        reference=entry.reference,
        message=entry.message,
        invoice_id=invoice.id if invoice else None,
        invoice_number=invoice.number if invoice else None,
        recipient_name=invoice.recipient_name if invoice else "",
        seen_in=outcome.seen_in,
    )


def _booked_context(bank_file: BankFile, show: str, page: int) -> dict:
    base = BankTransaction.select().where(BankTransaction.file == bank_file.id)
    counts = dict(
        base.select(BankTransaction.state, pw.fn.COUNT(BankTransaction.id)).group_by(BankTransaction.state).tuples()
    )
    chosen = base.where(BankTransaction.state == show) if show in BOOKED_FILTERS else base
    Handler = User.alias()  # noqa: N806 (a model alias)
    query = (
        chosen.select(
            BankTransaction,
            Invoice.number,
            Invoice.recipient_name,
            Handler.name,
            Handler.email,
            Person.surname,
            Person.given_name,
        )  # fmt: skip
        .join(Invoice, pw.JOIN.LEFT_OUTER, on=(BankTransaction.invoice == Invoice.id))
        .switch(BankTransaction)
        .join(Person, pw.JOIN.LEFT_OUTER, on=(BankTransaction.person == Person.id))
        .switch(BankTransaction)
        .join(Handler, pw.JOIN.LEFT_OUTER, on=(BankTransaction.handled_by == Handler.id))
        .order_by(BankTransaction.booked_on, BankTransaction.id)
        .paginate(page, ROWS_PER_PAGE)
        .dicts()
    )
    rows = [_transaction_row(row) for row in query]
    total = sum(counts.get(state, 0) for state in BOOKED_FILTERS) if show not in BOOKED_FILTERS else counts.get(show, 0)
    return dict(
        rows=rows,
        counts={state: counts.get(state, 0) for state in BOOKED_FILTERS},
        filters=BOOKED_FILTERS,
        summary=None,
        seen_names={},
        pages=max(1, math.ceil(total / ROWS_PER_PAGE)),
    )


def _transaction_row(row: dict) -> Row:
    return Row(
        state=row["state"],
        why="",
        booked_on=row["booked_on"],
        kind=row["kind"],
        amount=row["amount"],
        currency=row["currency"],
        payer_name=row["payer_name"],
        payer_account=row["payer_account"],
        reference=row["reference"],
        message=row["message"],
        invoice_id=row["invoice"],
        invoice_number=row["number"],
        recipient_name=row["recipient_name"] or "",
        person_name=" ".join(filter(None, [row["given_name"], row["surname"]])),
        tx_id=row["id"],
        ignore_reason=row["ignore_reason"],
        handled_by=row["name"] or row["email"] or "",
        handled_at=row["handled_at"],
    )


@bp.route("/admin/bank/files/<int:bank_file_id>/book", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def bank_file_book(bank_file_id: int):
    """Book the previewed file: matched credits become payments, the rest waits in the queue or is shown."""
    bank_file = _bank_file_or_404(bank_file_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        done = importing.book(bank_file, g.association, _user())
    except (BankImportError, BankFileError) as error:
        flash(str(error.message), "error")
        return redirect(url_for("billing.bank_file", bank_file_id=bank_file.id))
    said = [
        ngettext(
            "%(num)d payment was booked (%(amount)s).",
            "%(num)d payments were booked (%(amount)s).",
            done.booked,
            amount=text.money(done.amount, g.association.currency),
        )
    ]
    if done.waiting:
        said.append(ngettext("%(num)d waits in the bank queue.", "%(num)d wait in the bank queue.", done.waiting))
    if done.duplicates:
        said.append(
            ngettext(
                "%(num)d entry had been imported before and was skipped.",
                "%(num)d entries had been imported before and were skipped.",
                done.duplicates,
            )
        )
    flash(" ".join(said), "success")
    return redirect(url_for("billing.bank_file", bank_file_id=bank_file.id))


@bp.route("/admin/bank/files/<int:bank_file_id>/discard", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def bank_file_discard(bank_file_id: int):
    """Confirm, then discard a file not booked yet: nothing of it is booked."""
    bank_file = _bank_file_or_404(bank_file_id)
    problem = None
    if request.method == "POST":
        if ConfirmForm().validate_on_submit():
            try:
                importing.discard(bank_file, g.association, _user())
            except BankImportError as error:
                problem = str(error.message)
            else:
                flash(_("%(name)s is discarded; nothing of it was booked.", name=bank_file.original_name), "success")
                return redirect(url_for("billing.bank_files"))
        else:
            problem = _("The form expired; try again.")
    elif bank_file.state != BankFile.PREVIEW:
        problem = _("Only a file not booked yet can be discarded.")
    status = 409 if problem and request.method == "POST" else 200
    return render(
        "billing/bank_discard.html", bank_file=bank_file, problem=problem, confirm_form=ConfirmForm(), status=status
    )


@bp.route("/admin/bank/files/<int:bank_file_id>/download")
@requires(perms.INVOICES_MANAGE)
def bank_file_download(bank_file_id: int):
    """The file as it was uploaded (kept until it is discarded)."""
    bank_file = _bank_file_or_404(bank_file_id)
    path = importing.stored_path(bank_file)
    if path is None:
        abort(404)
    return uploads.serve(path, mimetype="application/octet-stream", inline=False, name=bank_file.original_name)


# --- a CSV's columns ----------------------------------------------------------------------------------


@bp.route("/admin/bank/csv/<int:csv_file_id>/mapping", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def bank_file_mapping(csv_file_id: int):
    """Which column of this bank's CSV holds what; remembered for the bank's next file (a CSV in preview only)."""
    bank_file = _bank_file_or_404(csv_file_id)
    if bank_file.format != BankFile.CSV or bank_file.state != BankFile.PREVIEW:
        abort(404)
    try:
        header_key = importing.header_key_of(bank_file, g.association)
    except (BankImportError, BankFileError) as error:  # its bytes are gone: the file's page says so
        flash(str(error.message), "error")
        return redirect(url_for("billing.bank_file", bank_file_id=bank_file.id))
    saved = BankMapping.get_or_none((BankMapping.association == g.association) & (BankMapping.header_key == header_key))
    if request.method == "POST":
        form = MappingForm()
        encoding, delimiter = (
            _choice(form.encoding.data, ENCODING_LABELS),
            _choice(form.delimiter.data, DELIMITER_LABELS),
        )
    else:
        form = None
        start = json.loads(saved.mapping) if saved is not None else {}
        encoding, delimiter = start.get("encoding", ""), start.get("delimiter", "")
    problem = None
    try:
        table = importing.csv_table(bank_file, g.association, encoding, delimiter)
    except BankFileError as error:  # not text in the encoding chosen: show it as first read, and why
        problem = error
        table = importing.csv_table(bank_file, g.association)
    if form is None:
        values = json.loads(saved.mapping) if saved is not None else csvfile.guess(table, g.association.locale)
        form = MappingForm(formdata=None, data=values)
    form.offer(table.header, _("Not in this file"))
    if request.method == "POST" and problem is None and form.validate_on_submit():
        mapping = form.mapping()
        wrong = csvfile.problems(mapping, table.header)
        for name, message in wrong.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if not wrong:
            try:
                statement = csvfile.parse(table, mapping, g.association.currency)
            except BankFileError as error:
                problem = error
            else:
                importing.save_mapping(g.association, header_key, mapping)
                importing.refresh_counts(bank_file, g.association, statement)
                flash(_("The columns are saved; the next file from this bank is read with them."), "success")
                return redirect(url_for("billing.bank_file", bank_file_id=bank_file.id))
    return render(
        "billing/bank_mapping.html",
        bank_file=bank_file,
        form=form,
        table=table,
        sample=table.rows[:5],
        problem=problem,
        column_labels=COLUMN_LABELS,
        columns=csvfile.COLUMNS,
        status=422 if request.method == "POST" else 200,
    )


def _choice(value: str | None, allowed: dict) -> str:
    return value if value in allowed else ""


# --- the queue ----------------------------------------------------------------------------------------


@bp.route("/admin/bank/queue")
@requires(perms.INVOICES_MANAGE)
def bank_queue():
    """Credits that matched no invoice, oldest first: assign each, confirm a suggestion, or ignore it."""
    page = _page()
    waiting = importing.waiting(g.association)
    total = waiting.count()
    rows = list(
        waiting.select(BankTransaction, Invoice.number, Invoice.recipient_name)
        .join(Invoice, pw.JOIN.LEFT_OUTER, on=(BankTransaction.invoice == Invoice.id))
        .paginate(page, QUEUE_PER_PAGE)
        .objects()
    )
    Handler = User.alias()  # noqa: N806 (a model alias)
    handled = list(
        BankTransaction.of(g.association)
        .select(BankTransaction, Invoice.number, Handler.name, Handler.email)
        .join(Invoice, pw.JOIN.LEFT_OUTER, on=(BankTransaction.invoice == Invoice.id))
        .switch(BankTransaction)
        .join(Handler, pw.JOIN.LEFT_OUTER, on=(BankTransaction.handled_by == Handler.id))
        .where(BankTransaction.handled_at.is_null(False))
        .order_by(BankTransaction.handled_at.desc(), BankTransaction.id.desc())
        .limit(10)
        .objects()
    )
    return render(
        "billing/bank_queue.html",
        "billing/_bank_queue_list.html",
        rows=rows,
        handled=handled,
        total=total,
        current_page=page,
        pages=max(1, math.ceil(total / QUEUE_PER_PAGE)),
        **_labels(),
    )


def _transaction_or_404(bank_transaction_id: int) -> BankTransaction:
    return first_or_404(BankTransaction.visible_to(g.membership).where(BankTransaction.id == bank_transaction_id))


def _tx_context(tx: BankTransaction, *, assign_form=None, ignore_form=None, problem=None, done=None) -> dict:
    suggestion = None
    if tx.invoice_id is not None:
        suggestion = Invoice.get_or_none((Invoice.id == tx.invoice_id) & (Invoice.association == g.association))
    return dict(
        tx=tx,
        suggestion=suggestion,
        assign_form=_ids_of_row(assign_form or _assign_form(), tx.id),
        ignore_form=_ids_of_row(ignore_form or IgnoreForm(formdata=None), tx.id),
        confirm_form=ConfirmForm(),
        problem=problem,
        done=done,
        waiting=tx.state in importing.WAITING,
        handler=User.get_or_none(User.id == tx.handled_by_id) if tx.handled_by_id else None,
        **_labels(),
    )


def _ids_of_row(form, tx_id: int):
    """The row's own element ids (the names stay): several open rows of the queue are one page, and a label
    must lead to its own row's field."""
    for field in form:
        if field.type != "CSRFTokenField":
            field.id = f"tx{tx_id}-{field.name}"
            field.label.field_id = field.id
    return form


def _assign_form(formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata) if formdata is not None else AssignForm(formdata=None)
    people = (
        Person.of(g.association).select(Person.id, Person.surname, Person.given_name).order_by(*Person.name_order())
    )
    form.person.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(p.id, p.sort_name) for p in people]
    return form


@bp.route("/admin/bank/transactions/<int:bank_transaction_id>")
@requires(perms.INVOICES_MANAGE)
def bank_transaction(bank_transaction_id: int):
    """One bank entry: what it is, and, while it waits, the forms that book or ignore it."""
    tx = _transaction_or_404(bank_transaction_id)
    return render("billing/bank_transaction.html", "billing/_bank_transaction.html", **_tx_context(tx))


def _after_action(tx: BankTransaction, message: str):
    """htmx: the entry's part again, saying what was done; without JavaScript: back to the queue."""
    if htmx:
        fresh = BankTransaction.get_by_id(tx.id)
        return render(
            "billing/bank_transaction.html", "billing/_bank_transaction.html", **_tx_context(fresh, done=message)
        )
    flash(message, "success")
    return redirect(url_for("billing.bank_queue"))


def _not_waiting(tx: BankTransaction):
    """The refusal of an action on an entry that no longer waits (dealt with, or never a queued credit)."""
    if tx.state in importing.WAITING:
        return None
    if tx.state in (BankTransaction.BOOKED, BankTransaction.IGNORED):
        return _refused(tx, status=409, problem=_("This payment has been dealt with already."))
    return _refused(tx, status=409, problem=_("Only a credit waiting in the bank queue can be booked or ignored."))


def _refused(tx: BankTransaction, status: int = 422, **forms):
    """The entry's part again, saying what was refused. htmx swaps only answers and 422s (base.html): a
    conflict (dealt with meanwhile) comes to it as an answer, so the row shows its new state and why."""
    if status == 409 and htmx:
        status = 200
    return render("billing/bank_transaction.html", "billing/_bank_transaction.html", status=status,
                  **_tx_context(tx, **forms))  # fmt: skip


@bp.route("/admin/bank/transactions/<int:bank_transaction_id>/assign", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def bank_transaction_assign(bank_transaction_id: int):
    """Book a waiting credit for an invoice (by its number) or for a person."""
    tx = _transaction_or_404(bank_transaction_id)
    if (refusal := _not_waiting(tx)) is not None:
        return refusal
    form = _assign_form(request.form)
    if not form.validate_on_submit():
        return _refused(tx, assign_form=form)
    number = (form.invoice_number.data or "").strip()
    invoice = person = None
    if number:
        # ASCII digits only: "²" and other Unicode digits pass isdigit() and then fail int(); a longer number
        # would not fit the column. Either is "no such invoice".
        wellformed = _INVOICE_NUMBER.fullmatch(number) is not None
        invoice = Invoice.of(g.association).where(Invoice.number == int(number)).first() if wellformed else None
        if invoice is None:
            form.invoice_number.errors = [_("There is no invoice number %(number)s.", number=number)]
            return _refused(tx, assign_form=form)
    elif form.person.data:
        person = Person.get_or_none((Person.id == form.person.data) & (Person.association == g.association))
    if invoice is None and person is None:
        form.form_errors.append(_("Give an invoice number or choose a person."))
        return _refused(tx, assign_form=form)
    try:
        importing.assign(tx, g.association, _user(), invoice=invoice, person=person)
    except BankImportError as error:  # dealt with a moment ago by someone else, or its invoice changed meanwhile
        return _refused(BankTransaction.get_by_id(tx.id), status=409, problem=str(error.message))
    amount = text.money(tx.amount, tx.currency)
    if invoice is not None:
        message = _("%(amount)s is booked for invoice %(number)s.", amount=amount, number=invoice.number)
    else:
        message = _("%(amount)s is booked for %(name)s.", amount=amount, name=person.full_name)
    return _after_action(tx, message)


@bp.route("/admin/bank/transactions/<int:bank_transaction_id>/confirm", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def bank_transaction_confirm(bank_transaction_id: int):
    """Book a suggested credit for the invoice it suggests."""
    tx = _transaction_or_404(bank_transaction_id)
    if (refusal := _not_waiting(tx)) is not None:
        return refusal
    if not ConfirmForm().validate_on_submit():
        return _refused(tx, status=400)
    try:
        importing.confirm(tx, g.association, _user())
    except BankImportError as error:
        return _refused(BankTransaction.get_by_id(tx.id), status=409, problem=str(error.message))
    invoice = Invoice.get_by_id(tx.invoice_id)  # the suggestion, now booked
    return _after_action(
        tx,
        _(
            "%(amount)s is booked for invoice %(number)s.",
            amount=text.money(tx.amount, tx.currency),
            number=invoice.number,
        ),
    )


@bp.route("/admin/bank/transactions/<int:bank_transaction_id>/ignore", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def bank_transaction_ignore(bank_transaction_id: int):
    """Take a waiting credit out of the queue without booking it; the reason is kept."""
    tx = _transaction_or_404(bank_transaction_id)
    if (refusal := _not_waiting(tx)) is not None:
        return refusal
    form = IgnoreForm()
    if not form.validate_on_submit():
        return _refused(tx, ignore_form=form)
    try:
        importing.ignore(tx, g.association, _user(), form.reason.data)
    except BankImportError as error:
        return _refused(BankTransaction.get_by_id(tx.id), status=409, problem=str(error.message))
    return _after_action(tx, _("%(amount)s is left unbooked.", amount=text.money(tx.amount, tx.currency)))
