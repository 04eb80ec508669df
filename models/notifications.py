"""What a member has chosen to be mailed about (seed 004 §4.2): one row per member and kind they changed.

A member without a row for a kind gets it, with the kind's default options (core/notifications.py holds
the kinds; domains register theirs).
"""

from __future__ import annotations

import peewee as pw

from models.db import BaseModel
from models.portal import Association, User


class NotificationChoice(BaseModel):
    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    kind = pw.CharField(max_length=40)
    enabled = pw.BooleanField(default=True)
    options = pw.CharField(max_length=200, default="")  # the kind's chosen options, comma-separated

    class Meta:
        indexes = ((("user", "association", "kind"), True), (("association", "kind", "enabled"), False))
