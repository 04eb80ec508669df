"""Two-factor authentication (SPEC P6): an authenticator app (TOTP) or codes by e-mail, ten single-use
recovery codes, and the step-up an association asks for before chosen permissions.

A step-up lasts for the browser's session (UserSession.second_factor_at, read with the session itself).
core/access.py's requires() asks step_up_needed() (registered below) whenever a view's permission is one
the association guards; a view may also call it directly for a permission it checks itself.

Wrong codes are throttled per account and hour like passwords; a TOTP code's time step is accepted once,
so a code seen over a shoulder cannot be used again.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets

import peewee as pw
import pyotp
import segno
from flask import Response, current_app, g, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from blueprints.portal.auth_views import safe_next
from core import access, clock
from core.audit import audit
from core.mail import mail_language, queue_mail
from core.rendering import hx_redirect
from core.security import client_ip
from models import Association, RecoveryCode, SecondFactor, SecondFactorAttempt, User, UserSession
from models import permissions as perms
from models.db import transaction
from models.portal import hash_secret

TOTP_STEP = 30  # seconds, as every authenticator app counts
TOTP_WINDOW = 1  # steps either side: a phone's clock a little off still works
EMAIL_CODE_LIFETIME = dt.timedelta(minutes=10)
EMAIL_RESEND_AFTER = dt.timedelta(minutes=1)  # one mail a minute at most: no mail-bombing one's own box
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a code read off paper is typed right.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
SIX_DIGITS = re.compile(r"^\d{6}$")

# The permissions an association may guard with a second factor (Portal settings): voting per rollam and
# the administration's powers.
OFFERED = (
    perms.VOTES_CAST_PER_ROLLAM,
    perms.VOTES_MANAGE_PER_ROLLAM,
    perms.VOTES_MANAGE,
    perms.ACCOUNTS_MANAGE,
    perms.ROLES_MANAGE,
    perms.SETTINGS_MANAGE,
    perms.INVOICES_MANAGE,
    perms.REGISTER_MANAGE,
    perms.MAIL_SEND_MASS,
)


class Check(enum.Enum):
    """What a typed code turned out to be."""

    APP = "app"
    EMAIL = "email"
    RECOVERY = "recovery"
    WRONG = "wrong"
    THROTTLED = "throttled"

    @property
    def passed(self) -> bool:
        return self in (Check.APP, Check.EMAIL, Check.RECOVERY)


# --- the session's step-up ---------------------------------------------------------------------


def passed() -> bool:
    """This browser's session has passed the second factor."""
    return bool(current_user) and current_user.is_authenticated and current_user.second_factor_at is not None


def step_up_needed(permission: str, next_url: str) -> Response | None:
    """None when the association does not ask a second factor for `permission` or this session gave it;
    else a redirect to give it (or, without a factor yet, to set one up), coming back to `next_url`."""
    association = g.association
    if not association.requires_second_factor(permission) or passed():
        return None
    back = safe_next(next_url) or url_for("portal.home", slug=association.slug)
    if not current_user.is_authenticated:
        return hx_redirect(url_for("portal.login", slug=association.slug, next=back))
    endpoint = "portal.two_factor_verify" if has_factor(current_user) else "portal.two_factor"
    return hx_redirect(url_for(endpoint, slug=association.slug, next=back, why=permission))


def why(permission: str | None, association: Association) -> str | None:
    """The sentence that says why the member is asked, for a permission the association guards."""
    if not permission or not association.requires_second_factor(permission):
        return None
    name = association.name
    if permission == perms.VOTES_CAST_PER_ROLLAM:
        return _("Voting per rollam needs a second factor in %(association)s.", association=name)
    if permission == perms.VOTES_MANAGE_PER_ROLLAM:
        return _("Running per-rollam votes needs a second factor in %(association)s.", association=name)
    if permission in perms.DESCRIPTIONS:
        return _(
            "%(association)s asks for a second factor before this: %(what)s",
            association=name,
            what=perms.DESCRIPTIONS[permission],
        )
    return None


def mark_passed(user: User) -> None:
    """This browser's session has given the second factor: it lasts until the session ends."""
    now = clock.utcnow_naive()
    UserSession.update(second_factor_at=now).where(
        (UserSession.key_hash == hash_secret(user.session_key or "")) & UserSession.ended_at.is_null()
    ).execute()
    user.second_factor_at = now


# --- the member's factors -------------------------------------------------------------------------


def factors(user: User) -> list[SecondFactor]:
    """The user's factors, confirmed or being set up (at most one of each kind)."""
    return list(SecondFactor.select().where(SecondFactor.user == user).order_by(SecondFactor.kind.desc()))


def confirmed(user: User) -> list[SecondFactor]:
    return [factor for factor in factors(user) if factor.confirmed_at is not None]


def has_factor(user: User) -> bool:
    return SecondFactor.select().where((SecondFactor.user == user) & SecondFactor.confirmed_at.is_null(False)).exists()


def factor_of(user: User, kind: str) -> SecondFactor | None:
    return SecondFactor.get_or_none((SecondFactor.user == user) & (SecondFactor.kind == kind))


def _factor_being_set_up(user: User, kind: str, **fields) -> SecondFactor:
    """The user's factor of this kind, made (unconfirmed) if there is none."""
    factor = factor_of(user, kind)
    if factor is not None:
        return factor
    try:
        with transaction():
            return SecondFactor.create(user=user, kind=kind, **fields)
    except pw.IntegrityError:  # two tabs at once: the other one made it
        return factor_of(user, kind)


def totp_being_set_up(user: User) -> SecondFactor:
    """The authenticator-app factor with its secret, kept (unconfirmed) until the first code is typed."""
    return _factor_being_set_up(user, SecondFactor.TOTP, secret=pyotp.random_base32())


def fresh_totp_secret(factor: SecondFactor) -> SecondFactor:
    """A new secret for an app not yet confirmed, each time its page is shown: a secret someone else saw
    earlier (with the password, before the member set up their app) never becomes the member's factor."""
    if factor.confirmed_at is None:
        factor.secret = pyotp.random_base32()
        SecondFactor.update(secret=factor.secret).where(
            (SecondFactor.id == factor.id) & SecondFactor.confirmed_at.is_null()
        ).execute()
    return factor


def email_being_set_up(user: User) -> SecondFactor:
    return _factor_being_set_up(user, SecondFactor.EMAIL)


def enrol_totp(user: User, secret: str | None = None) -> SecondFactor:
    """An authenticator-app factor, confirmed at once (the demo's owners and tests; members confirm with a
    first code on the setup page)."""
    factor = totp_being_set_up(user)
    factor.secret = secret or factor.secret
    factor.confirmed_at = clock.utcnow_naive()
    factor.last_used_step = 0
    factor.save()
    return factor


def secret_in_groups(secret: str) -> str:
    """The secret as people type it from the screen: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(user: User, factor: SecondFactor, association: Association) -> Markup:
    """The otpauth:// address of the secret as an inline SVG QR code, for an authenticator app to scan."""
    uri = pyotp.TOTP(factor.secret).provisioning_uri(name=user.email, issuer_name=association.name)
    svg = segno.make_qr(uri, error="m").svg_inline(scale=1, border=4, omitsize=True, svgclass="totp-qr", lineclass=None)
    label = _("QR code to scan with your authenticator app")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def confirm_totp(user: User, factor: SecondFactor, code: str, association: Association) -> Check:
    """The first code from the app: it proves the app holds the secret, and the factor counts from now."""
    if throttled(user):
        return Check.THROTTLED
    step = _totp_step_matching(factor.secret, _normalised(code), after=factor.last_used_step)
    if step is None:
        _count_wrong(user)
        return Check.WRONG
    with transaction():
        SecondFactor.update(confirmed_at=clock.utcnow_naive(), last_used_step=step).where(
            SecondFactor.id == factor.id
        ).execute()
        audit("account.second_factor_added", actor=user, association=association, target=user.email, kind="totp")
    return Check.APP


def confirm_email(user: User, factor: SecondFactor, code: str, association: Association) -> Check:
    """The first mailed code typed back: codes by e-mail count from now."""
    if throttled(user):
        return Check.THROTTLED
    if not _use_email_code(factor, _normalised(code)):
        _count_wrong(user)
        return Check.WRONG
    with transaction():
        SecondFactor.update(confirmed_at=clock.utcnow_naive()).where(SecondFactor.id == factor.id).execute()
        audit("account.second_factor_added", actor=user, association=association, target=user.email, kind="email")
    return Check.EMAIL


def remove(user: User, factor: SecondFactor, association: Association) -> None:
    """Remove a factor; without any left, the recovery codes and "ask at every login" go too."""
    with transaction():
        factor.delete_instance()
        if not has_factor(user):
            RecoveryCode.delete().where(RecoveryCode.user == user).execute()
            User.update(second_factor_at_login=False).where(User.id == user.id).execute()
        audit("account.second_factor_removed", actor=user, association=association, target=user.email,
              kind=factor.kind)  # fmt: skip


def ask_at_login(user: User, ask: bool, association: Association) -> None:
    with transaction():
        User.update(second_factor_at_login=ask).where(User.id == user.id).execute()
        audit("account.second_factor_at_login", actor=user, association=association, target=user.email, ask=ask)


# --- codes by e-mail ------------------------------------------------------------------------------


def _email_code_hash(factor: SecondFactor, code: str) -> str:
    # Keyed: six digits hashed plainly would be a million guesses away for anyone reading the database.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{factor.id}:{code}".encode(), hashlib.sha256).hexdigest()


def email_code_sent_recently(factor: SecondFactor) -> bool:
    if factor.code_expires_at is None:
        return False
    sent_at = factor.code_expires_at - EMAIL_CODE_LIFETIME
    return clock.utcnow_naive() < sent_at + EMAIL_RESEND_AFTER


def send_email_code(user: User, factor: SecondFactor, association: Association | None) -> bool:
    """Mail a new six-digit code, good for ten minutes; False (nothing sent) if one went less than a minute ago."""
    if email_code_sent_recently(factor):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    expires = clock.utcnow_naive() + EMAIL_CODE_LIFETIME
    with transaction():
        SecondFactor.update(code_hash=_email_code_hash(factor, code), code_expires_at=expires).where(
            SecondFactor.id == factor.id
        ).execute()
        queue_mail(
            "second_factor_code",
            user.email,
            language=mail_language(user, association),
            association=association,
            user=user,
            code=code,
            minutes=int(EMAIL_CODE_LIFETIME.total_seconds() // 60),
        )
    factor.code_expires_at = expires
    return True


def _use_email_code(factor: SecondFactor, code: str) -> bool:
    """A mailed code matches and has not expired: used up now (once, even under two requests at once)."""
    if not factor.code_hash or factor.code_expires_at is None or factor.code_expires_at <= clock.utcnow_naive():
        return False
    digest = _email_code_hash(factor, code)
    if not hmac.compare_digest(factor.code_hash, digest):
        return False
    used = (
        SecondFactor.update(code_hash="")
        .where((SecondFactor.id == factor.id) & (SecondFactor.code_hash == digest))
        .execute()
    )
    return used == 1


# --- recovery codes -------------------------------------------------------------------------------


def _recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def new_recovery_codes(user: User, association: Association) -> list[str]:
    """Ten new single-use codes, shown once; the old ones stop working. Only their hashes are kept."""
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(_recovery_code())
    now = clock.utcnow_naive()
    with transaction():
        RecoveryCode.delete().where(RecoveryCode.user == user).execute()
        RecoveryCode.insert_many(
            [{"user": user.id, "code_hash": hash_secret(_normalised(code)), "created_at": now} for code in codes]
        ).execute()
        audit("account.recovery_codes_made", actor=user, association=association, target=user.email)
    return sorted(codes)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.select().where((RecoveryCode.user == user) & RecoveryCode.used_at.is_null()).count()


def _use_recovery_code(user: User, code: str) -> bool:
    used = (
        RecoveryCode.update(used_at=clock.utcnow_naive())
        .where(
            (RecoveryCode.user == user) & (RecoveryCode.code_hash == hash_secret(code)) & RecoveryCode.used_at.is_null()
        )
        .execute()
    )
    return used == 1


# --- checking a code --------------------------------------------------------------------------------


def _normalised(code: str) -> str:
    """What was typed, without the spaces and hyphens people add or apps show."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _totp_step_matching(secret: str, code: str, after: int) -> int | None:
    """The time step, within the window and later than `after`, whose code this is."""
    if not SIX_DIGITS.match(code):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    now = int(clock.now().timestamp()) // TOTP_STEP
    for step in range(now - TOTP_WINDOW, now + TOTP_WINDOW + 1):
        if step > after and hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            return step
    return None


def _use_totp(factor: SecondFactor, code: str) -> bool:
    step = _totp_step_matching(factor.secret, code, after=factor.last_used_step)
    if step is None:
        return False
    # A step used once, here or in another request at the same moment, is never accepted again.
    used = (
        SecondFactor.update(last_used_step=step)
        .where((SecondFactor.id == factor.id) & (SecondFactor.last_used_step < step))
        .execute()
    )
    return used == 1


def throttled(user: User) -> bool:
    """As many wrong codes in the last hour as allowed: the next one is not even checked."""
    since = clock.utcnow_naive() - dt.timedelta(hours=1)
    wrong = SecondFactorAttempt.select().where(
        (SecondFactorAttempt.user == user) & (SecondFactorAttempt.attempted_at > since)
    )
    return wrong.count() >= current_app.config["SECOND_FACTOR_MAX_PER_HOUR"]


def throttled_message() -> str:
    return _(
        "Too many wrong codes for this account in the last hour, so we did not check this one."
        " Please try again in an hour."
    )


def _count_wrong(user: User) -> None:
    SecondFactorAttempt.create(user=user, ip=client_ip())


def check_code(user: User, code: str, association: Association | None = None) -> Check:
    """A code from the app, a mailed code or a recovery code, each accepted once; wrong ones counted."""
    if throttled(user):
        return Check.THROTTLED
    typed = _normalised(code)
    found = _match(user, typed)
    if found is Check.WRONG:
        _count_wrong(user)
    elif found is Check.RECOVERY:
        audit("account.recovery_code_used", actor=user, association=association, target=user.email,
              left=recovery_codes_left(user))  # fmt: skip
    return found


def _match(user: User, typed: str) -> Check:
    if SIX_DIGITS.match(typed):
        for factor in confirmed(user):
            if factor.kind == SecondFactor.TOTP and _use_totp(factor, typed):
                return Check.APP
            if factor.kind == SecondFactor.EMAIL and _use_email_code(factor, typed):
                return Check.EMAIL
        return Check.WRONG
    if len(typed) == RECOVERY_LENGTH and has_factor(user) and _use_recovery_code(user, typed):
        return Check.RECOVERY
    return Check.WRONG


def verify_code(user: User, code: str) -> bool:
    """Whether `code` is a valid second factor for the user now (and it is used up)."""
    return check_code(user, code, g.get("association")).passed


access.on_step_up(step_up_needed)
