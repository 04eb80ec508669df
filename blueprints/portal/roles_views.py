"""The administrator's roles (SPEC P5): named sets of permissions."""

from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import bp
from blueprints.portal.forms import RoleForm
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import render
from models import Membership, Person, Role
from models import permissions as perms
from models.db import transaction

# --- Roles (P5) ----------------------------------------------------------------------


def _usage() -> dict[int, int]:
    """Members per role, in one grouped query."""
    return dict(
        Membership.select(Membership.role, pw.fn.COUNT(Membership.id))
        .where(Membership.association == g.association)
        .group_by(Membership.role)
        .tuples()
    )


@bp.route("/admin/roles")
@requires(perms.ROLES_MANAGE)
def roles():
    """Every role with how many members hold it."""
    return render(
        "portal/roles.html",
        roles=list(Role.of(g.association).order_by(Role.key.is_null(), Role.id)),
        usage=_usage(),
    )


def _save_role(role: Role, form: RoleForm) -> None:
    role.name = form.name.data.strip()
    # Stored in the catalogue's order, so the same set always reads the same.
    role.permissions = " ".join(key for key in perms.DESCRIPTIONS if key in set(form.permissions.data or ()))
    role.save()


def _name_taken(name: str, role: Role | None = None) -> bool:
    names = {r.display_name.casefold() for r in Role.of(g.association) if role is None or r.id != role.id}
    return name.strip().casefold() in names


@bp.route("/admin/roles/new", methods=["GET", "POST"])
@requires(perms.ROLES_MANAGE)
def role_new():
    """Create a custom role, empty or as a copy of another (built-in roles are copied this way)."""
    source = None
    copy_id = request.args.get("copy", type=int)
    if copy_id:
        source = Role.get_visible(g.membership, copy_id)
    form = RoleForm()
    if request.method == "GET" and source is not None:
        form.name.data = _("Copy of %(name)s", name=source.display_name)
        form.permissions.data = sorted(source.permission_set)
    if form.validate_on_submit():
        if _name_taken(form.name.data):
            form.name.errors.append(_("Another role has this name."))
        else:
            with transaction():
                role = Role(association=g.association)
                _save_role(role, form)
                audit("roles.created", actor=current_user, association=g.association, target=role.name)
            flash(_("The role %(name)s is created.", name=role.name), "success")
            return redirect(url_for("portal.role", role_id=role.id))
    return render(
        "portal/role.html",
        form=form,
        role=None,
        source=source,
        descriptions=perms.DESCRIPTIONS,
        status=422 if form.errors else 200,
    )


@bp.route("/admin/roles/<int:role_id>", methods=["GET", "POST"])
@requires(perms.ROLES_MANAGE)
def role(role_id: int):
    """A role's permissions, each with its sentence; a custom role can be edited here."""
    found = Role.get_visible(g.membership, role_id)
    if request.method == "GET":
        form = RoleForm(formdata=None, name=found.display_name, permissions=sorted(found.permission_set))
    else:
        form = RoleForm()
    refused = None
    if request.method == "POST":
        if found.key is not None:
            refused = _("Built-in roles cannot be changed. Copy it into a new role instead.")
        elif form.validate_on_submit():
            if _name_taken(form.name.data, found):
                form.name.errors.append(_("Another role has this name."))
            else:
                with transaction():
                    _save_role(found, form)
                    audit("roles.updated", actor=current_user, association=g.association, target=found.name)
                flash(_("The role %(name)s is saved.", name=found.name), "success")
                return redirect(url_for("portal.role", role_id=found.id))
    return render(
        "portal/role.html",
        form=form,
        role=found,
        source=None,
        usage=_usage().get(found.id, 0),
        refused=refused,
        descriptions=perms.DESCRIPTIONS,
        status=422 if (refused or form.errors) else 200,
    )


def _in_use(role: Role) -> tuple[int, int]:
    members = Membership.select().where(Membership.role == role).count()
    people = Person.select().where(Person.role == role).count()
    return members, people


@bp.route("/admin/roles/<int:role_id>/delete", methods=["GET", "POST"])
@requires(perms.ROLES_MANAGE)
def role_delete(role_id: int):
    """Delete a custom role nobody holds (a confirmation first); built-in roles stay."""
    found = Role.get_visible(g.membership, role_id)
    members, people = _in_use(found)
    reason = None
    if found.key is not None:
        reason = _("%(name)s is a built-in role and cannot be deleted.", name=found.display_name)
    elif members or people:
        reason = _(
            "%(name)s is in use: %(members)d members hold it and %(people)d people in the register start with it."
            " Give them another role first.",
            name=found.display_name,
            members=members,
            people=people,
        )
    form = ConfirmForm()
    if form.validate_on_submit():
        if reason:
            flash(reason, "error")
            return redirect(url_for("portal.role", role_id=found.id))
        with transaction():
            found.delete_instance()
            audit("roles.deleted", actor=current_user, association=g.association, target=found.name)
        flash(_("The role %(name)s is deleted.", name=found.name), "success")
        return redirect(url_for("portal.roles"))
    return render("portal/role_delete.html", form=form, role=found, reason=reason)
