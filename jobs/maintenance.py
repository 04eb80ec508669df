"""Housekeeping the sweep runs with the outbox."""

import datetime as dt

from core import clock
from jobs import job_context
from models import LoginAttempt, Token, UserSession


def prune() -> None:
    """Forget failed logins after a day, and tokens and ended sessions after a month."""
    with job_context():
        _prune(clock.utcnow_naive())


def _prune(now: dt.datetime) -> None:
    LoginAttempt.delete().where(LoginAttempt.attempted_at < now - dt.timedelta(days=1)).execute()
    Token.delete().where(Token.expires_at < now - dt.timedelta(days=30)).execute()
    UserSession.delete().where(UserSession.ended_at < now - dt.timedelta(days=30)).execute()
