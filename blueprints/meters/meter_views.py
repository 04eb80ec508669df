"""The board's meter register (M1): the list by unit, adding, changing and replacing a meter, and the
board's correction of any reading with its change history (M2)."""

from __future__ import annotations

from decimal import Decimal

import peewee as pw
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.meters import bp, readings
from blueprints.meters import register as meter_register
from blueprints.meters.meter_forms import (
    CorrectReadingForm,
    EditMeterForm,
    NewMeterForm,
    ReplaceMeterForm,
    show_reading,
)
from core.access import requires
from core.audit import audit
from core.clock import utcnow_naive
from core.rendering import render
from models import permissions as perms
from models.db import first_or_404, transaction
from models.meters import Meter, Reading, ReadingChange, ReadingWindow, as_decimal
from models.portal import User
from models.register import Building, Unit


@bp.context_processor
def _meter_words() -> dict:
    # Translated once per page, not once per row.
    return dict(
        kind_words={key: str(label) for key, label in Meter.KINDS.items()},
        source_words={key: str(label) for key, label in Reading.SOURCES.items()},
        flag_words={key: str(label) for key, label in Reading.FLAGS.items()},
        show_reading=show_reading,
    )


# --- the register -----------------------------------------------------------------------------


@bp.route("/meters/all")
@requires(perms.METERS_MANAGE)
def meters():
    """The meter register: every unit's meters and the buildings' main meters, filtered, by pages of units."""
    buildings = Building.by_name(g.association)
    building_id = request.args.get("building", type=int)
    if building_id not in {b.id for b in buildings}:
        building_id = None
    number = request.args.get("unit", "").strip()[:20]
    page = meter_register.register_page(
        g.association, building_id=building_id, number=number, page=request.args.get("page", 1, type=int)
    )
    return render(
        "meters/meters.html",
        "meters/_meter_list.html",
        listing=page,
        buildings=buildings,
        building_id=building_id,
        number=number,
    )


def _place_choices(form: NewMeterForm) -> None:
    """The units (active ones) and the buildings a meter can be in."""
    units = Unit.active(g.association).select(Unit, Building).join(Building).order_by(*Unit.natural_order(), Unit.id)
    form.place.choices = (
        [SelectChoice("", _("Choose…"))]
        + [SelectChoice(f"unit:{u.id}", f"{u.title}, {u.building.name}") for u in units]
        + [
            SelectChoice(f"building:{b.id}", _("Main meter of %(name)s", name=b.name))
            for b in Building.by_name(g.association)
        ]
    )


def _chosen_place(value: str | None) -> tuple[Building, Unit | None] | str:
    """The building and unit a posted place names, or why it cannot have a new meter. Another
    association's unit or building is a 404, as for any id that is not the member's."""
    kind, _sep, raw_id = (value or "").partition(":")
    if not raw_id.isdigit():
        return _("Choose the unit or the building.")
    if kind == "unit":
        unit = first_or_404(Unit.of(g.association).where(Unit.id == int(raw_id)))
        if unit.archived_at is not None:
            return _("This unit is archived: it gets no new meters.")
        return unit.building, unit
    if kind == "building":
        return first_or_404(Building.of(g.association).where(Building.id == int(raw_id))), None
    return _("Choose the unit or the building.")


@bp.route("/meters/new", methods=["GET", "POST"])
@requires(perms.METERS_MANAGE)
def new_meter():
    """Add a meter to a unit or a building, with what it showed when it was installed."""
    form = NewMeterForm()
    preselected = request.args.get("unit", type=int)
    if request.method == "GET" and preselected:
        form.place.data = f"unit:{preselected}"
    _place_choices(form)
    place = _chosen_place(form.place.data) if request.method == "POST" else None
    if form.validate_on_submit() and not isinstance(place, str):
        building, unit = place
        meter = meter_register.create_meter(
            g.association, building=building, unit=unit, kind=form.kind.data, serial=form.serial.data,
            measure=(form.measure.data or "").strip() or Meter.MEASURES.get(form.kind.data, ""),
            installed_on=form.installed_on.data, removed_on=form.removed_on.data,
            first_reading=form.first_reading.data, remote_read=form.remote_read.data, note=form.note.data or "",
            user=current_user,
        )  # fmt: skip
        flash(_("The meter %(serial)s is added.", serial=meter.serial), "success")
        return redirect(_register_url(meter))
    if isinstance(place, str) and form.place.data:
        form.place.errors = [place]  # in words the board knows, rather than "Not a valid choice"
    if request.method == "GET" and form.installed_on.data is None:
        form.installed_on.data = g.association.today()
    status = 422 if request.method == "POST" else 200
    return render("meters/meter_form.html", form=form, meter=None, measures=Meter.MEASURES, status=status)


def _register_url(meter: Meter) -> str:
    """The register's page filtered to the meter's building (and unit), where the board sees it."""
    args = {"building": meter.building_id}
    if meter.unit_id is not None:
        args["unit"] = Unit.get_by_id(meter.unit_id).number
    return url_for("meters.meters", **args)


def _meter(meter_id: int) -> Meter:
    return Meter.get_visible(g.membership, meter_id)


@bp.route("/meters/<int:meter_id>/edit", methods=["GET", "POST"])
@requires(perms.METERS_MANAGE)
def edit_meter(meter_id: int):
    """Change a meter's kind, serial, measure, dates, remote reading or note."""
    meter = _meter(meter_id)
    form = EditMeterForm(obj=meter)
    if form.validate_on_submit():
        try:
            meter_register.edit_meter(
                meter, current_user, kind=form.kind.data, serial=form.serial.data,
                measure=(form.measure.data or "").strip(), installed_on=form.installed_on.data,
                removed_on=form.removed_on.data, remote_read=form.remote_read.data, note=form.note.data or "",
            )  # fmt: skip
        except meter_register.MeterRefusedError as refused:
            getattr(form, refused.field).errors.append(str(refused.message))
        else:
            flash(_("The meter %(serial)s is saved.", serial=meter.serial), "success")
            return redirect(_register_url(meter))
    status = 422 if request.method == "POST" else 200
    return render("meters/meter_form.html", form=form, meter=meter, measures=Meter.MEASURES, status=status)


@bp.route("/meters/<int:meter_id>/replace", methods=["GET", "POST"])
@requires(perms.METERS_MANAGE)
def replace_meter(meter_id: int):
    """Replace a meter: its last reading and removal day, then the new one's serial and first reading;
    the board confirms after reading what will happen."""
    meter = _meter(meter_id)
    form = ReplaceMeterForm()
    if request.method == "GET":
        form.removed_on.data = g.association.today()
        form.remote_read.data = meter.remote_read
    last = meter_register.last_reading(meter)
    if meter.removed_on is not None:
        return render("meters/replace.html", meter=meter, form=form, last=last, removed=True, status=409)
    if form.validate_on_submit():
        problem = meter_register.replacement_problem(meter, form.removed_on.data, form.last_reading.data)
        if problem is not None:
            getattr(form, problem.field).errors.append(str(problem.message))
        elif request.form.get("confirmed") != "yes":
            return render("meters/replace.html", meter=meter, form=form, last=last, confirming=True)
        else:
            new = meter_register.replace_meter(
                meter, removed_on=form.removed_on.data, last_value=form.last_reading.data, serial=form.serial.data,
                first_reading=form.first_reading.data, remote_read=form.remote_read.data, note=form.note.data or "",
                user=current_user,
            )  # fmt: skip
            flash(_("Meter %(old)s is replaced by %(new)s.", old=meter.serial, new=new.serial), "success")
            return redirect(_register_url(new))
    status = 422 if request.method == "POST" else 200
    return render("meters/replace.html", meter=meter, form=form, last=last, status=status)


# --- the board corrects a reading ---------------------------------------------------------------


def _reading(reading_id: int) -> Reading:
    """A reading of one of this association's meters, else 404."""
    return first_or_404(
        Reading.select(Reading, Meter)
        .join(Meter)
        .where((Reading.id == reading_id) & (Meter.association == g.association))
    )


def _changes(reading: Reading) -> list[ReadingChange]:
    return list(
        ReadingChange.select(ReadingChange, User)
        .join(User, join_type=pw.JOIN.LEFT_OUTER, on=(ReadingChange.changed_by == User.id))
        .where(ReadingChange.reading == reading)
        .order_by(ReadingChange.changed_at.desc(), ReadingChange.id.desc())
    )


@bp.route("/meters/readings/<int:reading_id>/correct", methods=["GET", "POST"])
@requires(perms.METERS_MANAGE)
def correct_reading(reading_id: int):
    """The board corrects a reading; once its period is locked, with a reason. Shows its changes."""
    reading = _reading(reading_id)
    window = ReadingWindow.get_by_id(reading.window_id) if reading.window_id else None
    form = CorrectReadingForm()
    if request.method == "GET":
        form.value.data = as_decimal(reading.value)
    if form.validate_on_submit():
        reason = (form.reason.data or "").strip()
        if window is not None and window.is_locked and not reason:
            form.reason.errors.append(_("The period is locked: say why the reading is corrected."))
        else:
            _correct(reading, window, form.value.data, reason)
            flash(_("The reading is corrected."), "success")
            return redirect(url_for("meters.correct_reading", reading_id=reading.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "meters/correct.html", reading=reading, meter=reading.meter, window=window, form=form,
        changes=_changes(reading), status=status,
    )  # fmt: skip


def _correct(reading: Reading, window: ReadingWindow | None, value: Decimal, reason: str) -> None:
    """Through readings.store for a window's reading (it keeps the change and audits after the lock); a
    reading of no window (a first or a last one) is changed here the same way."""
    with transaction():
        if window is not None:
            (state,) = readings.states([reading.meter], window)
            flag = readings.judge(state, value, window.period_end)
            readings.store(state, window, value, source=Reading.BOARD, user=current_user, flag=flag, reason=reason)
            return
        old = as_decimal(reading.value)
        if old == value and not reason:
            return
        ReadingChange.create(
            reading=reading, old_value=old, new_value=value, reason=reason[:300], changed_by=current_user.id
        )
        reading.value = value
        reading.entered_by = current_user.id
        reading.updated_at = utcnow_naive()
        reading.save()
        audit(
            "meters.reading_corrected", actor=current_user, association=g.association, target=f"reading:{reading.id}",
            meter=reading.meter.serial, old=str(old), new=str(value), reason=reason[:300],
        )  # fmt: skip
