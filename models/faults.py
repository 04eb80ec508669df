"""Fault reports and requests to the administration (SPEC F1–F4, seeds 000, 003, 004 §3.3, §4.12).

A report is either a fault (in a unit, a common area of a building, or a
building) or a request to a responsible role (administration, repairs,
accounts). Its history is a list of events; its status only moves along
workflow.TRANSITIONS.
"""

from __future__ import annotations

import peewee as pw

from core import clock
from core.text import fold
from models import permissions as perms
from models.db import AssociationScoped, BaseModel
from models.portal import Association, User
from models.register import Building, Person, Unit


class FaultReport(AssociationScoped, BaseModel):
    FAULT, REQUEST = "fault", "request"
    KINDS = (FAULT, REQUEST)
    # Where a fault is: one of the reporter's units, a common area of a building, or the building.
    IN_UNIT, COMMON_AREA, WHOLE_BUILDING = "unit", "common_area", "building"
    PLACES = (IN_UNIT, COMMON_AREA, WHOLE_BUILDING)
    # Who a request goes to (seed 003).
    ADMINISTRATION, REPAIRS, ACCOUNTS = "administration", "repairs", "accounts"
    RESPONSIBLE = (ADMINISTRATION, REPAIRS, ACCOUNTS)
    URGENT, NORMAL, LOW = "urgent", "normal", "low"
    SEVERITIES = (URGENT, NORMAL, LOW)
    CATEGORIES = ("plumbing", "electricity", "heating", "ventilation", "lift", "doors_locks", "outdoor", "other")
    NEW, IN_PROGRESS, RESOLVED, REJECTED, REOPENED = "new", "in_progress", "resolved", "rejected", "reopened"
    STATUSES = (NEW, IN_PROGRESS, RESOLVED, REJECTED, REOPENED)
    OPEN_STATUSES = (NEW, IN_PROGRESS, REOPENED)
    CLOSED_STATUSES = (RESOLVED, REJECTED)

    association = pw.ForeignKeyField(Association, backref="fault_reports", on_delete="CASCADE")
    kind = pw.CharField(max_length=10, default=FAULT)
    place = pw.CharField(max_length=12, default=IN_UNIT)
    unit = pw.ForeignKeyField(Unit, null=True, on_delete="SET NULL")
    building = pw.ForeignKeyField(Building, null=True, on_delete="SET NULL")
    area = pw.CharField(max_length=120, default="")  # the common area, e.g. "Laundry room"
    responsible = pw.CharField(max_length=16, default="")  # for requests
    category = pw.CharField(max_length=16, default="other")
    severity = pw.CharField(max_length=8, default=NORMAL)
    title = pw.CharField(max_length=200)
    details = pw.TextField(default="")
    contact_phone = pw.CharField(max_length=40, default="")
    contact_email = pw.CharField(max_length=254, default="")
    reporter = pw.ForeignKeyField(User, null=True, backref="fault_reports", on_delete="SET NULL")
    reporter_person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    assignee = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    status = pw.CharField(max_length=12, default=NEW)
    deadline_at = pw.DateTimeField(null=True)  # UTC: when a first response is due
    responded_at = pw.DateTimeField(null=True)  # the first change by a resolver
    created_at = pw.DateTimeField(default=clock.utcnow_naive)
    updated_at = pw.DateTimeField(default=clock.utcnow_naive)
    closed_at = pw.DateTimeField(null=True)
    search_title = pw.CharField(max_length=200, default="")  # the title without case or accents, kept on save (X5)

    class Meta:
        indexes = (
            (("association", "status", "deadline_at"), False),
            # The lists' choice of a page and the resolvers' count read only this index.
            (("association", "status", "kind", "responsible", "reporter", "deadline_at", "created_at"), False),
            (("association", "created_at"), False),
            (("association", "reporter", "created_at"), False),  # the home page's "my open faults"
            (("association", "unit"), False),
            (("association", "building"), False),
            # The API's feed of new and changed reports pages through this (exchange/api.py).
            (("association", "updated_at", "id"), False),
        )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def save(self, *args, **kwargs):
        self.search_title = fold(self.title)[:200]
        return super().save(*args, **kwargs)

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """The reports of the association this member may see (F5).

        A fault in a unit: that unit's owners and residents. A fault in a common area
        or a building: the building's owners and residents. A request: its sender and
        the responsible role. Resolvers see every fault. Reporters always see theirs.
        """
        association = membership.association
        rule = cls.seen_by(
            membership.role.permission_set, membership.user_id, membership.person_id, association.today()
        )
        return cls.of(association).where(rule)

    @classmethod
    def seen_by(cls, granted: frozenset[str], user_id, person_id, today) -> pw.Expression:
        """visible_to's rule, for a member whose role grants `granted` and whose register entry is
        `person_id` (None: none). The values may be PreparedSelect markers: the lists build it once."""
        rule = cls.reporter == user_id
        if perms.FAULTS_RESOLVE in granted:
            rule |= cls.kind == cls.FAULT
        for responsible, permission in RESPONSIBLE_PERMISSION.items():
            if permission in granted:
                rule |= (cls.kind == cls.REQUEST) & (cls.responsible == responsible)
        # A resolver sees every fault already: asking about their own units' would only make the
        # database read each report's place (the lists read the rest from one index).
        if person_id is not None and perms.FAULTS_RESOLVE not in granted:
            units = Unit.ids_held_by(person_id, today)
            buildings = Unit.select(Unit.building).where(Unit.id.in_(units))
            in_my_unit = (cls.place == cls.IN_UNIT) & cls.unit.in_(units)
            in_my_building = (cls.place != cls.IN_UNIT) & cls.building.in_(buildings)
            rule |= (cls.kind == cls.FAULT) & (in_my_unit | in_my_building)
        return rule


# A request goes to a responsible role (seed 003); these permissions make someone part of it.
RESPONSIBLE_PERMISSION = {
    FaultReport.ADMINISTRATION: perms.REGISTER_MANAGE,
    FaultReport.REPAIRS: perms.FAULTS_RESOLVE,
    FaultReport.ACCOUNTS: perms.INVOICES_VIEW_ALL,
}


class FaultEvent(BaseModel):
    """One entry of a report's history: who did what and when."""

    CREATED, STATUS, ASSIGNED, COMMENT = "created", "status", "assigned", "comment"

    report = pw.ForeignKeyField(FaultReport, backref="events", on_delete="CASCADE")
    actor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=10)
    from_status = pw.CharField(max_length=12, default="")
    to_status = pw.CharField(max_length=12, default="")
    assignee = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    text = pw.TextField(default="")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("report", "created_at"), False),)


class FaultAttachment(BaseModel):
    """A photo or file on a report or one of its events, stored under a server-made name."""

    report = pw.ForeignKeyField(FaultReport, backref="attachments", on_delete="CASCADE")
    event = pw.ForeignKeyField(FaultEvent, null=True, backref="attachments", on_delete="CASCADE")
    stored_name = pw.CharField(max_length=100)
    original_name = pw.CharField(max_length=200, default="")  # shown, never used as a path
    content_type = pw.CharField(max_length=100)
    size = pw.IntegerField(default=0)
    is_image = pw.BooleanField(default=False)
    uploaded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)


class FaultDeadline(AssociationScoped, BaseModel):
    """How soon a report of a severity must be answered, set by the board (F2)."""

    HOURS, WORKING_DAYS = "hours", "working_days"

    association = pw.ForeignKeyField(Association, backref="fault_deadlines", on_delete="CASCADE")
    severity = pw.CharField(max_length=8)
    amount = pw.IntegerField()
    unit = pw.CharField(max_length=12, default=WORKING_DAYS)

    class Meta:
        indexes = ((("association", "severity"), True),)
