"""The yearly settlement of advance payments for services (SPEC B9): sharing the costs out and the preview.

The sharing rule, as the page and the statements state it: a unit's exact share of a cost is the sum over
the cost's key parts of (percent ÷ 100 × cost × the unit's key figure ÷ all units' key figures), kept as an
exact fraction. Each share is rounded down to the minor unit; the minor units left over go one each to the
units with the largest remainders, ties to the unit first in the usual order (building, then number).
So the shares always add up to the cost exactly, and a unit whose key figure is zero in every part pays
nothing (its exact share is zero, so it has no remainder to round up).

Key figures, per unit and year: AREA the floor area in m²; SHARE the ownership share; RESIDENTS the days
lived in the year, summed over the unit's residents (Residency start and end dates), or the unit's fixed
resident count × the days of the year when the board set one; CONSUMPTION the use of a meter kind over the
year (replaced meters included); EQUAL one each. Archived units are in no key.

Advances: per unit and service, what the unit's invoices for periods starting in the year charged on lines
from a charge naming that service (amount + VAT), less what credit notes of them took back. Invoices on a
contract are the tenant's and are not settled here.

Everything is read in a fixed number of queries whatever the number of units (the preview of 2,000 units
takes well under two seconds).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import peewee as pw

from blueprints.meters.readings import unit_consumption
from core.text import lazy_gettext as _l
from models.billing import (
    Charge,
    Invoice,
    InvoiceLine,
    Service,
    Settlement,
    SettlementCost,
    SettlementKey,
)
from models.meters import Meter
from models.register import Building, Ownership, Residency, Unit

K = SettlementKey

# The rule as the settlement page and every statement state it.
SHARING_RULE = _l(
    "Each unit's share of a cost is worked out exactly: for each part of the cost's key, the part's per cent "
    "of the cost × the unit's key figure ÷ all units' key figures. Each share is rounded down to the cent; "
    "the cents left over go one each to the units with the largest remainders (ties: the unit first in "
    "building and number order). The shares add up to the cost exactly, and a unit with no key figure pays "
    "nothing."
)


# --- the pure sharing rule -----------------------------------------------------------------------


def share_out(cost: int, parts: list[tuple[int, dict[int, Fraction]]], order: list[int]) -> dict[int, int]:
    """Share `cost` (minor units, ≥ 0) among the units in `order` by key parts (percent, {unit: figure}).

    Every part's figures must add up to more than zero and the percents to 100: then the result adds up to
    `cost` exactly (see the module's rule). Units missing from a part's figures have zero in it."""
    exact: dict[int, Fraction] = dict.fromkeys(order, Fraction(0))
    for percent, figures in parts:
        total = sum(figures.values(), Fraction(0))
        if total <= 0:
            raise ValueError("a key part nobody has a share of")
        part = Fraction(percent, 100) * cost
        for unit_id, figure in figures.items():
            if figure and unit_id in exact:
                exact[unit_id] += part * figure / total
    shares = {unit_id: value.numerator // value.denominator for unit_id, value in exact.items()}
    left = cost - sum(shares.values())
    place = {unit_id: index for index, unit_id in enumerate(order)}
    by_remainder = sorted(order, key=lambda unit_id: (-(exact[unit_id] - shares[unit_id]), place[unit_id]))
    for unit_id in by_remainder[:left]:
        shares[unit_id] += 1
    return shares


def days_lived(stays: list[tuple[dt.date | None, dt.date | None]], first: dt.date, last: dt.date) -> int:
    """The days of first..last covered by the stays (start, last day; None: open), each stay counted."""
    days = 0
    for start, end in stays:
        begin, finish = max(start or first, first), min(end or last, last)
        if finish >= begin:
            days += (finish - begin).days + 1
    return days


# --- reading the year ------------------------------------------------------------------------------


@dataclass
class KeyPart:
    kind: str
    percent: int
    meter_kind: str = ""

    @property
    def label(self) -> str:
        if self.kind == K.CONSUMPTION:
            return str(_l("%(percent)s %% by %(meter)s", percent=self.percent, meter=meter_label(self.meter_kind)))
        return str(_l("%(percent)s %% %(key)s", percent=self.percent, key=KEY_WORDS[self.kind]))

    @property
    def figure_key(self) -> str:
        """Which key figure the part uses: "area", "consumption:heat", ..."""
        return f"{self.kind}:{self.meter_kind}" if self.kind == K.CONSUMPTION else self.kind


KEY_WORDS = {
    K.AREA: _l("by floor area"),
    K.SHARE: _l("by ownership share"),
    K.RESIDENTS: _l("by days lived"),
    K.CONSUMPTION: _l("by consumption"),
    K.EQUAL: _l("equally per unit"),
}


def meter_label(kind: str) -> str:
    return str(Meter.KINDS.get(kind, kind))


@dataclass
class CostLine:
    """One cost of the settlement with its key, and its problem if it cannot be shared."""

    cost: SettlementCost
    service_id: int
    name: str
    amount: int
    parts: list[KeyPart]
    problems: list[str] = field(default_factory=list)
    shared: int = 0  # the sum of the units' shares (equal to amount when shared)
    advances: int = 0  # all units' advances for the service

    @property
    def key_text(self) -> str:
        return ", ".join(part.label for part in self.parts) or str(_l("No key yet"))


@dataclass
class UnitLine:
    """One unit's figures, shares of each cost and advances per service."""

    unit: Unit
    figures: dict[str, Fraction] = field(default_factory=dict)  # figure_key -> the unit's key figure
    shares: dict[int, int] = field(default_factory=dict)  # service id -> share of its cost
    advances: dict[int, int] = field(default_factory=dict)  # service id -> advances invoiced

    @property
    def costs(self) -> int:
        return sum(self.shares.values())

    @property
    def advance_total(self) -> int:
        return sum(self.advances.values())

    @property
    def difference(self) -> int:
        """Advances − costs: above zero the unit gets money back, below it pays the rest."""
        return self.advance_total - self.costs

    def difference_of(self, service_id: int) -> int:
        return self.advances.get(service_id, 0) - self.shares.get(service_id, 0)


@dataclass
class Preview:
    settlement: Settlement
    costs: list[CostLine]
    units: list[UnitLine]
    totals: dict[str, Fraction]  # figure_key -> all units' total

    @property
    def problems(self) -> list[str]:
        return [problem for cost in self.costs for problem in cost.problems]

    @property
    def ready(self) -> bool:
        return bool(self.costs) and bool(self.units) and not self.problems

    @property
    def cost_total(self) -> int:
        return sum(cost.amount for cost in self.costs)

    @property
    def shared_total(self) -> int:
        return sum(unit.costs for unit in self.units)

    @property
    def advance_total(self) -> int:
        return sum(unit.advance_total for unit in self.units)

    @property
    def to_invoice(self) -> int:
        return sum(-unit.difference for unit in self.units if unit.difference < 0)

    @property
    def to_credit(self) -> int:
        return sum(unit.difference for unit in self.units if unit.difference > 0)

    def figure_keys(self) -> list[str]:
        """The key figures the costs use, in a stable order, for the preview's columns."""
        seen: list[str] = []
        for cost in self.costs:
            for part in cost.parts:
                if part.figure_key not in seen and part.kind != K.EQUAL:
                    seen.append(part.figure_key)
        return seen


def cost_lines(settlement: Settlement) -> list[CostLine]:
    """The settlement's costs with their service and key parts (two queries)."""
    costs = list(
        SettlementCost.select(SettlementCost, Service)
        .join(Service)
        .where(SettlementCost.settlement == settlement)
        .order_by(SettlementCost.position, Service.position, SettlementCost.id)
    )
    parts: dict[int, list[KeyPart]] = defaultdict(list)
    if costs:
        for key in (
            SettlementKey.select().where(SettlementKey.cost.in_([cost.id for cost in costs])).order_by(SettlementKey.id)
        ):
            parts[key.cost_id].append(KeyPart(key.kind, key.percent, key.meter_kind))
    return [CostLine(cost, cost.service_id, cost.service.name, cost.amount, parts[cost.id]) for cost in costs]


def units_of(association_id: int) -> list[Unit]:
    """The association's units in the usual order, archived ones left out."""
    return list(
        Unit.select(
            Unit.id,
            Unit.association,
            Unit.building,
            Unit.number,
            Unit.kind,
            Unit.area,
            Unit.share_numerator,
            Unit.share_denominator,
            Unit.resident_count,
            Building.id,
            Building.name,
        )
        .join(Building)
        .where((Unit.association == association_id) & Unit.archived_at.is_null())
        .order_by(*Unit.natural_order(), Unit.id)
    )


def key_figures(settlement: Settlement, units: list[Unit], keys: set[str]) -> dict[str, dict[int, Fraction]]:
    """figure_key -> {unit id: the unit's key figure for the year}, for the keys asked for."""
    first, last = settlement.period_start, settlement.period_end
    figures: dict[str, dict[int, Fraction]] = {}
    for key in keys:
        kind, _, meter_kind = key.partition(":")
        if kind == K.AREA:
            figures[key] = {u.id: Fraction(str(u.area)) if u.area else Fraction(0) for u in units}
        elif kind == K.SHARE:
            figures[key] = {u.id: u.share for u in units}
        elif kind == K.EQUAL:
            figures[key] = {u.id: Fraction(1) for u in units}
        elif kind == K.RESIDENTS:
            figures[key] = _resident_days(units, first, last)
        elif kind == K.CONSUMPTION:
            used = unit_consumption(settlement.association_id, meter_kind, first, last)
            figures[key] = {u.id: max(Fraction(str(used.get(u.id, 0))), Fraction(0)) for u in units}
    return figures


def _resident_days(units: list[Unit], first: dt.date, last: dt.date) -> dict[int, Fraction]:
    """Days lived in the year per unit: the fixed resident count × the year's days where the board set one
    (Unit.resident_count: "None: as many as the residents listed"), else the residents' own dates."""
    stays: dict[int, list] = defaultdict(list)
    ids = [unit.id for unit in units if unit.resident_count is None]
    for start in range(0, len(ids), 5000):
        rows = (
            Residency.select(Residency.unit, Residency.start_date, Residency.end_date)
            .where(
                Residency.unit.in_(ids[start : start + 5000])
                & (Residency.start_date.is_null() | (Residency.start_date <= last))
                & (Residency.end_date.is_null() | (Residency.end_date >= first))
            )
            .tuples()
        )
        for unit_id, begin, end in rows:
            stays[unit_id].append((begin, end))
    year_days = (last - first).days + 1
    return {
        unit.id: Fraction(
            unit.resident_count * year_days
            if unit.resident_count is not None
            else days_lived(stays[unit.id], first, last)
        )
        for unit in units
    }


def advances_of(settlement: Settlement, service_ids: list[int]) -> dict[int, dict[int, int]]:
    """{unit id: {service id: advances invoiced}} for the year (two queries; see the module's rule)."""
    found: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if not service_ids:
        return found
    in_year = (
        (Invoice.association == settlement.association_id)
        & Invoice.unit.is_null(False)
        & Invoice.contract.is_null()
        & (Invoice.period_start >= settlement.period_start)
        & (Invoice.period_start <= settlement.period_end)
    )
    # Lines that carry their charge: invoices, and credit notes whose lines kept it (negative amounts).
    carried = (
        InvoiceLine.select(
            Invoice.unit, Charge.service, pw.fn.SUM(InvoiceLine.amount + InvoiceLine.vat_amount).alias("sum")
        )
        .join(Invoice)
        .switch(InvoiceLine)
        .join(Charge)
        .where(in_year & Charge.service.in_(service_ids))
        .group_by(Invoice.unit, Charge.service)
        .tuples()
    )
    for unit_id, service_id, total in carried:
        found[unit_id][service_id] += int(total or 0)
    # A credit note made by invoicing.credit_note copies the credited invoice's lines in order, without their
    # charge: its line at a position takes back the original's line at that position.
    original = InvoiceLine.alias("original")
    credited = Invoice.alias("credited")
    taken_back = (
        InvoiceLine.select(
            Invoice.unit, Charge.service, pw.fn.SUM(InvoiceLine.amount + InvoiceLine.vat_amount).alias("sum")
        )
        .join(Invoice)
        .join(credited, on=(Invoice.credits == credited.id))
        .join(
            original,
            on=(
                (original.invoice == credited.id)
                & (original.position == InvoiceLine.position)
                & (original.description == InvoiceLine.description)
            ),
        )
        .join(Charge, on=(original.charge == Charge.id))
        .where(
            in_year
            & (Invoice.kind == Invoice.CREDIT_NOTE)
            & InvoiceLine.charge.is_null()
            & Charge.service.in_(service_ids)
        )
        .group_by(Invoice.unit, Charge.service)
        .tuples()
    )
    for unit_id, service_id, total in taken_back:
        found[unit_id][service_id] += int(total or 0)
    return found


def check_cost(cost: CostLine, totals: dict[str, Fraction]) -> list[str]:
    """Why a cost cannot be shared, in the board's words (empty: it can)."""
    problems = []
    if not cost.parts:
        problems.append(str(_l("%(service)s: give the key that shares its cost.", service=cost.name)))
    elif sum(part.percent for part in cost.parts) != 100:
        problems.append(
            str(
                _l(
                    "%(service)s: the key's parts add up to %(sum)s %%, not 100 %%.",
                    service=cost.name,
                    sum=sum(part.percent for part in cost.parts),
                )
            )
        )
    for part in cost.parts:
        if part.kind == K.CONSUMPTION and not part.meter_kind:
            problems.append(str(_l("%(service)s: say which meters' consumption shares it.", service=cost.name)))
        elif totals.get(part.figure_key, Fraction(0)) <= 0:
            problems.append(
                str(_l("%(service)s: no unit has a share by “%(key)s”.", service=cost.name, key=part.label))
            )
    return problems


def preview(settlement: Settlement) -> Preview:
    """Each unit's share of each cost, its advances per service and the difference; nothing is written."""
    costs = cost_lines(settlement)
    units = units_of(settlement.association_id)
    keys = {part.figure_key for cost in costs for part in cost.parts if part.kind != K.CONSUMPTION or part.meter_kind}
    figures = key_figures(settlement, units, keys)
    totals = {key: sum(values.values(), Fraction(0)) for key, values in figures.items()}
    advances = advances_of(settlement, [cost.service_id for cost in costs])
    lines = [UnitLine(unit) for unit in units]
    order = [unit.id for unit in units]
    for line in lines:
        line.figures = {key: values.get(line.unit.id, Fraction(0)) for key, values in figures.items()}
        line.advances = {cost.service_id: advances.get(line.unit.id, {}).get(cost.service_id, 0) for cost in costs}
    for cost in costs:
        cost.problems = check_cost(cost, totals)
        cost.advances = sum(line.advances[cost.service_id] for line in lines)
        if cost.problems or not units:
            continue
        shares = share_out(cost.amount, [(part.percent, figures[part.figure_key]) for part in cost.parts], order)
        for line in lines:
            line.shares[cost.service_id] = shares[line.unit.id]
        cost.shared = sum(shares.values())
    return Preview(settlement, costs, lines, totals)


def detail_of(line: UnitLine, plan: Preview) -> str:
    """The unit's result as printed on its statement, as JSON kept on its SettlementUnit."""
    services = []
    for cost in plan.costs:
        services.append(
            {
                "service": cost.name,
                "service_id": cost.service_id,
                "cost": cost.amount,
                "key": [
                    {
                        "kind": part.kind,
                        "percent": part.percent,
                        "meter_kind": part.meter_kind,
                        "figure": _fraction_text(line.figures.get(part.figure_key, Fraction(0))),
                        "total": _fraction_text(plan.totals.get(part.figure_key, Fraction(0))),
                    }
                    for part in cost.parts
                ],
                "share": line.shares.get(cost.service_id, 0),
                "advances": line.advances.get(cost.service_id, 0),
            }
        )
    return json.dumps({"services": services}, ensure_ascii=False)


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def read_fraction(text: str) -> Fraction:
    return Fraction(text) if text else Fraction(0)


# --- owners, settlements ----------------------------------------------------------------------------


def main_owners(unit_ids: list[int], on: dt.date) -> dict[int, int]:
    """{unit id: the person id of its main owner on the day}: who gets the unit's invoices, as a run
    chooses (the lowest ownership id wins)."""
    owner_of: dict[int, int] = {}
    for start in range(0, len(unit_ids), 5000):
        rows = (
            Ownership.select(Ownership.unit, Ownership.person)
            .where(Ownership.unit.in_(unit_ids[start : start + 5000]) & Ownership.is_main & Ownership.current(on))
            .order_by(Ownership.id.desc())
            .tuples()
        )
        owner_of.update(dict(rows))
    return owner_of


def default_deadline(year: int) -> dt.date:
    """Czech law (Act 67/2013): the statements reach the units by 30 April of the next year."""
    return dt.date(year + 1, 4, 30)


def new_settlement(association, year: int, user=None) -> Settlement:
    """A draft settlement of the calendar year, with the default deadline (the caller checks the year is free)."""
    return Settlement.create(
        association=association,
        year=year,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        deadline=default_deadline(year),
        created_by=user,
    )
