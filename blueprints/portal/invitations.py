"""The board's account work on people: invitations, finishing a registration, e-mail changes,
disabling and enabling (SPEC P3, seed 000 "Admin – Boende", seed 004 §4.13).

Each change that sends mail writes the outbox row in the same transaction.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw
from flask_babel import gettext as _

from blueprints.portal.accounts import hash_password, start_session
from core import clock
from core.audit import audit
from core.mail import external_url, mail_language, queue_mail
from core.security import client_ip
from models import Association, Consent, Membership, Ownership, Person, Token, Unit, User, UserSession
from models.db import PreparedSelect, transaction
from models.portal import Role


class PeopleError(Exception):
    """A reason the board's action cannot be done, shown to them."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


INVITED, JOINED = "invited", "joined"


def starting_role(person: Person, association: Association) -> Role:
    """The role an account made for this person starts with: the person's, else Member for
    an owner and Tenant for anyone else."""
    if person.role_id is not None:
        return person.role
    owns = (
        Ownership.select()
        .join(Unit)
        .where(
            (Ownership.person == person) & (Unit.association == association) & Ownership.current(association.today())
        )
        .exists()
    )
    return association.role("member" if owns else "tenant")


def person_language(person: Person, user: User | None, association: Association) -> str:
    """Mail to a person goes in their invoice language, else their own choice, else the association's."""
    return person.invoice_language or mail_language(user, association)


def invite(person: Person, association: Association, actor: User) -> str:
    """Send (or send again) the invitation: the account exists in state invited, a membership
    with the person's role, and a mailed link to /<slug>/invite/<token>.

    An address that already has an active Porch account joins this association
    without a new password: the mail then links to the login page. Call inside transaction().
    """
    email = User.normalize_email(person.email)
    if not email:
        raise PeopleError(_("%(name)s has no e-mail address to invite.", name=person.full_name))
    user = person.user if person.user_id is not None else User.by_email(email)
    if user is not None and user.state == User.DISABLED:
        raise PeopleError(_("The account of %(name)s is disabled. Enable it first.", name=person.full_name))
    if user is None:
        user = User.create(email=email, name=person.full_name, state=User.INVITED)
    _give_membership(person, user, association)
    if user.state == User.ACTIVE:
        _mail_invitation(person, user, association, link=external_url("portal.login", slug=association.slug))
        audit("people.invited", actor=actor, association=association, target=person.full_name, joined=True)
        return JOINED
    _retire(user, association, Token.INVITE)
    raw = Token.issue(Token.INVITE, user, association=association)
    link = external_url("portal.invitation", slug=association.slug, token=raw)
    _mail_invitation(person, user, association, link=link, token_link=True)
    audit("people.invited", actor=actor, association=association, target=person.full_name)
    return INVITED


def _give_membership(person: Person, user: User, association: Association) -> None:
    membership = Membership.get_or_none((Membership.user == user) & (Membership.association == association))
    if membership is None:
        Membership.create(user=user, association=association, role=starting_role(person, association), person=person)
    else:
        changed = False
        if membership.valid_to is not None and membership.valid_to < association.today():
            membership.valid_to = None  # inviting again opens the door that disabling closed
            changed = True
        if membership.person_id is None:
            membership.person = person
            changed = True
        if changed:
            membership.save()
    if person.user_id != user.id:
        person.user = user
        person.save()


def _mail_invitation(person: Person, user: User, association: Association, *, link: str, token_link=False) -> None:
    queue_mail(
        "invite",
        user.email,
        language=person_language(person, user, association),
        association=association,
        user=user,
        person=person,
        link=link,
        token_link=token_link,
        days=Token.LIFETIMES[Token.INVITE].days,
    )


def _retire(user: User, association: Association, *purposes: str) -> None:
    """Only the newest link works: older unused ones of these kinds are marked used."""
    Token.update(used_at=clock.utcnow_naive()).where(
        (Token.user == user)
        & (Token.association == association)
        & Token.purpose.in_(purposes)
        & Token.used_at.is_null()
    ).execute()


def people_to_invite(association: Association):
    """Everyone in the register with an e-mail address and no account."""
    return Person.of(association).where((Person.email != "") & Person.user.is_null())


def count_to_invite(association: Association) -> int:
    """How many people_to_invite() there are (the people page's first page says so): one COUNT."""
    return _TO_INVITE(association.id)[0][0]


def _to_invite_query(association) -> pw.ModelSelect:
    return people_to_invite(association).select(pw.fn.COUNT(Person.id)).tuples()


_TO_INVITE = PreparedSelect(_to_invite_query)


def invite_everyone(association: Association, actor: User) -> tuple[int, int]:
    """Invite each person with an e-mail and no account, once; returns (invited, skipped)."""
    invited = skipped = 0
    with transaction():
        for person in people_to_invite(association).order_by(*Person.name_order()):
            try:
                invite(person, association, actor)
            except PeopleError:
                skipped += 1  # e.g. the address belongs to a disabled account
            else:
                invited += 1
        audit("people.invited_all", actor=actor, association=association, invited=invited, skipped=skipped)
    return invited, skipped


def finish_registration(person: Person, association: Association, actor: User) -> None:
    """Seed 000 "Slutför registrering": an unconfirmed account becomes active without the mailed link."""
    user = person.user
    if user is None or user.state != User.UNCONFIRMED:
        raise PeopleError(_("Only an account waiting for confirmation can be finished by hand."))
    with transaction():
        User.update(state=User.ACTIVE).where(User.id == user.id).execute()
        _retire(user, association, Token.ACTIVATE)
        audit("people.registration_finished", actor=actor, association=association, target=user.email)


def change_email(person: Person, association: Association, new_email: str, actor: User) -> None:
    """Change the register's address; an account not yet in use moves with it (seed 000 "Ändra epostadress")."""
    new_email = User.normalize_email(new_email)
    old_email = person.email
    if new_email == User.normalize_email(old_email):
        if new_email != old_email:
            Person.update(email=new_email).where(Person.id == person.id).execute()
        return
    user = person.user if person.user_id is not None else None
    other = User.by_email(new_email) if new_email else None
    if other is not None and (user is None or other.id != user.id):
        raise PeopleError(_("Another account already uses this address."), field="email")
    moves_account = user is not None and user.state in (User.INVITED, User.UNCONFIRMED)
    if moves_account and not new_email:
        raise PeopleError(_("This person's account needs an e-mail address."), field="email")
    with transaction():
        person.email = new_email
        # A new address has not bounced (C4): the flag and the mass mail's exclusion go with the old one.
        person.email_bounced_at, person.email_bounce_reason = None, ""
        Person.update(**Person.new_address(new_email)).where(Person.id == person.id).execute()
        if moves_account:
            User.update(email=new_email).where(User.id == user.id).execute()
            Person.update(**Person.new_address(new_email)).where(Person.user == user).execute()
            # Links mailed to the old address must not open the account any more.
            Token.update(used_at=clock.utcnow_naive()).where((Token.user == user) & Token.used_at.is_null()).execute()
        audit(
            "people.email_changed",
            actor=actor,
            association=association,
            target=person.full_name,
            old=old_email,
            new=new_email,
            account_moved=moves_account,
        )


def disable(person: Person, association: Association, actor: User) -> bool:
    """Disable the account and end its sessions; if it is used in other associations,
    end only the membership here. Returns True when only the membership was ended."""
    user = person.user
    if user is None:
        raise PeopleError(_("%(name)s has no account.", name=person.full_name))
    if user.id == actor.id:
        raise PeopleError(_("You cannot disable your own account."))
    elsewhere = Membership.select().where((Membership.user == user) & (Membership.association != association)).exists()
    with transaction():
        if elsewhere:
            yesterday = association.today() - dt.timedelta(days=1)
            Membership.update(valid_to=yesterday).where(
                (Membership.user == user) & (Membership.association == association)
            ).execute()
            audit("people.membership_ended", actor=actor, association=association, target=user.email)
        else:
            User.update(state=User.DISABLED).where(User.id == user.id).execute()
            UserSession.end_all(user)
            _retire(user, association, Token.INVITE, Token.ACTIVATE)
            audit("people.account_disabled", actor=actor, association=association, target=user.email)
    return elsewhere


def enable(person: Person, association: Association, actor: User) -> None:
    """Give a disabled account (or an ended membership here) access again."""
    user = person.user
    if user is None:
        raise PeopleError(_("%(name)s has no account.", name=person.full_name))
    with transaction():
        if user.state == User.DISABLED:
            # Without a password the person still has to accept the invitation.
            state = User.ACTIVE if user.password_hash else User.INVITED
            User.update(state=state).where(User.id == user.id).execute()
        Membership.update(valid_to=None).where(
            (Membership.user == user) & (Membership.association == association) & (Membership.valid_to.is_null(False))
        ).execute()
        audit("people.account_enabled", actor=actor, association=association, target=user.email)


# --- The invitation page ------------------------------------------------------------


def accept_invitation(token: Token, password: str, accepted_text: str) -> User | None:
    """The invited person chose a password and accepted the GDPR text: active, consent kept, signed in."""
    user = token.user
    with transaction():
        if not token.use():
            return None
        user.password_hash = hash_password(password)
        user.state = User.ACTIVE
        user.save()
        Consent.create(user=user, association=token.association, text=accepted_text, ip=client_ip())
        audit("account.invitation_accepted", actor=user, association=token.association, target=user.email)
    start_session(user)
    return user
