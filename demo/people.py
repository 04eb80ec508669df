"""Demo contact details for register people and pending requests for access (P3, P4).

Run after load_associations(); running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from models import Association, Person, RegistrationRequest
from models.db import transaction

# (e-mail of a register person) -> contact details filled in where still empty.
CONTACTS = {
    "solrosen": {
        "owner@solrosen.example": dict(
            phone_mobile="070-123 45 67",
            street="Solrosvägen 3 lgh 1102",
            postcode="123 45",
            city="Stockholm",
            country="SE",
            personal_id="19610412-3344",
        ),
        "tenant@solrosen.example": dict(phone_mobile="073-555 12 34", phone_work="08-555 000 10"),
        "johanna@solrosen.example": dict(
            phone_home="08-765 43 21",
            street="Solrosvägen 5 lgh 1201",
            postcode="123 45",
            city="Stockholm",
            country="SE",
            personal_id="19800101-1234",
            invoice_by_paper=True,
        ),
        "ivar@solrosen.example": dict(phone_mobile="076-222 33 44", personal_id="19751230-5678"),
    },
    "nakopci": {
        "owner@nakopci.example": dict(
            phone_mobile="+420 602 111 222",
            street="Na Kopci 12",
            postcode="150 00",
            city="Praha 5",
            country="CZ",
            personal_id="750101/1234",
        ),
        "marie@nakopci.example": dict(
            phone_mobile="+420 731 456 789",
            street="Na Kopci 12",
            postcode="150 00",
            city="Praha 5",
            country="CZ",
            personal_id="805512/2345",
        ),
        "tomas@nakopci.example": dict(phone_home="+420 257 000 111", invoice_language="cs"),
    },
    "kase5": {
        "owner@kase5.example": dict(
            phone_mobile="+372 5345 6789",
            street="Kase tn 5-1",
            postcode="50407",
            city="Tartu",
            country="EE",
            personal_id="37605030299",
            invoice_language="et",
        ),
        "mari@kase5.example": dict(phone_mobile="+372 5678 1234", street="Kase tn 5-1", postcode="50407", city="Tartu"),
        "liis@kase5.example": dict(phone_mobile="+372 5111 2233"),
    },
}

# Pending requests for access from the public form.
REQUESTS = {
    "solrosen": [
        ("Sara Sundberg", "sara@example.com", "1104", "Jag flyttade in i mars och hyr i andra hand."),
        ("Nils Nyström", "nils@example.com", "", "Ny ägare till garageplats 7."),
    ],
    "nakopci": [
        ("Lucie Malá", "lucie@example.com", "12", "Dobrý den, jsem nová nájemnice v bytě 12."),
    ],
    "kase5": [
        ("Kristiina Pärn", "kristiina@example.com", "7", "Tere! Kolisin märtsis korterisse 7 üürnikuna."),
    ],
}


def load_people() -> Iterator[str]:
    for slug in CONTACTS:
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        with transaction():
            filled = _fill_contacts(association, CONTACTS[slug])
            added = _add_requests(association, REQUESTS.get(slug, []))
        yield f"{association.name}: contact details for {filled} people, {added} new requests for access"


def _fill_contacts(association: Association, contacts: dict) -> int:
    filled = 0
    for email, fields in contacts.items():
        person = Person.in_register(association, email)
        if person is None:
            continue
        changed = {name: value for name, value in fields.items() if not getattr(person, name)}
        if changed:
            Person.update(**changed).where(Person.id == person.id).execute()
            filled += 1
    return filled


def _add_requests(association: Association, requests: list) -> int:
    added = 0
    for name, email, unit_number, message in requests:
        exists = RegistrationRequest.of(association).where(RegistrationRequest.email == email).exists()
        if not exists:
            RegistrationRequest.create(
                association=association, name=name, email=email, unit_number=unit_number, message=message
            )
            added += 1
    return added
