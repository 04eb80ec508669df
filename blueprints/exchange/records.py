"""Rows entering the register and the books from outside (SPEC I1): the one place that validates them and
creates or updates what they describe, for the file import, `flask import` and the JSON API alike.

    outcomes = records.upsert(association, "units", [row, row, ...], user=user)
    outcome = records.upsert_one(association, "people", row, user=user)

A row is a dict of key -> value as read from a CSV/XLSX cell or a JSON body (text, or a plain number, date
or bool). Each row gives one Outcome: `action` CREATED, CHANGED, UNCHANGED or INVALID; `errors`, a list of
FieldError(field, message), `field` being the row's key; `changes` {key: (old, new)} as text; `key`, how
the row was matched ("A / 12"); `id`, the main row written. Nothing is committed here: the caller runs
this inside models.db.transaction() (and an app context: the forms and messages need it; messages come in
the current locale) and decides. Roll back when any outcome is INVALID: an owner's row refused for its
shares may already have written its unit and person part (the import rolls the whole file back; the API
should do the same per request). `dry_run(...)` runs upsert and always rolls back.

Idempotent: every kind is matched by a stable key, so the same rows twice give UNCHANGED. An empty or
missing value leaves what the register holds (an import never clears a field). Values are checked by the
register's and billing's own forms and services (UnitForm, PersonForm, ContractForm, ChargeForm,
check_owners, parse_share_terms, money.parse_amount, invoicing.invoice_row, payments' limits, ...), with
their messages.

Keys by kind (dates as 2026-01-31, 31.1.2026, 31-01-2026 or 31/01/2026; yes/no in the seeds' languages):

- units — matched by `building` (its name; a new name makes a building) + `unit` (the unit's number).
  `kind` (flat, commercial, garage, parking, storage), `rooms`, `floor`, `area` (m², 64,5),
  `share` (of the common property, 6542/100000; required for a new unit), `equipment`, `condition_notes`,
  `accessibility` (step_free lift wheelchair wide_doors grab_rails), and for a new building
  `building_street`, `building_postcode`, `building_municipality`, `building_region`.
- people — matched by `personal_id` (letters and digits compared: 800101-1234 = 8001011234), else by
  `email`. `surname`, `given_name` (or `name`: "Given Surname"), `email`, `personal_id`, `phone_mobile`,
  `phone_home`, `phone_work`, `street`, `postcode`, `city`, `country` (SE), `invoice_by_email`,
  `invoice_by_paper`, `invoice_language` (en sv da cs et).
- ownership — the unit (`building` + `unit`) and the person (`personal_id` / `email`); `owner_share` (of
  the unit, default 1), `main` (receives the invoices; default: the unit's first owner listed),
  `started_on`, `ended_on` (the day it passed on). A row may also carry the unit's and the person's keys
  above: they are created or updated first (one spreadsheet row per owner, as boards keep them). The
  current owners of every unit touched must add up to exactly 1 with one main owner.
- residents — the unit and the person as for ownership (the person is also found among the unit's
  residents by name); `role` (tenant, household, owner_resident), `start_date`, `end_date`.
- contracts — matched by `number`; the unit, `category` (home commercial parking storage), `type_label`,
  `status` (active terminated ended), `start_date`, `end_date`, `notice_months`, `renewal`
  (indefinite fixed renews), `renewal_months`, `rent` (per month, 6 500,00), `rent_vat` (%), `note`; the
  row's person (`personal_id` / `email`) is added as a party.
- charges — matched by the unit (or `contract`, its number) + `description` + `valid_from`; `amount` (per
  month), `vat_rate` (%), `valid_to`.
- invoices — matched by `number` (whole number); the unit and/or `contract`; the recipient (`personal_id` /
  `email`; default: the contract's first party, else the unit's main owner on the issue day); `period`
  (2026-01), `issue_date`, `due_date`, `amount` (total of the one line), `vat_rate`, `description`,
  `reference` (payment reference; made as Porch makes them when empty), `message`. An issued invoice is
  never changed: a row that differs from it is INVALID (credit it in Porch instead).
- payments — the invoice by `invoice` (its number) or `reference`; `amount`, `paid_on`, `payment_reference`,
  `note`. Matched by invoice + day + amount (+ how many such rows came before): the same file twice adds
  nothing. No more than the invoice still owes.
"""

from __future__ import annotations

import contextlib

from blueprints.exchange import records_billing, records_register
from blueprints.exchange.outcomes import ACTIONS, CHANGED, CREATED, INVALID, UNCHANGED, FieldError, Outcome
from blueprints.exchange.values import text
from models.db import transaction
from models.portal import Association, User

KINDS = ("units", "people", "ownership", "residents", "contracts", "charges", "invoices", "payments")


__all__ = [
    "ACTIONS",
    "CHANGED",
    "CREATED",
    "INVALID",
    "UNCHANGED",
    "FieldError",
    "Outcome",
    "KINDS",
    "upsert",
    "upsert_one",
    "dry_run",
]


class UnknownKindError(ValueError):
    pass


def upsert(association: Association, kind: str, rows: list[dict], *, user: User | None = None) -> list[Outcome]:
    """Create or update what each row describes; one Outcome per row, in order. Call inside transaction().
    A fixed number of queries per few hundred rows besides one INSERT or UPDATE per row written."""
    handlers = {
        "units": records_register.units,
        "people": records_register.people,
        "ownership": records_register.ownership,
        "residents": records_register.residents,
        "contracts": records_billing.contracts,
        "charges": records_billing.charges,
        "invoices": records_billing.invoices,
        "payments": records_billing.payments,
    }
    if kind not in handlers:
        raise UnknownKindError(kind)
    batch = records_register.Batch(association, user)
    plain = [_plain(row) for row in rows]
    if kind not in ("units", "payments"):  # the kinds whose rows name people
        batch.prefetch(plain)
    return handlers[kind](batch, plain)


def upsert_one(association: Association, kind: str, row: dict, *, user: User | None = None) -> Outcome:
    return upsert(association, kind, [row], user=user)[0]


class _DryRunError(Exception):
    pass


def dry_run(association: Association, kind: str, rows: list[dict], *, user: User | None = None) -> list[Outcome]:
    """What upsert would do, with nothing kept: the same code runs in a transaction that is rolled back."""
    outcomes: list[Outcome] = []
    with contextlib.suppress(_DryRunError), transaction():
        outcomes = upsert(association, kind, rows, user=user)
        raise _DryRunError
    return outcomes


def _plain(row: dict) -> dict:
    """The row with its keys as given and every value as text (see values.text); empty values left out."""
    plain = {}
    for key, value in row.items():
        written = value if type(value) is str and value and not value[0].isspace() and not value[-1].isspace() \
            and "  " not in value and "\n" not in value and "\t" not in value else text(value)  # fmt: skip
        if written:
            plain[str(key)] = written
    return plain


def row_keys(kind: str) -> tuple[str, ...]:
    """The keys a row of `kind` may hold (the API refuses others, so a misspelt key is not silently left out);
    empty for a kind upsert does not take."""
    r = records_register
    unit = ("building", "unit", *r.UNIT_KEYS, *r.BUILDING_KEYS)
    keys = {
        "units": unit,
        "people": r.PERSON_KEYS,
        "ownership": (*unit, *r.PERSON_KEYS, "owner_share", "main", "started_on", "ended_on"),
        "residents": (*unit, *r.PERSON_KEYS, "role", "start_date", "end_date"),
        "contracts": ("number", "building", "unit", "category", "type_label", "status", "start_date", "end_date",
                      "notice_months", "renewal", "renewal_months", "rent", "rent_vat", "note", *r.PERSON_KEYS),
        "charges": ("building", "unit", "contract", "description", "amount", "vat_rate", "valid_from", "valid_to"),
        "invoices": ("number", "building", "unit", "contract", "personal_id", "email", "period", "issue_date",
                     "due_date", "amount", "vat_rate", "description", "reference", "message"),
        "payments": ("invoice", "reference", "amount", "paid_on", "payment_reference", "note"),
    }  # fmt: skip
    return keys.get(kind, ())
