"""Demo Danish social housing (issue 15, item 7): Boligforeningen Bøgely at /bogely/, a housing organisation
(almen boligorganisation) whose departments (afdelinger) are its buildings, with vacant homes to list.

Four departments in real-looking Danish places: family homes in Odense and Aarhus, youth homes in Odense,
senior homes in Vejle. Tenants live in most flats; twelve stand empty and are listed with rent in DKK,
three months' rent as deposit, a move-in day in the coming weeks, flexible-letting schemes on some
("kom foran i køen"), the expected wait and a Danish description (an English one on some). A seeker
reaches the organisation by its contact form (udlejning@bogely.example), the youth homes by their own
website, and Seniorbo by phone. Every vacancy has photos drawn here (a façade, a room) stored as the board's
upload stores them, and every flat its accessibility registration, so the board's self-check is clean (its
tests plant the problems it finds). Every flat has remote-read water meters and heat cost
allocators, as Danish social housing has.

Everything is made once from fixed tables and seeds, with dates counted from the association's today;
running it again leaves an existing Bøgely as it is.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageDraw

from blueprints.listings import waiting_service
from blueprints.portal.accounts import hash_password
from core import images
from demo.meters import _Maker as MeterMaker
from demo.portal import PASSWORD
from models import Association, Category, Folder, Membership, Person, Role, User
from models import permissions as perms
from models.db import transaction
from models.listings import (
    Applicant,
    ApplicantEvent,
    Offer,
    SeekerRoute,
    Vacancy,
    VacancyPhoto,
    VacancyText,
    WaitingListRules,
)
from models.meters import Meter
from models.register import Building, Residency, Unit

SLUG = "bogely"
FAMILY, YOUTH, SENIOR = Vacancy.FAMILY, Vacancy.YOUTH, Vacancy.SENIOR

ASSOCIATION = dict(
    name="Boligforeningen Bøgely",
    locale="da",
    currency="DKK",
    timezone="Europe/Copenhagen",
    theme_color="#a3282f",
    welcome_text=(
        "## Velkommen til Boligforeningen Bøgely\n\n"
        "Her ser du din bolig og dine opkrævninger, kan anmelde fejl og mangler og opdatere dine "
        "kontaktoplysninger.\n\n"
        "* Ledige boliger i alle fire afdelinger finder du på vores boligside.\n"
        "* Afdelingsmøderne holdes i september.\n"
    ),
    contact_text="**Udlejningen**  \nudlejning@bogely.example  \nTelefon 66 12 34 56 (hverdage 9–14)",
    on_call_text=(
        "**Døgnvagt: 70 20 30 40**\n\n"
        "Ring ved vandskade, stop i afløbet, ingen varme, strømsvigt i opgangen, eller hvis nogen sidder "
        "fast i elevatoren. Alt andet klarer vi på hverdage."
    ),
    gdpr_text=(
        "Jeg accepterer, at boligforeningen behandler mine personoplysninger (navn og kontaktoplysninger) "
        "efter databeskyttelsesforordningen (GDPR)."
    ),
    # As in every demo association (demo/two_factor.py): voting per rollam asks for a second factor.
    second_factor_permissions=perms.VOTES_CAST_PER_ROLLAM,
)

# (e-mail, built-in role, given name, surname); the administrator's account is the other demos' own.
ACCOUNTS = [
    ("board@bogely.example", "board", "Mette", "Kjær"),
    ("tenant@bogely.example", "tenant", "Søren", "Holm"),
    ("admin@porch.example", "administrator", "Erik", "Eriksson"),
]
BOARD_HOME, TENANT_HOME = (1, "17, 1. tv."), (0, "2, 1. tv.")  # (department, unit number)

CONTACT_EMAIL = "udlejning@bogely.example"
YOUTH_URL = "https://bogely.example/ungdomsboliger"
SENIORBO_PHONE = "+45 75 82 40 40"

# Where the board's photo upload keeps a vacancy's photos (below the association's upload folder).
PHOTO_KIND, PHOTO_FOLDER, PHOTO_BOX = "vacancy", "listings", (1600, 1200)
PHOTO_SIZE = (640, 427)


@dataclass(frozen=True)
class Department:
    """An afdeling: its building, the flats' layout, rent per m² a year, and how its façade looks."""

    building: dict
    entrances: tuple[str, ...]
    floors: int  # 0 is the ground floor (stuen)
    doors: tuple[str, ...]
    layout: dict[str, tuple[int, int]]  # door -> (rooms, m²)
    rent_per_m2: int  # DKK a year, as Danish rents are quoted
    wall: tuple[int, int, int]
    roof: tuple[int, int, int]


DEPARTMENTS = [
    Department(
        building=dict(
            name="Afdeling 1 Bøgeparken", street="Bøgeparken 2–6", postcode="5250",
            municipality="Odense", region="Region Syddanmark",
        ),
        entrances=("2", "4", "6"), floors=3, doors=("tv.", "th."),
        layout={"tv.": (3, 78), "th.": (4, 96)}, rent_per_m2=860,
        wall=(156, 64, 48), roof=(70, 70, 76),
    ),
    Department(
        building=dict(
            name="Afdeling 2 Skovbrynet", street="Skovbrynet 17–19", postcode="8240",
            municipality="Aarhus", region="Region Midtjylland",
        ),
        entrances=("17", "19"), floors=4, doors=("tv.", "th."),
        layout={"tv.": (3, 86), "th.": (4, 104)}, rent_per_m2=1040,
        wall=(214, 190, 140), roof=(60, 60, 60),
    ),
    Department(
        building=dict(
            name="Afdeling 3 Ungdomsboligerne", street="Rødegårdsvej 88", postcode="5230",
            municipality="Odense", region="Region Syddanmark",
        ),
        entrances=("88",), floors=4, doors=("1", "2", "3", "4"),
        layout={"1": (1, 26), "2": (1, 32), "3": (1, 38), "4": (1, 29)}, rent_per_m2=1180,
        wall=(170, 174, 178), roof=(40, 90, 110),
    ),
    Department(
        building=dict(
            name="Afdeling 4 Seniorbo", street="Vestergade 40–42", postcode="7100",
            municipality="Vejle", region="Region Syddanmark",
        ),
        entrances=("40", "42"), floors=3, doors=("tv.", "th."),
        layout={"tv.": (2, 64), "th.": (3, 74)}, rent_per_m2=980,
        wall=(236, 232, 220), roof=(120, 56, 44),
    ),
]  # fmt: skip


def accessibility(department: int, entrance: str, floor: int, door: str) -> str:
    """What is registered for a flat (Unit.ACCESSIBILITY). Bøgeparken got lifts in entrances 2 and 4 at
    its 2019 renovation; entrance 6 has none, but its doors were widened then."""
    ground = floor == 0
    if department == 0:
        if entrance == "6":
            return "step_free wide_doors" if ground else "wide_doors"
        if entrance == "2" and ground and door == "tv.":
            return "step_free lift wide_doors grab_rails"
        return "step_free lift" if ground else "lift"
    if department == 1:  # new build (2012): lifts and level access throughout
        return "step_free lift wheelchair wide_doors" if ground and door == "tv." else "step_free lift"
    if department == 2:
        return "step_free lift" if ground else "lift"
    return "step_free lift grab_rails wheelchair wide_doors" if door == "tv." else "step_free lift grab_rails"


@dataclass(frozen=True)
class Listing:
    """A vacancy to make: the unit, when, what else the board registered, photos and descriptions."""

    department: int
    number: str
    housing_type: str
    in_days: int  # move in on the 1st or 15th on or after today + in_days
    waiting_months: int
    pets: bool = False
    schemes: str = ""
    photos: int = 1  # 1: the façade; 2: the façade and a room
    listed_days: int | None = None  # the last day listed, counted from today; None: until the board ends it
    da: str = ""
    en: str = ""


LISTINGS = [
    Listing(0, "2, st. tv.", FAMILY, 10, 18, pets=True, schemes="families", photos=2,
            da="Lys 3-værelses stuelejlighed uden trin, med brede døre og greb på badeværelset. Egen have mod "
               "syd og elevator i opgangen. Tæt på skole og Odense Sygehus.",
            en="A bright three-room ground-floor flat without steps, with wide doors and grab rails in the "
               "bathroom. Its own garden facing south and a lift in the stairwell. Near a school and the "
               "hospital."),
    Listing(0, "4, 2. th.", FAMILY, 24, 30, schemes="local_workers", photos=1,
            da="Rummelig 4-værelses familiebolig på 2. sal med altan og udsigt over parken. Elevator i opgangen. "
               "Fleksibel udlejning: fortrinsret for ansatte i Odense Kommune."),
    Listing(0, "6, 1. th.", FAMILY, 40, 30, pets=True, photos=1,
            da="4-værelses lejlighed på 1. sal med nyt køkken. Husdyr tilladt efter husordenen."),
    Listing(1, "17, st. tv.", FAMILY, 14, 36, schemes="relocation local_workers", photos=2,
            da="Handicapvenlig 3-værelses bolig i stueplan: ingen trin, brede døre og badeværelse til "
               "kørestol. Elevator og cykelkælder. 10 minutter til Risskov Strand.",
            en="A three-room home on the ground floor for a wheelchair user: no steps, wide doors and a "
               "wheelchair-usable bathroom. Lift and bicycle cellar. Ten minutes from the beach."),
    Listing(1, "19, 3. th.", FAMILY, 30, 48, pets=True, photos=1,
            da="Stor 4-værelses lejlighed på øverste etage med to altaner og elevator. Husdyr tilladt."),
    Listing(1, "17, 2. th.", FAMILY, 7, 40, photos=1,
            da="4-værelses bolig med åben køkkenalrum og elevator. Nyistandset og klar til den nye lejer."),
    Listing(2, "88, st. 2", YOUTH, 7, 4, schemes="students", photos=1, listed_days=75,
            da="Ungdomsbolig på 32 m² med eget bad og tekøkken, i stueplan. Fortrinsret for studerende ved "
               "SDU. 5 minutter på cykel til campus.",
            en="A 32 m² youth home with its own bathroom and kitchenette, on the ground floor. Students at the "
               "university go first. Five minutes by bike to campus."),
    Listing(2, "88, 2. 3", YOUTH, 21, 3, schemes="students", photos=1,
            da="Ungdomsbolig på 38 m² med eget bad og køkken. Fælles vaskeri og cykelparkering."),
    Listing(2, "88, 3. 1", YOUTH, 35, 5, schemes="students", photos=1,
            da="Lille ungdomsbolig på 26 m² på 3. sal med elevator. Internet er inkluderet i huslejen."),
    Listing(3, "40, st. th.", SENIOR, 14, 12, pets=True, schemes="seniors", photos=2,
            da="Ældrebolig på 74 m² med 3 værelser, uden trin og med elevator. Lille terrasse og fælleshus "
               "med café. Mindre husdyr tilladt.",
            en="A 74 m² senior home with three rooms, without steps and with a lift. A small terrace and a "
               "common house with a café. Small pets allowed."),
    Listing(3, "42, 1. tv.", SENIOR, 28, 10, schemes="seniors", photos=1,
            da="2-værelses ældrebolig med bad egnet til kørestol, elevator og altan mod Vejle Fjord."),
    Listing(3, "42, 2. th.", SENIOR, 42, 14, pets=True, schemes="seniors", photos=1,
            da="3-værelses ældrebolig på 2. sal med elevator og greb på badeværelset. Tæt på bus og indkøb.",
            en="A three-room senior home on the second floor with a lift and grab rails in the bathroom. "
               "Close to buses and shops."),
]  # fmt: skip

# Let last month: the vacancy ended the day before the new tenant moved in (no longer listed).
LET_LISTING = Listing(0, "4, st. tv.", FAMILY, 0, 18, da="3-værelses stuelejlighed uden trin, tæt på parken.")

GIVEN = [
    "Anne",
    "Jens",
    "Mette",
    "Peter",
    "Hanne",
    "Lars",
    "Kirsten",
    "Michael",
    "Susanne",
    "Henrik",
    "Lene",
    "Thomas",
    "Camilla",
    "Rasmus",
    "Ida",
    "Mads",
    "Freja",
    "Jonas",
    "Emma",
    "Mikkel",
    "Inger",
    "Poul",
]
SURNAMES = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
            "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Møller"]  # fmt: skip

# Danish social housing reads its flats' water and heat cost allocators remotely, once a year.
METER_PLAN = dict(
    cadence="yearly",
    flat=[(Meter.COLD_WATER, True), (Meter.HOT_WATER, True), (Meter.HEAT_ALLOCATOR, True)],
    garage_use=0.5,
    serials={
        Meter.COLD_WATER: "{yy}{6}", Meter.HOT_WATER: "{yy}{6}", Meter.HEAT_ALLOCATOR: "8{7}", "main": "KV{yy}-{6}",
    },
    rooms=["Stue", "Køkken", "Soveværelse", "Værelse", "Værelse", "Badeværelse"],
)  # fmt: skip


def load_listings() -> Iterator[str]:
    """Bøgely once: its accounts, departments, tenants, vacancies with photos, the seeker's routes, meters."""
    if Association.select().where(Association.slug == SLUG).exists():
        yield f"{ASSOCIATION['name']} ({SLUG}) exists; left as it is."
        return
    with transaction():
        association = _create_association()
        units = _create_units(association)
        tenants = _create_tenants(association, units)
        vacancies = _create_vacancies(association, units)
        _create_routes(association)
        applicants = _create_waiting_list(association, vacancies)
        metered = MeterMaker(association, METER_PLAN, sorted(units.values(), key=lambda u: u.id)).make()
    photographed = sum(1 for v in vacancies if v.photos.count())
    yield f"Created {ASSOCIATION['name']} at /{SLUG}/ (Danish social housing)"
    yield (
        f"{ASSOCIATION['name']}: {len(units)} homes in {len(DEPARTMENTS)} departments, {tenants} tenants, "
        f"{len(LISTINGS)} vacant homes listed ({photographed} with photos), routes for seekers, "
        f"{applicants} applicants on the waiting list."
    )
    yield metered


# --- the association and its accounts --------------------------------------------------------------------


def _create_association() -> Association:
    association = Association.create(slug=SLUG, **ASSOCIATION)
    roles = Role.create_builtins(association)
    Folder.create_builtins(association)
    Category.create_builtins(association)
    password_hash = hash_password(PASSWORD)
    for email, role_key, given, surname in ACCOUNTS:
        user = User.get_or_none(User.email == email) or User.create(
            email=email, name=f"{given} {surname}", password_hash=password_hash, state=User.ACTIVE
        )
        person = Person.create(
            association=association, given_name=given, surname=surname, email=email, role=roles[role_key], user=user
        )
        Membership.create(user=user, association=association, role=roles[role_key], person=person)
    return association


# --- departments and homes -------------------------------------------------------------------------------

FLOOR_NAMES = {0: "st."}  # the ground floor is "stuen"; the others are "1.", "2." ...


def unit_number(entrance: str, floor: int, door: str) -> str:
    """A Danish flat's address part: "2, st. tv.", "17, 3. th.", "88, 1. 4"."""
    return f"{entrance}, {FLOOR_NAMES.get(floor, f'{floor}.')} {door}"


def _create_units(association: Association) -> dict[tuple[int, str], Unit]:
    """(department index, number) -> unit; shares (fordelingstal) by area, adding up to 1."""
    layout = []
    for index, department in enumerate(DEPARTMENTS):
        building = Building.create(association=association, **department.building)
        for entrance in department.entrances:
            for floor in range(department.floors):
                for door in department.doors:
                    rooms, area = department.layout[door]
                    layout.append((index, building, unit_number(entrance, floor, door), floor, rooms, area, entrance))
    denominator = sum(row[5] for row in layout)
    units = {}
    for index, building, number, floor, rooms, area, entrance in layout:
        door = number.rsplit(" ", 1)[1]
        units[(index, number)] = Unit.create(
            association=association,
            building=building,
            number=number,
            kind=Unit.FLAT,
            rooms=rooms,
            floor=floor,
            area=area,
            share_numerator=area,
            share_denominator=denominator,
            equipment="Køkken, bad" + (", altan" if floor > 0 else ", terrasse"),
            accessibility=accessibility(index, entrance, floor, door),
        )
    return units


def _create_tenants(association: Association, units: dict[tuple[int, str], Unit]) -> int:
    """A tenant in every home not listed as vacant: the demo accounts in theirs, made-up people elsewhere."""
    today = association.today()
    rng = random.Random("porch-demo-bogely-tenants")
    vacant = {(listing.department, listing.number) for listing in LISTINGS}
    accounts = {BOARD_HOME: "board@bogely.example", TENANT_HOME: "tenant@bogely.example"}
    tenant_role = association.role("tenant")
    count = 0
    for key, unit in units.items():
        if key in vacant:
            continue
        if key in accounts:
            person = Person.get((Person.association == association) & (Person.email == accounts[key]))
        else:
            person = _made_up_tenant(association, tenant_role, count)
        just_let = key == (LET_LISTING.department, LET_LISTING.number)
        start = let_on(today) if just_let else today - dt.timedelta(days=rng.randint(60, 8000))
        Residency.create(unit=unit, person=person, role=Residency.TENANT, start_date=start)
        if unit.rooms >= 3 and count % 3 == 0:
            partner = _made_up_tenant(association, tenant_role, count + 7, email=False)
            Residency.create(unit=unit, person=partner, role=Residency.HOUSEHOLD, start_date=start)
        count += 1
    return count


def _made_up_tenant(association: Association, role: Role, n: int, *, email: bool = True) -> Person:
    """Every combination of a given name and a surname in turn; every ninth tenant has no e-mail address."""
    given = GIVEN[n % len(GIVEN)]
    surname = SURNAMES[(n // len(GIVEN) + n) % len(SURNAMES)]
    address = f"{_ascii(given)}.{_ascii(surname)}.{n}@{SLUG}.example" if email and n % 9 != 8 else ""
    return Person.create(association=association, given_name=given, surname=surname, email=address, role=role)


def _ascii(name: str) -> str:
    """A name as an e-mail address's letters: "Sørensen" -> "sorensen", "Møller" -> "moller"."""
    name = name.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "Ae")
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


# --- vacancies -------------------------------------------------------------------------------------------------


def _move_in(today: dt.date, in_days: int) -> dt.date:
    """The 1st or the 15th on or after today + in_days: Danish lets start on one of them."""
    day = today + dt.timedelta(days=in_days)
    if day.day == 1 or day.day == 15:
        return day
    if day.day < 15:
        return day.replace(day=15)
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def let_on(today: dt.date) -> dt.date:
    """The day the last let home's tenant moved in: this month's 1st or 15th, whichever came last."""
    return today.replace(day=15 if today.day >= 15 else 1)


def monthly_rent(department: Department, area: int) -> int:
    """Rent a month in øre from the department's rent a m² a year, rounded to whole 25 kroner."""
    kroner = department.rent_per_m2 * area / 12
    return int(round(kroner / 25) * 25 * 100)


def _create_vacancies(association: Association, units: dict[tuple[int, str], Unit]) -> list[Vacancy]:
    today = association.today()
    board = User.get(User.email == "board@bogely.example")
    facades = {index: facade(index) for index in range(len(DEPARTMENTS))}
    made = []
    for n, listing in enumerate(LISTINGS):
        vacancy = _vacancy(association, units, listing, today, board)
        pictures = [facades[listing.department], room(n)][: listing.photos]
        for position, picture in enumerate(pictures):
            stored = images.store_image(
                io.BytesIO(picture), association, kind=PHOTO_KIND, max_size=PHOTO_BOX, folder=PHOTO_FOLDER
            )
            VacancyPhoto.create(
                vacancy=vacancy, stored_name=stored.name, width=stored.width, height=stored.height, position=position
            )
        made.append(vacancy)
    # The home let this month: it was listed until the day before its tenant moved in.
    moved_in = let_on(today)
    _vacancy(association, units, LET_LISTING, today, board, let=(moved_in, moved_in - dt.timedelta(days=1)))
    return made


def _vacancy(
    association: Association,
    units: dict[tuple[int, str], Unit],
    listing: Listing,
    today: dt.date,
    board: User,
    let: tuple[dt.date, dt.date] | None = None,
) -> Vacancy:
    """One vacancy with its texts; `let`: (move-in, last day listed) of a home let since."""
    unit = units[(listing.department, listing.number)]
    rent = monthly_rent(DEPARTMENTS[listing.department], int(unit.area))
    if let is not None:
        move_in, last_day = let
    else:
        move_in = _move_in(today, listing.in_days)
        last_day = today + dt.timedelta(days=listing.listed_days) if listing.listed_days else None
    vacancy = Vacancy.create(
        association=association,
        unit=unit,
        move_in=move_in,
        ends_on=last_day,
        rent=rent,
        deposit=3 * rent,
        housing_type=listing.housing_type,
        lift="lift" in unit.accessibility.split(),
        pets=listing.pets,
        schemes=listing.schemes,
        waiting_months=listing.waiting_months,
        created_by=board,
    )
    VacancyText.create(vacancy=vacancy, language="da", description=listing.da)
    if listing.en:
        VacancyText.create(vacancy=vacancy, language="en", description=listing.en)
    return vacancy


def _create_routes(association: Association) -> None:
    """The organisation's contact form; the youth homes' own website; Seniorbo's office by phone."""
    seniorbo = Building.get((Building.association == association) & (Building.name == "Afdeling 4 Seniorbo"))
    SeekerRoute.create(association=association, kind=SeekerRoute.FORM, email=CONTACT_EMAIL)
    SeekerRoute.create(association=association, housing_type=YOUTH, kind=SeekerRoute.WEBSITE, url=YOUTH_URL)
    SeekerRoute.create(association=association, building=seniorbo, kind=SeekerRoute.PHONE, phone=SENIORBO_PHONE)


# --- photos ------------------------------------------------------------------------------------------------------


def _jpeg(picture: Image.Image) -> bytes:
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=88)
    return output.getvalue()


def facade(index: int) -> bytes:
    """A department's façade as a JPEG: sky, lawn, the block in its colour, rows of windows, doors, trees."""
    department = DEPARTMENTS[index]
    rng = random.Random(f"porch-demo-bogely-facade-{index}")
    width, height = PHOTO_SIZE
    picture = Image.new("RGB", PHOTO_SIZE, (150, 196, 232))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, height - 70, width, height), fill=(96, 150, 72))
    floors, left, right = department.floors, 60, width - 60
    storey = min(70, (height - 150) // floors)
    top = height - 70 - floors * storey
    draw.rectangle((left, top, right, height - 70), fill=department.wall)
    draw.polygon(
        [(left - 12, top), (right + 12, top), (right - 30, top - 36), (left + 30, top - 36)], fill=department.roof
    )
    columns = 3 * len(department.entrances) * len(department.doors) // 2 + 2
    step = (right - left) / columns
    # One door per entrance, in a column of its own on the ground floor.
    doors = {int((n + 0.5) * columns / len(department.entrances)) for n in range(len(department.entrances))}
    for floor in range(floors):
        y = top + floor * storey + 14
        for column in range(columns):
            x = left + column * step + step * 0.22
            lit = rng.random() < 0.25
            if floor == floors - 1 and column in doors:
                draw.rectangle((x, height - 122, x + step * 0.56, height - 70), fill=(60, 44, 36))
                continue
            draw.rectangle((x, y, x + step * 0.56, y + storey * 0.55), fill=(250, 226, 150) if lit else (52, 72, 96))
            draw.line((x, y + storey * 0.55 + 2, x + step * 0.56, y + storey * 0.55 + 2), fill=(240, 240, 240), width=3)
    for x in (24, width - 24):
        draw.rectangle((x - 4, height - 110, x + 4, height - 70), fill=(92, 64, 40))
        draw.ellipse((x - 26, height - 168, x + 26, height - 100), fill=(52, 112, 56))
    return _jpeg(picture)


def room(n: int) -> bytes:
    """A room of a vacant home as a JPEG: a painted wall, a wooden floor, a window with sky, a radiator."""
    rng = random.Random(f"porch-demo-bogely-room-{n}")
    width, height = PHOTO_SIZE
    wall = rng.choice([(238, 234, 224), (226, 232, 236), (240, 228, 214)])
    picture = Image.new("RGB", PHOTO_SIZE, wall)
    draw = ImageDraw.Draw(picture)
    floor_top = int(height * 0.7)
    draw.rectangle((0, floor_top, width, height), fill=(186, 142, 96))
    for x in range(-200, width, 46):
        draw.line((x + 200, floor_top, x, height), fill=(160, 118, 78), width=2)
    window = (width // 2 - 110, 60, width // 2 + 110, floor_top - 70)
    draw.rectangle(window, fill=(255, 255, 255))
    draw.rectangle((window[0] + 10, window[1] + 10, window[2] - 10, window[3] - 10), fill=(160, 204, 236))
    draw.line((width // 2, window[1], width // 2, window[3]), fill=(255, 255, 255), width=8)
    draw.rectangle((window[0] + 10, floor_top - 56, window[2] - 10, floor_top - 20), fill=(246, 246, 246))
    return _jpeg(picture)


# --- the waiting list (L4) -------------------------------------------------------------------------------

# (name, years on the list, wishes, internal, status). Seniority counts from a fixed number of days back, so
# every run makes the same list; the first three wait for family homes and get the open offers.
APPLICANTS = (
    ("Kirsten Thomsen", 9.2, "family", False, Applicant.ACTIVE),
    ("Lars Rasmussen", 7.5, "family", True, Applicant.ACTIVE),
    ("Hanne Jørgensen", 6.1, "family senior", False, Applicant.ACTIVE),
    ("Jens Kristensen", 10.4, "family", False, Applicant.PASSIVE),
    ("Anne Sørensen", 5.3, "senior", False, Applicant.ACTIVE),
    ("Mads Pedersen", 4.8, "youth family", True, Applicant.ACTIVE),
    ("Ida Larsen", 3.9, "youth", False, Applicant.ACTIVE),
    ("Frederik Møller", 3.2, "family", False, Applicant.ACTIVE),
    ("Sofie Madsen", 2.7, "youth", False, Applicant.ACTIVE),
    ("Rasmus Johansen", 2.0, "family", True, Applicant.ACTIVE),
    ("Emma Christiansen", 1.6, "senior", False, Applicant.ACTIVE),
    ("Oliver Andersen", 1.1, "youth", False, Applicant.ACTIVE),
    ("Freja Nielsen", 0.6, "family youth", False, Applicant.ACTIVE),
    ("Noah Hansen", 0.3, "youth", False, Applicant.ACTIVE),
    ("Karen Poulsen", 0.1, "senior", False, Applicant.ACTIVE),
)
WAITING_FEE = 20_000  # 200 kr a year, in øre
RENEWAL_SOON = "Frederik Møller"  # his renewal is due in 12 days: the reminders have begun


def _create_waiting_list(association: Association, vacancies: list[Vacancy]) -> int:
    """Bøgely's waiting list: 15 applicants, 200 kr a year, half the homes to the internal list first, and a
    family home offered to the three first in line."""
    today = association.today()
    WaitingListRules.create(association=association, fee=WAITING_FEE, internal_share=50)
    made = []
    for n, (name, years, types, internal, status) in enumerate(APPLICANTS, start=1):
        seniority = today - dt.timedelta(days=round(years * 365))
        # The renewal falls on the anniversary of the sign-up: the next one still to come.
        due = seniority.replace(year=today.year) if (seniority.month, seniority.day) != (2, 29) else today
        due = due if due > today else due.replace(year=today.year + 1)
        if name == RENEWAL_SOON:
            due = today + dt.timedelta(days=12)
        applicant = Applicant.create(
            association=association, name=name, email=f"{_ascii(name).lower().replace(' ', '.')}@applicant.example",
            birth_date=dt.date(1960 + (n * 7) % 45, 1 + n % 12, 1 + (n * 3) % 28), language="da", housing_types=types,
            internal=internal, status=status, pseudonym=f"A-{n:06d}", seniority_on=seniority, paid_until=due,
            unanswered=Applicant.PASSIVE_AFTER if status == Applicant.PASSIVE else 0,
            signed_up_at=dt.datetime.combine(seniority, dt.time(10)),
        )  # fmt: skip
        _demo_event(applicant, "signed_up", seniority)
        if internal:
            _demo_event(applicant, "internal_on", seniority)
        if status == Applicant.PASSIVE:
            _demo_event(applicant, "passive", today - dt.timedelta(days=40))
        made.append(applicant)
    family = next(v for v in vacancies if v.housing_type == Vacancy.FAMILY)
    deadline = waiting_service.end_of_day(association, today + dt.timedelta(days=3))
    for applicant in made[:3]:
        Offer.create(association=association, vacancy=family, applicant=applicant, deadline=deadline,
                     internal_turn=True, sent_at=dt.datetime.combine(today, dt.time(8)))  # fmt: skip
        _demo_event(applicant, "offered", today, vacancy=family)
    return len(made)


def _demo_event(applicant: Applicant, kind: str, day: dt.date, vacancy: Vacancy | None = None) -> None:
    ApplicantEvent.create(
        association=applicant.association_id, applicant=applicant, applicant_number=applicant.id,
        pseudonym=applicant.pseudonym, seniority_on=applicant.seniority_on, housing_types=applicant.housing_types,
        vacancy=vacancy, kind=kind, created_at=dt.datetime.combine(day, dt.time(10)),
    )  # fmt: skip
