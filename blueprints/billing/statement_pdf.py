"""A person's balance statement as a PDF (SPEC B5): rendered by core.pdf, in the recipient's language.

`render_statement` is what others attach to mail (the debt reminders); `ordered_statement` is the maker
of ordered statements (core/orders.py): a PdfOrder with report="statement" and report_scope
"person:<id>:<first>:<last>", checked again against the orderer's membership when the job runs.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app

from blueprints.billing import allocation, ledger, references
from blueprints.billing.queries import vat_rate
from core import orders
from core.pdf import logo_url, render_pdf
from core.text import lazy_gettext as _l
from models import Membership
from models import permissions as perms
from models.billing import BillingSettings, people_of
from models.mail import PdfOrder
from models.register import Person

_SCOPE = re.compile(r"^person:(\d+):(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


def statement_language(person: Person) -> str:
    """The person's invoice language, else the association's, if Porch speaks it; else the default."""
    languages = current_app.config["LANGUAGES"]
    for language in (person.invoice_language, person.association.locale):
        if language in languages:
            return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def filename(person: Person, first: dt.date, last: dt.date) -> str:
    return f"statement-{person.id}-{first.isoformat()}-{last.isoformat()}.pdf"


def render_statement(person: Person, first: dt.date, last: dt.date, language: str | None = None) -> bytes:
    """The person's balance statement for first..last as an A4 PDF in `language` (default: theirs)."""
    association = person.association
    period = ledger.Period.between(first, last) or ledger.Period(first, last)
    statement = ledger.person_statement(person, period, association.today())
    workings = ledger.charge_workings(association, [charge.id for charge in statement.charges])
    settings = BillingSettings.for_association(association)
    return render_pdf(
        "pdf/statement.html",
        language=language or statement_language(person),
        association=association,
        settings=settings,
        # How to pay what is still open today: the reminder mails carry this statement as their only paper.
        to_pay=list(allocation.open_invoices(person.id)),
        show_reference=lambda reference: references.display(settings.reference_standard, reference),
        account=_account_lines(settings),
        person=person,
        statement=statement,
        workings=workings,
        made_on=association.today(),
        logo=logo_url(association),
        rate_text=vat_rate,
        exact_amount=ledger.exact_amount,
    )


def _account_lines(settings: BillingSettings) -> list[tuple[str, str]]:
    """Where to pay, as the invoice PDF names it: bankgiro, IBAN and BIC, the national account number."""
    lines = []
    if settings.bankgiro:
        lines.append((_l("Bankgiro"), references.display_bankgiro(settings.bankgiro)))
    if settings.iban:
        lines.append((_l("IBAN"), references.display_iban(settings.iban)))
    if settings.bic:
        lines.append((_l("BIC"), settings.bic))
    if settings.account_number:
        lines.append((_l("Account number"), settings.account_number))
    return lines


def scope_of(person: Person, period: ledger.Period) -> str:
    """The PdfOrder.report_scope naming this person's statement for the period."""
    return f"person:{person.id}:{period.scope}"


def ordered_statement(order: PdfOrder, membership: Membership | None) -> orders.Document:
    """An ordered statement, if its orderer may still see the person's balance today."""
    match = _SCOPE.match(order.report_scope or "")
    if membership is None or match is None:
        raise orders.RefusedError(_l("This statement is no longer available to you."))
    person_id, first, last = int(match.group(1)), dt.date.fromisoformat(match.group(2)), match.group(3)
    people = Person.of(order.association).where(Person.id == person_id)
    if not membership.can(perms.INVOICES_VIEW_ALL):
        people = people.where(Person.id.in_(people_of(order.association, membership.user_id)))
    person = people.first()
    if person is None:
        raise orders.RefusedError(_l("This statement is no longer available to you."))
    person.association = order.association
    last = dt.date.fromisoformat(last)
    body = render_statement(person, first, last, order.language)
    context = {"person": person, "first": first, "last": last}
    return orders.Document(filename(person, first, last), body, "statement_pdf", context)
