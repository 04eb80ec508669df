"""Demo associations, their registers' people and the demo accounts."""

from __future__ import annotations

from collections.abc import Iterator

from blueprints.portal import founding
from blueprints.portal.accounts import hash_password
from core import clock
from models import Association, Membership, Person, Role, User
from models.db import transaction

PASSWORD = "demo-password"

ASSOCIATIONS = {
    "solrosen": dict(
        name="Brf Solrosen",
        locale="sv",
        currency="SEK",
        timezone="Europe/Stockholm",
        theme_color="#1d5f8a",
        welcome_text=(
            "## Välkommen till Brf Solrosen!\n\n"
            "Här ser du dina avier och avtal, kan felanmäla och uppdatera dina kontaktuppgifter.\n\n"
            "* Tvättstugan bokas på tavlan i entrén.\n"
            "* Föreningsstämman hålls i maj.\n"
        ),
        contact_text="**Styrelsen**  \nstyrelsen@solrosen.example  \nTelefon 08-123 45 67",
        on_call_text=(
            "**Jour dygnet runt: 08-520 200 00** (Fastighetsjouren)\n\n"
            "Ring vid vattenläcka, stopp i avloppet, ingen värme, strömavbrott i huset "
            "eller om någon sitter fast i hissen. Allt annat tar vi på vardagar."
        ),
        gdpr_text=(
            "Jag godkänner att föreningen hanterar mina uppgifter enligt GDPR. "
            "Personuppgifter som hanteras i portalen är namn och kontaktuppgifter."
        ),
    ),
    "nakopci": dict(
        name="SVJ Na Kopci",
        locale="cs",
        currency="CZK",
        timezone="Europe/Prague",
        theme_color="#7a3b12",
        welcome_text=(
            "## Vítejte na stránkách SVJ Na Kopci\n\n"
            "Najdete zde své předpisy plateb a smlouvy a můžete nahlásit závadu.\n\n"
            "Schůze shromáždění vlastníků se koná v březnu."
        ),
        contact_text="**Výbor SVJ**  \nvybor@nakopci.example  \nTel. +420 601 234 567",
        on_call_text=(
            "**Havarijní služba 24 h: +420 800 100 200**\n\n"
            "Volejte při úniku vody, ucpané kanalizaci, výpadku topení nebo elektřiny v domě "
            "a když někdo uvízne ve výtahu. Ostatní závady řešíme v pracovní dny."
        ),
        gdpr_text=(
            "Souhlasím se zpracováním svých osobních údajů (jméno a kontaktní údaje) "
            "společenstvím vlastníků v souladu s GDPR."
        ),
    ),
    "kase5": dict(
        name="Korteriühistu Kase 5",
        locale="et",
        currency="EUR",
        timezone="Europe/Tallinn",
        theme_color="#2f6b3a",
        welcome_text=(
            "## Tere tulemast Kase 5 korteriühistu portaali!\n\n"
            "Siin näete oma arveid ja lepinguid, saate teatada riketest ja uuendada oma kontaktandmeid.\n\n"
            "* Üldkoosolek toimub aprillis.\n"
            "* Prügimaja võti on juhatuse esimehe käes.\n"
        ),
        contact_text="**Juhatus**  \njuhatus@kase5.example  \nTelefon +372 5123 4567",
        on_call_text=(
            "**Avariiteenistus ööpäev läbi: +372 600 1234**\n\n"
            "Helista veeleket, ummistunud kanalisatsiooni, kütte või elektri katkemise korral "
            "ja kui keegi on liftis kinni. Muude riketega tegeleme tööpäeviti."
        ),
        gdpr_text=(
            "Nõustun, et korteriühistu töötleb minu isikuandmeid (nimi ja kontaktandmed) "
            "isikuandmete kaitse üldmääruse (GDPR) kohaselt."
        ),
    ),
}

# (e-mail, association slug, built-in role, given name, surname)
ACCOUNTS = [
    ("board@solrosen.example", "solrosen", "board", "Anna", "Andersson"),
    ("owner@solrosen.example", "solrosen", "member", "Börje", "Börjesson"),
    ("tenant@solrosen.example", "solrosen", "tenant", "Carla", "Carlsson"),
    ("board@nakopci.example", "nakopci", "board", "Jana", "Nováková"),
    ("owner@nakopci.example", "nakopci", "member", "Petr", "Svoboda"),
    ("admin@porch.example", "solrosen", "administrator", "Erik", "Eriksson"),
    ("admin@porch.example", "nakopci", "administrator", "Erik", "Eriksson"),
    ("board@kase5.example", "kase5", "board", "Kadri", "Tamm"),
    ("owner@kase5.example", "kase5", "member", "Jaan", "Saar"),
    ("admin@porch.example", "kase5", "administrator", "Erik", "Eriksson"),
]

# People in the registers without accounts: they can sign up with these addresses.
REGISTER_ONLY = {
    "solrosen": [
        ("Johanna", "Johansson", "johanna@solrosen.example", "member"),
        ("Ivar", "Ivarsson", "ivar@solrosen.example", "member"),
        ("Maja", "Lind", "maja@solrosen.example", "tenant"),
        ("Olle", "Berg", "", "member"),
    ],
    "nakopci": [
        ("Marie", "Dvořáková", "marie@nakopci.example", "member"),
        ("Tomáš", "Černý", "tomas@nakopci.example", "member"),
        ("Eva", "Procházková", "eva@nakopci.example", "tenant"),
        ("Karel", "Veselý", "", "member"),
    ],
    "kase5": [
        ("Mari", "Saar", "mari@kase5.example", "member"),
        ("Toomas", "Kask", "toomas@kase5.example", "member"),
        ("Liis", "Rebane", "liis@kase5.example", "tenant"),
        ("Peeter", "Mägi", "", "member"),
    ],
}


def load_associations() -> Iterator[str]:
    password_hash = hash_password(PASSWORD)
    for slug, fields in ASSOCIATIONS.items():
        if Association.select().where(Association.slug == slug).exists():
            yield f"{fields['name']} ({slug}) exists; left as it is."
            continue
        with transaction():
            _create_association(slug, fields, password_hash)
        yield f"Created {fields['name']} at /{slug}/"
    yield f"Demo accounts use the password {PASSWORD!r}."


def _create_association(slug: str, fields: dict, password_hash: str) -> None:
    association = Association.create(slug=slug, **fields)
    founding.create_builtins(association)
    roles = {role.key: role for role in Role.select().where(Role.association == association)}
    for email, account_slug, role_key, given, surname in ACCOUNTS:
        if account_slug != slug:
            continue
        user = User.get_or_none(User.email == email) or User.create(
            email=email,
            name=f"{given} {surname}",
            password_hash=password_hash,
            state=User.ACTIVE,
        )
        person = Person.create(
            association=association, given_name=given, surname=surname, email=email, role=roles[role_key], user=user
        )
        Membership.create(user=user, association=association, role=roles[role_key], person=person)
    for given, surname, email, role_key in REGISTER_ONLY[slug]:
        Person.create(association=association, given_name=given, surname=surname, email=email, role=roles[role_key])


def load_units_benchmark(units: int, slug: str = "bench") -> str:
    """An association of `units` households, each with an active account, for bench/."""
    if Association.select().where(Association.slug == slug).exists():
        return f"/{slug}/ exists; left as it is."
    password_hash = hash_password(PASSWORD)
    now = clock.utcnow_naive()
    with transaction():
        association = Association.create(
            slug=slug,
            name=f"Bench association ({units} units)",
            locale="en",
            currency="EUR",
            timezone="Europe/Tallinn",
            welcome_text="## Welcome\n\nA large association for measuring Porch.",
        )
        founding.create_builtins(association)
        roles = {role.key: role for role in Role.select().where(Role.association == association)}
        emails = [f"resident{i}@{slug}.example" for i in range(1, units + 1)]
        for batch in _chunks(emails, 500):
            User.insert_many(
                [
                    dict(email=e, name=e.split("@")[0], password_hash=password_hash, state=User.ACTIVE, created_at=now)
                    for e in batch
                ]
            ).execute()
        users = {u.email: u.id for u in User.select(User.id, User.email).where(User.email.in_(emails))}
        for batch in _chunks(emails, 500):
            Person.insert_many(
                [_bench_resident(association, e, roles["member"].id, users[e], now) for e in batch]
            ).execute()
        people = {
            p.email: p.id for p in Person.select(Person.id, Person.email).where(Person.association == association)
        }
        for batch in _chunks(emails, 500):
            Membership.insert_many(
                [
                    dict(
                        user=users[e],
                        association=association.id,
                        role=roles["member"].id,
                        person=people[e],
                        created_at=now,
                    )
                    for e in batch
                ]
            ).execute()
    return f"Created {association.name} at /{slug}/ (log in as resident1@{slug}.example)"


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bench_resident(association: Association, email: str, role_id: int, user_id: int, now) -> dict:
    """One bench household's person, with the name keys a bulk write must keep (Person.name_keys)."""
    surname = email.split("@")[0]
    search_name, sort_key = Person.name_keys("Resident", surname, association.locale)
    return dict(
        association=association.id,
        given_name="Resident",
        surname=surname,
        email=email,
        role=role_id,
        user=user_id,
        created_at=now,
        search_name=search_name,
        sort_key=sort_key,
    )
