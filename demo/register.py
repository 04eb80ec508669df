"""Demo registers: buildings, units with shares adding up to 1, owners, residents, proxies, unit files.

load_register() runs after load_associations() and fills each demo
association that has no buildings yet; load_units_benchmark_register() gives
the /bench/ association its units (one per resident) for bench/register.py.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from fractions import Fraction

from core import clock
from models import Association, Membership, Person, User
from models.db import transaction
from models.register import Building, Ownership, Residency, Unit, UnitFileEntry, VotingProxy

DENOMINATOR = 100000  # shares are written in hundred-thousandths, as a land register does

PLANS = {
    "solrosen": dict(
        buildings=[
            dict(
                name="Solrosgatan 3",
                street="Solrosgatan 3",
                postcode="118 46",
                municipality="Stockholm",
                region="Stockholms län",
            ),
            dict(
                name="Solrosgatan 5",
                street="Solrosgatan 5",
                postcode="118 46",
                municipality="Stockholm",
                region="Stockholms län",
            ),
        ],
        number=lambda building, floor, door: f"{1000 + floor * 100 + door + building * 10}",
        garage="G{n}",
        given=["Karin", "Lars", "Eva", "Mikael", "Sara", "Johan", "Lena", "Anders", "Maria", "Per", "Kerstin", "Nils"],
        surnames=[
            "Lindqvist",
            "Nyström",
            "Holm",
            "Sandberg",
            "Ek",
            "Wallin",
            "Forsberg",
            "Sjöberg",
            "Lundgren",
            "Hedlund",
        ],
        owner="owner@solrosen.example",
        co_owner="johanna@solrosen.example",
        household=("Elsa", "Börjesson"),
        board="board@solrosen.example",
        landlord="ivar@solrosen.example",
        tenant="tenant@solrosen.example",
        tenant_household="maja@solrosen.example",
        new_owner=("Olle", "Berg"),
        old_owner=("Gunnar", "Holm"),
        proxy="olle",
        texts=dict(
            repair="Byte av blandare i kök och badrum.",
            change="Ny ytterdörr (säkerhetsdörr klass 3) monterad.",
            tenant="Andrahandsuthyrning godkänd av styrelsen, 1 år.",
            note="Stambyte planerat hösten 2026.",
            sale="Försäljning enligt köpekontrakt.",
        ),
    ),
    "nakopci": dict(
        buildings=[
            dict(
                name="Na Kopci 1201/5",
                street="Na Kopci 1201/5",
                postcode="140 00",
                municipality="Praha 4",
                region="Hlavní město Praha",
            ),
            dict(
                name="Na Kopci 1202/7",
                street="Na Kopci 1202/7",
                postcode="140 00",
                municipality="Praha 4",
                region="Hlavní město Praha",
            ),
        ],
        number=lambda building, floor, door: f"{1201 + building}/{floor * 10 + door}",
        garage="GS{n}",
        given=[
            "Jan",
            "Jana",
            "Petra",
            "Martin",
            "Lucie",
            "Jiří",
            "Hana",
            "Pavel",
            "Veronika",
            "Josef",
            "Tereza",
            "Lukáš",
        ],
        surnames=["Novotný", "Kučera", "Horák", "Němec", "Pokorný", "Marek", "Pospíšil", "Hájek", "Král", "Jelínek"],
        # A Czech woman's surname is the feminine form: Jana Novotná, Petra Kučerová.
        women={"Jana", "Petra", "Lucie", "Hana", "Veronika", "Tereza"},
        feminine={
            "Novotný": "Novotná",
            "Kučera": "Kučerová",
            "Horák": "Horáková",
            "Němec": "Němcová",
            "Pokorný": "Pokorná",
            "Marek": "Marková",
            "Pospíšil": "Pospíšilová",
            "Hájek": "Hájková",
            "Král": "Králová",
            "Jelínek": "Jelínková",
        },
        owner="owner@nakopci.example",
        co_owner="marie@nakopci.example",
        household=("Adam", "Svoboda"),
        board="board@nakopci.example",
        landlord="tomas@nakopci.example",
        tenant="eva@nakopci.example",
        tenant_household=None,
        new_owner=("Karel", "Veselý"),
        old_owner=("Zdeněk", "Bartoš"),
        proxy="karel",
        texts=dict(
            repair="Výměna baterie v kuchyni a koupelně.",
            change="Nové bezpečnostní vchodové dveře.",
            tenant="Podnájem schválen výborem na 1 rok.",
            note="Výměna stoupaček plánována na podzim 2026.",
            sale="Převod jednotky podle kupní smlouvy.",
        ),
    ),
    "kase5": dict(
        buildings=[
            dict(name="Kase 5", street="Kase tn 5", postcode="50407", municipality="Tartu", region="Tartumaa"),
        ],
        number=lambda building, floor, door: f"{(floor - 1) * 5 + door}",
        garage="P{n}",
        given=["Mari", "Jaan", "Kadri", "Andres", "Liis", "Toomas", "Kristiina", "Margus", "Triin", "Peeter"],
        surnames=["Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves", "Pärn", "Koppel"],
        owner="owner@kase5.example",
        co_owner="mari@kase5.example",
        household=("Mihkel", "Saar"),
        board="board@kase5.example",
        landlord="toomas@kase5.example",
        tenant="liis@kase5.example",
        tenant_household=None,
        new_owner=("Peeter", "Mägi"),
        old_owner=("Ants", "Koppel"),
        proxy="peeter",
        texts=dict(
            repair="Köögi ja vannitoa segisti vahetus.",
            change="Uus turvauks paigaldatud.",
            tenant="Korter üürile antud, juhatust teavitatud.",
            note="Püstikute vahetus on plaanis 2027. aasta sügisel.",
            sale="Korteriomandi võõrandamine müügilepingu alusel.",
        ),
    ),
}

FLOORS, DOORS, GARAGES = 4, 5, 3  # per building: 20 flats and 3 garages, 46 units in all
AREAS = (42, 58, 74, 91, 63)  # m² of door 1..5 on every floor


def load_register() -> Iterator[str]:
    """Fill each demo association's register once; an association that has buildings is left alone."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if Building.of(association).exists():
            yield f"{association.name}: the register exists; left as it is."
            continue
        with transaction():
            units = _create_register(association, plan)
        yield f"{association.name}: {len(units)} units in {len(plan['buildings'])} buildings, shares adding up to 1."


def _create_register(association: Association, plan: dict) -> list[Unit]:
    units = _create_units(association, plan)
    people = _PeopleMaker(association, plan)
    special = _assign_demo_accounts(association, plan, units, people)
    for index, unit in enumerate(units):
        if index not in special:
            Ownership.create(
                unit=unit, person=people.next_owner(), share_numerator=1, share_denominator=1, is_main=True
            )
    return units


def _create_units(association: Association, plan: dict) -> list[Unit]:
    layout = []
    for b, fields in enumerate(plan["buildings"]):
        building = Building.create(association=association, **fields)
        for floor in range(1, FLOORS + 1):
            for door in range(1, DOORS + 1):
                area = AREAS[door - 1]
                kind_fields = dict(kind=Unit.FLAT, rooms=max(1, area // 22), floor=floor)
                layout.append((building, plan["number"](b, floor, door), area, kind_fields))
        for n in range(1, GARAGES + 1):
            number = plan["garage"].format(n=b * GARAGES + n)
            layout.append((building, number, 15, dict(kind=Unit.GARAGE, floor=-1)))
    shares = _shares([area for _b, _n, area, _k in layout])
    units = []
    for (building, number, area, kind_fields), numerator in zip(layout, shares, strict=True):
        accessibility = (
            "step_free lift" if kind_fields.get("floor") == 1 else ("lift" if kind_fields["kind"] == Unit.FLAT else "")
        )
        units.append(
            Unit.create(
                association=association,
                building=building,
                number=number,
                area=area,
                share_numerator=numerator,
                share_denominator=DENOMINATOR,
                equipment="Kök, badrum, balkong"
                if association.locale == "sv" and kind_fields["kind"] == Unit.FLAT
                else "",
                accessibility=accessibility,
                **kind_fields,
            )
        )
    assert sum((u.share for u in units), Fraction(0)) == 1
    return units


def _shares(areas: list[int]) -> list[int]:
    """Numerators over DENOMINATOR in proportion to area; the last unit takes the rounding so they add up to 1."""
    total = sum(areas)
    numerators = [area * DENOMINATOR // total for area in areas]
    numerators[-1] += DENOMINATOR - sum(numerators)
    return numerators


class _PeopleMaker:
    """Owners for the remaining units: every combination of a given name and a surname, in turn."""

    def __init__(self, association: Association, plan: dict):
        self.association, self.plan, self.count = association, plan, 0
        self.role = association.role("member")

    def next_owner(self) -> Person:
        given = self.plan["given"][self.count % len(self.plan["given"])]
        surname = self.plan["surnames"][
            (self.count // len(self.plan["given"]) + self.count) % len(self.plan["surnames"])
        ]
        if given in self.plan.get("women", ()):
            surname = self.plan["feminine"][surname]
        self.count += 1
        # Most owners have an e-mail address in the register (their invoices go by mail); every seventh
        # has none (the board sees "no address"), every fifth wants paper invoices as well.
        email = (
            ""
            if self.count % 7 == 0
            else f"{_ascii(given)}.{_ascii(surname)}.{self.count}@{self.association.slug}.example"
        )
        return self.make(given, surname, email=email, invoice_by_paper=self.count % 5 == 0)

    def make(self, given: str, surname: str, role: str = "member", **fields) -> Person:
        return Person.create(
            association=self.association,
            given_name=given,
            surname=surname,
            role=self.association.role(role),
            **fields,
        )


def _ascii(name: str) -> str:
    """A name as an e-mail address's letters: "Šťastná" -> "stastna"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _person(association: Association, email: str) -> Person:
    return Person.get((Person.association == association) & (Person.email == email))


def _assign_demo_accounts(association: Association, plan: dict, units: list[Unit], people: _PeopleMaker) -> set[int]:
    """The demo accounts' units and the interesting cases; returns the indexes of the units used."""
    today = association.today()
    texts = plan["texts"]
    board_user = User.get(User.email == plan["board"])
    owner, co_owner = _person(association, plan["owner"]), _person(association, plan["co_owner"])

    # 0: the owner's home, co-owned half and half, with a household member and a unit file.
    home = units[0]
    Ownership.create(
        unit=home, person=owner, share_numerator=1, share_denominator=2, is_main=True, started_on=dt.date(2015, 8, 1)
    )
    Ownership.create(unit=home, person=co_owner, share_numerator=1, share_denominator=2, started_on=dt.date(2015, 8, 1))
    Residency.create(unit=home, person=owner, role=Residency.OWNER_RESIDENT, start_date=dt.date(2015, 8, 1))
    Residency.create(unit=home, person=people.make(*plan["household"], role="tenant"), role=Residency.HOUSEHOLD)
    Unit.update(resident_count=3).where(Unit.id == home.id).execute()
    _file(home, today - dt.timedelta(days=400), UnitFileEntry.REPAIR, texts["repair"], board_user)
    _file(home, today - dt.timedelta(days=35), UnitFileEntry.CHANGE, texts["change"], board_user)

    # The owner's garage, owned alone.
    garage = next(i for i, u in enumerate(units) if u.kind == Unit.GARAGE)
    Ownership.create(unit=units[garage], person=owner, is_main=True, started_on=dt.date(2018, 3, 1))

    # 1: let by its owner to the demo tenant.
    let = units[1]
    Ownership.create(
        unit=let, person=_person(association, plan["landlord"]), is_main=True, started_on=dt.date(2011, 1, 1)
    )
    tenant = _person(association, plan["tenant"])
    Residency.create(unit=let, person=tenant, role=Residency.TENANT, start_date=dt.date(2024, 9, 1))
    if plan["tenant_household"]:
        Residency.create(
            unit=let,
            person=_person(association, plan["tenant_household"]),
            role=Residency.HOUSEHOLD,
            start_date=dt.date(2024, 9, 1),
        )
    _file(let, dt.date(2024, 9, 1), UnitFileEntry.TENANT_CHANGE, texts["tenant"], board_user)

    # 2: a past change of owner, with the old owner in the history.
    sold = units[2]
    old = people.make(*plan["old_owner"])
    new = _person_named(association, *plan["new_owner"])
    day = dt.date(2023, 6, 15)
    Ownership.create(unit=sold, person=old, is_main=True, started_on=dt.date(2009, 4, 1), ended_on=day)
    Ownership.create(unit=sold, person=new, is_main=True, started_on=day)
    _file(sold, day, UnitFileEntry.OWNER_CHANGE, f"{old.full_name} → {new.full_name}\n\n{texts['sale']}", board_user)
    _file(sold, today - dt.timedelta(days=10), UnitFileEntry.NOTE, texts["note"], board_user)

    # 3: owned by someone abroad, who has given the new owner of unit 2 a voting proxy for this year.
    proxied = units[3]
    Ownership.create(unit=proxied, person=people.next_owner(), is_main=True)
    VotingProxy.create(
        unit=proxied, person=new, start_date=dt.date(today.year, 1, 1), end_date=dt.date(today.year, 12, 31)
    )

    # 4: the board member's own flat.
    board_person = _person(association, plan["board"])
    Ownership.create(unit=units[4], person=board_person, is_main=True, started_on=dt.date(2019, 5, 1))
    return {0, 1, 2, 3, 4, garage}


def _person_named(association: Association, given: str, surname: str) -> Person:
    found = Person.of(association).where((Person.given_name == given) & (Person.surname == surname)).first()
    return found or Person.create(
        association=association, given_name=given, surname=surname, role=association.role("member")
    )


def _file(unit: Unit, day: dt.date, kind: str, text: str, author: User) -> None:
    UnitFileEntry.create(unit=unit, happened_on=day, kind=kind, text=text, author=author)


# --- the benchmark association ------------------------------------------------------------------


def load_units_benchmark_register(association: Association, units: int) -> str:
    """`units` units in buildings of 500, shares 1/units each, resident i owning unit i (for bench/)."""
    if Building.of(association).exists():
        return f"/{association.slug}/ has a register; left as it is."
    now = clock.utcnow_naive()
    slug = association.slug
    with transaction():
        buildings = []
        for b in range(-(-units // 500)):
            buildings.append(
                Building.create(
                    association=association,
                    name=f"Bench street {b + 1}",
                    street=f"Bench street {b + 1}",
                    postcode="10111",
                    municipality="Tallinn",
                )
            )
        rows = [
            dict(
                association=association.id,
                building=buildings[(i - 1) // 500].id,
                number=str(i),
                kind=Unit.FLAT,
                rooms=1 + i % 4,
                floor=1 + (i % 500) // 20,
                area=30 + i % 60,
                share_numerator=1,
                share_denominator=units,
                created_at=now,
            )
            for i in range(1, units + 1)
        ]
        for batch in _chunks(rows, 500):
            Unit.insert_many(batch).execute()
        unit_ids = {u.number: u.id for u in Unit.of(association).select(Unit.id, Unit.number)}
        people = {p.email: p.id for p in Person.of(association).select(Person.id, Person.email)}
        owners = [
            dict(unit=unit_ids[str(i)], person=people[f"resident{i}@{slug}.example"], is_main=True, created_at=now)
            for i in range(1, units + 1)
            if f"resident{i}@{slug}.example" in people
        ]
        for batch in _chunks(owners, 500):
            Ownership.insert_many(batch).execute()
    return f"/{slug}/: {units} units in {len(buildings)} buildings, each owned by its resident."


def make_board(association: Association, email: str) -> None:
    """Give one bench account the board role (bench/register.py measures the board's unit list)."""
    user = User.get(User.email == email)
    Membership.update(role=association.role("board")).where(
        (Membership.user == user) & (Membership.association == association)
    ).execute()


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
