"""Accounts: passwords, sign-up, activation, reset, e-mail change, throttling (SPEC P2, X3).

Views call these; each change that sends mail writes the outbox row in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, request, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from core import clock
from core.audit import audit
from core.mail import external_url, mail_language, queue_mail
from core.security import client_ip
from models import (
    Association,
    Consent,
    LoginAttempt,
    Membership,
    Person,
    SecondFactor,
    Token,
    User,
    UserSession,
)
from models.db import transaction
from models.portal import hash_secret

# argon2id with the library's defaults (RFC 9106 low-memory profile: t=3, 64 MiB, p=4). The tests swap
# `hasher` for a cheap one; PRODUCTION_HASHER is what a real install uses, and a test checks it.
PRODUCTION_HASHER = PasswordHasher()
hasher = PRODUCTION_HASHER


@functools.cache
def _dummy_hash(used: PasswordHasher) -> str:
    """Verified against when the e-mail is unknown, so the answer takes as long: made once, by the hasher
    in use (at first need, not at import, which every CLI command and test process would pay for)."""
    return used.hash("porch-timing-equaliser")


PASSWORD_MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    try:
        ok = hasher.verify(user.password_hash or _dummy_hash(hasher), password) and bool(user.password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if ok and hasher.check_needs_rehash(user.password_hash):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return ok


# --- Signing in --------------------------------------------------------------


class LoginResult(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"
    UNCONFIRMED = "unconfirmed"
    DISABLED = "disabled"


def is_throttled(email: str, ip: str) -> bool:
    """More failed checks in the last hour than allowed, per account or per address (ASVS 2.2.1)."""
    since = clock.utcnow_naive() - dt.timedelta(hours=1)
    recent = LoginAttempt.select().where(LoginAttempt.attempted_at > since)
    config = current_app.config
    if recent.where(LoginAttempt.email == email).count() >= config["LOGIN_MAX_PER_ACCOUNT"]:
        return True
    return recent.where(LoginAttempt.ip == ip).count() >= config["LOGIN_MAX_PER_IP"]


def check_password_login(email: str, password: str) -> tuple[LoginResult, User | None]:
    """Check a password unless throttled; a throttled attempt never reaches the hash."""
    email = User.normalize_email(email)
    ip = client_ip()
    if is_throttled(email, ip):
        return LoginResult.THROTTLED, None
    user = User.by_email(email)
    if user is None or not password_matches(user, password):
        if user is None:
            password_matches(User(password_hash=None), password)  # equal time
        LoginAttempt.create(email=email, ip=ip)
        return LoginResult.WRONG, None
    if user.state in (User.UNCONFIRMED, User.INVITED):
        return LoginResult.UNCONFIRMED, user
    if user.state == User.DISABLED:
        return LoginResult.DISABLED, user
    return LoginResult.OK, user


def start_session(user: User, *, second_factor_at: dt.datetime | None = None) -> None:
    """Sign the browser in with a new session id (no fixation). `second_factor_at` carries the step-up (P6)
    over from the session this one replaces."""
    session.clear()
    session.permanent = True
    user.session_key = UserSession.start(user, client_ip(), request.user_agent.string or "")
    if second_factor_at is not None:
        UserSession.update(second_factor_at=second_factor_at).where(
            UserSession.key_hash == _key_hash(user.session_key)
        ).execute()
    user.second_factor_at = second_factor_at
    login_user(user)
    User.update(last_login_at=clock.utcnow_naive()).where(User.id == user.id).execute()


# --- The second step of a login, for members who chose it (P6) ---------------------

HELD_LOGIN = "login_waits_for_second_factor"
HELD_FOR = dt.timedelta(minutes=5)


def asks_second_factor_at_login(user: User) -> bool:
    """The member chose to be asked at every login, and has a confirmed factor to be asked for."""
    if not user.second_factor_at_login:
        return False
    return SecondFactor.select().where((SecondFactor.user == user) & SecondFactor.confirmed_at.is_null(False)).exists()


def hold_login(user: User, next_url: str, association: Association | None) -> None:
    """The password was right: keep who is logging in for a few minutes, until the code. No session yet."""
    session.clear()
    session[HELD_LOGIN] = {
        "user": user.id,
        "until": (clock.now() + HELD_FOR).timestamp(),
        "next": next_url,
        "portal": association.slug if association is not None else None,
    }


def held_login() -> tuple[User, dict] | None:
    """The account waiting for its second step in this browser, with where it goes next; None when none
    waits or the few minutes are over."""
    held = session.get(HELD_LOGIN)
    if not isinstance(held, dict) or held.get("until", 0) < clock.now().timestamp():
        return None
    user = User.get_or_none(User.id == held.get("user"))
    if user is None or not user.is_active:
        return None
    return user, held


def end_session(user: User) -> None:
    """Log this browser out: the session row ends, so a copied cookie is useless too."""
    if user.session_key:
        UserSession.update(ended_at=clock.utcnow_naive()).where(
            UserSession.key_hash == _key_hash(user.session_key)
        ).execute()
    logout_user()
    session.clear()


def _key_hash(raw: str) -> str:
    return hash_secret(raw)


# --- Sign-up and activation (P2) ----------------------------------------------


class SignupError(Exception):
    """A reason to refuse a sign-up, shown on the form."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class SignupOutcome:
    user: User
    signed_in: bool  # an existing active account joined and was signed in
    second_step: bool = False  # joined, and signs in once its second factor is given (it asks at every login)


def sign_up(association: Association, email: str, password: str, accepted_text: str) -> SignupOutcome:
    """Create (or complete) the account for a person in the register and mail the activation link."""
    email = User.normalize_email(email)
    person = Person.in_register(association, email)
    if person is None:
        raise SignupError(
            "email",
            _(
                "This e-mail address is not in the register of %(name)s. Ask the board to add it,"
                " or use the address you gave them.",
                name=association.name,
            ),
        )
    user = User.by_email(email)
    if user is not None and user.state == User.DISABLED:
        raise SignupError("email", _("This account has been disabled. Please contact the board."))
    if user is not None and user.state == User.ACTIVE:
        return _join_with_existing_account(association, person, user, password, accepted_text)

    with transaction():
        if user is None:
            user = User.create(email=email, name=person.full_name, state=User.UNCONFIRMED)
        user.password_hash = hash_password(password)
        user.state = User.UNCONFIRMED
        user.save()
        _link(association, person, user, accepted_text)
        send_activation(association, user)
        audit("account.signup", actor=user, association=association, target=email)
    return SignupOutcome(user=user, signed_in=False)


def _join_with_existing_account(association, person, user, password, accepted_text) -> SignupOutcome:
    result, _user = check_password_login(user.email, password)
    if result is LoginResult.THROTTLED:
        raise SignupError("password", throttled_message())
    if result is not LoginResult.OK:
        raise SignupError(
            "password",
            _(
                "You already have a Porch account with this address. Enter its password to join"
                " %(name)s, or reset the password.",
                name=association.name,
            ),
        )
    with transaction():
        _link(association, person, user, accepted_text)
        audit("account.joined", actor=user, association=association, target=user.email)
    if asks_second_factor_at_login(user):
        hold_login(user, "", association)
        return SignupOutcome(user=user, signed_in=False, second_step=True)
    start_session(user)
    return SignupOutcome(user=user, signed_in=True)


def _link(association: Association, person: Person, user: User, accepted_text: str) -> None:
    """Give the user a membership as this person, and record the accepted GDPR text."""
    membership = Membership.get_or_none((Membership.user == user) & (Membership.association == association))
    if membership is None:
        role = person.role or association.role("tenant")
        Membership.create(user=user, association=association, role=role, person=person)
    elif membership.person_id is None:
        membership.person = person
        membership.save()
    if person.user_id is None:
        person.user = user
        person.save()
    Consent.create(user=user, association=association, text=accepted_text, ip=client_ip())


def mail_link(
    kind: str,
    purpose: str,
    endpoint: str,
    user: User,
    association: Association | None,
    *,
    to: str | None = None,
    **token_fields,
) -> None:
    """Issue a single-use token and mail its link (templates/email/<kind>) to the user.

    Used for activation, reset and e-mail change links, and for invitations.
    """
    raw = Token.issue(purpose, user, association=association, **token_fields)
    queue_mail(
        kind,
        to or user.email,
        language=mail_language(user, association),
        association=association,
        user=user,
        link=external_url(endpoint, token=raw),  # /<slug>/ routes take the slug from g.association
        **token_fields,
    )


def send_activation(association: Association, user: User) -> None:
    mail_link("activate", Token.ACTIVATE, "site.activate", user, association)


def activate(token: Token) -> bool:
    """Confirm the address: the account becomes active. False if the token was already used."""
    with transaction():
        if not token.use():
            return False
        user = token.user
        if user.state in (User.UNCONFIRMED, User.INVITED):
            user.state = User.ACTIVE
            user.save()
        audit("account.activated", actor=user, association=token.association, target=user.email)
    return True


# --- Forgotten password --------------------------------------------------------


def throttled_message() -> str:
    return _(
        "Too many failed attempts to sign in to this account in the last hour, so we did not check"
        " the password. If it is your account, reset your password: the link in the mail lets you"
        " straight in."
    )


def request_reset(email: str, association: Association | None) -> None:
    """Mail a reset link if the account exists; the page says the same either way."""
    user = User.by_email(email)
    if user is None or user.state == User.DISABLED:
        return
    with transaction():
        mail_link("reset", Token.RESET, "site.reset", user, association)
        audit("account.reset_requested", actor=user, association=association, target=user.email)


def reset_password(token: Token, password: str) -> bool:
    """Set a new password from a reset link, end every session and lift the throttle."""
    user = token.user
    with transaction():
        if not token.use():
            return False
        user.password_hash = hash_password(password)
        if user.state in (User.UNCONFIRMED, User.INVITED):
            user.state = User.ACTIVE  # the link proved the address
        user.save()
        UserSession.end_all(user)
        # The mailed link proves ownership, so guessing by others no longer locks the owner out.
        LoginAttempt.delete().where(LoginAttempt.email == user.email).execute()
        audit("account.password_reset", actor=user, association=token.association, target=user.email)
    if user.state == User.ACTIVE and asks_second_factor_at_login(user):
        hold_login(user, "", token.association)  # the mailed link proves the mailbox, not the second factor
    elif user.state == User.ACTIVE:
        start_session(user)
    return True


# --- My account ----------------------------------------------------------------


def change_password(user: User, association: Association, new_password: str) -> None:
    """Set a new password; every other browser is signed out, this one gets a new session."""
    with transaction():
        user.password_hash = hash_password(new_password)
        user.save()
        UserSession.end_all(user)
        queue_mail(
            "password_changed",
            user.email,
            language=mail_language(user, association),
            association=association,
            user=user,
            reset_link=external_url("site.forgot"),
        )
        audit("account.password_changed", actor=user, association=association, target=user.email)
    start_session(user, second_factor_at=user.second_factor_at)  # this browser keeps its step-up


def request_email_change(user: User, association: Association, new_email: str) -> None:
    """Mail a confirmation link to the new address and a notice to the old one."""
    new_email = User.normalize_email(new_email)
    language = mail_language(user, association)
    with transaction():
        mail_link(
            "change_email",
            Token.CHANGE_EMAIL,
            "site.confirm_email",
            user,
            association,
            to=new_email,
            new_email=new_email,
        )
        queue_mail(
            "email_change_notice",
            user.email,
            language=language,
            association=association,
            user=user,
            new_email=new_email,
            reset_link=external_url("site.forgot"),
        )
        audit("account.email_change_requested", actor=user, association=association, target=user.email)


def confirm_email_change(token: Token) -> bool:
    """Move the account (and the people it is linked to) to the confirmed address."""
    user = token.user
    with transaction():
        if User.by_email(token.new_email) is not None or not token.use():
            return False
        old = user.email
        user.email = token.new_email
        user.save()
        Person.update(**Person.new_address(token.new_email)).where(Person.user == user).execute()
        audit("account.email_changed", actor=user, association=token.association, target=old, new=user.email)
    return True
