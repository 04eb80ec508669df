"""The board's side of listings (L1, L5): the list of vacancies, marking a unit vacant with its photos and
descriptions, changing and ending a vacancy, the bulk edit from the unit list, and the self-check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw
from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.listings import bp, bulk, photos, selfcheck, vacancies
from blueprints.listings.board_forms import BulkForm, amount_text, vacancy_form_class
from blueprints.register.forms import ACCESSIBILITY_LABELS
from core import images, uploads
from core.access import requires
from core.audit import audit
from core.forms import LANGUAGE_NAMES, ConfirmForm
from core.queue import enqueue
from core.rendering import render
from core.text import lazy_gettext as _l
from models import permissions as perms
from models.db import first_or_404, transaction
from models.listings import Vacancy, VacancyPhoto, VacancyText
from models.register import Building, Unit

PAGE = 25
SAVED_SEARCHES_JOB = "jobs.saved_searches.mail_new_homes"
SHOWS = ("current", "upcoming", "ended")
REFUSALS = {
    "archived": _l("The unit is archived: it cannot be listed as vacant."),
    "let": _l("Someone lives in the unit, so it is not vacant. Record the move-out in the register first."),
}


def listing_public_url(vacancy_id: int) -> str | None:
    """The public page of a listing, when the public pages are installed (None otherwise)."""
    if "listings.listing" not in current_app.view_functions:
        return None
    return url_for("listings.listing", vacancy_id=vacancy_id)


@bp.context_processor
def _board_words() -> dict:
    # Translated once per page, not once per row; the names are the board pages' own.
    return dict(
        housing_words={key: str(label) for key, label in Vacancy.HOUSING_TYPES.items()},
        scheme_words={key: str(label) for key, label in Vacancy.SCHEMES.items()},
        access_words={key: str(label) for key, label in ACCESSIBILITY_LABELS.items()},
        listing_public_url=listing_public_url,
    )


def _today() -> dt.date:
    return g.association.today()


def _languages() -> tuple[str, ...]:
    """The association's language first, then every other language Porch speaks."""
    own = g.association.locale
    return (own, *[language for language in current_app.config["LANGUAGES"] if language != own])


# --- the list --------------------------------------------------------------------------------------


def _show_rule(show: str, today: dt.date) -> pw.Expression:
    not_ended = Vacancy.listed_on(today)
    if show == "upcoming":
        return not_ended & (Vacancy.move_in > today)
    if show == "ended":
        return ~not_ended
    return not_ended & (Vacancy.move_in <= today)


def _counts(today: dt.date) -> dict[str, int]:
    """How many vacancies each filter holds: one query."""
    sums = [
        pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, [(_show_rule(show, today), 1)], 0)), 0).alias(show) for show in SHOWS
    ]
    row = Vacancy.of(g.association).select(*sums).dicts().get()
    return {show: int(row[show] or 0) for show in SHOWS}


def _state(vacancy: Vacancy, today: dt.date) -> tuple[str, str]:
    """(state, why it is not listed or ""): the words the list shows beside a vacancy."""
    ended = vacancy.ends_on is not None and vacancy.ends_on < today
    state = "ended" if ended else "upcoming" if vacancy.move_in > today else "current"
    if ended:
        return state, "ended"
    if vacancy.unit.archived_at is not None:
        return state, "archived"
    if vacancy.is_let:
        return state, "let"
    return state, ""


@bp.route("/board/vacancies")
@requires(perms.LISTINGS_MANAGE)
def board_vacancies():
    """The association's vacancies (current, upcoming, ended), each with whether it is listed today and why not."""
    today = _today()
    show = request.args.get("show", "current")
    show = show if show in SHOWS else "current"
    counts = _counts(today)
    pages = max(1, -(-counts[show] // PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    photo_count = (
        VacancyPhoto.select(pw.fn.COUNT(VacancyPhoto.id)).where(VacancyPhoto.vacancy == Vacancy.id).alias("photo_count")
    )
    is_let = pw.Case(None, [(Unit.id.in_(vacancies.lived_in(today)), 1)], 0).alias("is_let")
    order = (Vacancy.ends_on.desc(), Vacancy.id.desc()) if show == "ended" else (Vacancy.move_in, Vacancy.id)
    rows = list(
        Vacancy.of(g.association)
        .select(Vacancy, Unit, Building, is_let, photo_count)
        .join(Unit)
        .join(Building)
        .where(_show_rule(show, today))
        .order_by(*order)
        .paginate(page, PAGE)
    )
    listing = [(vacancy, *_state(vacancy, today)) for vacancy in rows]
    return render(
        "listings/board_vacancies.html",
        "listings/_board_vacancy_list.html",
        listing=listing,
        show=show,
        counts=counts,
        page_number=page,
        pages=pages,
        today=today,
    )


@bp.route("/board/vacancies/new")
@requires(perms.LISTINGS_MANAGE)
def vacancy_choose():
    """Find the unit to mark as vacant: the active units by number, with whether someone lives there."""
    today = _today()
    q = request.args.get("q", "").strip()[:20]
    page = min(max(1, request.args.get("page", 1, type=int)), 10_000)
    is_let = pw.Case(None, [(Unit.id.in_(vacancies.lived_in(today)), 1)], 0).alias("is_let")
    listed = (
        Vacancy.select(pw.fn.COUNT(Vacancy.id))
        .where((Vacancy.unit == Unit.id) & Vacancy.listed_on(today))
        .alias("open_vacancies")
    )
    query = Unit.active(g.association).select(Unit, Building, is_let, listed).join(Building)
    if q:
        query = query.where(Unit.number.contains(q))
    units = list(query.order_by(*Unit.natural_order(), Unit.id).paginate(page, PAGE + 1))
    more = len(units) > PAGE
    return render(
        "listings/board_choose.html",
        "listings/_board_choose_list.html",
        units=units[:PAGE],
        q=q,
        page_number=page,
        more=more,
    )


# --- marking a unit vacant, changing a vacancy -----------------------------------------------------


def _own_unit(unit_id: int) -> Unit:
    return first_or_404(Unit.of(g.association).select(Unit, Building).join(Building).where(Unit.id == unit_id))


def _own_vacancy(vacancy_id: int) -> Vacancy:
    return first_or_404(
        Vacancy.of(g.association).select(Vacancy, Unit, Building).join(Unit).join(Building)
        .where(Vacancy.id == vacancy_id)
    )  # fmt: skip


def _refusal_words(unit: Unit) -> str | None:
    refused = vacancies.refusal(unit, _today())
    return str(REFUSALS.get(refused.code, refused)) if refused is not None else None


def _form_data(vacancy: Vacancy | None, unit: Unit) -> dict:
    data = {
        "rooms": unit.rooms, "floor": unit.floor, "area": unit.area, "accessibility": sorted(unit.accessibility_set),
    }  # fmt: skip
    if vacancy is None:
        return {**data, "move_in": _today()}
    data.update(
        move_in=vacancy.move_in, ends_on=vacancy.ends_on, rent=amount_text(vacancy.rent, g.association.currency),
        deposit=amount_text(vacancy.deposit, g.association.currency) if vacancy.deposit else "", housing_type=vacancy.housing_type,
        lift=vacancy.lift, pets=vacancy.pets, schemes=vacancy.scheme_keys, waiting_months=vacancy.waiting_months,
    )  # fmt: skip
    for text in vacancy.texts:
        data[f"description_{text.language}"] = text.description
    return data


def _vacancy_form(vacancy: Vacancy | None, unit: Unit):
    form_class = vacancy_form_class(_languages())
    if request.method == "POST":
        return form_class(currency=g.association.currency)
    return form_class(data=_form_data(vacancy, unit), currency=g.association.currency)


def _write(vacancy: Vacancy, unit: Unit, form) -> list[str]:
    """Put the form's values on the vacancy, its unit and its texts; the names of what changed."""
    changed = []
    values = dict(
        move_in=form.move_in.data, ends_on=form.ends_on.data, rent=form.parsed["rent"], deposit=form.parsed["deposit"],
        housing_type=form.housing_type.data, lift=form.lift.data, pets=form.pets.data,
        schemes=" ".join(key for key in Vacancy.SCHEMES if key in (form.schemes.data or [])),
        waiting_months=form.waiting_months.data,
    )  # fmt: skip
    for name, value in values.items():
        if getattr(vacancy, name) != value:
            setattr(vacancy, name, value)
            changed.append(name)
    unit_values = dict(
        rooms=form.rooms.data, floor=form.floor.data, area=form.area.data,
        accessibility=" ".join(key for key in Unit.ACCESSIBILITY if key in (form.accessibility.data or [])),
    )  # fmt: skip
    unit_changed = {}
    for name, value in unit_values.items():
        old = getattr(unit, name)
        if (Decimal(old) if isinstance(old, Decimal) else old) != value:
            unit_changed[name] = value
            changed.append(name)
    if unit_changed:
        Unit.update(unit_changed).where(Unit.id == unit.id).execute()
    if vacancy.id is None or changed:
        vacancy.updated_at = Vacancy.updated_at.default()
        vacancy.save()
    changed += _write_texts(vacancy, form)
    return changed


def _write_texts(vacancy: Vacancy, form) -> list[str]:
    existing = {text.language: text for text in VacancyText.select().where(VacancyText.vacancy == vacancy.id)}
    changed = []
    for language in _languages():
        description = (form[f"description_{language}"].data or "").strip()
        text = existing.get(language)
        if text is None and description:
            VacancyText.create(vacancy=vacancy, language=language, description=description)
        elif text is not None and not description:
            text.delete_instance()
        elif text is not None and text.description != description:
            VacancyText.update(description=description).where(VacancyText.id == text.id).execute()
        else:
            continue
        changed.append(f"description_{language}")
    return changed


def _photo_positions() -> dict[int, int]:
    """The order numbers the board typed beside the photos (position_<photo id>)."""
    positions = {}
    for key, value in request.form.items():
        number = value.strip().lstrip("-")
        if key.startswith("position_") and _digits(key[9:]) and _digits(number):
            positions[int(key[9:])] = int(value.strip())
    return positions


def _save(vacancy: Vacancy, unit: Unit, form, *, new: bool) -> bool:
    """Store the valid form with its photos; False (and the error on the form) when a photo is refused."""
    existing = 0 if new else vacancy.photos.count()
    try:
        cleaned = photos.clean_all(request.files.getlist(form.photos.name), existing)
    except photos.PhotoRefusedError as refused:
        form.photos.errors = [str(refused.message)]
        return False
    with transaction():
        changed = _write(vacancy, unit, form)
        if not new and photos.reorder(vacancy, _photo_positions()):
            changed.append("photo_order")
        if cleaned:
            photos.store_all(vacancy, cleaned)
            changed.append("photos")
        action = "listings.vacancy_created" if new else "listings.vacancy_changed"
        if new:  # seekers' saved searches hear of the new home now, not at the next hourly run
            enqueue(SAVED_SEARCHES_JOB, job_id="saved-searches")
        if new or changed:
            audit(
                action, actor=current_user, association=g.association, target=f"vacancy:{vacancy.id}",
                unit=unit.number, changed=changed, photos_added=len(cleaned),
            )  # fmt: skip
    return True


def _open_vacancy(unit: Unit) -> Vacancy | None:
    return (
        Vacancy.of(g.association)
        .where((Vacancy.unit == unit.id) & Vacancy.listed_on(_today()))
        .order_by(Vacancy.move_in)
        .first()
    )


@bp.route("/board/vacancies/new/<int:listing_unit_id>", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def vacancy_new(listing_unit_id: int):
    """Mark a unit as vacant: move-in day, rent, the home's facts, descriptions and photos."""
    unit = _own_unit(listing_unit_id)
    refusal = _refusal_words(unit)
    already = _open_vacancy(unit)
    form = _vacancy_form(None, unit)
    if request.method == "POST" and refusal is None and already is None and form.validate():
        vacancy = Vacancy(association=g.association, unit=unit, created_by=current_user.id)
        if _save(vacancy, unit, form, new=True):
            flash(_("%(unit)s is listed as vacant.", unit=unit.title), "success")
            return redirect(url_for("listings.vacancy_edit", listing_vacancy_id=vacancy.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "listings/vacancy_form.html", form=form, unit=unit, vacancy=None, refusal=refusal, already=already,
        language_names=LANGUAGE_NAMES, photo_list=[], status=status,
    )  # fmt: skip


@bp.route("/board/vacancies/<int:listing_vacancy_id>", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def vacancy_edit(listing_vacancy_id: int):
    """Change a vacancy, its unit's facts, its descriptions and its photos (add, order)."""
    vacancy = _own_vacancy(listing_vacancy_id)
    unit = vacancy.unit
    form = _vacancy_form(vacancy, unit)
    if form.validate_on_submit() and _save(vacancy, unit, form, new=False):
        flash(_("The vacancy of %(unit)s is saved.", unit=unit.title), "success")
        return redirect(url_for("listings.vacancy_edit", listing_vacancy_id=vacancy.id))
    status = 422 if request.method == "POST" else 200
    photo_list = list(vacancy.photos.order_by(VacancyPhoto.position, VacancyPhoto.id))
    return render(
        "listings/vacancy_form.html", form=form, unit=unit, vacancy=vacancy, refusal=_refusal_words(unit),
        already=None, language_names=LANGUAGE_NAMES, photo_list=photo_list, status=status,
    )  # fmt: skip


@bp.route("/board/vacancies/<int:listing_vacancy_id>/end", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def vacancy_end(listing_vacancy_id: int):
    """End a vacancy today (its last day listed), after the board confirms."""
    vacancy = _own_vacancy(listing_vacancy_id)
    today = _today()
    form = ConfirmForm()
    if vacancy.ends_on is not None and vacancy.ends_on < today:
        flash(_("This vacancy has already ended."), "info")
        return redirect(url_for("listings.vacancy_edit", listing_vacancy_id=vacancy.id))
    if form.validate_on_submit():
        # Today is its last day listed: from tomorrow no page or feed shows it.
        with transaction():
            Vacancy.update(ends_on=today, updated_at=Vacancy.updated_at.default()).where(
                Vacancy.id == vacancy.id
            ).execute()
            audit(
                "listings.vacancy_ended", actor=current_user, association=g.association,
                target=f"vacancy:{vacancy.id}", unit=vacancy.unit.number, ends_on=today,
            )  # fmt: skip
        flash(_("The vacancy of %(unit)s has ended.", unit=vacancy.unit.title), "success")
        return redirect(url_for("listings.board_vacancies"))
    status = 422 if request.method == "POST" else 200
    return render("listings/board_end.html", vacancy=vacancy, form=form, today=today, status=status)


# --- photos --------------------------------------------------------------------------------------------


def _own_photo(photo_id: int) -> VacancyPhoto:
    return first_or_404(
        VacancyPhoto.select(VacancyPhoto, Vacancy, Unit)
        .join(Vacancy)
        .join(Unit)
        .where((VacancyPhoto.id == photo_id) & (Vacancy.association == g.association))
    )


@bp.route("/board/vacancies/photos/<int:listing_photo_id>")
@requires(perms.LISTINGS_MANAGE)
def board_photo(listing_photo_id: int):
    """A vacancy's photo for the board, listed or not."""
    photo = _own_photo(listing_photo_id)
    file = photos.photo_path(g.association.id, photo)
    if file is None:
        abort(404)
    return uploads.serve(file, mimetype=images.mimetype_of(photo.stored_name), inline=True, name=photo.stored_name)


@bp.route("/board/vacancies/photos/<int:listing_photo_id>/remove", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def vacancy_photo_remove(listing_photo_id: int):
    """Remove a photo from a vacancy, after the board confirms."""
    photo = _own_photo(listing_photo_id)
    vacancy = photo.vacancy
    form = ConfirmForm()
    if form.validate_on_submit():
        with transaction():
            photos.remove(g.association.id, photo)
            audit(
                "listings.photo_removed", actor=current_user, association=g.association,
                target=f"vacancy:{vacancy.id}", unit=vacancy.unit.number,
            )  # fmt: skip
        flash(_("The photo is removed."), "success")
        return redirect(url_for("listings.vacancy_edit", listing_vacancy_id=vacancy.id))
    status = 422 if request.method == "POST" else 200
    return render("listings/board_photo_remove.html", photo=photo, vacancy=vacancy, form=form, status=status)


# --- the bulk edit from the unit list --------------------------------------------------------------------


@bp.app_template_global("listings_bulk_form")
def listings_bulk_form() -> BulkForm:
    """An empty bulk edit form for the register's unit list (which knows nothing of listings)."""
    return BulkForm(formdata=None)


@bp.route("/board/units/bulk", methods=["POST"])
@requires(perms.LISTINGS_MANAGE)
def bulk_edit():
    """Set one thing for every unit ticked in the unit list, or for their current vacancies."""
    form = BulkForm()
    ids = bulk.unit_ids(request.form.getlist("unit"))
    units = bulk.own_units(g.association, ids)
    if form.validate_on_submit() and units:
        with transaction():
            result = bulk.apply(g.association, units, form.change.data, form.number.data, _today())
            audit(
                "listings.bulk_edit", actor=current_user, association=g.association, target="units",
                change=form.change.data, number=form.number.data, units=[u.number for u in units][:200],
                changed=result.changed,
            )  # fmt: skip
        if result.on_vacancies:
            message = ngettext("%(num)d vacancy changed.", "%(num)d vacancies changed.", result.changed)
        else:
            message = ngettext("%(num)d unit changed.", "%(num)d units changed.", result.changed)
        flash(message, "success")
        return redirect(url_for("register.units"))
    no_units = request.method == "POST" and not units
    return render("listings/board_bulk.html", form=form, units=units, no_units=no_units, status=422)


# --- the self-check ----------------------------------------------------------------------------------------


@bp.route("/board/selfcheck", endpoint="selfcheck")
@requires(perms.LISTINGS_MANAGE)
def selfcheck_page():
    """Every problem in the association's listings a seeker would meet, each with where to fix it."""
    found = selfcheck.problems(g.association, _today())
    return render("listings/selfcheck.html", found=found, total=selfcheck.problem_count(found))


def _digits(text: str) -> bool:
    """Only 0–9 (str.isdigit also takes "²", which int() refuses)."""
    return text.isascii() and text.isdigit()
