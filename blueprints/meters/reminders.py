"""Meter reading reminders (SPEC M3, seed 002): a member who asked for them in My account gets one mail a
chosen number of days before a window closes, while a unit they own or live in has not handed in every
reading.

The kind is off until the member switches it on; they tick how many days before (1, 3 or 7; the largest
ticked counts). The periodic job (jobs.meter_reminders.remind, and `flask jobs tick`) looks at the windows
open today. A reminder is a ReadingReminder row, unique per window and member, written in the transaction
that writes its mail: a job run twice, two at once, or late, mails it once. Nothing goes once the window
has closed or been locked, to a member whose role may not hand in readings, nor when the association has
the meters tab switched off.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import peewee as pw

from blueprints.meters import readings
from core import notifications
from core.mail import external_url, mail_language, queue_mail
from core.text import lazy_gettext as _l
from models import Association, Membership, Role, User
from models import permissions as perms
from models.db import db, transaction
from models.meters import Reading, ReadingReminder, ReadingWindow
from models.register import Ownership, Residency, Unit

METER_REMINDERS = "meters.reminder"
DAYS = {
    "1": _l("The day before the window closes"),
    "3": _l("Three days before it closes"),
    "7": _l("A week before it closes"),
}

notifications.register(
    notifications.Kind(
        METER_REMINDERS,
        _l("Meter reading reminders"),
        order=40,
        hint=_l("A mail before the board's reading window closes, if your home has not handed in its readings."),
        options=DAYS,
        default_options=("3",),
        enabled_by_default=False,
    )
)


def send_due() -> int:
    """Mail the reminders that are due today in each association; how many were mailed."""
    mailed = 0
    associations = (
        Association.select()
        .where(
            Association.id.in_(ReadingWindow.select(ReadingWindow.association).where(ReadingWindow.locked_at.is_null()))
        )
        .order_by(Association.id)
    )
    for association in associations:
        if association.shows("meters"):
            mailed += _association_due(association, association.today())
    return mailed


def _association_due(association: Association, today: dt.date) -> int:
    windows = list(ReadingWindow.of(association).where(ReadingWindow.open_on(today)).order_by(ReadingWindow.closes_on))
    if not windows:
        return 0
    members = _asked(association, today)
    if not members:
        return 0
    choices = notifications.choices_for(list(members), association.id, METER_REMINDERS)
    sent = set(
        ReadingReminder.select(ReadingReminder.window, ReadingReminder.user)
        .where(ReadingReminder.window.in_([w.id for w in windows]))
        .tuples()
    )
    mailed = 0
    for window in windows:
        left = (window.closes_on - today).days
        due = [
            user_id for user_id, (user, person_id) in members.items()
            if (window.id, user_id) not in sent and _ahead(choices[user_id]) >= left
        ]  # fmt: skip
        if not due:
            continue
        waiting = _units_waiting(window, {members[u][1] for u in due}, today)
        for user_id in due:
            user, person_id = members[user_id]
            units = waiting.get(person_id)
            if units:
                mailed += _remind(association, window, user, units)
    return mailed


def _ahead(choice: notifications.Choice) -> int:
    """How many days before the closing day the member wants the mail (the largest they ticked); -1 none."""
    if not choice.enabled:
        return -1
    return max((int(option) for option in choice.options if option in DAYS), default=-1)


def _asked(association: Association, today: dt.date) -> dict[int, tuple[User, int]]:
    """Members who switched the reminders on, may hand in readings and are in the register today:
    user id -> (user, person id). One query; the roles' permissions are read in Python."""
    rows = (
        Membership.select(Membership, User, Role)
        .join(User, on=(Membership.user == User.id))
        .switch(Membership)
        .join(Role, on=(Membership.role == Role.id))
        .where(
            (Membership.association == association.id)
            & Membership.person.is_null(False)
            & (Membership.valid_from.is_null() | (Membership.valid_from <= today))
            & (Membership.valid_to.is_null() | (Membership.valid_to >= today))
            & (User.state == User.ACTIVE)
            & User.id.in_(notifications.switched_on(association.id, METER_REMINDERS))
        )
        .order_by(User.id)
    )
    return {row.user.id: (row.user, row.person_id) for row in rows if perms.METERS_SUBMIT in row.role.permission_set}


def _units_waiting(window: ReadingWindow, person_ids: set[int], today: dt.date) -> dict[int, list]:
    """Each person's units (held today) with a meter to read and no reading for it this window:
    person id -> [unit]. Three queries whatever the number of people."""
    held: dict[int, set[int]] = defaultdict(set)
    owned = Ownership.select(Ownership.person, Ownership.unit).where(
        Ownership.person.in_(list(person_ids)) & Ownership.current(today)
    )
    lived = Residency.select(Residency.person, Residency.unit).where(
        Residency.person.in_(list(person_ids)) & Residency.current(today)
    )
    for person_id, unit_id in list(owned.tuples()) + list(lived.tuples()):
        held[person_id].add(unit_id)
    unit_ids = set().union(*held.values()) if held else set()
    if not unit_ids:
        return {}
    meters = list(readings.meters_to_read(unit_ids, window))
    read = set(
        Reading.select(Reading.meter)
        .where((Reading.window == window.id) & Reading.meter.in_([m.id for m in meters]))
        .tuples()
    )
    waiting = {meter.unit_id for meter in meters if (meter.id,) not in read}
    active = Unit.select().where(Unit.id.in_(list(waiting)) & Unit.archived_at.is_null())  # a closed unit reads none
    units = {unit.id: unit for unit in active} if waiting else {}
    return {
        person_id: sorted((units[u] for u in held_ids if u in units), key=lambda unit: (len(unit.number), unit.number))
        for person_id, held_ids in held.items()
    }


def _link(association: Association) -> str:
    """The residents' reading page."""
    return external_url("meters.mine", slug=association.slug)


def _remind(association: Association, window: ReadingWindow, user: User, units: list) -> int:
    """The reminder row and its mail in one transaction; 0 when another run wrote it first."""
    with transaction():
        try:
            with db.atomic():  # a savepoint: another run's row makes this one a no-op, not a failed transaction
                reminder = ReadingReminder.create(window=window.id, user=user.id)
        except pw.IntegrityError:
            return 0
        email = queue_mail(
            "meter_reminder",
            user.email,
            language=mail_language(user, association),
            association=association,
            user=user,
            window=window,
            units=units,
            link=_link(association),
        )
        ReadingReminder.update(email=email.id).where(ReadingReminder.id == reminder.id).execute()
    return 1
