"""records.py for the register: units, people, ownership and residents (SPEC R1–R4), in batches.

Each kind reads what its rows name in a few queries per CHUNK rows (IN lists), checks each row with the
register's own form or rule, and writes only the rows that change something.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import reduce

from werkzeug.datastructures import MultiDict

from blueprints.billing.bank import booking
from blueprints.exchange import values
from blueprints.exchange.outcomes import CHANGED, CREATED, UNCHANGED, Outcome
from blueprints.register.forms import PersonForm, UnitForm
from blueprints.register.ownership import OwnerChoice, RegisterError, check_owners, parse_share_terms
from core.text import fold
from core.text import lazy_gettext as _l
from models.db import like, loaded
from models.portal import Association, Role, User
from models.register import Building, Ownership, Person, Residency, Unit

CHUNK = 500  # keys per IN (…): well inside every database's limit on parameters
FEW_ROWS = 20  # up to this many rows look up only the people they name (Batch._look_up)

UNIT_KEYS = ("kind", "rooms", "floor", "area", "share", "equipment", "condition_notes", "accessibility")
BUILDING_KEYS = ("building_street", "building_postcode", "building_municipality", "building_region")
PERSON_KEYS = (
    "surname", "given_name", "name", "personal_id", "email", "phone_mobile", "phone_home", "phone_work",
    "street", "postcode", "city", "country", "invoice_by_email", "invoice_by_paper", "invoice_language",
)  # fmt: skip
PERSON_DETAILS = tuple(key for key in PERSON_KEYS if key not in ("personal_id", "email"))
PERSON_FIELDS = tuple(key for key in PERSON_KEYS if key != "name")
PERSON_TEXT = tuple(key for key in PERSON_FIELDS if not key.startswith("invoice_"))
# Words for a unit's kind and a resident's role in the seeds' languages (folded), besides the keys.
KIND_WORDS = {
    Unit.FLAT: ("flat", "apartment", "byt", "lagenhet", "bostad", "lejlighed", "bolig", "korter"),
    Unit.COMMERCIAL: ("commercial", "premises", "nebytovy prostor", "lokal", "erhverv", "ariruum"),
    Unit.GARAGE: ("garage", "garaz", "garage", "garaaz"),
    Unit.PARKING: ("parking", "parkovaci stani", "parkering", "parkeringsplats", "parkimiskoht"),
    Unit.STORAGE: ("storage", "sklep", "komora", "forrad", "depotrum", "kelder", "panipaik"),
}
ROLE_WORDS = {
    Residency.TENANT: ("tenant", "najemnik", "hyresgast", "lejer", "uurnik"),
    Residency.HOUSEHOLD: ("household", "clen domacnosti", "hushall", "husstand", "pereliige"),
    Residency.OWNER_RESIDENT: ("owner", "owner_resident", "vlastnik", "agare", "ejer", "omanik"),
}


def _word(words: dict[str, tuple[str, ...]], text: str) -> str:
    folded = fold(text).strip()
    for key, synonyms in words.items():
        if folded == key or folded in synonyms:
            return key
    return text


class Batch:
    """One upsert call's association, actor and what it has read so far (so parts of a row, and later rows,
    find what earlier ones created)."""

    def __init__(self, association: Association, user: User | None):
        self.association = association
        self.user = user
        self.today = association.today()
        self._buildings: dict[str, Building] | None = None
        self._units: dict[tuple[int, str], Unit] = {}
        self._units_read: set[str] = set()
        self._named: dict[tuple[str, str], Unit] = {}
        self._indexed = False
        self._pk_by_id: dict[str, int] = {}  # id_key -> person id
        self._pk_by_email: dict[str, int] = {}
        self._has_id: dict[int, bool] = {}  # every person indexed: whether they have a personal id
        self._ids_looked_up: set[str] = set()
        self._emails_looked_up: set[str] = set()
        self._by_pk: dict[int, Person] = {}  # the people rows named, read whole
        self._roles: dict[str, Role | None] = {}
        self.settings = None  # billing's, read by records_billing when first needed
        self.forms: dict = {}  # one form of each class, filled again for each row (_form)

    # --- buildings and units ---------------------------------------------------------------------------

    def buildings(self) -> dict[str, Building]:
        if self._buildings is None:
            self._buildings = {fold(b.name).strip(): b for b in Building.of(self.association).order_by(Building.id)}
        return self._buildings

    def read_units(self, numbers: list[str]) -> None:
        """Read the association's units with these numbers (every building), once each."""
        wanted = sorted({n for n in numbers if n and n not in self._units_read})
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            for unit in Unit.of(self.association).where(Unit.number.in_(part)):
                self._units[(unit.building_id, unit.number)] = unit
            self._units_read.update(part)

    def unit(self, row: dict) -> Unit | None:
        named = (row.get("building", ""), row.get("unit", ""))
        if named in self._named:  # as written in the rows: a year of invoices names each unit twelve times
            return self._named[named]
        building = self.buildings().get(fold(named[0]).strip())
        if building is None:
            return None
        self.read_units([named[1]])
        unit = self._units.get((building.id, named[1]))
        if unit is not None:
            self._named[named] = unit
        return unit

    def remember_unit(self, unit: Unit) -> None:
        self._units[(unit.building_id, unit.number)] = unit

    # --- people ------------------------------------------------------------------------------------------

    def _index(self) -> None:
        """The association's people as they are matched, read once: id, personal id and e-mail only (matching
        by a personal id compares letters and digits only, which no index holds). Whole rows are read only
        for the people the rows name (prefetch)."""
        if self._indexed:
            return
        self._indexed = True
        people = Person.select(Person.id, Person.personal_id, Person.email).where(
            Person.association == self.association
        )
        for pk, personal_id, email in people.order_by(Person.id).tuples():
            self._index_person(pk, personal_id, email)

    def _look_up(self, rows: list[dict]) -> None:
        """Index the people whose personal id or e-mail may be one of these rows', in one query, unless every
        person is indexed already. LIKE patterns narrow them in the database and values.py's keys decide, so
        a push of one person into a register of thousands reads a few rows, not three columns of every person."""
        if self._indexed:
            return
        patterns = []
        for row in rows:
            key, email = values.id_key(row.get("personal_id", "")), values.email_key(row.get("email", ""))
            if key and key not in self._ids_looked_up:
                self._ids_looked_up.add(key)
                patterns.append(like(Person.personal_id, values.id_key_pattern(key)))
            if email and email not in self._emails_looked_up:
                self._emails_looked_up.add(email)
                patterns.append(like(Person.email, values.email_key_pattern(email)))
        if not patterns:
            return
        people = Person.select(Person.id, Person.personal_id, Person.email).where(
            (Person.association == self.association) & reduce(operator.or_, patterns)
        )
        for pk, personal_id, email_found in people.tuples():
            self._index_person(pk, personal_id, email_found)

    def _index_person(self, pk: int, personal_id: str | None, email: str | None) -> None:
        """Two people with one key (an address shared, an id entered twice): the oldest is the one matched,
        in whatever order look-ups read them."""
        key, address = values.id_key(personal_id or ""), values.email_key(email or "")
        if key:
            self._pk_by_id[key] = min(pk, self._pk_by_id.get(key, pk))
        if address:
            self._pk_by_email[address] = min(pk, self._pk_by_email.get(address, pk))
        self._has_id[pk] = bool(key) or self._has_id.get(pk, False)

    def prefetch(self, rows: list[dict]) -> None:
        """Read whole, a few hundred per query, the people these rows name. Many rows (an import) index every
        person of the association at once; a few (an API push) look up only the keys they give."""
        if len(rows) > FEW_ROWS:
            self._index()
        else:
            self._look_up(rows)
        wanted = sorted({pk for row in rows if (pk := self._match(row)) is not None and pk not in self._by_pk})
        for start in range(0, len(wanted), CHUNK):
            for person in Person.select().where(Person.id.in_(wanted[start : start + CHUNK])):
                self._by_pk[person.id] = person

    def remember_person(self, person: Person) -> None:
        self._look_up([{"personal_id": person.personal_id or "", "email": person.email or ""}])
        self._by_pk[person.id] = person
        self._index_person(person.id, person.personal_id, person.email)

    def _match(self, row: dict) -> int | None:
        """The id of the person a row names: by personal id, else by e-mail (only someone without a personal
        id of their own, when the row gives one: two people may share an address, never an id)."""
        self._look_up([row])
        key, email = values.id_key(row.get("personal_id", "")), values.email_key(row.get("email", ""))
        if key:
            found = self._pk_by_id.get(key)
            if found is None and email:
                same = self._pk_by_email.get(email)
                if same is not None and not self._has_id.get(same):
                    return same
            return found
        return self._pk_by_email.get(email) if email else None

    def person(self, row: dict) -> Person | None:
        pk = self._match(row)
        return None if pk is None else self.person_by_pk(pk)

    def person_by_pk(self, pk: int) -> Person | None:
        """One person of the association, whole (read now unless prefetch() read them)."""
        if pk not in self._by_pk:
            found = Person.get_or_none((Person.id == pk) & (Person.association == self.association))
            if found is None:
                return None
            self._by_pk[pk] = found
        return self._by_pk[pk]

    def role(self, key: str) -> Role | None:
        if key not in self._roles:
            self._roles[key] = Role.get_or_none((Role.association == self.association) & (Role.key == key))
        return self._roles[key]


def _with_defaults(model, row: dict) -> dict:
    """The row with every other column's default, as peewee's own INSERT would write them."""
    full = dict(row)
    for column in model._meta.sorted_fields:
        if column.name != "id" and column.name not in full:
            default = column.default
            full[column.name] = default() if callable(default) else default
    return full


def insert(model, row: dict) -> int:
    """One row written and its id: SQL written by hand (bank.booking's), since peewee writing an INSERT costs
    more than the database running it, and a register brings thousands of units, people and owners."""
    return booking._insert_returning_ids(model, [_with_defaults(model, row)])[0]


def _form(batch: Batch, form_class, data: dict, *, prepare=None, lists: dict | None = None, **kwargs):
    """A register or billing form filled with the row's values as if posted, without CSRF (no browser posts
    it); `prepare` offers the choices a view would (the unit, the parties), `lists` posts several values.

    One form of each class per batch, filled again for each row (process()): making a form costs half a
    millisecond, a year of payments is 24,000 rows."""
    if isinstance(data, MultiDict):
        formdata = data
    else:
        formdata = MultiDict({key: value for key, value in data.items() if value is not None and value is not False})
    for key, items in (lists or {}).items():
        formdata.setlist(key, items)
    key = (form_class, tuple(sorted(kwargs.items())))
    form = batch.forms.get(key)
    if form is None:
        form = batch.forms[key] = form_class(formdata=formdata, meta={"csrf": False}, **kwargs)
    else:
        form.process(formdata)
    if prepare is not None:
        prepare(form)
    form.validate()
    return form


def _form_errors(outcome: Outcome, form, names: dict[str, str] | None = None) -> None:
    for name, messages in form.errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            outcome.error((names or {}).get(name, name), message)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _diff(outcome: Outcome, current, new: dict, names: dict[str, str] | None = None) -> dict:
    """The fields whose new value differs from the row's current one; recorded on the outcome by row key."""
    changed = {}
    for name, value in new.items():
        old = current[name] if isinstance(current, dict) else getattr(current, name)
        if old != value:
            changed[name] = value
            outcome.changes[(names or {}).get(name, name)] = (_shown(old), _shown(value))
    return changed


# --- units ---------------------------------------------------------------------------------------------


class _UnitRowForm(UnitForm):
    building = None  # named by text in an import, found or made below


def units(batch: Batch, rows: list[dict]) -> list[Outcome]:
    batch.read_units([row.get("unit", "") for row in rows])
    return [_unit_row(batch, row) for row in rows]


def _unit_key(row: dict) -> str:
    return f"{row.get('building', '')} / {row.get('unit', '')}"


def _unit_row(batch: Batch, row: dict) -> Outcome:
    outcome = Outcome(key=_unit_key(row))
    if not row.get("building"):
        outcome.error("building", _l("Name the building the unit is in."))
    if not row.get("unit"):
        outcome.error("unit", _l("Give the unit a number."))
    if outcome.errors:
        return outcome
    unit = batch.unit(row)
    data = _unit_form_data(unit, row)
    form = _form(batch, _UnitRowForm, data)
    _form_errors(outcome, form, {"number": "unit"})
    if outcome.errors:
        return outcome
    numerator, denominator = parse_share_terms(form.share.data)
    new = dict(
        kind=form.kind.data,
        rooms=form.rooms.data,
        floor=form.floor.data,
        area=form.area.data,
        share_numerator=numerator,
        share_denominator=denominator,
        equipment=(form.equipment.data or "").strip(),
        condition_notes=(form.condition_notes.data or "").strip(),
        accessibility=" ".join(key for key in Unit.ACCESSIBILITY if key in (form.accessibility.data or [])),
    )
    if unit is None:
        building = _building(batch, row, outcome)
        fields = dict(new, association=batch.association.id, building=building.id, number=row["unit"])
        unit = loaded(Unit, id=insert(Unit, fields), **_with_defaults(Unit, fields))
        batch.remember_unit(unit)
        outcome.action, outcome.id = CREATED, unit.id
        return outcome
    outcome.id = unit.id
    names = {"share_numerator": "share", "share_denominator": "share"}
    changed = _diff(outcome, unit, new, names)
    if changed:
        Unit.update(**changed).where(Unit.id == unit.id).execute()
        for name, value in changed.items():
            setattr(unit, name, value)
        outcome.action = CHANGED
    return outcome


def _unit_form_data(unit: Unit | None, row: dict) -> dict:
    """What the unit would hold: the register's values, overwritten by the row's non-empty cells."""
    if unit is not None:
        data = {
            "number": unit.number, "kind": unit.kind, "rooms": _shown(unit.rooms), "floor": _shown(unit.floor),
            "area": _shown(unit.area), "share": f"{unit.share_numerator}/{unit.share_denominator}",
            "equipment": unit.equipment, "condition_notes": unit.condition_notes,
        }  # fmt: skip
        accessibility = unit.accessibility.split()
    else:
        data, accessibility = {"number": row["unit"], "kind": Unit.FLAT}, []
    for key in UNIT_KEYS:
        if key in row and key != "accessibility":
            data[key] = row[key]
    if "kind" in row:
        data["kind"] = _word(KIND_WORDS, row["kind"])
    if "accessibility" in row:
        accessibility = row["accessibility"].replace(",", " ").replace(";", " ").split()
    formdata = MultiDict(data)
    for key in accessibility:
        formdata.add("accessibility", key)
    return formdata


def _building(batch: Batch, row: dict, outcome: Outcome) -> Building:
    """The building the row names, made when the register has none of that name."""
    folded = fold(row["building"]).strip()
    building = batch.buildings().get(folded)
    if building is None:
        building = Building.create(
            association=batch.association.id,
            name=row["building"][:120],
            street=row.get("building_street", "")[:200],
            postcode=row.get("building_postcode", "")[:20],
            municipality=row.get("building_municipality", "")[:120],
            region=row.get("building_region", "")[:120],
        )
        batch.buildings()[folded] = building
        outcome.changes["building"] = ("", building.name)
    return building


# --- people ---------------------------------------------------------------------------------------------


def people(batch: Batch, rows: list[dict], role_key: str = "member") -> list[Outcome]:
    return [_person_row(batch, row, role_key) for row in rows]


def _person_key(row: dict) -> str:
    if row.get("personal_id"):
        return row["personal_id"]
    return row.get("email", "")


def _person_row(
    batch: Batch, row: dict, role_key: str, person: Person | None = None, *, unkeyed: bool = False
) -> Outcome:
    """One person: found by personal id or e-mail (or given), checked by the register's PersonForm. With
    `unkeyed`, someone without either may be created (a child in a household, found next time by name)."""
    outcome = Outcome(key=_person_key(row))
    person = person or batch.person(row)
    if person is None and not unkeyed and not (row.get("personal_id") or row.get("email")):
        outcome.error("personal_id", _l("Give a personal id or an e-mail address to find the person by."))
        return outcome
    data = _person_form_data(person, row)
    form = _form(batch, PersonForm, data)
    _form_errors(outcome, form)
    if outcome.errors:
        return outcome
    new = {name: (getattr(form, name).data or "").strip() for name in PERSON_TEXT if name in data}
    new["country"] = new.get("country", "").upper()
    new["email"] = User.normalize_email(new.get("email", ""))
    new["invoice_by_email"] = bool(form.invoice_by_email.data)
    new["invoice_by_paper"] = bool(form.invoice_by_paper.data)
    new["invoice_language"] = form.invoice_language.data or None
    if person is None:
        person = _create_person(batch, dict.fromkeys(PERSON_TEXT, "") | new, role_key)
        outcome.action, outcome.id = CREATED, person.id
        outcome.key = outcome.key or person.full_name
        return outcome
    outcome.id = person.id
    if values.id_key(new.get("personal_id", "")) == values.id_key(person.personal_id):
        new["personal_id"] = person.personal_id  # the same id written another way: kept as the register has it
    changed = _diff(outcome, person, new)
    if changed:
        if "email" in changed:
            changed.update(Person.new_address(changed["email"]))  # a new address has not bounced
        if "surname" in changed or "given_name" in changed:
            given, surname = changed.get("given_name", person.given_name), changed.get("surname", person.surname)
            changed["search_name"], changed["sort_key"] = Person.name_keys(given, surname, batch.association.locale)
        Person.update(**changed).where(Person.id == person.id).execute()
        for name, value in changed.items():
            setattr(person, name, value)
        batch.remember_person(person)
        outcome.action = CHANGED
    return outcome


def _person_form_data(person: Person | None, row: dict) -> dict:
    if person is not None:
        data = {name: getattr(person, name) for name in PERSON_FIELDS}
        data["invoice_language"] = person.invoice_language or ""
    else:
        data = {"invoice_by_email": bool(row.get("email")), "invoice_language": ""}
    for key in PERSON_FIELDS:
        if key in row:
            data[key] = row[key]
    if "name" in row and not ("surname" in row or "given_name" in row):
        # As the register's forms read a typed name: the last word is the surname.
        given, _space, surname = row["name"].rpartition(" ")
        data["given_name"], data["surname"] = given.strip(), surname.strip()
    for key in ("invoice_by_email", "invoice_by_paper"):
        if key in row:
            data[key] = values.flag(row[key])
    if "invoice_language" in row:
        data["invoice_language"] = row["invoice_language"].lower()
    return {key: ("y" if value is True else value) for key, value in data.items()}


def _create_person(batch: Batch, new: dict, role_key: str) -> Person:
    role = batch.role(role_key)
    search_name, sort_key = Person.name_keys(new["given_name"], new["surname"], batch.association.locale)
    fields = dict(new, search_name=search_name, sort_key=sort_key, role=role.id if role else None)
    person_id = insert(Person, dict(fields, association=batch.association.id))
    person = loaded(Person, id=person_id, association=batch.association.id, user=None, **fields)
    person.personal_id, person.email = new.get("personal_id", ""), new.get("email", "")
    batch.remember_person(person)
    return person


def _has_any(row: dict, keys: tuple[str, ...]) -> bool:
    return any(key in row for key in keys)


def _row_person(batch: Batch, row: dict, outcome: Outcome, role_key: str, within: list | None = None):
    """The person a linking row names: created or updated first when the row carries their details."""
    person = batch.person(row)
    if person is None and within is not None and _has_any(row, ("name", "surname")):
        person = _by_name(within, row)
    if _has_any(row, PERSON_DETAILS):
        part = _person_row(batch, row, role_key, person, unkeyed=within is not None)
        outcome.absorb(part)
        if part.errors:
            return None
        person = person or batch.person(row) or (_by_id(batch, part.id) if part.id else None)
    if person is None and not outcome.errors:
        outcome.error("personal_id", _l("No one in the register has this personal id or e-mail address."))
    return person


def _by_id(batch: Batch, person_id: int) -> Person | None:
    return batch.person_by_pk(person_id)


def _by_name(people: list[Person], row: dict) -> Person | None:
    data = _person_form_data(None, row)
    wanted = values.name_key(data.get("given_name", ""), data.get("surname", ""))
    return next((p for p in people if values.name_key(p.given_name, p.surname) == wanted), None)


def _row_unit(batch: Batch, row: dict, outcome: Outcome) -> Unit | None:
    """The unit a linking row names: created or updated first when the row carries its details."""
    if _has_any(row, UNIT_KEYS):
        part = _unit_row(batch, row)
        outcome.absorb(part)
        if part.errors:
            return None
    elif not row.get("building") or not row.get("unit"):
        outcome.error("unit", _l("Name the unit by its building and number."))
        return None
    unit = batch.unit(row)
    if unit is None and not outcome.errors:
        outcome.error("unit", _l("The register has no unit %(unit)s in %(building)s.", unit=row["unit"],
                                 building=row["building"]))  # fmt: skip
    return unit


# --- ownership ----------------------------------------------------------------------------------------


def _period(row: dict, outcome: Outcome, first: str, last: str) -> tuple[dt.date | None, dt.date | None]:
    days = []
    for key in (first, last):
        day = values.parse_day(row[key]) if key in row else None
        if key in row and day is None:
            outcome.error(key, _l("“%(text)s” is not a date.", text=row[key][:30]))
        days.append(day)
    if days[0] and days[1] and days[1] < days[0]:
        outcome.error(last, _l("The last day cannot be before the first day."))
    return days[0], days[1]


def _links(model, unit_ids: list[int]) -> dict[int, list]:
    """The ownerships or residencies of these units with their people, by unit: a query per CHUNK units."""
    found: dict[int, list] = defaultdict(list)
    ids = sorted(set(unit_ids))
    for start in range(0, len(ids), CHUNK):
        query = model.select(model, Person).join(Person).where(model.unit.in_(ids[start : start + CHUNK]))
        for link in query.order_by(model.id):
            link._snapshot = _columns(model, link)
            found[link.unit_id].append(link)
    return found


def _columns(model, link) -> dict:
    """A link's own columns (foreign keys as ids), as written."""
    names = [name for name in model._meta.sorted_field_names if name not in ("id", "created_at")]
    return {name: link.__data__.get(name) for name in names}


def _match(links: list, person_id: int, first_field: str, first: dt.date | None, last_field: str):
    """The person's link to the unit a row means: the one starting that day, else their open one."""
    mine = [link for link in links if link.person_id == person_id]
    if first is not None:
        return next((link for link in mine if getattr(link, first_field) == first), None)
    return next((link for link in reversed(mine) if getattr(link, last_field) is None), None) or (
        mine[-1] if mine else None
    )


@dataclass
class _Plan:
    outcome: Outcome
    row: dict
    unit: Unit | None = None
    person: Person | None = None
    link: object = None  # the existing (or earlier row's new) Ownership / Residency it updates
    new: dict = field(default_factory=dict)


def ownership(batch: Batch, rows: list[dict]) -> list[Outcome]:
    batch.read_units([row.get("unit", "") for row in rows])
    plans = [_ownership_plan(batch, row) for row in rows]
    links = _links(Ownership, [plan.unit.id for plan in plans if plan.unit is not None])
    for plan in plans:
        if plan.outcome.errors:
            continue
        current = links[plan.unit.id]
        plan.link = _match(current, plan.person.id, "started_on", plan.new.get("started_on"), "ended_on")
        if plan.link is None:
            plan.link = Ownership(unit=plan.unit.id, person=plan.person.id, share_numerator=1, share_denominator=1)
            plan.link.person = plan.person
            current.append(plan.link)
        for name, value in plan.new.items():
            setattr(plan.link, name, value)
    _default_main(plans, links)
    _check_shares(batch, plans, links)
    for plan in plans:
        if not plan.outcome.errors:
            _write_link(Ownership, plan, {"share_numerator": "owner_share", "share_denominator": "owner_share",
                                          "is_main": "main"})  # fmt: skip
    return [plan.outcome for plan in plans]


def _ownership_plan(batch: Batch, row: dict) -> _Plan:
    outcome = Outcome(key=f"{_unit_key(row)} · {_person_key(row) or row.get('name', '')}")
    plan = _Plan(outcome, row)
    plan.unit = _row_unit(batch, row, outcome)
    if plan.unit is None:
        return plan
    plan.person = _row_person(batch, row, outcome, "member")
    if plan.person is None:
        return plan
    if "owner_share" in row:
        try:
            plan.new["share_numerator"], plan.new["share_denominator"] = parse_share_terms(row["owner_share"])
        except RegisterError as error:
            outcome.error("owner_share", error.message)
    if "main" in row:
        main = values.flag(row["main"])
        if main is None:
            outcome.error("main", _l("Write yes or no."))
        plan.new["is_main"] = bool(main)
    started, ended = _period(row, outcome, "started_on", "ended_on")
    if "started_on" in row:
        plan.new["started_on"] = started
    if "ended_on" in row:
        plan.new["ended_on"] = ended
    return plan


def _current(links: list, today: dt.date) -> list[Ownership]:
    return [link for link in links if link.is_current(today)]


def _by_unit(plans: list[_Plan]) -> dict[int, list[_Plan]]:
    grouped: dict[int, list[_Plan]] = defaultdict(list)
    for plan in plans:
        if plan.unit is not None and not plan.outcome.errors:
            grouped[plan.unit.id].append(plan)
    return grouped


def _default_main(plans: list[_Plan], links: dict[int, list]) -> None:
    """A unit whose rows name no main owner and whose current owners include none gets its first owner
    listed as main: the invoices need someone to go to."""
    for unit_id, touched in _by_unit(plans).items():
        current = [link for link in links[unit_id] if link.ended_on is None]
        if current and not any(link.is_main for link in current):
            first = next((p for p in touched if p.link.ended_on is None and "main" not in p.row), None)
            if first is not None:
                first.link.is_main = True


def _check_shares(batch: Batch, plans: list[_Plan], links: dict[int, list]) -> None:
    """The register's rule on every unit a row touched: its current owners' shares add up to exactly 1,
    one of them the main owner (check_owners). Broken, every row of that unit is refused."""
    for unit_id, touched in _by_unit(plans).items():
        current = _current(links[unit_id], batch.today)
        if not current:
            continue
        choices = [OwnerChoice(person=link.person, share=link.share, is_main=bool(link.is_main)) for link in current]
        try:
            check_owners(choices)
        except RegisterError as error:
            total = sum((choice.share for choice in choices), Fraction(0))
            for plan in touched:
                plan.outcome.error("owner_share" if total != 1 else "main", error.message)


def _write_link(model, plan: _Plan, names: dict[str, str]) -> None:
    """Insert the plan's new link or update what its row changed (the outcome says which)."""
    link, outcome = plan.link, plan.outcome
    data = _columns(model, link)
    if link.id is None:
        link.id = insert(model, data)
        link._snapshot = data
        outcome.id = link.id
        outcome.action = CREATED
        return
    outcome.id = link.id
    old = link._snapshot
    changed = {name: value for name, value in data.items() if old.get(name) != value}
    for name, value in changed.items():
        outcome.changes[names.get(name, name)] = (_shown(old.get(name)), _shown(value))
    if changed:
        model.update(**changed).where(model.id == link.id).execute()
        link._snapshot = dict(data)
        if outcome.action == UNCHANGED:
            outcome.action = CHANGED


# --- residents -------------------------------------------------------------------------------------------


def residents(batch: Batch, rows: list[dict]) -> list[Outcome]:
    batch.read_units([row.get("unit", "") for row in rows])
    units = [batch.unit(row) for row in rows]
    links = _links(Residency, [unit.id for unit in units if unit is not None])
    plans = []
    for row in rows:
        outcome = Outcome(key=f"{_unit_key(row)} · {_person_key(row) or row.get('name', '')}")
        plan = _Plan(outcome, row)
        plans.append(plan)
        plan.unit = _row_unit(batch, row, outcome)
        if plan.unit is None:
            continue
        living = [link.person for link in links[plan.unit.id]]
        role = _word(ROLE_WORDS, row.get("role", "")) if row.get("role") else None
        if role is not None and role not in Residency.ROLES:
            outcome.error("role", _l("Write the role as tenant, household member or owner living here."))
            continue
        role_key = "member" if role == Residency.OWNER_RESIDENT else "tenant"
        plan.person = _row_person(batch, row, outcome, role_key, within=living)
        if plan.person is None:
            continue
        start, end = _period(row, outcome, "start_date", "end_date")
        if outcome.errors:
            continue
        current = links[plan.unit.id]
        plan.link = _match(current, plan.person.id, "start_date", start, "end_date")
        if plan.link is None:
            plan.link = Residency(unit=plan.unit.id, person=plan.person.id, role=role or Residency.TENANT)
            plan.link.person = plan.person
            current.append(plan.link)
        for name, value in (("role", role), ("start_date", start), ("end_date", end)):
            if value is not None:
                setattr(plan.link, name, value)
    for plan in plans:
        if not plan.outcome.errors:
            _write_link(Residency, plan, {})
    return [plan.outcome for plan in plans]
