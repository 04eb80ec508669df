"""The public search of vacant homes (L1, L3): the seeker's filters read from the address, and one query that
answers a page of them with the count, filtered in the database.

A page of results costs three queries however many homes match: the page's rows with the total (a window
count), the page's first photos, and the page's descriptions. Every filter is a condition in SQL on the
listed vacancies alone (`vacancies.listed(today)`; the vacancy carries copies of its unit's and building's
facts, kept by the database, migration 0021), so the database counts and sorts the 20,000 vacancies, never
the 550,000 units: the units, buildings and associations are joined only for the page's 20 rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

import peewee as pw
from werkzeug.datastructures import MultiDict

from blueprints.listings import vacancies
from blueprints.register.forms import ACCESSIBILITY_LABELS
from core.text import lazy_gettext as _l
from models.listings import Vacancy, VacancyPhoto, VacancyText
from models.portal import Association
from models.register import Building, Unit

PAGE_SIZE = 20
# Beyond these a number is not a home's (and a bigger one would overflow the database's integers).
MAX_MONEY = 10**9  # major units
MAX_SMALL = 10_000  # rooms, m², months
MAX_PAGE = 10_000

SORTS = {
    "move_in": _l("Move-in date"),
    "rent": _l("Rent, lowest first"),
    "area": _l("Area, largest first"),
    "wait": _l("Waiting time, shortest first"),
}
DEFAULT_SORT = "move_in"
# The accessibility features a seeker can ask for, in words (the register's own labels).
ACCESS_LABELS = {key: ACCESSIBILITY_LABELS[key] for key in Unit.ACCESSIBILITY}

NUMBER_FIELDS = {
    "rent_min": _l("Rent from"),
    "rent_max": _l("Rent up to"),
    "rooms_min": _l("Rooms from"),
    "rooms_max": _l("Rooms up to"),
    "area_min": _l("Area from"),
    "area_max": _l("Area up to"),
    "wait_max": _l("Waiting time at most"),
}


@dataclass
class Filters:
    """What the seeker asked for; values that could not be read are left out and named in `notes`."""

    region: str = ""
    municipality: str = ""
    association: str = ""  # a slug: the install-wide search only
    rent_min: int | None = None  # major units
    rent_max: int | None = None
    rooms_min: int | None = None
    rooms_max: int | None = None
    area_min: int | None = None
    area_max: int | None = None
    move_in_before: dt.date | None = None
    types: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    pets: bool = False
    schemes: list[str] = field(default_factory=list)
    wait_max: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: MultiDict) -> Filters:
        """The filters in a search address; a bad value is ignored and noted, never an error."""
        filters = cls()
        filters.region = _text(args.get("region"))
        filters.municipality = _text(args.get("municipality"))
        filters.association = _text(args.get("association"))[:64]
        for name, label in NUMBER_FIELDS.items():
            limit = MAX_MONEY if name.startswith("rent") else MAX_SMALL
            setattr(filters, name, filters._number(args.get(name), label, limit))
        filters.move_in_before = filters._date(args.get("move_in_before"))
        filters.types = filters._keys(args.getlist("type"), Vacancy.HOUSING_TYPES, _l("Housing type"))
        filters.access = filters._keys(args.getlist("access"), ACCESS_LABELS, _l("Accessibility"))
        filters.schemes = filters._keys(args.getlist("scheme"), Vacancy.SCHEMES, _l("Flexible letting"))
        filters.pets = args.get("pets") in ("1", "on", "true")
        sort = args.get("sort") or DEFAULT_SORT
        if sort in SORTS:
            filters.sort = sort
        else:
            filters.notes.append(
                str(_l("The order “%(value)s” is not one we know: sorted by move-in date.", value=sort[:40]))
            )
        filters.page = _page(args.get("page"))
        return filters

    def _number(self, raw: str | None, label, limit: int) -> int | None:
        raw = (raw or "").strip().replace(" ", "").replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value > limit:
            self.notes.append(
                str(
                    _l(
                        "%(field)s: “%(value)s” is not a number we can use, so it is left out.",
                        field=label,
                        value=raw[:40],
                    )
                )
            )
            return None
        return int(value)

    def _date(self, raw: str | None) -> dt.date | None:
        raw = (raw or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.notes.append(
                str(
                    _l("Move-in before: “%(value)s” is not a date (year-month-day), so it is left out.", value=raw[:40])
                )
            )
            return None

    def _keys(self, raw: list[str], known: dict, label) -> list[str]:
        chosen = [value for value in dict.fromkeys(raw) if value]
        unknown = [value for value in chosen if value not in known]
        if unknown:
            self.notes.append(
                str(
                    _l(
                        "%(field)s: “%(value)s” is not a choice we know, so it is left out.",
                        field=label,
                        value=unknown[0][:40],
                    )
                )
            )
        return [value for value in chosen if value in known]

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set (the empty state then suggests widening the search)."""
        return bool(
            self.region
            or self.municipality
            or self.association
            or self.types
            or self.access
            or self.schemes
            or self.pets
            or self.move_in_before
            or any(getattr(self, name) is not None for name in NUMBER_FIELDS)
        )


def _text(raw: str | None) -> str:
    return (raw or "").strip()[:120]


def _page(raw: str | None) -> int:
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


@dataclass
class Home:
    """One listed home as a result shows it: the place, the unit's facts and the vacancy's terms."""

    id: int
    association_id: int
    slug: str
    association_name: str
    currency: str
    locale: str
    street: str
    postcode: str
    municipality: str
    region: str
    building_id: int
    unit_number: str
    unit_kind: str
    rooms: int | None
    area: Decimal | None
    floor: int | None
    accessibility: str
    move_in: dt.date
    ends_on: dt.date | None
    rent: int
    deposit: int
    housing_type: str
    lift: bool
    pets: bool
    schemes: str
    waiting_months: int | None
    updated_at: dt.datetime
    photo: VacancyPhoto | None = None
    description: str = ""
    photos: list[VacancyPhoto] = field(default_factory=list)

    @property
    def place(self) -> str:
        town = f"{self.postcode} {self.municipality}".strip()
        return ", ".join(part for part in (self.street, town) if part)

    @property
    def features(self) -> list[str]:
        """The accessibility feature keys the home has (the vacancy's lift counts as the unit's)."""
        keys = set(self.accessibility.split())
        if self.lift:
            keys.add("lift")
        return [key for key in ACCESS_LABELS if key in keys]

    @property
    def scheme_keys(self) -> list[str]:
        return [key for key in self.schemes.split() if key in Vacancy.SCHEMES]


@dataclass
class Results:
    homes: list[Home]
    total: int
    page: int
    pages: int


COLUMNS = (
    Vacancy.id,
    Vacancy.association,
    Association.slug,
    Association.name,
    Association.currency,
    Association.locale,
    Building.street,
    Building.postcode,
    Building.municipality,
    Building.region,
    Building.id,
    Unit.number,
    Unit.kind,
    Unit.rooms,
    Unit.area,
    Unit.floor,
    Unit.accessibility,
    Vacancy.move_in,
    Vacancy.ends_on,
    Vacancy.rent,
    Vacancy.deposit,
    Vacancy.housing_type,
    Vacancy.lift,
    Vacancy.pets,
    Vacancy.schemes,
    Vacancy.waiting_months,
    Vacancy.updated_at,
)


def listed_homes(today: dt.date, association_id: int | None = None) -> pw.ModelSelect:
    """The homes listed on `today` (of one association, or of the install), with their place: the base of
    every public page and feed."""
    return _with_place(listed_vacancies(today, association_id).select(*COLUMNS))


def listed_vacancies(today: dt.date, association_id: int | None = None) -> pw.ModelSelect:
    """The vacancies listed on `today`, from the vacancy table alone (what `narrow` and the sorts read is on
    the vacancy): the search counts and orders these before it joins anything."""
    query = Vacancy.select(Vacancy.id).where(vacancies.listed(today))
    if association_id is not None:
        query = query.where(Vacancy.association == association_id)
    return query


def _with_place(query: pw.ModelSelect) -> pw.ModelSelect:
    return (
        query.join(Unit, on=(Vacancy.unit == Unit.id))
        .join(Building, on=(Unit.building == Building.id))
        .switch(Vacancy)
        .join(Association, on=(Vacancy.association == Association.id))
    )


def _contains_word(column: pw.Field, word: str) -> pw.Expression:
    """A space-separated keys column holds `word` (as a whole key, not part of another)."""
    return pw.SQL("' '").concat(column).concat(pw.SQL("' '")).contains(f" {word} ")


def narrow(query: pw.ModelSelect, filters: Filters) -> pw.ModelSelect:
    """The search's filters as SQL conditions on the vacancy's own columns: they narrow a `listed_homes` or
    a `listed_vacancies` query alike."""
    conditions = []
    if filters.region:
        conditions.append(Vacancy.region == filters.region)
    if filters.municipality:
        conditions.append(Vacancy.municipality == filters.municipality)
    if filters.association:
        slug_ids = Association.select(Association.id).where(Association.slug == filters.association)
        conditions.append(Vacancy.association.in_(slug_ids))
    if filters.rent_min is not None:
        conditions.append(Vacancy.rent >= filters.rent_min * 100)
    if filters.rent_max is not None:
        conditions.append(Vacancy.rent <= filters.rent_max * 100)
    if filters.rooms_min is not None:
        conditions.append(Vacancy.rooms >= filters.rooms_min)
    if filters.rooms_max is not None:
        conditions.append(Vacancy.rooms <= filters.rooms_max)
    if filters.area_min is not None:
        conditions.append(Vacancy.area >= filters.area_min)
    if filters.area_max is not None:
        conditions.append(Vacancy.area <= filters.area_max)
    if filters.move_in_before is not None:
        conditions.append(Vacancy.move_in < filters.move_in_before)
    if filters.types:
        conditions.append(Vacancy.housing_type.in_(filters.types))
    for feature in filters.access:
        has = _contains_word(Vacancy.accessibility, feature)
        conditions.append(has | (Vacancy.lift == True) if feature == "lift" else has)  # noqa: E712 (SQL)
    if filters.pets:
        conditions.append(Vacancy.pets == True)  # noqa: E712 (SQL)
    if filters.schemes:
        conditions.append(
            functools.reduce(operator.or_, [_contains_word(Vacancy.schemes, key) for key in filters.schemes])
        )
    if filters.wait_max is not None:
        conditions.append(Vacancy.waiting_months.is_null() | (Vacancy.waiting_months <= filters.wait_max))
    return query.where(*conditions) if conditions else query


def _ordered(query: pw.ModelSelect, sort: str) -> pw.ModelSelect:
    order = {
        "move_in": (Vacancy.move_in, Vacancy.id),
        "rent": (Vacancy.rent, Vacancy.id),
        "area": (Vacancy.area.desc(nulls="LAST"), Vacancy.id),
        "wait": (Vacancy.waiting_months.asc(nulls="LAST"), Vacancy.id),
    }[sort]
    return query.order_by(*order)


def search(filters: Filters, today: dt.date, association_id: int | None = None, language: str = "en") -> Results:
    """A page of the homes matching `filters`, with their total, first photos and descriptions."""
    rows = list(page_query(filters, today, association_id).tuples())
    if rows:
        total = rows[0][-1]
    elif filters.page > 1:  # past the last page: the count alone, for "N homes" and the pager
        total = narrow(listed_vacancies(today, association_id), filters).count()
    else:
        total = 0
    homes = [Home(*row[:-1]) for row in rows]
    attach_extras(homes, language)
    pages = max(1, -(-total // PAGE_SIZE))
    return Results(homes=homes, total=total, page=filters.page, pages=pages)


def page_query(filters: Filters, today: dt.date, association_id: int | None = None) -> pw.ModelSelect:
    """One query for a page: the matching vacancies counted (a window count), ordered and cut to the page on
    the vacancy table alone, then only the page's rows joined to their unit, building and association."""
    offset = (filters.page - 1) * PAGE_SIZE
    matching = narrow(listed_vacancies(today, association_id), filters)
    page = (
        _ordered(matching, filters.sort)
        .select(Vacancy.id.alias("vacancy_id"), pw.fn.COUNT(pw.SQL("*")).over().alias("total"))
        .limit(PAGE_SIZE)
        .offset(offset)
        .alias("page")
    )
    query = _with_place(Vacancy.select(*COLUMNS, page.c.total)).join(page, on=(Vacancy.id == page.c.vacancy_id))
    return _ordered(query, filters.sort)


def attach_extras(homes: list[Home], language: str) -> None:
    """Each home's first photo and its description in `language` (else its association's, else any): one
    query each for the whole page."""
    if not homes:
        return
    ids = [home.id for home in homes]
    first_photos = first_photos_of(ids)
    texts: dict[int, dict[str, str]] = {}
    for vacancy_id, lang, description in (
        VacancyText.select(VacancyText.vacancy, VacancyText.language, VacancyText.description)
        .where(VacancyText.vacancy.in_(ids))
        .tuples()
    ):
        texts.setdefault(vacancy_id, {})[lang] = description
    for home in homes:
        home.photo = first_photos.get(home.id)
        home.description = pick_text(texts.get(home.id, {}), language, home.locale)


def first_photos_of(ids: list[int]) -> dict[int, VacancyPhoto]:
    """The first photo (by position, then upload) of each vacancy in `ids`, in one query."""
    photos: dict[int, VacancyPhoto] = {}
    query = (
        VacancyPhoto.select()
        .where(VacancyPhoto.vacancy.in_(ids))
        .order_by(VacancyPhoto.vacancy, VacancyPhoto.position, VacancyPhoto.id)
    )
    for photo in query:
        photos.setdefault(photo.vacancy_id, photo)
    return photos


def pick_text(texts: dict[str, str], language: str, fallback: str) -> str:
    """The description in the reader's language, else the association's, else the first written."""
    for key in (language, language.split("_")[0], fallback):
        if texts.get(key, "").strip():
            return texts[key]
    return next((text for text in texts.values() if text.strip()), "")


def place_choices(today: dt.date, association_id: int | None = None) -> list[tuple[str, str]]:
    """The (region, municipality) pairs that have a current vacancy, for the filter form: one query on the
    vacancies alone. Whether a tenant has since moved in is not asked here (the search asks it): a place
    whose only vacancy is let until the board ends it stays a choice that finds nothing, rather than
    costing every page a second pass over the residencies."""
    query = (
        _current(today, association_id)
        .select(Vacancy.region, Vacancy.municipality)
        .distinct()
        .order_by(Vacancy.region, Vacancy.municipality)
    )
    return list(query.tuples())


def association_choices(today: dt.date) -> list[tuple[str, str]]:
    """(slug, name) of the associations with a current vacancy, for the install-wide search's filter (as
    `place_choices`, without asking about tenants)."""
    with_vacancy = _current(today).select(Vacancy.association)
    query = (
        Association.select(Association.slug, Association.name)
        .where(Association.id.in_(with_vacancy))
        .order_by(Association.name)
    )
    return list(query.tuples())


def _current(today: dt.date, association_id: int | None = None) -> pw.ModelSelect:
    query = Vacancy.select().where(Vacancy.listed_on(today) & (Vacancy.unit_archived == False))  # noqa: E712
    if association_id is not None:
        query = query.where(Vacancy.association == association_id)
    return query


def query_string(filters: Filters) -> str:
    """The filters as a search address's query, always in one order and without the page or the order of
    results: the same search reads the same however it was typed (a saved search's key). Filters.from_args
    reads it back."""
    pairs: list[tuple[str, str]] = [
        (name, getattr(filters, name)) for name in ("association", "region", "municipality") if getattr(filters, name)
    ]
    pairs += [(name, str(getattr(filters, name))) for name in NUMBER_FIELDS if getattr(filters, name) is not None]
    if filters.move_in_before is not None:
        pairs.append(("move_in_before", filters.move_in_before.isoformat()))
    for name, keys in (("type", filters.types), ("access", filters.access), ("scheme", filters.schemes)):
        pairs += [(name, key) for key in sorted(keys)]
    if filters.pets:
        pairs.append(("pets", "1"))
    return urlencode(pairs)
