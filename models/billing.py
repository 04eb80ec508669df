"""Contracts, recurring charges, invoices and payments (SPEC B1–B4, B8); balances, late interest,
bank files and instalment plans (B5–B7, B10).

Money is always an integer of minor units (öre, cents, haléř) in the
association's currency; VAT rates are integers in basis points (2500 = 25 %).
Balances with late interest (B5), bank-file payments (B6) and instalment plans
(B7) build on these tables later: a payment records its source, an invoice
keeps what it totals, what was paid and what was credited, so the open amount
is one subtraction and an SQL expression.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from core import clock
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import permissions as perms
from models.db import AssociationScoped, BaseModel, PreparedSelect
from models.mail import OutboundEmail
from models.portal import Association, User
from models.register import Person, Unit


class BillingSettings(BaseModel):
    """One row per association: who is paid, into which account, with which references."""

    SE_OCR, EE, CZ_VS, FI, RF, FREE = "se_ocr", "ee", "cz_vs", "fi", "rf", "free"
    REFERENCE_STANDARDS = {
        SE_OCR: _l("Swedish OCR number"),
        EE: _l("Estonian reference number (7-3-1)"),
        CZ_VS: _l("Czech variable symbol"),
        FI: _l("Finnish reference number"),
        RF: _l("International creditor reference (RF)"),
        FREE: _l("Free text"),
    }

    association = pw.ForeignKeyField(Association, backref="billing_settings", unique=True, on_delete="CASCADE")
    payee_name = pw.CharField(max_length=200, default="")
    payee_address = pw.TextField(default="")  # printed on invoices, one line per line
    org_number = pw.CharField(max_length=40, default="")
    vat_number = pw.CharField(max_length=40, default="")
    vat_registered = pw.BooleanField(default=False)  # only then do charges carry VAT
    iban = pw.CharField(max_length=34, default="")
    bic = pw.CharField(max_length=11, default="")
    bankgiro = pw.CharField(max_length=12, default="")  # Swedish bankgiro, e.g. 5050-1055
    account_number = pw.CharField(max_length=40, default="")  # national format, e.g. Czech 2000145399/0800
    reference_standard = pw.CharField(max_length=8, default=RF)
    ocr_length_digit = pw.BooleanField(default=False)  # Swedish OCR "hard" check with a length digit
    payment_terms_days = pw.IntegerField(default=14)
    next_invoice_number = pw.IntegerField(default=1)
    invoice_footer = pw.TextField(default="")
    # Late interest (B5): none, a fixed yearly rate, or a reference rate (ReferenceRate rows) plus a margin,
    # all in basis points a year, counted from the day after the due date plus the grace days.
    INTEREST_NONE, INTEREST_FIXED, INTEREST_REFERENCE = "none", "fixed", "reference"
    INTEREST_MODES = {
        INTEREST_NONE: _l("No late interest"),
        INTEREST_FIXED: _l("A fixed yearly rate"),
        INTEREST_REFERENCE: _l("A reference rate plus a margin"),
    }
    INTEREST_AS_INVOICE, INTEREST_AS_LINE = "invoice", "line"
    interest_mode = pw.CharField(max_length=10, default=INTEREST_NONE)
    interest_rate = pw.IntegerField(default=0)  # the fixed yearly rate, basis points (800 = 8 %)
    interest_margin = pw.IntegerField(default=0)  # added to the reference rate, basis points
    interest_reference = pw.CharField(max_length=40, default="")  # its name as the board knows it: "ECB", "CNB repo"
    interest_grace_days = pw.IntegerField(default=0)
    interest_charged_as = pw.CharField(max_length=8, default=INTEREST_AS_INVOICE)  # own invoice, or a line
    interest_during_plan = pw.BooleanField(default=False)  # does debt moved into a kept plan still bear interest?
    interest_minimum = pw.BigIntegerField(default=0)  # a run charges nobody less than this (minor units)
    # Raised whenever an invoice is created or a payment recorded or removed: figures computed
    # from the invoices (the board's totals per status) are reused only while it stays the same.
    revision = pw.IntegerField(default=0)

    @classmethod
    def bump(cls, association: Association | int) -> None:
        """Mark the association's invoice figures as changed (call in the changing transaction)."""
        if not cls.update(revision=cls.revision + 1).where(cls.association == association).execute():
            cls.insert(association=association, revision=1).on_conflict_ignore().execute()

    @classmethod
    def revision_of(cls, association: Association) -> int:
        return cls.select(cls.revision).where(cls.association == association).scalar() or 0

    @classmethod
    def for_association(cls, association: Association) -> BillingSettings:
        """The association's settings, created with defaults on first use."""
        found = _SETTINGS(association.id)
        return found[0] if found else cls.create(association=association, payee_name=association.name)


def _settings_query(association) -> pw.ModelSelect:
    return BillingSettings.select().where(BillingSettings.association == association)


# Read on every invoice page: built once (see PreparedSelect).
_SETTINGS = PreparedSelect(_settings_query)


class Contract(AssociationScoped, BaseModel):
    """A lease or right of use of one unit by one or more people (B1)."""

    HOME, COMMERCIAL, PARKING, STORAGE = "home", "commercial", "parking", "storage"
    CATEGORIES = {
        HOME: _lp("contract category", "Home"),
        COMMERCIAL: _l("Commercial"),
        PARKING: _l("Parking"),
        STORAGE: _l("Storage"),
    }
    ACTIVE, TERMINATED, ENDED = "active", "terminated", "ended"
    STATUSES = {ACTIVE: _lp("contract status", "Active"), TERMINATED: _l("Terminated"), ENDED: _l("Ended")}
    INDEFINITE, FIXED, RENEWS = "indefinite", "fixed", "renews"
    RENEWALS = {
        INDEFINITE: _l("Until further notice"),
        FIXED: _l("Fixed term, ends on the end date"),
        RENEWS: _l("Renews automatically"),
    }

    association = pw.ForeignKeyField(Association, backref="contracts", on_delete="CASCADE")
    unit = pw.ForeignKeyField(Unit, backref="contracts", on_delete="RESTRICT")
    number = pw.CharField(max_length=40)
    category = pw.CharField(max_length=12, default=HOME)
    type_label = pw.CharField(max_length=120, default="")  # e.g. "2 rooms and kitchen"
    status = pw.CharField(max_length=12, default=ACTIVE)
    start_date = pw.DateField()
    end_date = pw.DateField(null=True)  # last day
    notice_months = pw.IntegerField(null=True)
    renewal = pw.CharField(max_length=12, default=INDEFINITE)
    renewal_months = pw.IntegerField(null=True)  # for RENEWS: by how long
    rent = pw.BigIntegerField(default=0)  # per month, minor units, before VAT
    rent_vat_rate = pw.IntegerField(default=0)  # basis points
    note = pw.TextField(default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "number"), True), (("association", "unit"), False))

    @classmethod
    def held_by(cls, membership) -> pw.ModelSelect:
        """The member's own contracts: those naming one of their register entries (even a board member's list)."""
        parties = ContractParty.select(ContractParty.contract).where(
            ContractParty.person.in_(people_of(membership.association, membership.user_id))
        )
        return cls.of(membership.association).where(cls.id.in_(parties))

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """Contracts this member may open: all of them with invoices.view_all, else their own."""
        if membership.can(perms.INVOICES_VIEW_ALL):
            return cls.of(membership.association)
        return cls.held_by(membership)


def people_of(association: Association, user: User | int) -> pw.ModelSelect:
    """The ids of the register entries that are this user in this association (a subquery)."""
    return Person.select(Person.id).where((Person.association == association) & (Person.user == user))


class ContractParty(BaseModel):
    """A person named on a contract (the tenant or tenants)."""

    contract = pw.ForeignKeyField(Contract, backref="parties", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, backref="contract_parties", on_delete="RESTRICT")

    class Meta:
        indexes = ((("contract", "person"), True),)


class Charge(AssociationScoped, BaseModel):
    """A recurring monthly line of a unit (billed to its main owner) or of a contract (B8)."""

    association = pw.ForeignKeyField(Association, backref="charges", on_delete="CASCADE")
    unit = pw.ForeignKeyField(Unit, null=True, backref="charges", on_delete="CASCADE")
    contract = pw.ForeignKeyField(Contract, null=True, backref="charges", on_delete="CASCADE")
    description = pw.CharField(max_length=200)
    amount = pw.BigIntegerField()  # per month, minor units, before VAT
    vat_rate = pw.IntegerField(default=0)  # basis points
    valid_from = pw.DateField(null=True)
    valid_to = pw.DateField(null=True)  # last day
    position = pw.IntegerField(default=0)
    # The service this charge is a monthly advance for (water, heating, ...): the yearly settlement
    # compares what was invoiced for it with the unit's share of its cost (B9). Empty: not an advance.
    service = pw.DeferredForeignKey("Service", null=True, backref="charges", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "unit"), False), (("association", "contract"), False))

    @classmethod
    def in_force(cls, first: dt.date, last: dt.date) -> pw.Expression:
        """Charges valid on at least one day of first..last."""
        return (cls.valid_from.is_null() | (cls.valid_from <= last)) & (
            cls.valid_to.is_null() | (cls.valid_to >= first)
        )


class InvoiceRun(AssociationScoped, BaseModel):
    """One "create invoices for period" action; a period is run once."""

    association = pw.ForeignKeyField(Association, backref="invoice_runs", on_delete="CASCADE")
    period_start = pw.DateField()
    period_end = pw.DateField()
    issue_date = pw.DateField()
    due_date = pw.DateField()
    invoice_count = pw.IntegerField(default=0)
    total = pw.BigIntegerField(default=0)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "period_start"), True),)


class Invoice(AssociationScoped, BaseModel):
    """A rent or fee notice, or a credit note (B2). Recipient name and address are
    copied at issue: an invoice shows who it was sent to, even after a move."""

    INVOICE, CREDIT_NOTE = "invoice", "credit_note"
    KINDS = {INVOICE: _l("Invoice"), CREDIT_NOTE: _l("Credit note")}
    OPEN, PARTLY_PAID, PAID, OVERDUE, CREDITED = "open", "partly_paid", "paid", "overdue", "credited"
    STATUSES = {
        OPEN: _lp("invoice status", "Open"),
        PARTLY_PAID: _l("Partly paid"),
        PAID: _l("Paid"),
        OVERDUE: _lp("invoice status", "Overdue"),
        CREDITED: _l("Credited"),
    }

    association = pw.ForeignKeyField(Association, backref="invoices", on_delete="CASCADE")
    number = pw.IntegerField()
    kind = pw.CharField(max_length=12, default=INVOICE)
    # Indexed with the issue date below: an invoice's credit notes in order, which the planner would
    # otherwise read from the (association, issue_date) index, the association's every invoice.
    credits = pw.ForeignKeyField("self", null=True, backref="credit_notes", on_delete="RESTRICT", index=False)
    unit = pw.ForeignKeyField(Unit, null=True, backref="invoices", on_delete="RESTRICT")
    contract = pw.ForeignKeyField(Contract, null=True, backref="invoices", on_delete="RESTRICT")
    recipient = pw.ForeignKeyField(Person, backref="invoices", on_delete="RESTRICT")
    recipient_name = pw.CharField(max_length=250)
    recipient_address = pw.TextField(default="")
    period_start = pw.DateField(null=True)
    period_end = pw.DateField(null=True)
    issue_date = pw.DateField()
    due_date = pw.DateField()
    currency = pw.CharField(max_length=3)
    reference = pw.CharField(max_length=35, default="")
    message = pw.TextField(default="")
    net_total = pw.BigIntegerField(default=0)
    vat_total = pw.BigIntegerField(default=0)
    total = pw.BigIntegerField(default=0)  # net + VAT; negative on a credit note
    paid_total = pw.BigIntegerField(default=0)  # sum of its payments
    credited_total = pw.BigIntegerField(default=0)  # sum of credit notes against it (positive)
    run = pw.ForeignKeyField(InvoiceRun, null=True, backref="invoices", on_delete="SET NULL")
    # What the invoice is for: the period's charges (or one the board wrote), late interest, or one
    # instalment of a plan; a credit note's purpose says whether it writes a debt off or moves it into
    # an instalment plan. Interest invoices bear no interest themselves.
    CHARGES, INTEREST, INSTALMENT = "charges", "interest", "instalment"
    WRITE_OFF, INTO_PLAN = "write_off", "into_plan"
    SETTLEMENT = "settlement"  # what a unit still owes after the yearly settlement of services (B9)
    purpose = pw.CharField(max_length=12, default=CHARGES)
    plan = pw.DeferredForeignKey("InstalmentPlan", null=True, backref="instalments", on_delete="SET NULL")
    # "<period>:unit:<id>" or "<period>:contract:<id>" for run invoices: a second run cannot repeat one.
    run_key = pw.CharField(max_length=60, null=True, unique=True)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = (
            (("association", "number"), True),
            (("association", "issue_date"), False),
            (("association", "recipient"), False),
            (("association", "unit"), False),
            (("association", "reference"), False),
            (("credits", "issue_date"), False),
        )

    @classmethod
    def addressed_to(cls, membership) -> pw.ModelSelect:
        """The member's own invoices: addressed to one of their register entries, or raised on a
        contract that names one of them (even a board member's list is their own)."""
        association = membership.association
        return cls.of(association).where(cls.addressed_rule(association, membership.user_id))

    @classmethod
    def addressed_rule(cls, association, user_id) -> pw.Expression:
        """addressed_to's rule; the association and user may be PreparedSelect markers."""
        mine = people_of(association, user_id)
        their_contracts = ContractParty.select(ContractParty.contract).where(ContractParty.person.in_(mine))
        # A UNION of two indexed lookups: "recipient IN … OR contract IN …" would make the
        # database read every invoice of the association (24,000 a year for 2,000 units).
        addressed = Invoice.select(Invoice.id).where(Invoice.recipient.in_(mine))
        on_contracts = Invoice.select(Invoice.id).where(Invoice.contract.in_(their_contracts))
        return cls.id.in_(addressed | on_contracts)

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """Invoices this member may open: all with invoices.view_all, else their own. Load by id only through this."""
        association = membership.association
        rule = cls.seen_by(membership.role.permission_set, association, membership.user_id)
        return cls.of(association) if rule is None else cls.of(association).where(rule)

    @classmethod
    def seen_by(cls, granted: frozenset[str], association, user_id) -> pw.Expression | None:
        """visible_to's rule (None: every invoice of the association) for a member whose role grants
        `granted`; the association and user may be PreparedSelect markers."""
        if perms.INVOICES_VIEW_ALL in granted:
            return None
        return cls.addressed_rule(association, user_id)

    @property
    def outstanding(self) -> int:
        """What is still to pay, in minor units (never below zero)."""
        return max(self.total - self.paid_total - self.credited_total, 0)

    def status_on(self, today: dt.date) -> str:
        """open, partly paid, paid, overdue or credited, as the resident would say it today."""
        if self.kind == self.CREDIT_NOTE:
            return self.CREDITED
        if self.credited_total and self.credited_total >= self.total:
            return self.CREDITED
        if self.paid_total + self.credited_total >= self.total:
            return self.PAID
        if self.due_date < today:
            return self.OVERDUE
        if self.paid_total > 0:
            return self.PARTLY_PAID
        return self.OPEN

    @classmethod
    def with_status(cls, status: str, today: dt.date) -> pw.Expression:
        """The SQL condition matching status_on(today) == status, for filters and totals."""
        settled = (cls.paid_total + cls.credited_total) >= cls.total
        is_credit = (cls.kind == cls.CREDIT_NOTE) | ((cls.credited_total > 0) & (cls.credited_total >= cls.total))
        if status == cls.CREDITED:
            return is_credit
        if status == cls.PAID:
            return ~is_credit & settled
        if status == cls.OVERDUE:
            return ~is_credit & ~settled & (cls.due_date < today)
        if status == cls.PARTLY_PAID:
            return ~is_credit & ~settled & (cls.due_date >= today) & (cls.paid_total > 0)
        if status == cls.OPEN:
            return ~is_credit & ~settled & (cls.due_date >= today) & (cls.paid_total == 0)
        raise ValueError(status)


class InvoiceLine(BaseModel):
    invoice = pw.ForeignKeyField(Invoice, backref="lines", on_delete="CASCADE")
    position = pw.IntegerField(default=0)
    description = pw.CharField(max_length=200)
    amount = pw.BigIntegerField()  # before VAT, minor units
    vat_rate = pw.IntegerField(default=0)  # basis points
    vat_amount = pw.BigIntegerField(default=0)
    charge = pw.ForeignKeyField(Charge, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("invoice", "position"), False),)

    @property
    def total(self) -> int:
        return self.amount + self.vat_amount


class Payment(AssociationScoped, BaseModel):
    """Money received against one invoice, full or partial."""

    MANUAL, BANK_FILE, CREDIT = "manual", "bank_file", "credit"  # CREDIT: settled from the payer's credit

    association = pw.ForeignKeyField(Association, backref="payments", on_delete="CASCADE")
    invoice = pw.ForeignKeyField(Invoice, backref="payments", on_delete="RESTRICT")
    amount = pw.BigIntegerField()
    paid_on = pw.DateField()
    reference = pw.CharField(max_length=35, default="")
    note = pw.CharField(max_length=200, default="")
    source = pw.CharField(max_length=12, default=MANUAL)
    recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    # The money this allocation is part of (a bank credit or a manual receipt); None for payments
    # recorded before receipts existed, which are their own receipt.
    receipt = pw.DeferredForeignKey("Receipt", null=True, backref="allocations", on_delete="RESTRICT")

    class Meta:
        indexes = ((("association", "paid_on"), False), (("invoice",), False))


class PrintBatch(AssociationScoped, BaseModel):
    """One PDF of invoices going out on paper, each with its address where a window envelope shows it,
    in the order the board chose (B3a). A run's paper invoices make one batch; single invoices waiting
    for paper make another. The job (jobs/invoices.py) fills `done` as it goes, for the progress bar."""

    BY_UNIT, BY_NAME, BY_POSTCODE = "unit", "name", "postcode"
    ORDERS = {BY_UNIT: _l("By unit"), BY_NAME: _l("By name"), BY_POSTCODE: _l("By postcode")}
    QUEUED, RENDERING, READY, FAILED = "queued", "rendering", "ready", "failed"

    association = pw.ForeignKeyField(Association, backref="print_batches", on_delete="CASCADE")
    run = pw.ForeignKeyField(InvoiceRun, null=True, unique=True, backref="print_batches", on_delete="CASCADE")
    order = pw.CharField(max_length=10, default=BY_UNIT)
    state = pw.CharField(max_length=10, default=QUEUED)
    done = pw.IntegerField(default=0)
    total = pw.IntegerField(default=0)
    pages = pw.IntegerField(default=0)
    error = pw.TextField(default="")
    stored_name = pw.CharField(max_length=100, default="")  # the PDF under UPLOAD_DIR/print/
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)


class InvoiceDelivery(BaseModel):
    """How one invoice reaches its recipient (B3a): by e-mail with its PDF, or on paper. One row per way.

    E-mail: queued -> rendering -> mailing -> sent, or failed (with the reason; the board sends it
    again). Paper: to print -> printed (in a print batch). Either way "no address" when the register
    lacks the address that way needs: the board fixes the person and sends it again."""

    EMAIL, PAPER = "email", "paper"
    QUEUED, RENDERING, MAILING, SENT, FAILED = "queued", "rendering", "mailing", "sent", "failed"
    NO_ADDRESS, TO_PRINT, PRINTED = "no_address", "to_print", "printed"
    OPEN = (QUEUED, RENDERING, MAILING, TO_PRINT)  # on its way: the page polls while any is

    invoice = pw.ForeignKeyField(Invoice, backref="deliveries", on_delete="CASCADE")
    channel = pw.CharField(max_length=8)
    state = pw.CharField(max_length=12)
    error = pw.TextField(default="")
    to_address = pw.CharField(max_length=254, default="")  # the e-mail address it went to
    email = pw.ForeignKeyField(OutboundEmail, null=True, on_delete="SET NULL")
    batch = pw.ForeignKeyField(PrintBatch, null=True, backref="deliveries", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("invoice", "channel"), True), (("state", "updated_at"), False))


# --- balances, late interest, bank files and instalment plans (B5–B7, B10) --------------------


class ReferenceRate(AssociationScoped, BaseModel):
    """The reference rate (ECB main refinancing, CNB repo, ...) in force from a day on, as the board
    keeps it; late interest in "reference" mode adds the association's margin to the row in force."""

    association = pw.ForeignKeyField(Association, backref="reference_rates", on_delete="CASCADE")
    valid_from = pw.DateField()
    rate = pw.IntegerField()  # basis points a year; may be negative
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "valid_from"), True),)


class BankFile(AssociationScoped, BaseModel):
    """One bank file the board uploaded (B6): read, previewed, then booked. The same bytes twice are one
    file (`sha256`); a transaction seen in an earlier file is skipped by its own key (BankTransaction)."""

    CAMT053, CAMT054, BGMAX, GPC, CSV = "camt053", "camt054", "bgmax", "gpc", "csv"
    FORMATS = {
        CAMT053: _l("ISO 20022 account statement (camt.053)"),
        CAMT054: _l("ISO 20022 debit/credit notification (camt.054)"),
        BGMAX: _l("Bankgirot BgMax"),
        GPC: _l("Czech ABO/GPC"),
        CSV: _l("CSV with a column mapping"),
    }
    PREVIEW, BOOKED, DISCARDED = "preview", "booked", "discarded"

    association = pw.ForeignKeyField(Association, backref="bank_files", on_delete="CASCADE")
    format = pw.CharField(max_length=8)
    version = pw.CharField(max_length=20, default="")  # e.g. "camt.053.001.08"
    original_name = pw.CharField(max_length=200, default="")
    stored_name = pw.CharField(max_length=100, default="")  # the bytes under UPLOAD_DIR/bank/
    sha256 = pw.CharField(max_length=64)
    account = pw.CharField(max_length=40, default="")  # the statement's account (IBAN, bankgiro, number)
    first_day = pw.DateField(null=True)
    last_day = pw.DateField(null=True)
    state = pw.CharField(max_length=10, default=PREVIEW)
    transaction_count = pw.IntegerField(default=0)
    booked_count = pw.IntegerField(default=0)
    duplicate_count = pw.IntegerField(default=0)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    booked_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("association", "sha256"), True), (("association", "created_at"), False))


class BankTransaction(AssociationScoped, BaseModel):
    """One entry of a bank file. Credits become receipts; debits and reversals are shown, never booked.

    `key` is the bank's own reference for the entry (AcctSvcrRef, BgMax's serial, GPC's posting id) or,
    lacking one, a hash of its date, amount, reference and counterparty with its place among equal
    entries: the same entry in an overlapping file has the same key and is booked once."""

    CREDIT, DEBIT, REVERSAL = "credit", "debit", "reversal"
    # matched: its reference names an invoice; suggested: amount and name point to one, the board
    # confirms; unmatched: in the queue; booked: a receipt exists; ignored: the board said why not.
    MATCHED, SUGGESTED, UNMATCHED, BOOKED, IGNORED, NOT_BOOKED = (
        "matched", "suggested", "unmatched", "booked", "ignored", "not_booked",
    )  # fmt: skip

    association = pw.ForeignKeyField(Association, backref="bank_transactions", on_delete="CASCADE")
    file = pw.ForeignKeyField(BankFile, backref="transactions", on_delete="CASCADE")
    key = pw.CharField(max_length=100)
    kind = pw.CharField(max_length=10, default=CREDIT)
    booked_on = pw.DateField()
    value_on = pw.DateField(null=True)
    amount = pw.BigIntegerField()  # minor units, positive; `kind` says which way
    currency = pw.CharField(max_length=3)
    reference = pw.CharField(max_length=140, default="")  # the structured reference as sent
    message = pw.TextField(default="")  # unstructured remittance text
    payer_name = pw.CharField(max_length=200, default="")
    payer_account = pw.CharField(max_length=40, default="")
    state = pw.CharField(max_length=10, default=UNMATCHED)
    invoice = pw.ForeignKeyField(Invoice, null=True, on_delete="SET NULL")  # matched or suggested
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")  # the payer, once known
    receipt = pw.DeferredForeignKey("Receipt", null=True, on_delete="SET NULL")
    ignore_reason = pw.CharField(max_length=200, default="")
    handled_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    handled_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = (
            (("association", "key"), True),
            (("association", "state", "booked_on"), False),
            (("file",), False),
        )


class Receipt(AssociationScoped, BaseModel):
    """Money received from a payer: a booked bank credit or one the board recorded by hand.

    It is spent on invoices by allocations (Payment rows with `receipt` set); `allocated` is their sum,
    kept in SQL like an invoice's paid total. What is left (amount − allocated) is the payer's credit,
    which settles their next invoice."""

    MANUAL, BANK_FILE = Payment.MANUAL, Payment.BANK_FILE
    SETTLEMENT = "settlement"  # a unit's advances exceeded its share of the costs: the surplus is credit (B9)

    association = pw.ForeignKeyField(Association, backref="receipts", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, backref="receipts", on_delete="RESTRICT")
    amount = pw.BigIntegerField()
    allocated = pw.BigIntegerField(default=0)
    currency = pw.CharField(max_length=3)
    received_on = pw.DateField()
    reference = pw.CharField(max_length=140, default="")
    note = pw.CharField(max_length=200, default="")
    source = pw.CharField(max_length=12, default=MANUAL)
    bank_file = pw.ForeignKeyField(BankFile, null=True, on_delete="SET NULL")
    recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "person", "received_on"), False), (("association", "received_on"), False))

    @property
    def credit(self) -> int:
        return self.amount - self.allocated


class AllocationUndo(AssociationScoped, BaseModel):
    """An allocation the board took back, and why: the money went back to the payer's credit."""

    association = pw.ForeignKeyField(Association, backref="allocation_undos", on_delete="CASCADE")
    invoice = pw.ForeignKeyField(Invoice, backref="allocation_undos", on_delete="CASCADE")
    # SET NULL: a receipt undone in full (allocation.void_receipt) leaves its allocations' history here.
    receipt = pw.ForeignKeyField(Receipt, null=True, backref="undos", on_delete="SET NULL")
    amount = pw.BigIntegerField()
    paid_on = pw.DateField()
    reason = pw.CharField(max_length=200)
    undone_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    undone_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("invoice", "undone_at"), False),)


class BankMapping(AssociationScoped, BaseModel):
    """A CSV column mapping remembered per bank (by the file's header line), as JSON."""

    association = pw.ForeignKeyField(Association, backref="bank_mappings", on_delete="CASCADE")
    bank = pw.CharField(max_length=120)  # the name the board gave, e.g. "Swedbank"
    header_key = pw.CharField(max_length=64)  # sha256 of the normalised header line
    mapping = pw.TextField()  # {"booked_on": "Datum", "amount": "Belopp", ...} plus date/decimal formats
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "header_key"), True),)


class InterestRun(AssociationScoped, BaseModel):
    """One "charge late interest up to a day" action; a day is run once (idempotent per period)."""

    association = pw.ForeignKeyField(Association, backref="interest_runs", on_delete="CASCADE")
    through = pw.DateField()  # interest counted up to and including this day
    charged_as = pw.CharField(max_length=8)
    charge_count = pw.IntegerField(default=0)
    total = pw.BigIntegerField(default=0)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "through"), True),)


class InterestCharge(AssociationScoped, BaseModel):
    """Late interest on one overdue invoice for the days first_day..last_day, never overlapping another
    charge of that invoice (so no day is charged twice). `calculation` keeps the working as JSON, one
    piece per stretch of equal principal and rate: {"from", "to", "days", "principal", "rate",
    "year_days", "exact"} (rate in basis points a year; exact as "numerator/denominator" minor units);
    the statement shows it. `amount` is the exact sum rounded half up to a minor unit."""

    association = pw.ForeignKeyField(Association, backref="interest_charges", on_delete="CASCADE")
    run = pw.ForeignKeyField(InterestRun, backref="charges", on_delete="CASCADE")
    invoice = pw.ForeignKeyField(Invoice, backref="interest_charges", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, on_delete="RESTRICT")
    first_day = pw.DateField()
    last_day = pw.DateField()
    amount = pw.BigIntegerField()
    calculation = pw.TextField()
    # Where it was charged: the interest invoice, or the invoice that carries it as a line (None while
    # waiting for the next invoice run in "line" mode).
    charged_on = pw.ForeignKeyField(Invoice, null=True, backref="interest_lines", on_delete="SET NULL")

    class Meta:
        indexes = ((("invoice", "first_day"), True), (("association", "person", "last_day"), False))


class InstalmentPlan(AssociationScoped, BaseModel):
    """A debtor's debt paid in instalments (B7). Making it moves the chosen invoices' open amounts into
    the plan (they are settled by a transfer, recorded in PlanDebt) and issues one invoice per
    instalment, each with its own reference (Invoice.plan, purpose INSTALMENT)."""

    ACTIVE, COMPLETED, CANCELLED = "active", "completed", "cancelled"
    STATES = {ACTIVE: _lp("plan state", "Active"), COMPLETED: _l("Completed"), CANCELLED: _l("Cancelled")}

    association = pw.ForeignKeyField(Association, backref="instalment_plans", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, backref="instalment_plans", on_delete="RESTRICT")
    unit = pw.ForeignKeyField(Unit, null=True, on_delete="SET NULL")
    total = pw.BigIntegerField()
    instalment_count = pw.IntegerField()
    first_due = pw.DateField()
    interval_months = pw.IntegerField(default=1)
    state = pw.CharField(max_length=10, default=ACTIVE)
    note = pw.TextField(default="")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    ended_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("association", "person"), False), (("association", "state"), False))


class PlanDebt(BaseModel):
    """An invoice's open amount moved into a plan when it was made."""

    plan = pw.ForeignKeyField(InstalmentPlan, backref="debts", on_delete="CASCADE")
    invoice = pw.ForeignKeyField(Invoice, backref="plan_debts", on_delete="RESTRICT")
    amount = pw.BigIntegerField()

    class Meta:
        indexes = ((("plan", "invoice"), True), (("invoice",), False))


class DebtReminder(AssociationScoped, BaseModel):
    """A reminder mail to a debtor (B10), logged on the person: what was owed and when it went."""

    association = pw.ForeignKeyField(Association, backref="debt_reminders", on_delete="CASCADE")
    person = pw.ForeignKeyField(Person, backref="debt_reminders", on_delete="CASCADE")
    amount = pw.BigIntegerField()  # overdue when sent
    email = pw.ForeignKeyField(OutboundEmail, null=True, on_delete="SET NULL")
    sent_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    sent_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "person", "sent_at"), False),)


class ReminderTemplate(BaseModel):
    """The association's debt reminder text (one per association); empty fields use the built-in text."""

    association = pw.ForeignKeyField(Association, backref="reminder_template", unique=True, on_delete="CASCADE")
    subject = pw.CharField(max_length=200, default="")
    body = pw.TextField(default="")  # plain text with {name}, {amount}, {overdue_since}
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)


class Service(AssociationScoped, BaseModel):
    """A service the association buys for its units and settles yearly against the advances (B9):
    water, heating, cleaning, lift. Charges name it when they are its monthly advance."""

    association = pw.ForeignKeyField(Association, backref="services", on_delete="CASCADE")
    name = pw.CharField(max_length=120)
    position = pw.IntegerField(default=0)
    archived_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "position"), False),)


class Settlement(AssociationScoped, BaseModel):
    """The yearly settlement of advance payments for services (B9): one per association and year.

    A draft holds the costs and keys the board enters and previews; the run shares the costs out, writes
    one SettlementUnit per unit with its statement and the invoice or credit for the difference, and
    records when every unit's statement was mailed (Czech law: by 30 April of the next year)."""

    DRAFT, RUNNING, DONE = "draft", "running", "done"
    STATES = {DRAFT: _lp("settlement state", "Draft"), RUNNING: _l("Being sent"), DONE: _l("Settled")}

    association = pw.ForeignKeyField(Association, backref="settlements", on_delete="CASCADE")
    year = pw.IntegerField()
    period_start = pw.DateField()
    period_end = pw.DateField()
    deadline = pw.DateField()  # when the statements must reach the units
    state = pw.CharField(max_length=10, default=DRAFT)
    note = pw.TextField(default="")  # printed on every statement
    run_at = pw.DateTimeField(null=True)
    run_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    delivered_at = pw.DateTimeField(null=True)  # the last statement went out
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "year"), True),)


class SettlementCost(BaseModel):
    """A service's actual cost for the year, and the key that shares it out."""

    settlement = pw.ForeignKeyField(Settlement, backref="costs", on_delete="CASCADE")
    service = pw.ForeignKeyField(Service, on_delete="RESTRICT", backref="+")
    amount = pw.BigIntegerField()  # minor units, VAT included: what the association paid
    position = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("settlement", "service"), True),)


class SettlementKey(BaseModel):
    """One part of a cost's key: `percent` of the cost shared by area, share, residents (days lived) or
    a meter kind's consumption. A cost's parts add up to 100 % (heating: 50 % area, 50 % allocators)."""

    AREA, SHARE, RESIDENTS, CONSUMPTION, EQUAL = "area", "share", "residents", "consumption", "equal"
    KINDS = {
        AREA: _l("By floor area"),
        SHARE: _l("By ownership share"),
        RESIDENTS: _l("By residents (days lived)"),
        CONSUMPTION: _l("By meter consumption"),
        EQUAL: _l("Equally per unit"),
    }

    cost = pw.ForeignKeyField(SettlementCost, backref="keys", on_delete="CASCADE")
    kind = pw.CharField(max_length=12)
    percent = pw.IntegerField(default=100)  # whole per cent of the cost
    meter_kind = pw.CharField(max_length=12, default="")  # for CONSUMPTION: Meter.COLD_WATER, ...


class SettlementUnit(BaseModel):
    """A unit's result: its share of each cost, the advances invoiced, the difference (advances − costs;
    negative: the unit pays more), the statement PDF and the invoice or credit that settles it."""

    settlement = pw.ForeignKeyField(Settlement, backref="units", on_delete="CASCADE")
    unit = pw.ForeignKeyField(Unit, on_delete="RESTRICT", backref="+")
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+")  # who receives it
    costs = pw.BigIntegerField(default=0)
    advances = pw.BigIntegerField(default=0)
    difference = pw.BigIntegerField(default=0)
    detail = pw.TextField(default="")  # JSON: per service its amount, key figures and advances, as printed
    invoice = pw.ForeignKeyField(Invoice, null=True, on_delete="SET NULL", backref="+")
    receipt = pw.ForeignKeyField(Receipt, null=True, on_delete="SET NULL", backref="+")
    stored_name = pw.CharField(max_length=100, default="")  # the statement PDF under UPLOAD_DIR/settlements/
    email = pw.ForeignKeyField(OutboundEmail, null=True, on_delete="SET NULL", backref="+")
    error = pw.TextField(default="")
    sent_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("settlement", "unit"), True),)
