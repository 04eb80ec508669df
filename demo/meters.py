"""Demo meters and readings (issue 14 item 6): meters in every unit, windows and two years of readings.

Kase 5 reads its water monthly, as Estonian associations do: a window per month, open from the 25th to
the 3rd of the next month, every one locked but the month's open today, so a resident can hand in. Its
history holds what the board meets: the demo owner's flat has not handed in yet (the late unit; they
asked for a reminder 3 days before the window closes), one month a flat's readings are estimates the
board accepted, one reading far above the usual use that its resident confirmed (a running cistern),
and a hot water meter replaced when it leaked (the old one keeps its readings, the new one starts from
its own). Na Kopci reads water yearly and gets its heat cost allocators' figures from the reading
company; Solrosen's flats have their own electricity meters (IMD), read remotely, yearly. Every building
has a main cold water meter the board reads. Garages and parking spaces have an electricity meter.

Values come from a seeded generator: the same demo every time, with more hot water in winter.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from core import clock
from models import Association, Person, User
from models.db import transaction
from models.meters import Meter, Reading, ReadingWindow
from models.notifications import NotificationChoice
from models.register import Ownership, Residency, Unit

M = Meter
THREE_PLACES = Decimal("0.001")
MONTHS = 24  # Kase 5's monthly windows, the open one included
YEARS = 2  # Na Kopci's and Solrosen's yearly windows
OPENS_DAY, CLOSES_DAY = 25, 3  # a monthly window opens on the 25th and closes on the 3rd of the next month
REMINDER = ("meters.reminder", "3")  # the demo owner's reminder: 3 days before the window closes
LOSSES = 1.03  # a main meter reads 3 % more than the flats' meters (common taps, leaks, rounding)

# Per association: how often readings are collected, the flats' meters, and the serial numbers' look.
PLANS = {
    "kase5": dict(
        cadence="monthly",
        flat=[(M.COLD_WATER, False), (M.HOT_WATER, False)],
        garage_use=1.1,  # kWh a day: the parking space's socket for a car's block heater, mostly in winter
        serials={M.COLD_WATER: "ZR{yy}-{6}", M.HOT_WATER: "ZR{yy}-{6}", M.ELECTRICITY: "ES{9}", "main": "WP{yy} {6}"},
        replaced_note="Vana arvesti lekkis; vahetatud uue vastu.",
    ),
    "nakopci": dict(
        cadence="yearly",
        flat=[(M.COLD_WATER, False), (M.HOT_WATER, False), (M.HEAT_ALLOCATOR, True)],
        garage_use=0.35,
        serials={
            M.COLD_WATER: "{yy}{6}", M.HOT_WATER: "{yy}{6}", M.HEAT_ALLOCATOR: "6{7}", M.ELECTRICITY: "{8}",
            "main": "PVK {yy}{6}",
        },
        rooms=["Obývací pokoj", "Kuchyň", "Ložnice", "Pokoj", "Pokoj", "Koupelna"],
    ),
    "solrosen": dict(
        cadence="yearly",
        flat=[(M.ELECTRICITY, True)],
        garage_use=6.0,  # kWh a day: the garage's charging point for electric cars
        serials={M.ELECTRICITY: "7{7}", "main": "SVW {yy}-{6}"},
    ),
}  # fmt: skip

# Average use a day per resident (m³ of water) or per flat (kWh): the generator's centre.
COLD_PER_PERSON, HOT_PER_PERSON = 0.052, 0.033
FLAT_KWH, KWH_PER_PERSON = 3.0, 2.2


def load_meters() -> Iterator[str]:
    """Meters and readings for each demo association once; one that has meters is left alone."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if Meter.of(association).exists():
            yield f"{association.name}: meters exist; left as they are."
            continue
        units = list(Unit.active(association).order_by(Unit.id))
        if not units:
            yield f"{association.name}: no register; no meters."
            continue
        with transaction():
            made = _Maker(association, plan, units).make()
        yield made


# --- periods --------------------------------------------------------------------------------------------


@dataclass
class Period:
    """A reading window to be: what it covers, when residents hand in, and whether it is open today."""

    start: dt.date
    end: dt.date
    opens_on: dt.date
    closes_on: dt.date
    open_today: bool = False
    window: ReadingWindow | None = None


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, 1)


def monthly_periods(today: dt.date, count: int = MONTHS) -> list[Period]:
    """`count` monthly windows ending with the one open today: this month's from the 25th, else last
    month's until the 3rd; between the 4th and the 24th the board has kept last month's open three more
    days for latecomers (so the demo always has an open window)."""
    open_month = today.replace(day=1) if today.day >= OPENS_DAY else _add_months(today.replace(day=1), -1)
    periods = []
    for back in range(count - 1, -1, -1):
        start = _add_months(open_month, -back)
        end = _add_months(start, 1) - dt.timedelta(days=1)
        closes = _add_months(start, 1).replace(day=CLOSES_DAY)
        if back == 0 and closes < today:
            closes = today + dt.timedelta(days=3)
        periods.append(Period(start, end, end.replace(day=OPENS_DAY), closes, open_today=back == 0))
    return periods


def yearly_periods(today: dt.date, count: int = YEARS) -> list[Period]:
    """The last `count` calendar years, read at the year's end: open from 27 December to 10 January."""
    return [
        Period(dt.date(year, 1, 1), dt.date(year, 12, 31), dt.date(year, 12, 27), dt.date(year + 1, 1, 10))
        for year in range(today.year - count, today.year)
    ]


# --- what each meter reads ---------------------------------------------------------------------------------


@dataclass
class Plan:
    """A meter to create, how much it uses, and its readings as they happened (true values, stored or not)."""

    unit: Unit | None
    building_id: int
    kind: str
    serial: str
    installed_on: dt.date
    per_day: float
    remote: bool = False
    removed_on: dt.date | None = None
    note: str = ""
    replaces: Plan | None = None
    start: Decimal = Decimal(0)
    values: dict[dt.date, Decimal] = field(default_factory=dict)  # reading day -> value
    meter: Meter | None = None


def _season(kind: str, month: int) -> float:
    """How much of the year's average a month uses: hot water and heat peak in January."""
    winter = math.cos(2 * math.pi * (month - 1) / 12)
    if kind == M.HOT_WATER:
        return 1 + 0.22 * winter
    if kind == M.COLD_WATER:
        return (1 - 0.05 * winter) * (0.8 if month == 7 else 1)  # July: many are away
    if kind == M.ELECTRICITY:
        return 1 + 0.25 * winter
    return max(0.05, 1 + 1.1 * winter)  # heat: hardly any in summer


class _Maker:
    """One association's meters, windows and readings."""

    def __init__(self, association: Association, plan: dict, units: list[Unit]):
        self.association, self.plan, self.units = association, plan, units
        self.today = association.today()
        self.rng = random.Random(f"porch-demo-meters-{association.slug}")
        self.board = _user(association, "board@")
        self.periods = (monthly_periods if plan["cadence"] == "monthly" else yearly_periods)(self.today)
        first = self.periods[0].start
        # Meters went in shortly before the first window: the month before, or mid-December of the year before.
        self.installed_on = (
            _add_months(first, -1).replace(day=10) if plan["cadence"] == "monthly" else dt.date(first.year - 1, 12, 15)
        )
        self.households = _households(association, units)
        self.handers = _who_hands_in(association)
        self.flats = [u for u in units if u.kind == Unit.FLAT]
        self.home = _demo_home(association)
        self.serials: set[str] = set()

    # The cases the board meets (Kase 5 only: the monthly association).
    def special(self) -> dict:
        if self.plan["cadence"] != "monthly" or len(self.flats) < 10:
            return {}
        return dict(
            late=self.home.id if self.home else self.flats[0].id,
            estimate=(self.flats[7].id, len(self.periods) - 6),
            high=(self.flats[8].id, len(self.periods) - 10),
            replaced=(self.flats[9].id, len(self.periods) - 8),
        )

    def make(self) -> str:
        special = self.special()
        plans = self._plans(special)
        self._generate(plans, special)
        self._windows()
        self._create_meters(plans)
        stored = self._store(plans, special)
        if self.home is not None and self.plan["cadence"] == "monthly":
            _switch_on_reminder(self.association)
        return (
            f"{self.association.name}: {len(plans)} meters in {len(self.units)} units and the main meters, "
            f"{len(self.periods)} reading windows, {stored} readings."
        )

    # --- planning -----------------------------------------------------------------------------------

    def _serial(self, kind: str) -> str:
        """A serial number in the style of the association's meter makers, unique in the association."""
        pattern = self.plan["serials"][kind]
        while True:
            text = pattern.replace("{yy}", f"{self.installed_on.year % 100:02d}")
            for digits in (9, 8, 7, 6):
                text = text.replace(f"{{{digits}}}", "".join(str(self.rng.randint(0, 9)) for _ in range(digits)))
            if text not in self.serials:
                self.serials.add(text)
                return text

    def _plans(self, special: dict) -> list[Plan]:
        plans = []
        for unit in self.units:
            if unit.kind != Unit.FLAT:
                per_day = self.plan["garage_use"] * self.rng.uniform(0.6, 1.4)
                remote = self.plan["cadence"] == "monthly" or self.association.slug == "solrosen"
                plans.append(self._plan(unit, M.ELECTRICITY, per_day, remote=remote))
                continue
            persons = self.households[unit.id]
            for kind, remote in self.plan["flat"]:
                if kind == M.HEAT_ALLOCATOR:
                    plans.extend(self._allocators(unit))
                    continue
                per_day = {
                    M.COLD_WATER: COLD_PER_PERSON * persons,
                    M.HOT_WATER: HOT_PER_PERSON * persons,
                    M.ELECTRICITY: FLAT_KWH + KWH_PER_PERSON * persons,
                }[kind] * self.rng.uniform(0.8, 1.2)
                plans.append(self._plan(unit, kind, per_day, remote=remote))
        if special:
            plans.append(self._replacement(plans, *special["replaced"]))
        for building_id in sorted({u.building_id for u in self.units}):
            main = Plan(None, building_id, M.COLD_WATER, self._serial("main"), self.installed_on, 0.0)
            main.start = Decimal(self.rng.randint(1200, 9800))
            plans.append(main)
        return plans

    def _plan(self, unit: Unit, kind: str, per_day: float, *, remote: bool = False, note: str = "") -> Plan:
        plan = Plan(unit, unit.building_id, kind, self._serial(kind), self.installed_on, per_day, remote, note=note)
        # New water and electricity meters start near nothing; an allocator counts from zero.
        plan.start = Decimal(self.rng.randint(0, 40)) / 1000 if kind in (M.COLD_WATER, M.HOT_WATER) else Decimal(0)
        if kind == M.ELECTRICITY:
            plan.start = Decimal(self.rng.randint(0, 30))
        return plan

    def _allocators(self, unit: Unit) -> list[Plan]:
        """One heat cost allocator per radiator: a room each, the kitchen and the bathroom."""
        rooms = self.plan["rooms"]
        names = rooms[: min(len(rooms) - 1, (unit.rooms or 1) + 1)] + [rooms[-1]]
        return [
            self._plan(unit, M.HEAT_ALLOCATOR, self.rng.uniform(1.2, 4.2), remote=True, note=name) for name in names
        ]

    def _replacement(self, plans: list[Plan], unit_id: int, at: int) -> Plan:
        """The replaced unit's hot water meter leaked mid-month; a new one took over from its own reading."""
        old = next(p for p in plans if p.unit is not None and p.unit.id == unit_id and p.kind == M.HOT_WATER)
        day = self.periods[at].start + dt.timedelta(days=14)
        old.removed_on = day
        new = self._plan(old.unit, M.HOT_WATER, old.per_day, note=self.plan["replaced_note"])
        new.installed_on, new.replaces, new.start = day, old, Decimal("0.004")
        return new

    # --- the values, as they happened -----------------------------------------------------------------

    def _days(self, plan: Plan) -> list[dt.date]:
        """The days a meter's state is known: installed, each window's last day while in use, removed."""
        days = [plan.installed_on]
        days += [p.end for p in self.periods if plan.installed_on < p.end and (plan.removed_on or p.end) >= p.end]
        if plan.removed_on is not None:
            days.append(plan.removed_on)
        return days

    def _generate(self, plans: list[Plan], special: dict) -> None:
        high_unit, high_at = special.get("high", (None, None))
        high_day = self.periods[high_at].end if high_at is not None else None
        for plan in plans:
            if plan.unit is None:
                continue
            days = self._days(plan)
            value = plan.start
            plan.values[days[0]] = value
            for before, day in zip(days, days[1:], strict=False):
                span = (day - before).days
                season = _season(plan.kind, day.month) if span <= 62 else 1.0
                use = plan.per_day * span * season * self.rng.uniform(0.9, 1.1)
                if plan.unit.id == high_unit and plan.kind == M.COLD_WATER and day == high_day:
                    use *= 4.5  # the cistern that ran for weeks: the resident confirmed the reading
                value += Decimal(str(use)).quantize(THREE_PLACES)
                plan.values[day] = value
        self._mains(plans)

    def _mains(self, plans: list[Plan]) -> None:
        """A main meter reads the building's flats' water (replaced meters included) plus a little more."""
        water = defaultdict(list)
        for plan in plans:
            if plan.unit is not None and plan.kind in (M.COLD_WATER, M.HOT_WATER):
                water[plan.building_id].append(plan)
        for main in (p for p in plans if p.unit is None):
            main.values[main.installed_on] = main.start
            for period in self.periods:
                used = sum((_used_by(p, period.end) for p in water[main.building_id]), Decimal(0))
                if not water[main.building_id]:  # no flat meters (Solrosen): the building's own use
                    used = Decimal(str(0.09 * 2.1 * 20 * (period.end - main.installed_on).days))
                main.values[period.end] = main.start + (used * Decimal(str(LOSSES))).quantize(THREE_PLACES)

    # --- writing -----------------------------------------------------------------------------------------

    def _windows(self) -> None:
        now = clock.utcnow_naive()
        for period in self.periods:
            locked = not period.open_today and period.closes_on < self.today
            period.window = ReadingWindow.create(
                association=self.association,
                period_start=period.start,
                period_end=period.end,
                opens_on=period.opens_on,
                closes_on=period.closes_on,
                locked_at=_at(period.closes_on + dt.timedelta(days=2), 9) if locked else None,
                locked_by=self.board if locked else None,
                created_by=self.board,
                created_at=min(_at(period.opens_on - dt.timedelta(days=5), 8), now),
            )

    def _create_meters(self, plans: list[Plan]) -> None:
        for plan in plans:  # a replacement comes after the meter it replaces
            plan.meter = Meter.create(
                association=self.association,
                building=plan.building_id,
                unit=plan.unit.id if plan.unit is not None else None,
                kind=plan.kind,
                serial=plan.serial,
                measure=Meter.MEASURES[plan.kind],
                installed_on=plan.installed_on,
                removed_on=plan.removed_on,
                replaces=plan.replaces.meter if plan.replaces is not None else None,
                remote_read=plan.remote,
                note=plan.note,
            )

    def _store(self, plans: list[Plan], special: dict) -> int:
        windows = {p.end: p for p in self.periods}
        estimate_unit, estimate_at = special.get("estimate", (None, None))
        estimate_day = self.periods[estimate_at].end if estimate_at is not None else None
        high_unit, high_at = special.get("high", (None, None))
        high_day = self.periods[high_at].end if high_at is not None else None
        now = clock.utcnow_naive()
        rows = []
        for plan in plans:
            unit_id = plan.unit.id if plan.unit is not None else None
            for day, value in plan.values.items():
                period = windows.get(day) if day != plan.installed_on and day != plan.removed_on else None
                row = dict(meter=plan.meter.id, read_on=day, value=value, flag="", entered_by=self.board_id)
                if period is None:  # the first reading of a new meter, or the last of a removed one
                    row.update(window=None, source=Reading.INSTALLED if day == plan.installed_on else Reading.BOARD)
                    row["created_at"] = _at(day, 11)
                elif period.open_today and (plan.unit is None or plan.remote or unit_id == special.get("late")):
                    continue  # not read yet: the board reads mains and imports after the close; one flat is late
                else:
                    row.update(window=period.window.id, **self._handed_in(plan, period))
                    if unit_id == estimate_unit and day == estimate_day:
                        row.update(source=Reading.ESTIMATE, entered_by=self.board_id)
                        row["created_at"] = _at(period.closes_on + dt.timedelta(days=1), 10)
                    if unit_id == high_unit and day == high_day and plan.kind == M.COLD_WATER:
                        row["flag"] = Reading.HIGH
                row["created_at"] = min(row["created_at"], now - dt.timedelta(hours=1))
                row["updated_at"] = row["created_at"]
                rows.append(row)
        for start in range(0, len(rows), 400):
            Reading.insert_many(rows[start : start + 400]).execute()
        return len(rows)

    @property
    def board_id(self) -> int | None:
        return self.board.id if self.board is not None else None

    def _handed_in(self, plan: Plan, period: Period) -> dict:
        """Who gave a window's reading and when: the unit's resident, or the board for mains and imports."""
        if plan.unit is None:
            return dict(source=Reading.BOARD, entered_by=self.board_id, created_at=_at(period.closes_on, 15))
        if plan.remote:
            return dict(
                source=Reading.IMPORTED,
                entered_by=self.board_id,
                created_at=_at(period.closes_on + dt.timedelta(days=1), 10),
            )
        span = max(0, (period.closes_on - period.opens_on).days)
        day = period.opens_on + dt.timedelta(days=plan.unit.id % (span + 1))
        return dict(source=Reading.RESIDENT, entered_by=self.handers.get(plan.unit.id), created_at=_at(day, 19))


def _used_by(plan: Plan, day: dt.date) -> Decimal:
    """What a meter used from its installation to `day` (its last known value on or before it)."""
    known = [value for when, value in plan.values.items() if when <= day]
    return known[-1] - plan.start if known else Decimal(0)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


# --- who ---------------------------------------------------------------------------------------------------


def household_size(unit: Unit, index: int, listed: int = 0) -> int:
    """How many live in a flat: the number the board set, else those listed, else one a room, a few
    flats a person fewer (the demo's water use and Na Kopci's cleaning key both follow it)."""
    if unit.resident_count is not None:
        return unit.resident_count
    if listed:
        return listed
    return max(1, min(4, unit.rooms or 1) - (index % 3 == 0))


def _households(association: Association, units: list[Unit]) -> dict[int, int]:
    today = association.today()
    listed: dict[int, int] = defaultdict(int)
    for residency in (
        Residency.select(Residency.unit).join(Unit).where((Unit.association == association) & Residency.current(today))
    ):
        listed[residency.unit_id] += 1
    return {unit.id: household_size(unit, index, listed[unit.id]) for index, unit in enumerate(units)}


def _who_hands_in(association: Association) -> dict[int, int]:
    """Unit id -> the account that hands its readings in: a tenant living there, else its main owner."""
    today = association.today()
    found = {}
    owners = (
        Ownership.select(Ownership.unit, Person.user)
        .join(Person)
        .switch(Ownership)
        .join(Unit)
        .where((Unit.association == association) & Person.user.is_null(False) & Ownership.ended_on.is_null())
        .order_by(Ownership.is_main.desc(), Ownership.id.desc())
        .tuples()
    )
    for unit_id, user_id in owners:
        found.setdefault(unit_id, user_id)
    tenants = (
        Residency.select(Residency.unit, Person.user)
        .join(Person)
        .switch(Residency)
        .join(Unit)
        .where(
            (Unit.association == association)
            & Person.user.is_null(False)
            & (Residency.role == Residency.TENANT)
            & Residency.current(today)
        )
        .tuples()
    )
    found.update(dict(tenants))
    return found


def _user(association: Association, prefix: str) -> User | None:
    person = Person.of(association).where(Person.email.startswith(prefix) & Person.user.is_null(False)).first()
    return person.user if person is not None else None


def _demo_home(association: Association) -> Unit | None:
    """The flat the demo owner lives in (the resident account that hands in readings in the demo)."""
    owner = Person.of(association).where(Person.email.startswith("owner@")).first()
    if owner is None:
        return None
    return (
        Unit.select()
        .join(Residency)
        .where((Residency.person == owner) & (Unit.kind == Unit.FLAT))
        .order_by(Unit.id)
        .first()
    )


def _switch_on_reminder(association: Association) -> None:
    """The demo owner asked for a mail 3 days before a window closes if their flat has not handed in."""
    owner = _user(association, "owner@")
    if owner is None:
        return
    kind, options = REMINDER
    NotificationChoice.insert(
        association=association, user=owner, kind=kind, enabled=True, options=options
    ).on_conflict_ignore().execute()
