"""Associations, accounts and memberships."""

from __future__ import annotations

from models import Association, Category, Folder, Membership, Role, User
from tests.factories.register import make_person
from tests.helpers import PASSWORD


def make_association(slug: str = "alpha", **fields) -> Association:
    """An association with its built-in roles."""
    defaults = dict(
        name=slug.capitalize() + " Housing",
        locale="en",
        currency="SEK",
        timezone="Europe/Stockholm",
        gdpr_text="We keep your name and contact details to run the association.",
        welcome_text="## Welcome to " + slug,
    )
    defaults.update(fields)
    association = Association.create(slug=slug, **defaults)
    Role.create_builtins(association)
    Folder.create_builtins(association)
    Category.create_builtins(association)
    return association


def make_user(
    association: Association, email: str, role: str = "member", *, state: str = User.ACTIVE, **membership
) -> User:
    """An account (password tests.helpers.PASSWORD) that is a person in the register with a membership."""
    from blueprints.portal import accounts

    user = User.get_or_none(User.email == email) or User.create(
        email=email, name=email.split("@")[0], password_hash=accounts.hash_password(PASSWORD), state=state
    )
    person = make_person(association, email=email, role=role, user=user)
    Membership.create(user=user, association=association, role=association.role(role), person=person, **membership)
    return user
