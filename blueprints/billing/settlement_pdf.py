"""A unit's yearly settlement statement as a PDF (SPEC B9), in its recipient's language: each service's cost,
the key that shared it and the unit's key figures, the unit's share, the advances it paid, the result and
how it is settled (the invoice to pay, or the credit kept). Rendered by core.pdf, stored under
settlements/ in the storage (core.storage) by the delivery job, and downloaded by the board or the unit's owners."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from flask_babel import format_decimal

from blueprints.billing import references
from blueprints.billing.settlement import KEY_WORDS, SHARING_RULE, meter_label, read_fraction
from blueprints.billing.statement_pdf import _account_lines, statement_language
from core.pdf import logo_url, render_pdf
from core.storage import FileHandle, key, storage
from models.billing import BillingSettings, Invoice, Receipt, Settlement, SettlementKey, SettlementUnit
from models.register import Person, Unit

DIRECTORY = "settlements"


@dataclass
class PartLine:
    kind: str
    percent: int
    meter_kind: str
    figure: Fraction
    total: Fraction

    @property
    def label(self) -> str:
        if self.kind == SettlementKey.CONSUMPTION:
            return f"{self.percent} % – {meter_label(self.meter_kind)}"
        return f"{self.percent} % – {KEY_WORDS[self.kind]}"


def services_of(row: SettlementUnit) -> list[dict]:
    """The statement's lines from the unit's stored detail, key figures read back as fractions."""
    services = json.loads(row.detail or "{}").get("services", [])
    for service in services:
        service["parts"] = [
            PartLine(
                part["kind"],
                part["percent"],
                part["meter_kind"],
                read_fraction(part["figure"]),
                read_fraction(part["total"]),
            )
            for part in service["key"]
        ]
        service["difference"] = service["advances"] - service["share"]
    return services


def figure_text(value: Fraction) -> str:
    """A key figure as people read it, in the current locale: "64,5", "365", "0,125"."""
    if value.denominator == 1:
        return format_decimal(value.numerator)
    return format_decimal(Decimal(value.numerator) / Decimal(value.denominator), format="#,##0.###")


def filename(settlement: Settlement, unit: Unit) -> str:
    number = "".join(ch for ch in unit.number if ch.isalnum() or ch in "-_") or str(unit.id)
    return f"settlement-{settlement.year}-{number}.pdf"


def render_statement(settlement: Settlement, row: SettlementUnit, unit: Unit, person: Person | None) -> bytes:
    """The unit's statement as an A4 PDF in its recipient's language (the association's without one)."""
    association = settlement.association
    settings = BillingSettings.for_association(association)
    if person is not None:
        person.association = association
    language = statement_language(person) if person is not None else _association_language(association)
    invoice = Invoice.get_or_none(Invoice.id == row.invoice_id) if row.invoice_id else None
    receipt = Receipt.get_or_none(Receipt.id == row.receipt_id) if row.receipt_id else None
    return render_pdf(
        "pdf/settlement.html",
        language=language,
        association=association,
        settings=settings,
        settlement=settlement,
        row=row,
        unit=unit,
        person=person,
        services=services_of(row),
        invoice=invoice,
        receipt=receipt,
        show_reference=lambda reference: references.display(settings.reference_standard, reference),
        account=_account_lines(settings),
        figure_text=figure_text,
        rule=SHARING_RULE,
        logo=logo_url(association),
        made_on=association.today(),
    )


def _association_language(association) -> str:
    languages = current_app.config["LANGUAGES"]
    return association.locale if association.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def store(body: bytes) -> str:
    """Keep a statement under settlements/ in the storage by a name of our own; returns that name."""
    name = f"{secrets.token_hex(16)}.pdf"
    storage().put(key(DIRECTORY, name), body)
    return name


def statement_file(stored: str) -> FileHandle:
    """A stored statement (never outside settlements/ in the storage: a name, not a path)."""
    if "/" in str(stored):
        raise ValueError(f"statement outside {DIRECTORY}/: {stored!r}")
    return storage().file(key(DIRECTORY, stored))
