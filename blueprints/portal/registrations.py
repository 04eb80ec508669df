"""Public requests for access, and the board's one-click answer (SPEC P4, seed 004 §4.13)."""

from __future__ import annotations

import datetime as dt

import peewee as pw
from flask import current_app
from flask_babel import gettext as _

from blueprints.portal.invitations import PeopleError, invite
from core import clock
from core.audit import audit
from core.mail import external_url, mail_language, queue_mail
from models import Association, Membership, Ownership, Person, RegistrationRequest, Residency, Unit, User
from models import permissions as perms
from models.db import transaction

# Who reads and answers registration requests.
REVIEWERS = frozenset({perms.ACCOUNTS_MANAGE, perms.REGISTER_MANAGE})


def is_throttled(ip: str, email: str) -> bool:
    """More requests than allowed from this address in an hour, or for this e-mail in a day."""
    now = clock.utcnow_naive()
    config = current_app.config
    per_ip = config.get("REGISTRATION_MAX_PER_IP", 5)
    per_email = config.get("REGISTRATION_MAX_PER_EMAIL", 3)
    recent = RegistrationRequest.select()
    by_ip = recent.where(
        (RegistrationRequest.ip == ip) & (RegistrationRequest.created_at > now - dt.timedelta(hours=1))
    )
    if ip and by_ip.count() >= per_ip:
        return True
    by_email = recent.where(
        (pw.fn.LOWER(RegistrationRequest.email) == email)
        & (RegistrationRequest.created_at > now - dt.timedelta(days=1))
    )
    return by_email.count() >= per_email


def submit(association: Association, *, name: str, email: str, unit_number: str, message: str, ip: str):
    """Store the request and tell the board by mail."""
    email = User.normalize_email(email)
    with transaction():
        request = RegistrationRequest.create(
            association=association,
            name=name.strip(),
            email=email,
            unit_number=unit_number.strip(),
            message=message.strip(),
            ip=ip,
        )
        link = external_url("portal.registrations_list", slug=association.slug)
        for user in Membership.holders_of(association, REVIEWERS):
            queue_mail(
                "registration_received",
                user.email,
                language=mail_language(user, association),
                association=association,
                user=user,
                registration=request,
                link=link,
            )
    return request


def pending(association: Association):
    return (
        RegistrationRequest.of(association)
        .where(RegistrationRequest.status == RegistrationRequest.PENDING)
        .order_by(RegistrationRequest.created_at, RegistrationRequest.id)
    )


def split_name(name: str) -> tuple[str, str]:
    """("Eva Maria", "Lind") from "Eva Maria Lind"; the register sorts by the surname."""
    words = name.split()
    if len(words) < 2:
        return "", name.strip()
    return " ".join(words[:-1]), words[-1]


def find_person(association: Association, request: RegistrationRequest) -> Person | None:
    """The register's person for this request: by e-mail, else the one person of that name in that unit."""
    person = Person.in_register(association, request.email)
    if person is not None or not request.unit_number:
        return person
    today = association.today()
    in_unit = [
        Ownership.select(Ownership.person)
        .join(Unit)
        .where((Unit.association == association) & (Unit.number == request.unit_number) & Ownership.current(today)),
        Residency.select(Residency.person)
        .join(Unit)
        .where((Unit.association == association) & (Unit.number == request.unit_number) & Residency.current(today)),
    ]
    wanted = " ".join(request.name.lower().split())
    candidates = [
        p
        for p in Person.of(association).where(Person.id.in_(in_unit[0]) | Person.id.in_(in_unit[1]))
        if wanted in (p.full_name.lower(), p.sort_name.lower()) and not p.email
    ]
    return candidates[0] if len(candidates) == 1 else None


def approve(request: RegistrationRequest, association: Association, actor: User) -> Person:
    """Copy the request onto the person (found or new), create the account and invite (one click)."""
    if request.status != RegistrationRequest.PENDING:
        raise PeopleError(_("This request has already been answered."))
    existing = User.by_email(request.email)
    if existing is not None and existing.state == User.DISABLED:
        raise PeopleError(
            _("The account for %(email)s is disabled. Enable it on the person first.", email=request.email)
        )
    with transaction():
        person = find_person(association, request)
        if person is None:
            given, surname = split_name(request.name)
            person = Person.create(
                association=association,
                given_name=given,
                surname=surname,
                email=request.email,
            )
        elif not person.email:
            person.email = request.email
            person.save()
        invite(person, association, actor)
        RegistrationRequest.update(
            status=RegistrationRequest.APPROVED,
            person=person,
            decided_by=actor,
            decided_at=clock.utcnow_naive(),
        ).where(RegistrationRequest.id == request.id).execute()
        audit(
            "people.registration_approved",
            actor=actor,
            association=association,
            target=request.email,
            person=person.id,
        )
    return person


def reject(request: RegistrationRequest, association: Association, reason: str, actor: User) -> None:
    """Refuse the request; the applicant gets the reason by mail."""
    if request.status != RegistrationRequest.PENDING:
        raise PeopleError(_("This request has already been answered."))
    with transaction():
        RegistrationRequest.update(
            status=RegistrationRequest.REJECTED,
            reason=reason.strip(),
            decided_by=actor,
            decided_at=clock.utcnow_naive(),
        ).where(RegistrationRequest.id == request.id).execute()
        queue_mail(
            "registration_rejected",
            request.email,
            language=association.locale,
            association=association,
            registration=request,
            reason=reason.strip(),
        )
        audit("people.registration_rejected", actor=actor, association=association, target=request.email)
