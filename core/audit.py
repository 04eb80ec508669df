"""The audit log: who did what, for account and board actions (SPEC X3)."""

from __future__ import annotations

import json

from flask import request

from core.security import client_ip
from models import Association, AuditLog, User


def audit(
    action: str, *, actor: User | None = None, association: Association | None = None, target: str = "", **detail
) -> None:
    """One audit row for an account or board action. Never pass secrets in detail."""
    if hasattr(actor, "_get_current_object"):  # current_user is a proxy
        actor = actor._get_current_object()
    AuditLog.create(
        association=association,
        actor=actor,
        action=action,
        target=target[:200],
        detail=json.dumps(detail, default=str, ensure_ascii=False) if detail else "",
        ip=client_ip() if request else "",
    )
