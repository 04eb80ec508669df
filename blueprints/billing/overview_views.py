"""The board's overview pages (SPEC B10, issue 13 item 6): the unit × month payment grid, the debtors list
and a debtor's page, with CSV and XLSX exports of the grid and the list.

All of it is the board's (invoices.view_all); each page reads through overview.py, scoped to the
association: a person of another association is a 404. Reminders are sent from reminder_views.py.
"""

from __future__ import annotations

import datetime as dt

from babel.numbers import format_decimal
from flask import g, request
from flask_babel import format_date, get_locale

from blueprints.billing import bp, money, overview, plans
from core.access import can, requires
from core.csv import csv_download
from core.forms import ConfirmForm
from core.rendering import render
from core.xlsx import xlsx_download
from models import Person
from models import permissions as perms
from models.billing import InstalmentPlan, Invoice
from models.db import first_or_404
from models.register import Building


def _today() -> dt.date:
    return g.association.today()


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2200 else _today().year


def _building() -> int | None:
    building = request.args.get("building", type=int)
    if not building:
        return None
    return building if Building.of(g.association).where(Building.id == building).exists() else None


def _page() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


def _month_names() -> list[str]:
    """The months' short names in the page's language ("Jan", "led"), made once per request."""
    return [format_date(dt.date(2000, month, 1), "LLL") for month in range(1, 13)]


def _markers() -> dict[str, tuple[str, str, str]]:
    """marker -> (symbol, word, what it means): every cell's text and the grid's legend."""
    return {
        key: (overview.SYMBOLS[key], str(label), str(overview.LEGEND[key])) for key, label in overview.MARKERS.items()
    }


def _grid_amounts():
    """Amounts as the grid shows them: grouped digits without the currency (the page names it once),
    each amount formatted once per request (the same few fees repeat in every row)."""
    digits = money.exponent(g.association.currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    locale = get_locale()
    cache: dict[int, str] = {}

    def amount(minor: int) -> str:
        if minor not in cache:
            cache[minor] = format_decimal(money.to_decimal(minor, g.association.currency), pattern, locale=locale)
        return cache[minor]

    return amount


def _shown(cells: list[overview.Cell], amount) -> list[tuple[str, str, str] | None]:
    """Each cell as the grid prints it: (what fell due, its marker, what was received), None when empty.
    Worked out here rather than in the template: a page has 650 cells, and Jinja calls cost."""
    return [
        (amount(cell.due) if cell.due else "–", cell.marker, amount(cell.paid) if cell.paid else "")
        if cell.due or cell.paid
        else None
        for cell in cells
    ]


# --- the payment grid ------------------------------------------------------------------------------


@bp.route("/admin/payment-grid")
@requires(perms.INVOICES_VIEW_ALL)
def payment_grid():
    """Units × months of a year: what fell due and what was paid, with a marker, totals per row and column."""
    year, building = _year(), _building()
    grid = overview.payment_grid(g.association, year, _today(), building=building, page=_page())
    amount = _grid_amounts()
    return render(
        "billing/payment_grid.html",
        "billing/_payment_grid.html",
        grid=grid,
        rows=[(row.number, row.building, _shown([*row.cells, row.total], amount)) for row in grid.rows],
        totals=_shown([*grid.months, grid.total], amount),
        year=year,
        building=building,
        buildings=Building.by_name(g.association),
        years=overview.years_with_invoices(g.association, _today()),
        months=_month_names(),
        markers=_markers(),
        currency=g.association.currency,
        export_args={"year": year, **({"building": building} if building else {})},
    )


def _grid_table(grid: overview.Grid, *, as_numbers: bool) -> tuple[list[str], list[list]]:
    currency = g.association.currency

    def value(minor: int):
        exact = money.to_decimal(minor, currency)
        return exact if as_numbers else f"{exact:f}"

    header = ["building", "unit"]
    for month in range(1, 13):
        header += [f"{grid.year}-{month:02d} due", f"{grid.year}-{month:02d} paid", f"{grid.year}-{month:02d} status"]
    header += [f"{grid.year} due", f"{grid.year} paid", f"{grid.year} status"]
    rows = []
    for row in grid.rows:
        values = [row.building, row.number]
        for cell in [*row.cells, row.total]:
            values += [value(cell.due), value(cell.paid), cell.marker]
        rows.append(values)
    totals = ["", "total"]
    for cell in [*grid.months, grid.total]:
        totals += [value(cell.due), value(cell.paid), cell.marker]
    rows.append(totals)
    return header, rows


@bp.route("/admin/payment-grid.csv")
@requires(perms.INVOICES_VIEW_ALL)
def payment_grid_csv():
    """The year's whole grid (every unit) as CSV: due, paid and status per month, then the year."""
    year = _year()
    grid = overview.whole_grid(g.association, year, _today(), building=_building())
    header, rows = _grid_table(grid, as_numbers=False)
    return csv_download(f"{g.association.slug}-payment-grid-{year}.csv", header, rows)


@bp.route("/admin/payment-grid.xlsx")
@requires(perms.INVOICES_VIEW_ALL)
def payment_grid_xlsx():
    """The year's whole grid as XLSX, amounts as numbers, the header and the units kept in view."""
    year = _year()
    grid = overview.whole_grid(g.association, year, _today(), building=_building())
    header, rows = _grid_table(grid, as_numbers=True)
    return xlsx_download(
        f"{g.association.slug}-payment-grid-{year}.xlsx", header, rows, sheet_title=str(year), frozen_columns=2
    )


# --- debtors --------------------------------------------------------------------------------------------


def _debtor_filter() -> tuple[str, str]:
    order = request.args.get("sort", overview.BY_AMOUNT)
    bucket = request.args.get("bucket", "")
    return (order if order in overview.SORTS else overview.BY_AMOUNT), (bucket if bucket in overview.BUCKETS else "")


@bp.route("/admin/debtors")
@requires(perms.INVOICES_VIEW_ALL)
def debtors():
    """Everyone with overdue debt: amount by age, since when, plan kept, last reminder; sort, filter, remind."""
    order, bucket = _debtor_filter()
    listing = overview.debtor_list(g.association, _today(), order=order, bucket=bucket, page=_page())
    return render(
        "billing/debtors.html",
        "billing/_debtor_list.html",
        listing=listing,
        order=order,
        bucket=bucket,
        sorts={key: str(label) for key, label in overview.SORTS.items()},
        bucket_labels={key: str(label) for key, label in overview.BUCKET_LABELS.items()},
        buckets=overview.BUCKETS,
        today=_today(),
        currency=g.association.currency,
        manage=can(perms.INVOICES_MANAGE),
        form=ConfirmForm(),
        export_args={k: v for k, v in (("sort", order), ("bucket", bucket)) if v},
    )


def _debtors_table(*, as_numbers: bool) -> tuple[list[str], list[list]]:
    order, bucket = _debtor_filter()
    today = _today()
    listing = overview.debtor_list(g.association, today, order=order, bucket=bucket, page=1, whole=True)
    currency = g.association.currency

    def value(minor: int):
        exact = money.to_decimal(minor, currency)
        return exact if as_numbers else f"{exact:f}"

    header = ["name", "email", "reachable", "overdue", *overview.BUCKETS, "overdue_since", "days_overdue",
              "plan_active", "last_reminder", "currency"]  # fmt: skip
    rows = []
    for debtor in listing.filtered:
        since = debtor.since if as_numbers else debtor.since.isoformat()
        reminded = debtor.last_reminder
        if reminded is not None and not as_numbers:
            reminded = reminded.isoformat(sep=" ", timespec="minutes")
        rows.append(
            [debtor.name, debtor.address, "no" if debtor.unreachable else "yes", value(debtor.overdue),
             *(value(debtor.buckets[key]) for key in overview.BUCKETS), since, debtor.days_overdue(today),
             "yes" if debtor.plan_active else "no", reminded, currency]
        )  # fmt: skip
    return header, rows


@bp.route("/admin/debtors.csv")
@requires(perms.INVOICES_VIEW_ALL)
def debtors_csv():
    """The debtors list as filtered and sorted, every page of it, as CSV."""
    header, rows = _debtors_table(as_numbers=False)
    return csv_download(f"{g.association.slug}-debtors-{_today().isoformat()}.csv", header, rows)


@bp.route("/admin/debtors.xlsx")
@requires(perms.INVOICES_VIEW_ALL)
def debtors_xlsx():
    """The debtors list as XLSX, amounts as numbers."""
    header, rows = _debtors_table(as_numbers=True)
    return xlsx_download(
        f"{g.association.slug}-debtors-{_today().isoformat()}.xlsx", header, rows, sheet_title="Debtors",
        frozen_columns=1,
    )  # fmt: skip


@bp.route("/admin/debtors/<int:person_id>")
@requires(perms.INVOICES_VIEW_ALL)
def debtor(person_id: int):
    """One person's debt: overdue invoices by age, what is not yet due, their plans and the reminders sent."""
    person = first_or_404(Person.of(g.association).where(Person.id == person_id))
    plans.complete_paid_plans(g.association)
    today = _today()
    return render(
        "billing/debtor.html",
        debt=overview.person_debt(person, today),
        today=today,
        buckets=overview.BUCKETS,
        bucket_labels={key: str(label) for key, label in overview.BUCKET_LABELS.items()},
        state_labels={key: str(label) for key, label in InstalmentPlan.STATES.items()},
        overdue_label=str(Invoice.STATUSES[Invoice.OVERDUE]),
        currency=g.association.currency,
        manage=can(perms.INVOICES_MANAGE),
        form=ConfirmForm(),
    )
