"""The board's reading windows (M2, M4): the list with a form for the next one, a window's days, the period
view of every unit's readings, locking and unlocking, accepting estimates, entering a missing reading,
and the export.

All of it needs meters.manage. A window is loaded through get_visible with the board's membership:
another association's window is a 404 like one that does not exist, and so is a meter that is not one
of the window's.
"""

from __future__ import annotations

import math

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.meters import METERS_TAB, bp, export, period, readings
from blueprints.meters.window_forms import DaysForm, EnterReadingForm, WindowForm, default_days
from core import clock, text
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import htmx, render
from models import permissions as perms
from models.db import transaction
from models.meters import Reading, ReadingWindow

WINDOWS_PER_PAGE = 12
MAX_PAGE = 10_000


def _user():
    return current_user._get_current_object()


def _page() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, MAX_PAGE))


def state_words() -> dict[str, str]:
    """A window's state in a word (beside its colour)."""
    return {
        period.UPCOMING: _("Upcoming"),
        period.OPEN: _("Open"),
        period.CLOSED: _("Closed"),
        period.LOCKED: _("Locked"),
    }


def _window_or_404(window_id: int) -> ReadingWindow:
    return ReadingWindow.get_visible(g.membership, window_id)


# --- the list ---------------------------------------------------------------------------------------


def _windows_page(form: WindowForm, status: int = 200, problem: str | None = None):
    page = _page()
    query = period.windows_of(g.association)
    total = query.count()
    windows = list(query.paginate(page, WINDOWS_PER_PAGE))
    return render(
        "meters/windows.html",
        "meters/_windows_list.html",
        form=form,
        problem=problem,
        windows=windows,
        done=period.completion(windows),
        today=g.association.today(),
        state_of=period.state_of,
        states=state_words(),
        current_page=page,
        pages=max(1, math.ceil(total / WINDOWS_PER_PAGE)),
        status=status,
    )


@bp.route("/meters/windows")
@METERS_TAB
@requires(perms.METERS_MANAGE)
def windows():
    """The board's reading windows, newest period first, and the form that opens the next one."""
    return _windows_page(WindowForm(formdata=None, data=default_days(g.association.today())))


@bp.route("/meters/windows", methods=["POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def new_window():
    """Open a window for a period: its days in order, one window per period end."""
    form = WindowForm()
    if not form.validate_on_submit():
        return _windows_page(form, status=422)
    taken = ReadingWindow.of(g.association).where(ReadingWindow.period_end == form.period_end.data).exists()
    if taken:
        form.period_end.errors = [_("There is a window for a period ending on this day already.")]
        return _windows_page(form, status=422)
    try:
        with transaction():
            window = ReadingWindow.create(
                association=g.association, period_start=form.period_start.data, period_end=form.period_end.data,
                opens_on=form.opens_on.data, closes_on=form.closes_on.data, created_by=_user(),
            )  # fmt: skip
            audit("meters.window_opened", actor=_user(), association=g.association, target=f"window:{window.id}",
                  period_end=window.period_end, opens_on=window.opens_on, closes_on=window.closes_on)  # fmt: skip
    except pw.IntegrityError:  # the same period saved a moment ago by another click
        form.period_end.errors = [_("There is a window for a period ending on this day already.")]
        return _windows_page(form, status=422)
    flash(_("The window is saved. Residents hand in readings from %(opens)s to %(closes)s.",
            opens=_day(window.opens_on), closes=_day(window.closes_on)), "success")  # fmt: skip
    return redirect(url_for("meters.window", window_id=window.id))


def _day(day) -> str:
    return text.date(day)


@bp.route("/meters/windows/<int:window_id>/edit", methods=["GET", "POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def edit_window(window_id: int):
    """Change the days a window is open to residents, until the board locks it."""
    window = _window_or_404(window_id)
    if request.method == "POST":
        form = DaysForm()
        if window.is_locked:
            form.form_errors.append(_("The period is locked: unlock it to change its days."))
            status = 409
        elif form.validate_on_submit():
            old = (window.opens_on, window.closes_on)
            window.opens_on, window.closes_on = form.opens_on.data, form.closes_on.data
            with transaction():
                window.save()
                audit("meters.window_changed", actor=_user(), association=g.association, target=f"window:{window.id}",
                      old=[str(day) for day in old], new=[str(window.opens_on), str(window.closes_on)])  # fmt: skip
            flash(_("The window's days are saved."), "success")
            return redirect(url_for("meters.window", window_id=window.id))
        else:
            status = 422
    else:
        form, status = DaysForm(formdata=None, obj=window), 200
    return render("meters/window_form.html", window=window, form=form, states=state_words(),
                  state=period.state_of(window, g.association.today()), status=status)  # fmt: skip


# --- the period view ----------------------------------------------------------------------------------


def _show() -> str:
    show = request.args.get("show", period.ALL)
    return show if show in period.FILTERS else period.ALL


def filter_words() -> dict[str, str]:
    return {period.ALL: _("All units"), period.MISSING: _("Missing readings"), period.FLAGGED: _("Flagged readings")}


@bp.route("/meters/windows/<int:window_id>")
@METERS_TAB
@requires(perms.METERS_MANAGE)
def window(window_id: int):
    """The period view: every unit's meters with the previous and this period's reading, the use, the
    derived estimate, the source and flags; filtered and paginated by unit."""
    window = _window_or_404(window_id)
    show, page = _show(), _page()
    counted = period.summary(window)
    units, total = period.page(window, show, page, counted)
    return render(
        "meters/window.html",
        "meters/_period_units.html",
        window=window,
        units=units,
        show=show,
        filters=filter_words(),
        summary=counted,
        state=period.state_of(window, g.association.today()),
        states=state_words(),
        current_page=page,
        pages=max(1, math.ceil(total / period.UNITS_PER_PAGE)),
        **_row_context(window),
    )


def _row_context(window: ReadingWindow) -> dict:
    """What each meter row needs besides its state."""
    return dict(
        number=period.number,
        enter_form=EnterReadingForm(formdata=None),
        correct_url=(lambda reading_id: url_for("meters.correct_reading", reading_id=reading_id)),
        locked=window.is_locked,
        # On a phone each row stacks its cells, each named by its column (porch.css: .period-table).
        label={
            "previous": _("Previous"),
            "current": _("This period"),
            "use": _("Use"),
            "estimate": _("Estimate"),
            "source": _("Source"),
            "flag": _("Flag"),
        },  # fmt: skip
    )


# --- lock, unlock, estimates ---------------------------------------------------------------------------


def _confirmed() -> bool:
    """A confirmed action: the confirmation page's form came back with its token."""
    return request.form.get("confirmed") == "yes" and ConfirmForm().validate_on_submit()


def _confirm_page(window: ReadingWindow, action: str, **context):
    """The question before a lock, an unlock or the estimates, with the button that confirms it."""
    words = f"{text.date(window.period_start, 'short')} – {text.date(window.period_end, 'short')}"
    heading, endpoint = {
        "lock": (_("Lock the period %(period)s?", period=words), "meters.lock_window"),
        "unlock": (_("Unlock the period %(period)s?", period=words), "meters.unlock_window"),
        "estimates": (_("Accept the estimates for %(period)s?", period=words), "meters.accept_estimates"),
    }[action]
    return render("meters/window_confirm.html", window=window, action=action, heading=heading, endpoint=endpoint,
                  confirm_form=ConfirmForm(), **context)  # fmt: skip


@bp.route("/meters/windows/<int:window_id>/lock", methods=["POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def lock_window(window_id: int):
    """Lock a period (after a confirmation): residents no longer correct; the board corrects with a reason."""
    window = _window_or_404(window_id)
    if window.is_locked:
        flash(_("The period was locked already."), "success")
        return redirect(url_for("meters.window", window_id=window.id))
    if not _confirmed():
        return _confirm_page(window, "lock", missing=period.summary(window).missing)
    with transaction():
        locked = (
            ReadingWindow.update(locked_at=clock.utcnow_naive(), locked_by=_user())
            .where((ReadingWindow.id == window.id) & ReadingWindow.locked_at.is_null())
            .execute()
        )
        if locked:
            audit("meters.window_locked", actor=_user(), association=g.association, target=f"window:{window.id}",
                  period_end=window.period_end)  # fmt: skip
    flash(_("The period is locked. Only the board corrects its readings now, with a reason."), "success")
    return redirect(url_for("meters.window", window_id=window.id))


@bp.route("/meters/windows/<int:window_id>/unlock", methods=["POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def unlock_window(window_id: int):
    """Unlock a period (after a confirmation): residents correct their readings again while it is open."""
    window = _window_or_404(window_id)
    if not window.is_locked:
        flash(_("The period is not locked."), "success")
        return redirect(url_for("meters.window", window_id=window.id))
    if not _confirmed():
        return _confirm_page(window, "unlock")
    with transaction():
        unlocked = (
            ReadingWindow.update(locked_at=None, locked_by=None)
            .where((ReadingWindow.id == window.id) & ReadingWindow.locked_at.is_null(False))
            .execute()
        )
        if unlocked:
            audit("meters.window_unlocked", actor=_user(), association=g.association, target=f"window:{window.id}",
                  period_end=window.period_end)  # fmt: skip
    flash(_("The period is unlocked."), "success")
    return redirect(url_for("meters.window", window_id=window.id))


def _estimable(window: ReadingWindow) -> int:
    """How many meters have no reading this window and a derived estimate the board could accept."""
    return sum(
        1 for state in period.all_states(window)
        if state.current is None and state.derived(window.period_end) is not None
    )  # fmt: skip


@bp.route("/meters/windows/<int:window_id>/estimates", methods=["POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def accept_estimates(window_id: int):
    """Store the derived estimate for every meter without a reading, marked estimated (after a confirmation
    that says how many)."""
    window = _window_or_404(window_id)
    if window.is_locked:
        flash(_("The period is locked: unlock it to accept estimates."), "error")
        return redirect(url_for("meters.window", window_id=window.id))
    if not _confirmed():
        missing = period.summary(window).missing
        return _confirm_page(window, "estimates", count=_estimable(window), missing=missing)
    meters = list(period.window_meters(window))
    stored = readings.accept_estimates(window, meters, _user())
    if stored:
        with transaction():
            audit("meters.estimates_accepted", actor=_user(), association=g.association, target=f"window:{window.id}",
                  count=stored)  # fmt: skip
    flash(ngettext("%(num)d estimate is stored, marked as estimated.",
                   "%(num)d estimates are stored, marked as estimated.", stored), "success")  # fmt: skip
    return redirect(url_for("meters.window", window_id=window.id))


# --- a missing reading ---------------------------------------------------------------------------------


@bp.route("/meters/windows/<int:window_id>/meters/<int:window_meter_id>", methods=["POST"])
@METERS_TAB
@requires(perms.METERS_MANAGE)
def enter_reading(window_id: int, window_meter_id: int):
    """The board enters the reading of a meter that has none this window (a correction is another page)."""
    window = _window_or_404(window_id)
    meter = period.meter_of_window(window, window_meter_id)
    if meter is None:
        abort(404)
    (state,) = readings.states([meter], window)
    form = EnterReadingForm()
    problem, status = None, 422
    if state.current is not None:
        problem, status = _("This meter has a reading this period already; correct it instead."), 409
    elif form.validate_on_submit():
        if window.is_locked and not (form.reason.data or "").strip():
            form.reason.errors = [_("The period is locked: say why the board enters this reading.")]
        else:
            value = form.reading
            flag = readings.judge(state, value, window.period_end)
            with transaction():
                reading = readings.store(state, window, value, source=Reading.BOARD, user=_user(), flag=flag,
                                         reason=form.reason.data or "")  # fmt: skip
                audit("meters.reading_entered", actor=_user(), association=g.association,
                      target=f"reading:{reading.id}", meter=meter.serial, value=str(value))  # fmt: skip
            return _after_entry(window, state, _("The reading is saved."))
    return _after_entry(window, state, problem, form=form, status=status)


def _after_entry(window: ReadingWindow, state: readings.MeterState, message: str | None, *, form=None,
                 status: int = 200):  # fmt: skip
    """htmx: the meter's row again (saying what happened); without JavaScript: back to the period view."""
    if htmx:
        context = _row_context(window)
        if form is not None:
            context["enter_form"] = form
        row = period.MeterRow(state, state.derived(window.period_end))
        return render("meters/_period_row.html", window=window, row=row, message=message,
                      status=200 if status == 409 else status, **context)  # fmt: skip
    if status == 200:
        flash(message, "success")
        return redirect(url_for("meters.window", window_id=window.id))
    return render("meters/window_reading.html", window=window, state=state, form=form or EnterReadingForm(),
                  problem=message, number=period.number, status=status)  # fmt: skip


# --- the export -------------------------------------------------------------------------------------


@bp.route("/meters/windows/<int:window_id>/export.<fmt>")
@METERS_TAB
@requires(perms.METERS_MANAGE)
def export_window(window_id: int, fmt: str):
    """The window's readings as CSV or XLSX: one row per meter."""
    window = _window_or_404(window_id)
    if fmt not in export.FORMATS:
        abort(404)
    return export.download(window, fmt)
