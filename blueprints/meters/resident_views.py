"""Residents hand in meter readings (M2): their page of homes and meters, one form per home for the open
window, the confirmation of a reading that looks wrong, photos of the meters, and why they cannot hand
in when they cannot (seed 002: no meters; not open yet; the period is over and locked).

A unit is the member's while their person owns it or lives in it today (Unit.ids_held_by); any other is
a 404, by URL or by htmx, as for an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.meters import METERS_TAB, bp, photos, readings
from blueprints.meters.register import latest_readings
from blueprints.meters.resident_forms import HandIn, HandInCsrf
from core import images, uploads
from core.access import can, requires, requires_any
from core.rendering import htmx, render
from core.text import date
from models import permissions as perms
from models.db import after_commit, first_or_404, transaction
from models.meters import Meter, Reading, ReadingWindow
from models.register import Building, Unit


def _today() -> dt.date:
    return g.association.today()


def _held() -> object:
    """The ids of the units the member's person owns or lives in today (a subquery)."""
    return Unit.ids_held_by(g.membership.person_id, _today())


def _my_units() -> list[Unit]:
    if g.membership.person_id is None:
        return []
    return list(
        Unit.select(Unit, Building)
        .join(Building)
        .where((Unit.association == g.association) & Unit.archived_at.is_null() & Unit.id.in_(_held()))
        .order_by(*Unit.natural_order(), Unit.id)
    )


def _my_unit(unit_id: int) -> Unit:
    """One of the member's units, else 404."""
    if g.membership.person_id is None:
        abort(404)
    return first_or_404(
        Unit.select(Unit, Building)
        .join(Building)
        .where(
            (Unit.id == unit_id)
            & (Unit.association == g.association)
            & Unit.archived_at.is_null()
            & Unit.id.in_(_held())
        )
    )


def _open_window() -> ReadingWindow | None:
    return (
        ReadingWindow.of(g.association)
        .where(ReadingWindow.open_on(_today()))
        .order_by(ReadingWindow.period_end.desc())
        .first()
    )


def why_closed(today: dt.date) -> list[str]:
    """Why nobody can hand in readings today, in the residents' words: the last window's state, and
    when the next one opens."""
    said = []
    last = (
        ReadingWindow.of(g.association)
        .where(ReadingWindow.opens_on <= today)
        .order_by(ReadingWindow.period_end.desc())
        .first()
    )
    if last is not None and last.is_locked:
        said.append(
            _(
                "The readings for the period ending %(day)s are locked: the board has shared out its costs. "
                "If a reading is wrong, ask the board to correct it.",
                day=date(last.period_end),
            )
        )
    elif last is not None:
        said.append(
            _(
                "Handing in readings for the period ending %(day)s closed on %(closed)s. "
                "If a reading is missing or wrong, ask the board.",
                day=date(last.period_end),
                closed=date(last.closes_on),
            )
        )
    upcoming = (
        ReadingWindow.of(g.association)
        .where(ReadingWindow.locked_at.is_null() & (ReadingWindow.opens_on > today))
        .order_by(ReadingWindow.opens_on)
        .first()
    )
    if upcoming is not None:
        said.append(
            _(
                "The next window opens on %(opens)s and closes on %(closes)s.",
                opens=date(upcoming.opens_on),
                closes=date(upcoming.closes_on),
            )
        )
    elif last is None:
        said.append(_("The board has not opened handing in readings yet."))
    else:
        said.append(_("The board has not opened the next window yet."))
    return said


# --- the residents' page ---------------------------------------------------------------------------


@bp.route("/meters/")
@requires(perms.METERS_SUBMIT)
@METERS_TAB
def mine():
    """The member's homes with their meters: the open window's form, or why they cannot hand in now."""
    today = _today()
    units = _my_units()
    ids = [unit.id for unit in units]
    in_use = defaultdict(list)
    if ids:
        for meter in (
            Meter.select()
            .where(
                Meter.unit.in_(ids)
                & (Meter.installed_on <= today)
                & (Meter.removed_on.is_null() | (Meter.removed_on >= today))
            )
            .order_by(Meter.kind, Meter.serial, Meter.id)
        ):
            in_use[meter.unit_id].append(meter)
    window = _open_window()
    forms = {}
    if window is not None and ids:
        to_read = list(readings.meters_to_read(ids, window))
        states = readings.states(to_read, window)
        by_unit = defaultdict(list)
        for state in states:
            by_unit[state.meter.unit_id].append(state)
        forms = {unit_id: HandIn(unit_states, window).for_display() for unit_id, unit_states in by_unit.items()}
    last = latest_readings([meter.id for meters in in_use.values() for meter in meters])
    return render(
        "meters/mine.html",
        units=units,
        in_use=in_use,
        window=window,
        forms=forms,
        last=last,
        closed_reasons=why_closed(today) if window is None else [],
        csrf=HandInCsrf(),
        photo_accept=photos.ACCEPT,
    )


# --- one home's form ------------------------------------------------------------------------------


@bp.route("/meters/units/<int:hand_in_unit_id>/windows/<int:hand_in_window_id>", methods=["GET", "POST"])
@requires(perms.METERS_SUBMIT)
@METERS_TAB
def hand_in(hand_in_unit_id: int, hand_in_window_id: int):
    """Hand in (or correct) the readings of all of a home's meters for an open window, with photos."""
    unit = _my_unit(hand_in_unit_id)
    window = first_or_404(ReadingWindow.of(g.association).where(ReadingWindow.id == hand_in_window_id))
    if not window.is_open(_today()):
        return _not_open(unit, window)
    states = readings.states(list(readings.meters_to_read([unit.id], window)), window)
    form = HandIn(states, window)
    context = dict(unit=unit, window=window, csrf=HandInCsrf(), photo_accept=photos.ACCEPT)
    if request.method == "GET":
        return render("meters/hand_in.html", "meters/_hand_in_form.html", form=form.for_display(), **context)
    if form.read(request.form, request.files):
        try:
            stored = _store(form, window)
        except readings.ReadingRefusedError:  # locked between showing the form and sending it
            form.errors.append(_("This period is locked: only the board can correct its readings now."))
        else:
            return _stored(unit, window, stored, context)
    return render("meters/hand_in.html", "meters/_hand_in_form.html", form=form, status=422, **context)


def _store(form: HandIn, window: ReadingWindow) -> int:
    """Store the form's readings and photos together: a failure leaves neither."""
    written, replaced = [], []
    entries = form.to_store  # read before storing: a stored reading is "unchanged" after
    try:
        with transaction():
            for entry in entries:
                name = photos.store(g.association, entry.photo) if entry.photo is not None else None
                if name is not None:
                    written.append(name)
                    if entry.state.current is not None and entry.state.current.photo:
                        replaced.append(entry.state.current.photo)
                readings.store(
                    entry.state, window, entry.value, source=Reading.RESIDENT, user=current_user, flag=entry.flag,
                    photo=name,
                )  # fmt: skip
            association = g.association
            after_commit(lambda: photos.discard(association, replaced))
    except BaseException:
        photos.discard(g.association, written)
        raise
    return len(entries)


def _stored(unit: Unit, window: ReadingWindow, stored: int, context: dict):
    """Said in place for htmx (the form again, with what is handed in now); else a flash and the page."""
    message = (
        _("Thank you: your readings are handed in. You can correct them while the window is open.")
        if stored
        else _("Nothing changed: these readings were handed in already.")
    )
    if htmx and not htmx.boosted:
        states = readings.states(list(readings.meters_to_read([unit.id], window)), window)
        fresh = HandIn(states, window).for_display()
        return render("meters/hand_in.html", "meters/_hand_in_form.html", form=fresh, saved=message, **context)
    flash(message, "success")
    return redirect(url_for("meters.mine") + f"#unit-{unit.id}")


def _not_open(unit: Unit, window: ReadingWindow):
    """Outside the window (or after the lock): refused, saying why; htmx shows it in place."""
    if window.is_locked:
        reason = _("This period is locked: only the board can correct its readings now.")
    elif _today() < window.opens_on:
        reason = _("Handing in opens on %(day)s.", day=date(window.opens_on))
    else:
        reason = _(
            "Handing in closed on %(day)s. If a reading is missing or wrong, ask the board.", day=date(window.closes_on)
        )
    response = render(
        "meters/hand_in.html", "meters/_hand_in_closed.html", unit=unit, window=window, reason=reason, status=403
    )
    response.headers["X-Porch-Swap"] = "1"
    return response


# --- photos ---------------------------------------------------------------------------------------


@bp.route("/meters/readings/<int:reading_id>/photo")
@requires_any(perms.METERS_SUBMIT, perms.METERS_MANAGE)
@METERS_TAB
def reading_photo(reading_id: int):
    """A reading's photo, for the board and the unit's owners and residents today only."""
    query = (
        Reading.select(Reading, Meter)
        .join(Meter)
        .where((Reading.id == reading_id) & (Meter.association == g.association))
    )
    if not can(perms.METERS_MANAGE):
        if g.membership.person_id is None:
            abort(404)
        query = query.where(Meter.unit.in_(_held()))
    reading = first_or_404(query)
    file = photos.path(g.association, reading.photo)
    if file is None:
        abort(404)
    extension = reading.photo.rsplit(".", 1)[1]
    name = f"meter-{reading.meter.serial}-{reading.read_on.isoformat()}.{extension}"
    return uploads.serve(file, mimetype=images.mimetype_of(reading.photo), inline=True, name=name)
