"""Vacant homes listed to the public, and the seeker's way on to the landlord (SPEC L1–L3, L5).

A listing comes from the register: a unit is vacant while it has a Vacancy whose end has not come and no
tenant lives there; its rooms, area, floor, accessibility and place are the unit's and its building's
(a building is a "department", afdeling, in Danish social housing). What only a vacancy has is here: move-in
day, rent and deposit, housing type, lift, pets, flexible-letting schemes, the expected wait, photos and a
description per language.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from core import clock
from core.text import lazy_gettext as _l
from models.db import AssociationScoped, BaseModel
from models.portal import Association, User
from models.register import Building, Unit


class Vacancy(AssociationScoped, BaseModel):
    """A unit offered for letting from `move_in` until `ends_on` (its last day listed), shown publicly."""

    FAMILY, YOUTH, SENIOR = "family", "youth", "senior"
    HOUSING_TYPES = {FAMILY: _l("Family home"), YOUTH: _l("Youth home"), SENIOR: _l("Senior home")}
    # Flexible letting ("kom foran i køen"): who may get ahead of the queue for this home.
    SCHEMES = {
        "students": _l("Students"),
        "seniors": _l("Seniors"),
        "local_workers": _l("People working locally"),
        "families": _l("Families with children"),
        "relocation": _l("People moving for work"),
        "social": _l("Social letting by the municipality"),
        "combined": _l("Combined letting"),
    }

    association = pw.ForeignKeyField(Association, backref="vacancies", on_delete="CASCADE")
    unit = pw.ForeignKeyField(Unit, backref="vacancies", on_delete="CASCADE")
    move_in = pw.DateField()
    ends_on = pw.DateField(null=True)  # the last day it is listed; empty: until the board ends it
    rent = pw.BigIntegerField()  # per month, minor units
    deposit = pw.BigIntegerField(default=0)
    housing_type = pw.CharField(max_length=8, default=FAMILY)
    lift = pw.BooleanField(default=False)
    pets = pw.BooleanField(default=False)
    schemes = pw.CharField(max_length=200, default="")  # space-separated SCHEMES keys
    waiting_months = pw.IntegerField(null=True)  # the expected wait on the list for a home like this
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)
    # Copies of the unit's and its building's facts, for the public search (it then reads the vacancies
    # alone, not 550,000 units). The database writes them: triggers on vacancy, unit and building (migration
    # 0021) replace whatever a writer sends here, so they are never set in Python.
    rooms = pw.IntegerField(null=True)
    area = pw.DecimalField(max_digits=9, decimal_places=2, null=True, auto_round=True)
    floor = pw.IntegerField(null=True)
    accessibility = pw.CharField(max_length=200, default="")
    unit_archived = pw.BooleanField(default=False)
    building_id = pw.IntegerField(null=True)
    municipality = pw.CharField(max_length=120, default="")
    region = pw.CharField(max_length=120, default="")

    class Meta:
        indexes = (
            (("association", "unit"), False),
            (("ends_on", "move_in"), False),
            (("rent",), False),
            (("region", "municipality"), False),
            (("building_id",), False),
        )

    @classmethod
    def listed_on(cls, day: dt.date) -> pw.Expression:
        """Vacancies not ended by `day` (the tenant rule and archived units are the search's to add)."""
        return cls.ends_on.is_null() | (cls.ends_on >= day)

    @property
    def scheme_keys(self) -> list[str]:
        return [key for key in self.schemes.split() if key in self.SCHEMES]


class VacancyText(BaseModel):
    """A vacancy's description in one of the association's languages (plain text, shown escaped)."""

    vacancy = pw.ForeignKeyField(Vacancy, backref="texts", on_delete="CASCADE")
    language = pw.CharField(max_length=10)
    description = pw.TextField(default="")

    class Meta:
        indexes = ((("vacancy", "language"), True),)


class VacancyPhoto(BaseModel):
    """A photo of a vacant home, re-encoded without metadata, under a server-made name."""

    vacancy = pw.ForeignKeyField(Vacancy, backref="photos", on_delete="CASCADE")
    stored_name = pw.CharField(max_length=100)
    width = pw.IntegerField(default=0)
    height = pw.IntegerField(default=0)
    position = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)


class SeekerRoute(AssociationScoped, BaseModel):
    """How a seeker reaches the landlord from a listing (L2): the landlord's application page, a contact
    form mailed to the landlord, or a phone number. The most specific route wins: one for the listing's
    department (building) and housing type, then the department, then the housing type, then the
    association's own (both empty)."""

    WEBSITE, FORM, PHONE = "website", "form", "phone"
    KINDS = {
        WEBSITE: _l("To the landlord's website"),
        FORM: _l("Contact the landlord"),
        PHONE: _l("Call the landlord"),
    }

    association = pw.ForeignKeyField(Association, backref="seeker_routes", on_delete="CASCADE")
    building = pw.ForeignKeyField(Building, null=True, on_delete="CASCADE", backref="+")
    housing_type = pw.CharField(max_length=8, default="")  # "": every type
    kind = pw.CharField(max_length=8)
    url = pw.CharField(max_length=500, default="")
    email = pw.CharField(max_length=254, default="")
    phone = pw.CharField(max_length=40, default="")
    # The self-check's job asks the website route's page now and then (never while a page loads).
    checked_at = pw.DateTimeField(null=True)
    check_status = pw.CharField(max_length=120, default="")  # "" fine; else what went wrong, e.g. "HTTP 404"
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "building", "housing_type"), True),)


# One route per association and housing type where no department is named: the unique index above treats
# each empty department as different from every other, so two "every home" routes would both fit.
SeekerRoute.add_index(
    SeekerRoute.index(
        SeekerRoute.association, SeekerRoute.housing_type, unique=True, where=SeekerRoute.building.is_null(),
        name="seeker_route_one_without_department",
    )
)  # fmt: skip


class ContactMessage(AssociationScoped, BaseModel):
    """A seeker's message through a listing's contact form, kept to throttle senders and to show the board
    what was sent; the seeker's address and words stay the landlord's."""

    association = pw.ForeignKeyField(Association, backref="contact_messages", on_delete="CASCADE")
    vacancy = pw.ForeignKeyField(Vacancy, null=True, on_delete="SET NULL", backref="messages")
    name = pw.CharField(max_length=200)
    email = pw.CharField(max_length=254)
    phone = pw.CharField(max_length=40, default="")
    message = pw.TextField()
    sender_key = pw.CharField(max_length=64)  # a keyed hash of the sender's IP address, for the throttle
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("sender_key", "created_at"), False), (("association", "created_at"), False))


class SavedSearch(BaseModel):
    """A seeker's search kept to be mailed about new homes that match it (issue 15 item 2): the normalised
    filters of one association's search, or of the install's (`association` empty), for one address.

    Nothing is mailed until the address is confirmed by the link mailed to it (only the link's hash is kept;
    it works once, for CONFIRM_DAYS). A search not confirmed in time and one unsubscribed are purged by the
    job later."""

    association = pw.ForeignKeyField(Association, null=True, on_delete="CASCADE", backref="+")
    email = pw.CharField(max_length=254)
    language = pw.CharField(max_length=10)  # the language of the page the seeker saved it from
    query = pw.TextField()  # search.query_string(filters): no page, no order
    token_hash = pw.CharField(max_length=64, null=True, unique=True)  # the confirmation link's; None once used
    sender_key = pw.CharField(max_length=64)  # a keyed hash of the sender's IP address, for the throttle
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    confirmed_at = pw.DateTimeField(null=True)
    unsubscribed_at = pw.DateTimeField(null=True)
    mailed_at = pw.DateTimeField(null=True)  # the last mail of new homes

    class Meta:
        indexes = ((("sender_key", "created_at"), False), (("email",), False))


class SavedSearchHit(BaseModel):
    """A home a saved search has seen: mailed as new (`mailed`), or already listed when it was confirmed.
    One row per search and home, so a home is mailed once however often the job runs."""

    search = pw.ForeignKeyField(SavedSearch, backref="hits", on_delete="CASCADE")
    vacancy = pw.ForeignKeyField(Vacancy, on_delete="CASCADE", backref="+")
    mailed = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("search", "vacancy"), True),)


# --- the waiting list (L4) ---------------------------------------------------------------------------------
# Danish social housing's venteliste: applicants sign up (15 or older), confirm by mail, and wait by seniority
# (the confirmation day). A yearly renewal fee keeps seniority; an offer goes to the next few applicants with a
# reply deadline; three unanswered offers in a row make an applicant passive (seniority kept, no offers).
# Applicants have no account: their page, their confirmation and their offers are reached by mailed links.


class WaitingListRules(AssociationScoped, BaseModel):
    """The board's rules for its waiting list; an association without a row runs on the defaults."""

    GRACE_DAYS, OFFER_BATCH, REPLY_DAYS = 30, 3, 3

    association = pw.ForeignKeyField(Association, unique=True, on_delete="CASCADE", backref="+")
    fee = pw.BigIntegerField(null=True)  # the yearly renewal fee in minor units; empty: no renewal at all
    grace_days = pw.IntegerField(default=GRACE_DAYS)  # after the renewal is due, before seniority is lost
    internal_share = pw.IntegerField(default=0)  # percent of lettings that go to the internal list first
    offer_batch = pw.IntegerField(default=OFFER_BATCH)  # how many applicants one round of offers reaches
    reply_days = pw.IntegerField(default=REPLY_DAYS)  # days an applicant has to answer an offer

    @classmethod
    def for_association(cls, association) -> WaitingListRules:
        """The association's rules, or the defaults (unsaved) when the board has set none."""
        found = cls.select().where(cls.association == association).first()
        return found or cls(association=association)


class Applicant(AssociationScoped, BaseModel):
    """Someone on the association's waiting list. Seniority (anciennitet) is the day they confirmed, or the
    day they lost it by not renewing; the order on every list is (seniority_on, id)."""

    PENDING, ACTIVE, PASSIVE, HOUSED = "pending", "active", "passive", "housed"
    MIN_AGE = 15
    PASSIVE_AFTER = 3  # unanswered offers in a row

    association = pw.ForeignKeyField(Association, backref="applicants", on_delete="CASCADE")
    name = pw.CharField(max_length=200)
    email = pw.CharField(max_length=254)
    birth_date = pw.DateField()
    language = pw.CharField(max_length=10, default="en")
    housing_types = pw.CharField(max_length=40, default="")  # space-separated Vacancy.HOUSING_TYPES keys
    departments = pw.CharField(max_length=500, default="")  # space-separated building ids; empty: any
    rooms_from = pw.IntegerField(null=True)
    max_rent = pw.BigIntegerField(null=True)  # per month, minor units
    accessibility = pw.CharField(max_length=200, default="")  # space-separated Unit.ACCESSIBILITY keys needed
    internal = pw.BooleanField(default=False)  # already a tenant of the association: the internal list
    status = pw.CharField(max_length=8, default=PENDING)
    pseudonym = pw.CharField(max_length=20)  # what the log keeps once the applicant deletes their data
    signed_up_at = pw.DateTimeField(default=clock.utcnow_naive)
    seniority_on = pw.DateField(null=True)
    paid_until = pw.DateField(null=True)  # the renewal is due on this day (when the board charges a fee)
    reminded_for = pw.DateField(null=True)  # the due day the reminders below were sent for
    reminders_sent = pw.IntegerField(default=0)
    unanswered = pw.IntegerField(default=0)  # offers left unanswered in a row

    class Meta:
        indexes = ((("association", "status", "seniority_on"), False), (("association", "email"), False))

    @property
    def type_keys(self) -> list[str]:
        return [key for key in self.housing_types.split() if key in Vacancy.HOUSING_TYPES]

    @property
    def department_ids(self) -> set[int]:
        return {int(part) for part in self.departments.split() if part.isdigit()}

    @property
    def accessibility_keys(self) -> set[str]:
        return {key for key in self.accessibility.split() if key in Unit.ACCESSIBILITY}

    @property
    def order_key(self) -> tuple:
        return (self.seniority_on or dt.date.max, self.id)


class Offer(AssociationScoped, BaseModel):
    """A vacant home offered to one applicant, answered by a link in the mail before `deadline` (UTC)."""

    OPEN, ACCEPTED, DECLINED, UNANSWERED, WITHDRAWN, LET = (
        "open",
        "accepted",
        "declined",
        "unanswered",
        "withdrawn",
        "let",
    )

    association = pw.ForeignKeyField(Association, backref="+", on_delete="CASCADE")
    vacancy = pw.ForeignKeyField(Vacancy, backref="offers", on_delete="CASCADE")
    applicant = pw.ForeignKeyField(Applicant, backref="offers", on_delete="CASCADE")
    internal_turn = pw.BooleanField(default=False)  # offered on a turn of the internal list
    sent_at = pw.DateTimeField(default=clock.utcnow_naive)
    deadline = pw.DateTimeField()
    status = pw.CharField(max_length=10, default=OPEN)
    answered_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("vacancy", "applicant"), True), (("status", "deadline"), False))


class Letting(AssociationScoped, BaseModel):
    """A home let through the waiting list: the running tally that decides the internal list's turns."""

    association = pw.ForeignKeyField(Association, backref="+", on_delete="CASCADE")
    vacancy = pw.ForeignKeyField(Vacancy, unique=True, backref="+", on_delete="CASCADE")
    applicant = pw.ForeignKeyField(Applicant, null=True, backref="+", on_delete="SET NULL")
    internal_turn = pw.BooleanField(default=False)
    let_on = pw.DateField()


class ApplicantEvent(AssociationScoped, BaseModel):
    """One step on the waiting list, shown to the board and, in their words, to the applicant; others'
    events (someone ahead got a home, left) explain why a position changed. Once an applicant deletes
    their data the row keeps only the pseudonym."""

    association = pw.ForeignKeyField(Association, backref="+", on_delete="CASCADE")
    applicant = pw.ForeignKeyField(Applicant, null=True, backref="events", on_delete="SET NULL")
    applicant_number = pw.IntegerField()  # the applicant's id, kept after deletion (ties in seniority)
    pseudonym = pw.CharField(max_length=20)
    seniority_on = pw.DateField(null=True)  # the applicant's seniority when it happened
    housing_types = pw.CharField(max_length=40, default="")  # the lists the applicant was on then
    vacancy = pw.ForeignKeyField(Vacancy, null=True, backref="+", on_delete="SET NULL")
    kind = pw.CharField(max_length=20)
    detail = pw.CharField(max_length=200, default="")  # e.g. the amount paid, the old seniority
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "created_at"), False),)


class ApplicantToken(BaseModel):
    """A single-use, expiring secret mailed to an applicant (only its hash is kept): confirming the sign-up,
    opening their page, answering an offer; and the key an opened page keeps in the browser's session."""

    CONFIRM, LINK, OFFER, SESSION = "confirm", "link", "offer", "session"
    LIFETIMES = {CONFIRM: dt.timedelta(days=3), LINK: dt.timedelta(hours=1), SESSION: dt.timedelta(hours=2)}

    token_hash = pw.CharField(max_length=64, unique=True)
    purpose = pw.CharField(max_length=8)
    applicant = pw.ForeignKeyField(Applicant, backref="tokens", on_delete="CASCADE")
    offer = pw.ForeignKeyField(Offer, null=True, backref="tokens", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)


class WaitingListRequest(AssociationScoped, BaseModel):
    """A sign-up or "send me my link" request, kept a day to throttle senders (a keyed hash of the IP)."""

    association = pw.ForeignKeyField(Association, backref="+", on_delete="CASCADE")
    sender_key = pw.CharField(max_length=64)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("sender_key", "created_at"), False),)
