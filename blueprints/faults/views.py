"""Fault reports and requests: the lists, the report form, the report page with its live status,
attachments, and the board's deadlines (SPEC F1–F4, seeds 000, 003, 004 §3.3 and §4.12).

Every page loads reports through queries.py, which starts from
FaultReport.visible_to(): a report the member may not see is a 404, whether
asked for by URL, by htmx or through one of its files. The changes themselves
(report, status, assignment, comment) are reporting.py's.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.faults import FAULTS_TAB, attachments, bp, queries, reporting, rows, workflow
from blueprints.faults.forms import (
    CATEGORY_LABELS,
    DEADLINE_UNITS,
    FILES_ACCEPT,
    FILES_HINT,
    KIND_LABELS,
    SEVERITY_LABELS,
    SEVERITY_SHORT,
    AssignForm,
    CommentForm,
    DeadlineForm,
    ReportForm,
    StatusForm,
)
from blueprints.faults.workflow import WorkflowError
from core import clock, nav, uploads
from core.access import can, requires, requires_any
from core.audit import audit
from core.rendering import htmx, render
from models import Person
from models import permissions as perms
from models.db import transaction
from models.faults import FaultAttachment, FaultDeadline, FaultReport
from models.register import Building

R = FaultReport
# The order the handler's status buttons appear in (reopening is offered on the closed report itself).
STATUS_BUTTONS = (R.IN_PROGRESS, R.RESOLVED, R.REJECTED)
# reporting.py names the fields of its rules; the form shows the place as one select.
FIELD_OF = {"unit_id": "place", "building_id": "place"}


def fault_view(*needed: str):
    """The fault pages: 404 for everyone when the association switched the tab off (seed 000);
    else a member who holds `needed`, or without it one who may report faults or resolve them."""

    def decorator(view):
        guard = requires(*needed) if needed else requires_any(perms.FAULTS_REPORT, perms.FAULTS_RESOLVE)
        return FAULTS_TAB(guard(view))

    return decorator


@bp.context_processor
def _labels() -> dict:
    # Translated once per page rather than once per row: a list of 50 rows would otherwise
    # look each word up hundreds of times.
    return dict(
        status_labels={key: str(label) for key, label in workflow.STATUS_LABELS.items()},
        severity_labels={key: str(label) for key, label in SEVERITY_SHORT.items()},
        category_labels={key: str(label) for key, label in CATEGORY_LABELS.items()},
        row_words=rows.row_words,
        place_words=rows.place_words,
    )


def _full_page() -> bool:
    """Whether this request renders the whole page (not only the part htmx swaps)."""
    return not htmx or htmx.boosted or htmx.history_restore_request


# --- the lists (F4) -------------------------------------------------------------------------


@bp.route("/faults")
@fault_view()
def reports():
    """The reports this member may see: open, closed, all or mine, filtered; overdue first, then newest."""
    filters = queries.Filters.from_args(request.args)
    listing = queries.report_list(g.association, g.membership, filters, clock.utcnow_naive())
    handler = can(perms.FAULTS_RESOLVE)
    context = dict(listing=listing, filters=filters, handler=handler, buildings=[], assignees=[])
    if _full_page():  # the filter form's choices; a swap of the list does not need them
        context["buildings"] = Building.by_name(g.association)
        if handler:
            context["assignees"] = workflow.handlers(g.association)
    return render("faults/reports.html", "faults/_report_list.html", **context)


# --- reporting (F1) -------------------------------------------------------------------------


@bp.route("/faults/new", methods=["GET", "POST"])
@fault_view()
def report_new():
    """Report a fault (in one's unit, a common area or the building) or send a request to a responsible role."""
    form = ReportForm()
    units, buildings = queries.place_choices(g.association, g.membership, any_place=can(perms.FAULTS_RESOLVE))
    if request.method == "GET":
        _prefill(form, units)
    files_sent = request.method == "POST" and any(f.filename for f in request.files.getlist("files"))
    if form.validate_on_submit():
        try:
            new = reporting.report(
                g.association,
                current_user._get_current_object(),
                g.membership,
                **_report_fields(form),
                files=request.files.getlist("files"),
            )
        except WorkflowError as error:
            _show_error(form, error)
        else:
            if new.kind == R.REQUEST:
                flash(_("Your request is sent. You can follow it here."), "success")
            else:
                flash(_("Thank you: your report is sent. You can follow it here."), "success")
            return redirect(url_for("faults.report_page", report_id=new.id))
    return render(
        "faults/report_form.html",
        form=form,
        units=units,
        buildings=buildings,
        kind_labels=KIND_LABELS,
        severity_choices=SEVERITY_LABELS,
        files_hint=FILES_HINT,
        files_accept=FILES_ACCEPT,
        files_again=files_sent and bool(form.errors),
        status=422 if form.errors else 200,
    )


def _prefill(form: ReportForm, units) -> None:
    """Contact details from the account (and the register), and the only unit if there is one."""
    user = current_user._get_current_object()
    person = Person.get_or_none(Person.id == g.membership.person_id) if g.membership.person_id else None
    phones = [user.phone_mobile, user.phone_home, user.phone_work]
    if person is not None:
        phones += person.phones
    form.contact_phone.data = next((p for p in phones if p), "")
    form.contact_email.data = user.email
    if request.args.get("kind") == R.REQUEST:
        form.kind.data = R.REQUEST
    if len(units) == 1:
        form.place.data = f"unit:{units[0].id}"


def _report_fields(form: ReportForm) -> dict:
    place, unit_id, building_id = _parse_place(form.place.data or "")
    return dict(
        kind=form.kind.data,
        place=place,
        unit_id=unit_id,
        building_id=building_id,
        area=form.area.data or "",
        responsible=form.responsible.data or "",
        category=form.category.data or "other",
        severity=form.severity.data or R.NORMAL,
        title=form.title.data or "",
        details=form.details.data or "",
        contact_phone=form.contact_phone.data or "",
        contact_email=form.contact_email.data or "",
    )


def _parse_place(value: str) -> tuple[str, int | None, int | None]:
    """ "unit:12" / "area:3" / "building:3" -> (place, unit id, building id); reporting.py checks them."""
    what, _sep, number = value.partition(":")
    row_id = int(number) if number.isdigit() else None
    if what == "unit":
        return R.IN_UNIT, row_id, None
    if what == "area":
        return R.COMMON_AREA, None, row_id
    if what == "building":
        return R.WHOLE_BUILDING, None, row_id
    return "", None, None


def _show_error(form, error: WorkflowError) -> None:
    """Put a refusal next to the field it is about, or above the form."""
    name = FIELD_OF.get(error.field or "", error.field or "")
    field = form._fields.get(name) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- one report (F2, F3) ------------------------------------------------------------------


def _report_context(report: FaultReport, **forms) -> dict:
    """What the report page and its parts show; forms passed in (with errors) replace fresh ones."""
    handler = workflow.can_handle(report, g.membership)
    is_reporter = report.reporter_id == current_user.id
    context = dict(
        report=report,
        history=queries.history(report),
        handler=handler,
        is_reporter=is_reporter,
        overdue=workflow.is_overdue(report),
        polling=report.is_open,
        can_reopen=not report.is_open
        and (handler or is_reporter)
        and R.REOPENED in workflow.TRANSITIONS[report.status],
        status_buttons=[s for s in STATUS_BUTTONS if s in workflow.TRANSITIONS[report.status]] if handler else [],
        comment_form=forms.get("comment_form") or CommentForm(formdata=None),
        status_form=forms.get("status_form") or StatusForm(formdata=None),
        assign_form=forms.get("assign_form"),
        files_accept=FILES_ACCEPT,
        message=forms.get("message"),
    )
    if handler:
        form = context["assign_form"] or AssignForm(
            formdata=None, assignee=str(report.assignee_id) if report.assignee_id else AssignForm.NOBODY
        )
        _assignee_choices(form, report)
        context["assign_form"] = form
    return context


def _assignee_choices(form: AssignForm, report: FaultReport) -> list:
    people = workflow.handlers(g.association, report)
    form.assignee.choices = [SelectChoice(AssignForm.NOBODY, _("Nobody yet"))] + [
        SelectChoice(str(u.id), u.display_name) for u in people
    ]
    return people


@bp.route("/faults/<int:report_id>")
@fault_view()
def report_page(report_id: int):
    """One report: what, where, who, its deadline, photos and history; htmx polls its status part."""
    report = queries.visible_report(g.membership, report_id)
    return render("faults/report.html", "faults/_status.html", **_report_context(report))


def _after_change(report_id: int, message: str):
    """htmx: the status part (and, out of band, fresh forms); without JS: back to the page."""
    if htmx:
        report = queries.visible_report(g.membership, report_id)
        part = render("faults/report.html", "faults/_changed.html", **_report_context(report, message=message))
        return nav.counts_changed(part)  # the open reports' count in the tab bar follows
    flash(message, "success")
    return redirect(url_for("faults.report_page", report_id=report_id))


def _refused(report: FaultReport, **forms):
    """The same page or part with the form's errors and what was typed (422)."""
    context = _report_context(report, **forms)
    return render("faults/report.html", "faults/_changed.html", status=422, **context)


def _handler_or_403(report: FaultReport) -> None:
    if not workflow.can_handle(report, g.membership):
        abort(403)


@bp.route("/faults/<int:report_id>/assign", methods=["POST"])
@fault_view()
def report_assign(report_id: int):
    """Give the report to one of those who handle it, or to nobody."""
    report = queries.visible_report(g.membership, report_id)
    _handler_or_403(report)
    form = AssignForm()
    _assignee_choices(form, report)
    if form.validate_on_submit():
        value = form.assignee.data
        try:
            assignee_id = None if value == AssignForm.NOBODY else int(value)
            reporting.assign(report, assignee_id, current_user._get_current_object())
        except ValueError:
            form.assignee.errors.append(_("Choose who handles the report."))
        except WorkflowError as error:
            _show_error(form, error)
        else:
            return _after_change(report_id, _("The report is assigned."))
    return _refused(report, assign_form=form)


@bp.route("/faults/<int:report_id>/status", methods=["POST"])
@fault_view()
def report_status(report_id: int):
    """Start work on, resolve or reject the report with a note and attachments; its reporter may reopen it."""
    report = queries.visible_report(g.membership, report_id)
    form = StatusForm()
    to_status = form.to_status.data or ""
    reopening = to_status == R.REOPENED and report.reporter_id == current_user.id
    if not (reopening or workflow.can_handle(report, g.membership)):
        abort(403)
    if form.validate_on_submit():
        if not to_status:
            form.to_status.errors.append(_("Choose what happens to the report."))
        else:
            try:
                reporting.change_status(
                    report,
                    to_status,
                    current_user._get_current_object(),
                    note=form.note.data or "",
                    files=request.files.getlist("files"),
                )
            except WorkflowError as error:
                if error.field is None and to_status == R.REJECTED:
                    error.field = "note"  # "say why": the note is what is missing
                _show_error(form, error)
            else:
                label = workflow.STATUS_LABELS[to_status]
                return _after_change(report_id, _("The report is now %(status)s.", status=label))
    return _refused(report, status_form=form)


@bp.route("/faults/<int:report_id>/comment", methods=["POST"])
@fault_view()
def report_comment(report_id: int):
    """Comment on a report one can see, with photos."""
    report = queries.visible_report(g.membership, report_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            reporting.comment(
                report, current_user._get_current_object(), form.text.data or "", files=request.files.getlist("files")
            )
        except WorkflowError as error:
            _show_error(form, error)
        else:
            return _after_change(report_id, _("Your comment is added."))
    return _refused(report, comment_form=form)


@bp.route("/faults/<int:report_id>/files/<int:attachment_id>")
@fault_view()
def attachment(report_id: int, attachment_id: int):
    """A photo (inline) or file (download) of a report, after the same check as the report's page."""
    report = queries.visible_report(g.membership, report_id)
    row = FaultAttachment.get_or_none((FaultAttachment.id == attachment_id) & (FaultAttachment.report == report.id))
    if row is None:
        abort(404)
    return uploads.serve(
        attachments.path(report, row), mimetype=row.content_type, inline=row.is_image, name=row.original_name
    )


# --- the board's deadlines (F2) --------------------------------------------------------------


@bp.route("/faults/deadlines", methods=["GET", "POST"])
@fault_view(perms.FAULTS_RESOLVE)
def deadlines():
    """How soon reports of each severity must be answered: hours or working days."""
    rules = workflow.deadline_rules(g.association)
    if request.method == "GET":
        values = {}
        for severity, (amount, unit) in rules.items():
            values[f"{severity}_amount"], values[f"{severity}_unit"] = amount, unit
        form = DeadlineForm(formdata=None, **values)
    else:
        form = DeadlineForm()
    if form.validate_on_submit():
        new_rules = {s: (getattr(form, f"{s}_amount").data, getattr(form, f"{s}_unit").data) for s in R.SEVERITIES}
        with transaction():
            _save_deadlines(new_rules)
            audit(
                "faults.deadlines_changed",
                actor=current_user,
                association=g.association,
                **{s: f"{amount} {unit}" for s, (amount, unit) in new_rules.items()},
            )
        flash(_("The deadlines are saved. They apply to reports made from now on."), "success")
        return redirect(url_for("faults.deadlines"))
    return render(
        "faults/deadlines.html",
        form=form,
        severities=R.SEVERITIES,
        severity_labels_long=SEVERITY_LABELS,
        units=DEADLINE_UNITS,
        status=422 if form.errors else 200,
    )


def _save_deadlines(rules: dict[str, tuple[int, str]]) -> None:
    existing = {row.severity: row for row in FaultDeadline.of(g.association)}
    for severity, (amount, unit) in rules.items():
        row = existing.get(severity) or FaultDeadline(association=g.association, severity=severity)
        row.amount, row.unit = amount, unit
        row.save()
