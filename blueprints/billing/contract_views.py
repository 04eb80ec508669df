"""The board's contracts and recurring charges (SPEC B1, B8): lists, forms, termination and deletion.

Contracts load through Contract.visible_to (the privacy helper), units through
Unit.get_in and charges through Charge.of: an id of another association is a
404. Amounts are typed in the association's currency and kept in minor units;
a charge or rent carries VAT only when the association is registered for it.
A unit's charges are billed to its main owner (unit set, contract empty), a
contract's charges to its parties (contract set, unit empty).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.billing import board_queries, bp, money
from blueprints.billing.contract_forms import ChargeForm, ContractForm, TerminateForm
from blueprints.billing.money import amount_example, amount_text, rate_text
from core.access import can, requires
from core.audit import audit
from core.rendering import htmx, render
from core.text import date as format_date
from models import Person
from models import permissions as perms
from models.billing import BillingSettings, Charge, Contract, ContractParty, Invoice, InvoiceLine, Service
from models.db import transaction
from models.register import Building, Unit

PAGE = 50


@dataclass
class Listing:
    rows: list
    matching: int
    page: int
    extra: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE))


def _page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of day's month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _vat_registered() -> bool:
    settings = BillingSettings.get_or_none(BillingSettings.association == g.association)
    return bool(settings and settings.vat_registered)


def _labels() -> dict:
    """Labels translated once per request, not once per row."""
    return dict(
        category_labels={key: str(label) for key, label in Contract.CATEGORIES.items()},
        status_labels={key: str(label) for key, label in Contract.STATUSES.items()},
        renewal_labels={key: str(label) for key, label in Contract.RENEWALS.items()},
        rate_text=rate_text,
        currency=g.association.currency,
    )


# --- the contract list ------------------------------------------------------------------------


@dataclass
class ContractFilters:
    status: str = ""
    category: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> ContractFilters:
        status = args.get("status", "")
        category = args.get("category", "")
        return cls(
            status=status if status in Contract.STATUSES else "",
            category=category if category in Contract.CATEGORIES else "",
            q=args.get("q", "").strip()[:100],
            page=_page_number(),
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.status or self.category or self.q)

    def args(self, **changes) -> dict:
        """Query arguments for url_for, without the empty ones."""
        values = {"status": self.status, "category": self.category, "q": self.q, "page": self.page, **changes}
        return {key: value for key, value in values.items() if value and not (key == "page" and value == 1)}


def _contract_page(filters: ContractFilters) -> Listing:
    """One page of contracts with unit and building, and their parties: three queries."""
    query = (
        Contract.visible_to(g.membership)
        .select(Contract, Unit.id, Unit.number, Building.id, Building.name)
        .join(Unit)
        .join(Building)
    )
    if filters.status:
        query = query.where(Contract.status == filters.status)
    if filters.category:
        query = query.where(Contract.category == filters.category)
    if filters.q:
        named = ContractParty.select(ContractParty.contract).join(Person).where(Person.named(filters.q))
        query = query.where(
            Contract.number.contains(filters.q) | Unit.number.contains(filters.q) | Contract.id.in_(named)
        )
    matching = query.order_by().count()
    page = min(filters.page, max(1, -(-matching // PAGE)))
    rows = list(query.order_by(*Unit.natural_order(), Contract.start_date.desc(), Contract.id).paginate(page, PAGE))
    return Listing(rows=rows, matching=matching, page=page, extra={"parties": _parties_of([c.id for c in rows])})


def _parties_of(contract_ids: list[int]) -> dict[int, list[Person]]:
    """The people named on these contracts, by contract id: one query."""
    parties: dict[int, list[Person]] = defaultdict(list)
    if not contract_ids:
        return parties
    rows = (
        ContractParty.select(ContractParty.contract, Person.id, Person.given_name, Person.surname)
        .join(Person)
        .where(ContractParty.contract.in_(contract_ids))
        .order_by(*Person.name_order())
    )
    for row in rows:
        parties[row.contract_id].append(row.person)
    return parties


@bp.route("/admin/contracts")
@requires(perms.INVOICES_VIEW_ALL)
def board_contracts():
    """Every contract of the association, filtered by status and category, searched by number, unit or name."""
    filters = ContractFilters.from_args(request.args)
    listing = _contract_page(filters)
    return render(
        "billing/board_contracts.html",
        "billing/_board_contract_list.html",
        listing=listing,
        filters=filters,
        may_edit=can(perms.INVOICES_MANAGE),
        **_labels(),
    )


# --- creating and editing a contract ------------------------------------------------------------


def _load_contract(contract_id: int) -> Contract:
    """The contract if this board member may see it, else 404 (ids of other associations too)."""
    return Contract.get_visible(g.membership, contract_id)


def _unit_choices(current: Contract | None) -> list[SelectChoice]:
    units = list(
        Unit.of(g.association)
        .select(Unit.id, Unit.number, Unit.archived_at, Building.name)
        .join(Building)
        .where(Unit.archived_at.is_null() | (Unit.id == (current.unit_id if current else 0)))
        .order_by(*Unit.natural_order())
    )
    choices = [SelectChoice(0, _("Choose a unit"))]
    for unit in units:
        label = f"{unit.building.name} · {unit.number}"
        if unit.archived_at is not None:
            label += " " + _("(archived)")
        choices.append(SelectChoice(unit.id, label))
    return choices


def _people() -> dict[int, str]:
    """Everyone in the register, as the party choices show them: "Surname Given · e-mail"."""
    people = (
        Person.of(g.association)
        .select(Person.id, Person.given_name, Person.surname, Person.email)
        .order_by(*Person.name_order())
    )
    return {p.id: p.sort_name + (f" · {p.email}" if p.email else "") for p in people}


def _contract_form(
    contract: Contract | None, vat_registered: bool, *, posted: bool
) -> tuple[ContractForm, dict[int, str]]:
    """The contract form with what was posted, or filled from the saved contract (a new one starts today)."""
    currency = g.association.currency
    if contract is not None and not posted:
        names = ("number", "category", "type_label", "status", "start_date", "end_date", "notice_months")
        data = {name: getattr(contract, name) for name in names}
        data.update(
            unit=contract.unit_id,
            renewal=contract.renewal,
            renewal_months=contract.renewal_months,
            rent=amount_text(contract.rent, currency),
            rent_vat=rate_text(contract.rent_vat_rate),
            note=contract.note,
            parties=[p.person_id for p in ContractParty.select().where(ContractParty.contract == contract)],
        )
        form = ContractForm(formdata=None, data=data, currency=currency, vat_registered=vat_registered)
    else:
        form = ContractForm(currency=currency, vat_registered=vat_registered)
        if not posted:
            form.start_date.data = g.association.today()
            form.unit.data = request.args.get("unit", 0, type=int)
    people = _people()
    form.unit.choices = _unit_choices(contract)
    form.parties.choices = [SelectChoice(key, label) for key, label in people.items()]
    return form, people


def _number_taken(form: ContractForm, contract: Contract | None) -> bool:
    same = Contract.of(g.association).where(Contract.number == form.number.data.strip())
    if contract is not None:
        same = same.where(Contract.id != contract.id)
    if same.exists():
        form.number.errors = [*form.number.errors, _("Another contract already has this number.")]
        return True
    return False


def _contract_fields(form: ContractForm) -> dict:
    renews = form.renewal.data == Contract.RENEWS
    return dict(
        unit=form.unit.data,
        number=form.number.data.strip(),
        category=form.category.data,
        type_label=(form.type_label.data or "").strip(),
        status=form.status.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        notice_months=form.notice_months.data,
        renewal=form.renewal.data,
        renewal_months=form.renewal_months.data if renews else None,
        rent=form.parsed["rent"],
        rent_vat_rate=form.parsed["rent_vat"],
        note=(form.note.data or "").strip(),
    )


def _set_parties(contract: Contract, chosen: list[int]) -> None:
    ContractParty.delete().where(
        (ContractParty.contract == contract) & ContractParty.person.not_in(chosen or [0])
    ).execute()
    present = {p.person_id for p in ContractParty.select().where(ContractParty.contract == contract)}
    rows = [{"contract": contract.id, "person": person} for person in chosen if person not in present]
    if rows:
        ContractParty.insert_many(rows).execute()


def _save_contract(form: ContractForm, contract: Contract | None) -> Contract | None:
    """Create or update the contract and its parties; None (with an error on the number) if it is taken."""
    fields = _contract_fields(form)
    try:
        with transaction():
            if contract is None:
                contract = Contract.create(association=g.association, **fields)
                action = "billing.contract_created"
            else:
                Contract.update(**fields).where(Contract.id == contract.id).execute()
                action = "billing.contract_edited"
            _set_parties(contract, form.parties.data or [])
            audit(action, actor=current_user, association=g.association, target=f"contract {fields['number']}")
    except pw.IntegrityError:  # the same number saved a moment ago by someone else
        form.number.errors = [*form.number.errors, _("Another contract already has this number.")]
        return None
    return contract


def _form_page(form, people, contract, vat_registered, *, terminate_form=None, status=200):
    return render(
        "billing/contract_form.html",
        form=form,
        people=people,
        chosen=form.parties.data or [],
        contract=contract,
        vat_registered=vat_registered,
        terminate_form=terminate_form or TerminateForm(formdata=None, last_day=g.association.today()),
        rent_hint=_money_hint(vat_registered),
        status=status,
        **_labels(),
    )


def _money_hint(vat_registered: bool) -> str:
    currency = g.association.currency
    if vat_registered:
        return _("Before VAT, in %(currency)s, like %(example)s.", currency=currency, example=amount_example(currency))
    return _("In %(currency)s, like %(example)s.", currency=currency, example=amount_example(currency))


@bp.route("/admin/contracts/new", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def contract_new():
    """Add a contract: unit, number, category, dates, notice, renewal, rent and the people named on it (B1)."""
    vat_registered = _vat_registered()
    form, people = _contract_form(None, vat_registered, posted=request.method == "POST")
    if form.validate_on_submit() and not _number_taken(form, None):
        contract = _save_contract(form, None)
        if contract is not None:
            flash(_("Contract %(number)s is added.", number=contract.number), "success")
            return redirect(url_for("billing.contract_edit", contract_id=contract.id))
    return _form_page(form, people, None, vat_registered, status=422 if form.errors else 200)


@bp.route("/admin/contracts/<int:contract_id>", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def contract_edit(contract_id: int):
    """A contract's details to change; termination, charges and deletion are one step away."""
    contract = _load_contract(contract_id)
    vat_registered = _vat_registered()
    form, people = _contract_form(contract, vat_registered, posted=request.method == "POST")
    if form.validate_on_submit() and not _number_taken(form, contract):
        if _save_contract(form, contract) is not None:
            flash(_("Contract %(number)s is saved.", number=form.number.data.strip()), "success")
            return redirect(url_for("billing.contract_edit", contract_id=contract.id))
    return _form_page(form, people, contract, vat_registered, status=422 if form.errors else 200)


@bp.route("/admin/contracts/<int:contract_id>/terminate", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def contract_terminate(contract_id: int):
    """Terminate a contract on a last day (not before its start): status terminated, end date set."""
    contract = _load_contract(contract_id)
    form = TerminateForm()
    if form.validate_on_submit():
        if form.last_day.data < contract.start_date:
            form.last_day.errors = [
                _(
                    "The last day cannot be before the contract's start date (%(date)s).",
                    date=format_date(contract.start_date),
                )
            ]
        else:
            with transaction():
                Contract.update(status=Contract.TERMINATED, end_date=form.last_day.data).where(
                    Contract.id == contract.id
                ).execute()
                audit(
                    "billing.contract_terminated",
                    actor=current_user,
                    association=g.association,
                    target=f"contract {contract.number}",
                    last_day=form.last_day.data,
                )
            flash(_("Contract %(number)s is terminated.", number=contract.number), "success")
            return redirect(url_for("billing.contract_edit", contract_id=contract.id))
    vat_registered = _vat_registered()
    contract_form, people = _contract_form(contract, vat_registered, posted=False)  # as saved
    return _form_page(contract_form, people, contract, vat_registered, terminate_form=form, status=422)


@bp.route("/admin/contracts/<int:contract_id>/delete", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def contract_delete(contract_id: int):
    """Confirm and delete a contract; one with invoices is refused (terminate it instead)."""
    contract = _load_contract(contract_id)
    invoices = Invoice.select().where(Invoice.contract == contract).count()
    if request.method == "POST" and not invoices:
        with transaction():
            charges = Charge.select(Charge.id).where(Charge.contract == contract)
            InvoiceLine.update(charge=None).where(InvoiceLine.charge.in_(charges)).execute()
            Charge.delete().where(Charge.contract == contract).execute()
            ContractParty.delete().where(ContractParty.contract == contract).execute()
            contract.delete_instance()
            audit(
                "billing.contract_deleted",
                actor=current_user,
                association=g.association,
                target=f"contract {contract.number}",
            )
        flash(_("Contract %(number)s is deleted.", number=contract.number), "success")
        return redirect(url_for("billing.board_contracts"))
    status = 409 if request.method == "POST" else 200
    return render("billing/contract_delete.html", contract=contract, invoices=invoices, status=status)


# --- recurring charges of a unit or a contract ------------------------------------------------------


def _charge_context(owner, form: ChargeForm | None, vat_registered: bool, message: str = "") -> dict:
    """What the charges component shows: the list, this month's totals, the add form."""
    is_contract = isinstance(owner, Contract)
    column = Charge.contract if is_contract else Charge.unit
    charges = list(
        Charge.of(g.association).where(column == owner).order_by(Charge.position, Charge.valid_from, Charge.id)
    )
    today = g.association.today()
    first, last = _month(today)
    current = [
        c
        for c in charges
        if (c.valid_from is None or c.valid_from <= last) and (c.valid_to is None or c.valid_to >= first)
    ]
    lines = [money.Line(c.description, c.amount, c.vat_rate) for c in current]
    sums_of_charges = money.totals(lines)
    if is_contract and owner.rent:
        lines.append(money.Line("rent", owner.rent, owner.rent_vat_rate))
    post_url = (
        url_for("billing.contract_charges", contract_id=owner.id)
        if is_contract
        else url_for("billing.unit_charges", unit_id=owner.id)
    )
    return dict(
        owner=owner,
        is_contract=is_contract,
        charges=charges,
        charge_state={c.id: _charge_state(c, today) for c in charges},
        charges_total=sums_of_charges,
        month_total=money.totals(lines),
        month=first,
        form=form or _blank_charge_form(vat_registered),
        vat_registered=vat_registered,
        post_url=post_url,
        message=message,
        amount_hint=_money_hint(vat_registered),
        **_labels(),
    )


def _charge_state(charge: Charge, today: dt.date) -> str:
    if charge.valid_to is not None and charge.valid_to < today:
        return "ended"
    if charge.valid_from is not None and charge.valid_from > today:
        return "future"
    return "current"


def _blank_charge_form(vat_registered: bool) -> ChargeForm:
    form = ChargeForm(formdata=None, currency=g.association.currency, vat_registered=vat_registered)
    return form.offer_services(_services_in_use())


def _services_in_use() -> list[tuple[int, str]]:
    """The association's services a charge may be the advance for (issue 14, B9)."""
    query = Service.of(g.association).where(Service.archived_at.is_null()).order_by(Service.position, Service.id)
    return [(service.id, service.name) for service in query]


def _charges_page(owner):
    """GET: the charges page (or, for htmx, the component); POST: add a charge and show the list again."""
    vat_registered = _vat_registered()
    if request.method == "GET":
        return render("billing/charges.html", "billing/_charges.html", **_charge_context(owner, None, vat_registered))
    form = ChargeForm(currency=g.association.currency, vat_registered=vat_registered).offer_services(_services_in_use())
    if not form.validate_on_submit():
        context = _charge_context(owner, form, vat_registered)
        return render("billing/charges.html", "billing/_charges.html", status=422, **context)
    is_contract = isinstance(owner, Contract)
    with transaction():
        column = Charge.contract if is_contract else Charge.unit
        last = Charge.of(g.association).where(column == owner).select(pw.fn.MAX(Charge.position)).scalar()
        charge = Charge.create(
            association=g.association,
            unit=None if is_contract else owner,
            contract=owner if is_contract else None,
            description=form.description.data.strip(),
            amount=form.parsed["amount"],
            vat_rate=form.parsed["vat_rate"],
            valid_from=form.valid_from.data,
            valid_to=form.valid_to.data,
            position=(last or 0) + 1,
            service=form.service.data or None,
        )
        audit(
            "billing.charge_added",
            actor=current_user,
            association=g.association,
            target=f"{_owner_name(owner)}: {charge.description}",
            amount=charge.amount,
            vat_rate=charge.vat_rate,
        )
    message = _("“%(description)s” is added.", description=charge.description)
    if htmx:
        return render(
            "billing/charges.html", "billing/_charges.html", **_charge_context(owner, None, vat_registered, message)
        )
    flash(message, "success")
    return redirect(request.path)


def _owner_name(owner) -> str:
    return f"contract {owner.number}" if isinstance(owner, Contract) else f"unit {owner.number}"


@bp.route("/admin/units/<int:unit_id>/charges", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def unit_charges(unit_id: int):
    """A unit's recurring monthly charges (billed to its main owner), their total, and a form to add one (B8)."""
    return _charges_page(board_queries.billed_unit(g.membership, unit_id))


@bp.route("/admin/contracts/<int:contract_id>/charges", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def contract_charges(contract_id: int):
    """A contract's recurring monthly charges besides the rent, their total, and a form to add one (B8)."""
    return _charges_page(_load_contract(contract_id))


@bp.route("/admin/charges/<int:charge_id>/delete", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def charge_delete(charge_id: int):
    """Confirm and delete a recurring charge; invoices already made keep their lines."""
    charge = Charge.of(g.association).where(Charge.id == charge_id).first()
    if charge is None:
        abort(404)
    owner = (
        _load_contract(charge.contract_id)
        if charge.contract_id
        else board_queries.billed_unit(g.membership, charge.unit_id)
    )
    back = (
        url_for("billing.contract_charges", contract_id=owner.id)
        if isinstance(owner, Contract)
        else url_for("billing.unit_charges", unit_id=owner.id)
    )
    if request.method == "POST":
        with transaction():
            InvoiceLine.update(charge=None).where(InvoiceLine.charge == charge).execute()
            charge.delete_instance()
            audit(
                "billing.charge_deleted",
                actor=current_user,
                association=g.association,
                target=f"{_owner_name(owner)}: {charge.description}",
                amount=charge.amount,
            )
        flash(_("“%(description)s” is deleted.", description=charge.description), "success")
        return redirect(back)
    return render(
        "billing/charge_delete.html",
        charge=charge,
        owner=owner,
        owner_name=_owner_label(owner),
        back=back,
        vat_registered=_vat_registered(),
        **_labels(),
    )


def _owner_label(owner) -> str:
    if isinstance(owner, Contract):
        return _("contract %(number)s", number=owner.number)
    return _("unit %(number)s", number=owner.number)


# --- the board's table of monthly charges ----------------------------------------------------------


@bp.route("/admin/charges")
@requires(perms.INVOICES_VIEW_ALL)
def charges_overview():
    """Every unit with its monthly charges and its contracts' rent: the board's fee table (B8)."""
    q = request.args.get("q", "").strip()[:100]
    listing = _overview_page(q, _page_number())
    return render(
        "billing/charges_overview.html",
        "billing/_charges_overview.html",
        listing=listing,
        q=q,
        vat_registered=_vat_registered(),
        may_edit=can(perms.INVOICES_MANAGE),
        **_labels(),
    )


@dataclass
class UnitCharges:
    unit_charges: list = field(default_factory=list)  # money.Line of the unit's charges this month
    contract_lines: list = field(default_factory=list)  # rent and charges of its active contracts
    contracts: int = 0

    @property
    def unit_total(self) -> money.Totals:
        return money.totals(self.unit_charges)

    @property
    def contract_total(self) -> money.Totals:
        return money.totals(self.contract_lines)


def _overview_page(q: str, page: int) -> Listing:
    """One page of active units with this month's charges: four queries, however many units."""
    first, last = _month(g.association.today())
    units = Unit.active(g.association).select(Unit.id, Unit.number, Building.id, Building.name).join(Building)
    if q:
        units = units.where(Unit.number.contains(q) | Building.name.contains(q))
    matching = units.order_by().count()
    page = min(page, max(1, -(-matching // PAGE)))
    rows = list(units.order_by(*Unit.natural_order()).paginate(page, PAGE))
    ids = [u.id for u in rows]
    sums: dict[int, UnitCharges] = {unit_id: UnitCharges() for unit_id in ids}
    if ids:
        in_force = Charge.in_force(first, last)
        on_units = (
            Charge.of(g.association)
            .select(Charge.unit, Charge.description, Charge.amount, Charge.vat_rate)
            .where(Charge.unit.in_(ids) & Charge.contract.is_null() & in_force)
        )
        for charge in on_units:
            sums[charge.unit_id].unit_charges.append(money.Line(charge.description, charge.amount, charge.vat_rate))
        _add_contracts(sums, ids, first, last)
    without = _units_without_charges(first, last)
    return Listing(rows=rows, matching=matching, page=page, extra={"sums": sums, "without": without, "month": first})


def _active_contracts(first: dt.date, last: dt.date) -> pw.Expression:
    """Contracts running on at least one day of the month (terminated ones until their last day)."""
    return (
        (Contract.status != Contract.ENDED)
        & (Contract.start_date <= last)
        & (Contract.end_date.is_null() | (Contract.end_date >= first))
    )


def _add_contracts(sums: dict[int, UnitCharges], ids: list[int], first: dt.date, last: dt.date) -> None:
    """Rent and charges of the contracts running this month on these units: two queries."""
    contracts = {
        c.id: c
        for c in Contract.of(g.association)
        .select(Contract.id, Contract.unit, Contract.rent, Contract.rent_vat_rate)
        .where(Contract.unit.in_(ids) & _active_contracts(first, last))
    }
    for contract in contracts.values():
        sums[contract.unit_id].contracts += 1
        if contract.rent:
            sums[contract.unit_id].contract_lines.append(money.Line("rent", contract.rent, contract.rent_vat_rate))
    if not contracts:
        return
    charges = (
        Charge.of(g.association)
        .select(Charge.contract, Charge.amount, Charge.vat_rate)
        .where(Charge.contract.in_(list(contracts)) & Charge.in_force(first, last))
    )
    for charge in charges:
        unit_id = contracts[charge.contract_id].unit_id
        sums[unit_id].contract_lines.append(money.Line("", charge.amount, charge.vat_rate))


def _units_without_charges(first: dt.date, last: dt.date) -> int:
    """How many active units have neither a charge nor a running contract this month."""
    charged = (
        Charge.of(g.association).select(Charge.unit).where(Charge.unit.is_null(False) & Charge.in_force(first, last))
    )
    let = Contract.of(g.association).select(Contract.unit).where(_active_contracts(first, last))
    return Unit.active(g.association).where(Unit.id.not_in(charged) & Unit.id.not_in(let)).count()
