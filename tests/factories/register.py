"""People, buildings, units, owners and residents."""

from __future__ import annotations

from models import Association, Person
from models.register import Building, Ownership, Residency, Unit


def make_person(association: Association, email: str = "", role: str = "member", **fields) -> Person:
    """A person in the register; surnames default to Number1, Number2… so they sort and differ."""
    count = Person.select().count() + 1
    return Person.create(
        association=association,
        given_name=fields.pop("given_name", "Resident"),
        surname=fields.pop("surname", f"Number{count}"),
        email=email,
        role=association.role(role),
        **fields,
    )


def make_building(association: Association, name: str = "House A", **fields) -> Building:
    return Building.create(association=association, name=name, **fields)


def make_unit(
    association: Association,
    number: str = "1",
    share: tuple[int, int] = (1, 10),
    building: Building | None = None,
    **fields,
) -> Unit:
    """A unit, in `building` or else the association's first building (made when there is none)."""
    if building is None:
        building = Building.of(association).order_by(Building.id).first() or make_building(association)
    return Unit.create(
        association=association,
        building=building,
        number=number,
        share_numerator=share[0],
        share_denominator=share[1],
        **fields,
    )


def make_owner(unit: Unit, person: Person, share=(1, 1), is_main: bool = True, **fields) -> Ownership:
    return Ownership.create(
        unit=unit, person=person, share_numerator=share[0], share_denominator=share[1], is_main=is_main, **fields
    )


def make_resident(unit: Unit, person: Person, role: str = Residency.TENANT, **fields) -> Residency:
    return Residency.create(unit=unit, person=person, role=role, **fields)


def person_row(association: Association, given_name: str, surname: str, **fields) -> dict:
    """A person as a dict for Person.insert_many, with the name keys every write of a name keeps."""
    search_name, sort_key = Person.name_keys(given_name, surname, association.locale)
    return dict(
        association=association.id,
        given_name=given_name,
        surname=surname,
        search_name=search_name,
        sort_key=sort_key,
        **fields,
    )
