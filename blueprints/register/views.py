"""Views of the register: buildings, units, owners, residents, the unit file (SPEC R1, R3–R6)."""

from __future__ import annotations

from fractions import Fraction

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.register import UNITS_TAB, bp
from blueprints.register import ownership as rules
from blueprints.register.directory import PICKER_LIMIT, picker_people
from blueprints.register.forms import (
    ACCESSIBILITY_LABELS,
    FILE_KIND_LABELS,
    KIND_LABELS,
    RESIDENT_ROLE_LABELS,
    BuildingForm,
    ChangeOwnerForm,
    EndResidencyForm,
    FileEntryForm,
    OwnersForm,
    ProxyForm,
    ResidentCountForm,
    ResidentForm,
    UnitForm,
)
from blueprints.register.queries import (
    UNITS_CSV_COLUMNS,
    file_entries,
    proxy_of,
    residents_of,
    unit_page,
    units_csv_rows,
    visible_unit,
)
from core import clock
from core.access import can, requires
from core.audit import audit
from core.csv import csv_download
from core.rendering import render
from models import Person
from models import permissions as perms
from models.db import first_or_404, transaction
from models.register import Building, Ownership, Residency, Unit, UnitFileEntry, VotingProxy

LABELS = dict(
    kind_labels=KIND_LABELS,
    accessibility_labels=ACCESSIBILITY_LABELS,
    role_labels=RESIDENT_ROLE_LABELS,
    file_kind_labels=FILE_KIND_LABELS,
    format_share=rules.format_share,
    format_fraction=rules.format_fraction,
    format_area=lambda area: format_decimal(area.normalize()),
)


def _list_labels() -> dict:
    """LABELS for a long list: translated once per request, not once per row (babel's lookups add up)."""
    decimal = get_locale().number_symbols.get("latn", {}).get("decimal", ".")
    return {
        **LABELS,
        "kind_labels": {key: str(label) for key, label in KIND_LABELS.items()},
        "format_area": lambda area: f"{area.normalize():f}".replace(".", decimal),
    }


def _today():
    return g.association.today()


# --- buildings -------------------------------------------------------------------------


@bp.route("/buildings")
@requires(perms.REGISTER_MANAGE)
def buildings():
    """The association's buildings with their number of units."""
    counts = dict(
        Unit.active(g.association).select(Unit.building, pw.fn.COUNT(Unit.id)).group_by(Unit.building).tuples()
    )
    rows = Building.by_name(g.association)
    return render("register/buildings.html", buildings=rows, counts=counts)


@bp.route("/buildings/new", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def building_new():
    """Add a building (R1)."""
    form = BuildingForm()
    if form.validate_on_submit():
        with transaction():
            building = Building.create(association=g.association, **_building_fields(form))
            audit("register.building_created", actor=current_user, association=g.association, target=building.name)
        flash(_("The building %(name)s is added.", name=building.name), "success")
        return redirect(url_for("register.buildings"))
    return render("register/building_form.html", form=form, building=None, status=422 if form.errors else 200)


@bp.route("/buildings/<int:building_id>/edit", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def building_edit(building_id: int):
    """Change a building's name and address."""
    building = Building.get_visible(g.membership, building_id)
    form = BuildingForm(obj=building)
    if form.validate_on_submit():
        with transaction():
            Building.update(**_building_fields(form)).where(Building.id == building.id).execute()
            audit("register.building_edited", actor=current_user, association=g.association, target=form.name.data)
        flash(_("The building is saved."), "success")
        return redirect(url_for("register.buildings"))
    return render("register/building_form.html", form=form, building=building, status=422 if form.errors else 200)


def _building_fields(form: BuildingForm) -> dict:
    return {
        name: (getattr(form, name).data or "").strip()
        for name in ("name", "street", "postcode", "municipality", "region")
    }


@bp.route("/buildings/<int:building_id>/delete", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def building_delete(building_id: int):
    """Confirm and delete a building; refused while it has units."""
    building = Building.get_visible(g.membership, building_id)
    units = Unit.select().where(Unit.building == building).count()
    if request.method == "POST" and not units:
        with transaction():
            building.delete_instance()
            audit("register.building_deleted", actor=current_user, association=g.association, target=building.name)
        flash(_("The building %(name)s is deleted.", name=building.name), "success")
        return redirect(url_for("register.buildings"))
    status = 409 if request.method == "POST" else 200
    return render("register/building_delete.html", building=building, units=units, status=status)


# --- the unit list ----------------------------------------------------------------------


@bp.route("/units")
@requires(perms.UNITS_VIEW)
@UNITS_TAB
def units():
    """The unit list with shares, and owners for those who may see them; search as you type (R6)."""
    q = request.args.get("q", "").strip()[:100]
    page = request.args.get("page", 1, type=int)
    with_owners = can(perms.OWNERSHIP_VIEW)
    total, count = rules.shares_total(g.association)
    listing = unit_page(g.association, q, page, _today(), with_owners=with_owners, active_units=count)
    return render(
        "register/units.html",
        "register/_unit_list.html",
        listing=listing,
        q=q,
        with_owners=with_owners,
        total=total,
        unit_count=count,
        **_list_labels(),
    )


@bp.route("/units/export.csv")
@requires(perms.REGISTER_MANAGE)
def units_export():
    """Every active unit with its share and current owners, as CSV for a spreadsheet."""
    filename = f"{g.association.slug}-units-{_today().isoformat()}.csv"
    return csv_download(filename, UNITS_CSV_COLUMNS, units_csv_rows(g.association, _today()))


# --- creating, editing and deleting units -------------------------------------------------


def _unit_form(unit: Unit | None = None) -> UnitForm:
    form = UnitForm(data=_unit_data(unit)) if unit is not None else UnitForm()
    form.building.choices = [SelectChoice(b.id, b.name) for b in Building.by_name(g.association)]
    return form


def _unit_data(unit: Unit) -> dict:
    """The unit as the form shows it; the share as typed, 6542/100000, not reduced."""
    names = ("number", "kind", "rooms", "floor", "area", "equipment", "condition_notes")
    return {
        **{name: getattr(unit, name) for name in names},
        "building": unit.building_id,
        "share": rules.format_share(unit.share_numerator, unit.share_denominator),
        "accessibility": sorted(unit.accessibility_set),
    }


def _unit_fields(form: UnitForm) -> dict:
    numerator, denominator = rules.parse_share_terms(form.share.data)
    chosen = set(form.accessibility.data or [])
    return dict(
        building=form.building.data,
        number=form.number.data.strip(),
        kind=form.kind.data,
        rooms=form.rooms.data,
        floor=form.floor.data,
        area=form.area.data,
        share_numerator=numerator,
        share_denominator=denominator,
        equipment=(form.equipment.data or "").strip(),
        condition_notes=(form.condition_notes.data or "").strip(),
        accessibility=" ".join(key for key in Unit.ACCESSIBILITY if key in chosen),
    )


def _number_taken(form: UnitForm, unit: Unit | None) -> bool:
    same = Unit.of(g.association).where(
        (Unit.building == form.building.data) & (Unit.number == form.number.data.strip())
    )
    if unit is not None:
        same = same.where(Unit.id != unit.id)
    if same.exists():
        form.number.errors.append(_("This building already has a unit with this number."))
        return True
    return False


@bp.route("/units/new", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def unit_new():
    """Add a unit: number, kind, rooms, area, share and the rest (R1)."""
    form = _unit_form()
    if not form.building.choices:
        flash(_("Add a building first: every unit is in a building."), "error")
        return redirect(url_for("register.building_new"))
    if form.validate_on_submit() and not _number_taken(form, None):
        with transaction():
            unit = Unit.create(association=g.association, **_unit_fields(form))
            audit("register.unit_created", actor=current_user, association=g.association, target=f"unit {unit.number}")
        flash(_("Unit %(number)s is added.", number=unit.number), "success")
        return redirect(url_for("register.unit", unit_id=unit.id))
    return render("register/unit_form.html", form=form, unit=None, status=422 if form.errors else 200)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def unit_edit(unit_id: int):
    """Change a unit's details and share."""
    unit = Unit.get_visible(g.membership, unit_id)
    form = _unit_form(unit)
    if form.validate_on_submit() and not _number_taken(form, unit):
        with transaction():
            Unit.update(**_unit_fields(form)).where(Unit.id == unit.id).execute()
            audit("register.unit_edited", actor=current_user, association=g.association, target=f"unit {unit.number}")
        flash(_("Unit %(number)s is saved.", number=form.number.data.strip()), "success")
        return redirect(url_for("register.unit", unit_id=unit.id))
    return render("register/unit_form.html", form=form, unit=unit, status=422 if form.errors else 200)


def _history_of(unit: Unit) -> dict[str, int]:
    return {
        "ownerships": Ownership.select().where(Ownership.unit == unit).count(),
        "residencies": Residency.select().where(Residency.unit == unit).count(),
        "entries": UnitFileEntry.select().where(UnitFileEntry.unit == unit).count(),
    }


@bp.route("/units/<int:unit_id>/delete", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def unit_delete(unit_id: int):
    """Confirm and delete a unit; one with history is refused and can be archived instead."""
    unit = Unit.get_visible(g.membership, unit_id)
    history = _history_of(unit)
    if request.method == "POST" and not any(history.values()):
        with transaction():
            unit.delete_instance(recursive=True)  # only proxies can remain, and they go with it
            audit("register.unit_deleted", actor=current_user, association=g.association, target=f"unit {unit.number}")
        flash(_("Unit %(number)s is deleted.", number=unit.number), "success")
        return redirect(url_for("register.units"))
    status = 409 if request.method == "POST" else 200
    return render("register/unit_delete.html", unit=unit, history=history, status=status)


@bp.route("/units/<int:unit_id>/archive", methods=["POST"])
@requires(perms.REGISTER_MANAGE)
def unit_archive(unit_id: int):
    """Archive a unit: it leaves the lists and the share total, its history stays."""
    unit = Unit.get_visible(g.membership, unit_id)
    with transaction():
        Unit.update(archived_at=clock.utcnow_naive()).where(Unit.id == unit.id).execute()
        audit("register.unit_archived", actor=current_user, association=g.association, target=f"unit {unit.number}")
    flash(_("Unit %(number)s is archived.", number=unit.number), "success")
    return redirect(url_for("register.units"))


# --- the unit page ---------------------------------------------------------------------------


def _load_unit(unit_id: int) -> Unit:
    """A unit whose page the member may open (Unit.visible_to: the board, or its owners and residents today), else 404."""
    return visible_unit(g.membership, unit_id)


def _viewer_relation(unit: Unit, owners: list[Ownership] | None = None) -> str:
    """The board, or the unit's current owner or resident (R5, seed 003): how the page treats its viewer.

    With the unit's current `owners` at hand this takes no query: whoever may open the page and is
    not among them lives there (Unit.visible_to)."""
    if can(perms.REGISTER_MANAGE):
        return "board"
    if owners is not None:
        return rules.OWNER if any(o.person_id == g.membership.person_id for o in owners) else rules.RESIDENT
    return rules.relation_to(unit, g.membership.person_id, _today()) or rules.RESIDENT


def _may_edit_residents(relation: str) -> bool:
    return relation == "board" or (relation == rules.OWNER and can(perms.RESIDENTS_EDIT_OWN))


def _unit_context(unit: Unit, count_form: ResidentCountForm | None = None) -> dict:
    today = _today()
    owners, scheduled = rules.owners_and_scheduled(unit, today)
    relation = _viewer_relation(unit, owners)
    entries, more = file_entries(unit)
    may_edit = _may_edit_residents(relation)
    residents = residents_of(unit, today)
    if count_form is None and may_edit:
        count_form = ResidentCountForm(formdata=None, resident_count=unit.resident_count)
    return dict(
        unit=unit,
        relation=relation,
        owners=owners,
        scheduled_owners=scheduled,
        proxy=proxy_of(unit, today),
        residents=residents,
        entries=entries,
        more_before=more,
        may_edit_residents=may_edit,
        count_form=count_form,
        **LABELS,
    )


@bp.route("/units/<int:unit_id>")
@requires()
def unit(unit_id: int):
    """A unit's page: details, owners, proxy, residents and the unit file; for the board, its owners and residents."""
    return render("register/unit.html", **_unit_context(_load_unit(unit_id)))


@bp.route("/units/<int:unit_id>/file")
@requires()
def unit_file(unit_id: int):
    """The whole unit file, newest first (seed 003); the board adds entries here."""
    unit = _load_unit(unit_id)
    relation = _viewer_relation(unit)
    entries, more = file_entries(unit, request.args.get("before", type=int))
    form = _file_form() if relation == "board" else None
    return render(
        "register/unit_file.html",
        "register/_unit_file.html",
        unit=unit,
        entries=entries,
        more_before=more,
        form=form,
        **LABELS,
    )


def _file_form(formdata=None) -> FileEntryForm:
    form = FileEntryForm() if formdata else FileEntryForm(formdata=None)
    if not form.happened_on.data:
        form.happened_on.data = _today()
    return form


@bp.route("/units/<int:unit_id>/file", methods=["POST"])
@requires(perms.REGISTER_MANAGE)
def unit_file_add(unit_id: int):
    """Add an entry to the unit file: a repair, a change, a note."""
    unit = _load_unit(unit_id)
    form = FileEntryForm()
    if form.validate_on_submit():
        with transaction():
            UnitFileEntry.create(
                unit=unit,
                happened_on=form.happened_on.data,
                kind=form.kind.data,
                text=form.text.data.strip(),
                author=current_user._get_current_object(),
            )
            audit(
                "register.file_entry_added", actor=current_user, association=g.association, target=f"unit {unit.number}"
            )
        flash(_("The entry is added to the unit file."), "success")
        return redirect(url_for("register.unit_file", unit_id=unit.id))
    entries, more = file_entries(unit)
    return render(
        "register/unit_file.html", unit=unit, entries=entries, more_before=more, form=form, status=422, **LABELS
    )


# --- residents (owners and the board) -----------------------------------------------------------


def _unit_for_resident_editing(unit_id: int) -> tuple[Unit, str]:
    unit = _load_unit(unit_id)
    relation = _viewer_relation(unit)
    if not _may_edit_residents(relation):
        abort(403)
    return unit, relation


@bp.route("/units/<int:unit_id>/residents/count", methods=["POST"])
@requires()
def resident_count(unit_id: int):
    """Set how many people live in the unit when more do than are listed by name (seed 002); left empty,
    the number is the residents listed."""
    unit, _relation = _unit_for_resident_editing(unit_id)
    form = ResidentCountForm()
    valid = form.validate_on_submit()
    listed = len(residents_of(unit, _today()))
    if valid and form.resident_count.data is not None and form.resident_count.data < listed:
        # The list is people by name; the number can add those not listed, never take listed ones away.
        message = ngettext(
            "%(num)d resident is listed above by name; the number cannot be smaller.",
            "%(num)d residents are listed above by name; the number cannot be smaller.",
            listed,
        )
        form.resident_count.errors.append(message)
        valid = False
    if not valid:
        return render("register/unit.html", **_unit_context(unit, count_form=form), status=422)
    with transaction():
        Unit.update(resident_count=form.resident_count.data).where(Unit.id == unit.id).execute()
        audit("register.resident_count", actor=current_user, association=g.association, target=f"unit {unit.number}")
    flash(_("The number of residents is saved."), "success")
    return redirect(url_for("register.unit", unit_id=unit.id))


@bp.route("/units/<int:unit_id>/residents/new", methods=["GET", "POST"])
@requires()
def resident_new(unit_id: int):
    """Add a household member, tenant or co-owner living in the unit, with optional dates (seed 002)."""
    unit, _relation = _unit_for_resident_editing(unit_id)
    form = ResidentForm()
    if form.validate_on_submit():
        try:
            rules.add_resident(
                unit,
                name=form.name.data,
                email=form.email.data or "",
                role=form.role.data,
                start=form.start_date.data,
                end=form.end_date.data,
                actor=current_user._get_current_object(),
                invite=form.invite.data,
            )
        except rules.RegisterError as error:
            getattr(form, error.field or "name").errors.append(str(error.message))
        else:
            flash(_("%(name)s is added to the unit's residents.", name=form.name.data.strip()), "success")
            if form.invite.data:
                flash(_("An invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("register.unit", unit_id=unit.id))
    return render("register/resident_form.html", form=form, unit=unit, status=422 if form.errors else 200)


@bp.route("/units/<int:unit_id>/residents/<int:residency_id>/end", methods=["GET", "POST"])
@requires()
def resident_end(unit_id: int, residency_id: int):
    """Set a resident's last day; their access to the unit ends after it."""
    unit, _relation = _unit_for_resident_editing(unit_id)
    residency = first_or_404(
        Residency.select(Residency, Person)
        .join(Person)
        .where((Residency.id == residency_id) & (Residency.unit == unit))
    )
    residency.unit = unit
    form = EndResidencyForm() if request.method == "POST" else EndResidencyForm(formdata=None, end_date=_today())
    if form.validate_on_submit():
        try:
            rules.end_residency(residency, form.end_date.data, current_user._get_current_object())
        except rules.RegisterError as error:
            form.end_date.errors.append(str(error.message))
        else:
            flash(_("%(name)s's last day is saved.", name=residency.person.full_name), "success")
            return redirect(url_for("register.unit", unit_id=unit.id))
    return render(
        "register/resident_end.html", form=form, unit=unit, residency=residency, status=422 if form.errors else 200
    )


# --- ownership (the board) -----------------------------------------------------------------------


def _people_choices() -> tuple[list[tuple[int, str]], dict[int, Person]]:
    people = list(
        Person.of(g.association)
        .select(Person.id, Person.given_name, Person.surname, Person.email, Person.association)
        .order_by(*Person.name_order())
    )
    choices = [SelectChoice(0, "—")]
    choices += [SelectChoice(p.id, _choice_label(p)) for p in people]
    return choices, {p.id: p for p in people}


def _choice_label(person: Person) -> str:
    # The e-mail tells two people of the same name apart.
    return person.sort_name + (f" · {person.email}" if person.email else "")


@bp.route("/people/choices")
@requires(perms.REGISTER_MANAGE)
def person_choices():
    """The options of a person picker narrowed to what is typed in its search field (htmx): the picker
    sends its own value along (as `<picker>-person`), and the person already chosen stays chosen."""
    q = request.args.get("q", "").strip()
    kept_id = next((v for k, v in request.args.items() if k.endswith("person") and v.isdigit()), "0")
    found = picker_people(g.association, q)
    kept = Person.of(g.association).where(Person.id == int(kept_id)).first() if kept_id != "0" else None
    people = found[:PICKER_LIMIT]
    if kept is not None and kept.id not in {p.id for p in people}:
        people.insert(0, kept)
    # One match for what was typed is the person meant: choose it, as a search box would.
    chosen = kept.id if kept is not None else (people[0].id if q and len(people) == 1 else 0)
    return render(
        "register/_person_choices.html",
        choices=[(p.id, _choice_label(p)) for p in people],
        chosen=chosen,
        found=len(found),
        more=len(found) > PICKER_LIMIT,
        limit=PICKER_LIMIT,
        q=q,
    )


def _prepare_owner_rows(form: OwnersForm, people_choices) -> None:
    for entry in form.owners:
        entry.form.person.choices = people_choices


def _owner_choices(form: OwnersForm, people: dict[int, Person]) -> list[rules.OwnerChoice] | None:
    """The filled-in rows as OwnerChoices; None (with errors on the rows) when a row is incomplete."""
    chosen, ok = [], True
    filled = [entry.form for entry in form.owners if not entry.form.is_blank()]
    for row in filled:
        try:
            # A sole owner owns the whole unit: the share may be left empty.
            sole = len(filled) == 1 and not (row.share.data or "").strip()
            share = Fraction(1) if sole else rules.parse_share(row.share.data)
        except rules.RegisterError as error:
            row.share.errors = [*row.share.errors, str(error.message)]
            ok = False
            continue
        chosen.append(
            rules.OwnerChoice(
                person=people.get(row.person.data) if row.person.data else None,
                share=share,
                is_main=bool(row.is_main.data),
                new_name=(row.new_name.data or "").strip(),
                new_email=(row.new_email.data or "").strip(),
            )
        )
    return chosen if ok else None


def _blank_rows(count: int) -> list[dict]:
    return [dict(person=0, new_name="", new_email="", share="", is_main=False) for _ in range(count)]


@bp.route("/units/<int:unit_id>/owners", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def unit_owners(unit_id: int):
    """Edit the unit's current owners: shares of the unit adding up to 1, one main owner (R3, seed 004 §4.7)."""
    unit = _load_unit(unit_id)
    choices, people = _people_choices()
    current = rules.current_ownerships(unit, _today())
    if request.method == "POST":
        form = OwnersForm()
    else:
        rows = [
            dict(person=o.person_id, new_name="", new_email="", share=rules.format_fraction(o.share), is_main=o.is_main)
            for o in current
        ]
        form = OwnersForm(formdata=None, data={"owners": rows + _blank_rows(2)})
    _prepare_owner_rows(form, choices)
    problem = None
    if form.validate_on_submit():
        owners = _owner_choices(form, people)
        if owners is not None:
            try:
                rules.set_owners(unit, owners, _today(), current_user._get_current_object())
            except rules.RegisterError as error:
                problem = error.message
            else:
                flash(_("The owners of unit %(number)s are saved.", number=unit.number), "success")
                return redirect(url_for("register.unit", unit_id=unit.id))
    failed = request.method == "POST"
    return render(
        "register/owners_form.html",
        form=form,
        unit=unit,
        problem=problem,
        current=current,
        status=422 if failed else 200,
        **LABELS,
    )


@bp.route("/units/<int:unit_id>/change-owner", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def unit_change_owner(unit_id: int):
    """Change of owner in one step: the old owners end on the date, the new ones start on it (seed 004 §4.14)."""
    unit = _load_unit(unit_id)
    choices, people = _people_choices()
    if request.method == "POST":
        form = ChangeOwnerForm()
    else:
        # Most changes bring one new owner: the first row is ready for them (the whole unit, main owner).
        sole_owner = dict(_blank_rows(1)[0], share="1", is_main=True)
        form = ChangeOwnerForm(formdata=None, data={"owners": [sole_owner, *_blank_rows(2)], "date": _today()})
    _prepare_owner_rows(form, choices)
    problem = None
    if form.validate_on_submit():
        owners = _owner_choices(form, people)
        if owners is not None:
            try:
                rules.change_owner(
                    unit, owners, form.date.data, current_user._get_current_object(), note=form.note.data or ""
                )
            except rules.RegisterError as error:
                if error.field == "date":
                    form.date.errors.append(str(error.message))
                else:
                    problem = error.message
            else:
                flash(_("The change of owner of unit %(number)s is saved.", number=unit.number), "success")
                return redirect(url_for("register.unit", unit_id=unit.id))
    return render(
        "register/change_owner.html",
        form=form,
        unit=unit,
        problem=problem,
        current=rules.current_ownerships(unit, _today()),
        status=422 if request.method == "POST" else 200,
        **LABELS,
    )


@bp.route("/units/<int:unit_id>/proxy", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def unit_proxy(unit_id: int):
    """Choose who votes for the unit, for an optional period (R3)."""
    unit = _load_unit(unit_id)
    choices, _people = _people_choices()
    existing = VotingProxy.select().where(VotingProxy.unit == unit).order_by(VotingProxy.id.desc()).first()
    if request.method == "POST":
        form = ProxyForm()
    elif existing is not None:
        form = ProxyForm(
            formdata=None, person=existing.person_id, start_date=existing.start_date, end_date=existing.end_date
        )
    else:
        form = ProxyForm(formdata=None)
    form.person.choices = choices
    if form.validate_on_submit():
        with transaction():
            VotingProxy.delete().where(VotingProxy.unit == unit).execute()
            if form.person.data:
                VotingProxy.create(
                    unit=unit, person=form.person.data, start_date=form.start_date.data, end_date=form.end_date.data
                )
            audit("register.proxy_set", actor=current_user, association=g.association, target=f"unit {unit.number}")
        flash(_("The voting proxy of unit %(number)s is saved.", number=unit.number), "success")
        return redirect(url_for("register.unit", unit_id=unit.id))
    return render("register/proxy_form.html", form=form, unit=unit, status=422 if form.errors else 200)


@bp.route("/units/<int:unit_id>/history")
@requires(perms.REGISTER_MANAGE)
def unit_history(unit_id: int):
    """Every owner and resident the unit has had, past ones included (seed 004 §4.14)."""
    unit = _load_unit(unit_id)
    ownerships = list(
        Ownership.select(Ownership, Person)
        .join(Person)
        .where(Ownership.unit == unit)
        .order_by(Ownership.started_on.desc(nulls="LAST"), Ownership.id.desc())
    )
    residencies = list(
        Residency.select(Residency, Person)
        .join(Person)
        .where(Residency.unit == unit)
        .order_by(Residency.start_date.desc(nulls="LAST"), Residency.id.desc())
    )
    return render(
        "register/unit_history.html",
        unit=unit,
        ownerships=ownerships,
        residencies=residencies,
        today=_today(),
        **LABELS,
    )
