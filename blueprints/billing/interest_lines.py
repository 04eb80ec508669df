"""Late interest charged as a line (issue 13 item 2, the "line" way): charges made by an interest run
wait (charged_on None) until the next invoice run, which adds one line "Late interest" with their sum to
the recipient's first invoice of that run and marks them charged on it.

invoicing.py calls `attach` on its drafts (for the preview, and again under the run's lock before it
writes) and `mark` once the invoices exist. A draft is anything with `recipient`, `lines`, `charge_ids`
and `interest_charges` (invoicing.Draft); this module does not import invoicing.
"""

from __future__ import annotations

from collections import defaultdict

import peewee as pw
from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.billing.money import Line
from models.billing import InterestCharge
from models.portal import Association

_CHUNK = 5000  # charges per UPDATE: two parameters each, within every database's limit


class InterestChangedError(RuntimeError):
    """A waiting charge was charged elsewhere meanwhile: the run is rolled back and can be made again."""


def attach(association: Association, drafts: list) -> None:
    """Add each recipient's waiting interest as a last line of their first draft in `drafts` (replacing
    what an earlier call added), and note which charges it holds."""
    for draft in drafts:
        if draft.interest_charges:
            draft.lines = draft.lines[:-1]
            draft.charge_ids = draft.charge_ids[:-1]
            draft.interest_charges = []
    people = {draft.recipient.id for draft in drafts if draft.recipient is not None}
    if not people:
        return
    waiting: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        InterestCharge.select(InterestCharge.person, InterestCharge.id, InterestCharge.amount)
        .where((InterestCharge.association == association) & InterestCharge.charged_on.is_null())
        .order_by(InterestCharge.id)
        .tuples()
    )
    for person_id, charge_id, amount in rows:
        if person_id in people:
            waiting[person_id].append((charge_id, amount))
    if not waiting:
        return
    with force_locale(association.locale):  # the line is printed as the association writes
        label = _("Late interest")
    for draft in drafts:
        charges = waiting.pop(draft.recipient.id, None) if draft.recipient is not None else None
        if charges:
            draft.lines = [*draft.lines, Line(label, sum(amount for _id, amount in charges), 0)]
            draft.charge_ids = [*draft.charge_ids, None]
            draft.interest_charges = [charge_id for charge_id, _amount in charges]


def mark(drafts: list, invoice_ids: list[int]) -> None:
    """Record that each draft's waiting charges are now charged on its invoice (same order as drafts)."""
    pairs = [
        (charge_id, invoice_id)
        for draft, invoice_id in zip(drafts, invoice_ids, strict=True)
        for charge_id in draft.interest_charges
    ]
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        done = (
            InterestCharge.update(charged_on=pw.Case(InterestCharge.id, chunk))
            .where(InterestCharge.id.in_([charge_id for charge_id, _ in chunk]) & InterestCharge.charged_on.is_null())
            .execute()
        )
        if done != len(chunk):
            raise InterestChangedError("late interest charged by another invoice run meanwhile")
