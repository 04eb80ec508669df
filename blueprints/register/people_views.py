"""People in the register (SPEC R2) with the account work the board does on them (P3: invitations,
finishing a registration, disabling, roles), and the member list (R6)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.portal import invitations
from blueprints.portal.invitations import PeopleError
from blueprints.register import MEMBERS_TAB, bp, directory
from blueprints.register.forms import EmailForm, PersonForm, RoleChoiceForm
from core.access import can, requires, requires_any
from core.audit import audit
from core.csv import csv_download
from core.forms import ConfirmForm
from core.rendering import htmx, render
from models import Membership, Person, Role, User
from models import permissions as perms
from models.db import transaction

PERSON_FIELDS = (
    "given_name",
    "surname",
    "personal_id",
    "email",
    "phone_mobile",
    "phone_home",
    "phone_work",
    "street",
    "postcode",
    "city",
    "country",
    "invoice_by_email",
    "invoice_by_paper",
    "invoice_language",
)


# Account work on people (invite, finish, disable): the board's register.manage, or accounts.manage.
ACCOUNT_ADMIN = (perms.REGISTER_MANAGE, perms.ACCOUNTS_MANAGE)


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


def _roles() -> list[Role]:
    return list(Role.of(g.association).order_by(Role.id))


# --- The register's people (R2) ----------------------------------------------------


@bp.route("/people")
@requires(perms.REGISTER_MANAGE)
def people():
    """Everyone in the register with account state; search filters as you type."""
    q = request.args.get("q", "").strip()[:100]
    page = _page_number()
    rows, more = directory.people_page(g.association, g.association.today(), q, page)
    invitable = invitations.count_to_invite(g.association) if not q and page == 1 else None
    return render(
        "register/people.html",
        "register/_people_list.html",
        rows=rows,
        q=q,
        page_number=page,
        more=more,
        invitable=invitable,
    )


@bp.route("/people.csv")
@requires(perms.REGISTER_MANAGE)
def people_export():
    """The register with contacts as CSV, for the board."""
    rows = directory.people_csv_rows(g.association, g.association.today())
    audit("people.exported", actor=current_user, association=g.association)
    filename = f"{g.association.slug}-people-{g.association.today().isoformat()}.csv"
    return csv_download(filename, directory.CSV_COLUMNS, rows)


def _person_context(person_id: int, **extra) -> dict:
    row = directory.person_row(g.association, person_id, g.association.today())
    roles = _roles()
    role_form = extra.pop("role_form", None)
    if role_form is None and can(perms.ROLES_MANAGE):
        role_form = RoleChoiceForm(formdata=None, role=_current_role_id(row.person, roles))
    if role_form is not None:
        role_form.role.choices = [SelectChoice(r.id, r.display_name) for r in roles]
    return dict(
        row=row,
        person=row.person,
        roles={r.id: r for r in roles},
        role_form=role_form,
        confirm_form=ConfirmForm(),
        **extra,
    )


def _current_role_id(person: Person, roles: list[Role]) -> int | None:
    membership = getattr(person, "membership", None)
    if membership is not None:
        return membership.role_id
    if person.role_id is not None:
        return person.role_id
    tenant = next((r for r in roles if r.key == "tenant"), None)
    return tenant.id if tenant else None


@bp.route("/people/<int:person_id>")
@requires(perms.REGISTER_MANAGE)
def person(person_id: int):
    """One person: contacts, units, personal id, account and actions (a row's details for htmx)."""
    return render("register/person.html", "register/_person_details.html", **_person_context(person_id))


def _after_action(person_id: int, message: str, category: str = "success"):
    """htmx swaps the person's details with the message in them; without JS, back to the page."""
    if htmx:
        return render(
            "register/person.html",
            "register/_person_details.html",
            **_person_context(person_id, message=message, category=category),
        )
    flash(message, category)
    return redirect(url_for("register.person", person_id=person_id))


def _fill(person: Person, form: PersonForm) -> None:
    for name in PERSON_FIELDS:
        if name == "email":
            continue
        value = getattr(form, name).data
        if isinstance(value, str):
            value = value.strip()
        if name == "country":
            value = (value or "").upper()
        if name == "invoice_language":
            value = value or None
        setattr(person, name, value if value is not None or name == "invoice_language" else "")


@bp.route("/people/new", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def person_new():
    """Add a person to the register (seed 004 §4.5); an account is optional."""
    form = PersonForm()
    if form.validate_on_submit():
        email = User.normalize_email(form.email.data)
        with transaction():
            # No role: an account made later starts as Member if the person owns a unit, else Tenant.
            person = Person(association=g.association, email=email)
            _fill(person, form)
            person.save()
            audit("people.created", actor=current_user, association=g.association, target=person.full_name)
        flash(_("%(name)s is in the register.", name=person.full_name), "success")
        return redirect(url_for("register.person", person_id=person.id))
    return render("register/person_form.html", form=form, person=None, status=422 if form.errors else 200)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def person_edit(person_id: int):
    """Change a person's name, id, contacts and invoice settings (seed 004 §4.10)."""
    person = Person.get_visible(g.membership, person_id)
    form = PersonForm(obj=person)
    if request.method == "GET":
        form.invoice_language.data = person.invoice_language or ""
    if form.validate_on_submit():
        try:
            with transaction():
                invitations.change_email(person, g.association, form.email.data or "", current_user)
                _fill(person, form)
                person.save()
                audit("people.updated", actor=current_user, association=g.association, target=person.full_name)
        except PeopleError as error:
            form.email.errors.append(error.message)
        else:
            flash(_("The details of %(name)s are saved.", name=person.full_name), "success")
            return redirect(url_for("register.person", person_id=person.id))
    return render("register/person_form.html", form=form, person=person, status=422 if form.errors else 200)


@bp.route("/people/<int:person_id>/email", methods=["GET", "POST"])
@requires(perms.REGISTER_MANAGE)
def person_email(person_id: int):
    """Change a person's e-mail; an account not yet in use moves with it (seed 000 "Ändra epostadress")."""
    person = Person.get_visible(g.membership, person_id)
    form = EmailForm(email=person.email) if request.method == "GET" else EmailForm()
    if form.validate_on_submit():
        try:
            invitations.change_email(person, g.association, form.email.data or "", current_user)
        except PeopleError as error:
            form.email.errors.append(error.message)
        else:
            flash(_("The e-mail address of %(name)s is changed.", name=person.full_name), "success")
            return redirect(url_for("register.person", person_id=person.id))
    return render("register/email.html", form=form, person=person, status=422 if form.errors else 200)


# --- Residents administration (P3) ------------------------------------------------


@bp.route("/people/<int:person_id>/invite", methods=["POST"])
@requires_any(*ACCOUNT_ADMIN)
def invite(person_id: int):
    """Send or resend the invitation to the portal."""
    person = Person.get_visible(g.membership, person_id)
    try:
        with transaction():
            outcome = invitations.invite(person, g.association, current_user)
    except PeopleError as error:
        return _after_action(person_id, error.message, "error")
    if outcome == invitations.JOINED:
        return _after_action(
            person_id, _("%(name)s already has a Porch account; they can now log in here too.", name=person.full_name)
        )
    return _after_action(person_id, _("The invitation is on its way to %(email)s.", email=person.email))


@bp.route("/people/invite-all", methods=["GET", "POST"])
@requires_any(*ACCOUNT_ADMIN)
def invite_all():
    """Invite everyone with an e-mail and no account: first the count, then one confirmed POST."""
    form = ConfirmForm()
    if form.validate_on_submit():
        invited, skipped = invitations.invite_everyone(g.association, current_user)
        if invited:
            flash(_("Invitations are on their way to %(num)d people.", num=invited), "success")
        else:
            flash(_("Nobody was left to invite."), "info")
        if skipped:
            flash(_("%(num)d people were skipped because their account is disabled.", num=skipped), "error")
        return redirect(url_for("register.people"))
    people = invitations.people_to_invite(g.association)
    return render("register/invite_all.html", form=form, count=people.count())


@bp.route("/people/<int:person_id>/finish", methods=["POST"])
@requires_any(*ACCOUNT_ADMIN)
def finish_registration(person_id: int):
    """Confirm an account by hand when the activation mail does not arrive (seed 000 "Slutför registrering")."""
    person = Person.get_visible(g.membership, person_id)
    try:
        invitations.finish_registration(person, g.association, current_user)
    except PeopleError as error:
        return _after_action(person_id, error.message, "error")
    return _after_action(person_id, _("The account of %(name)s is active.", name=person.full_name))


@bp.route("/people/<int:person_id>/disable", methods=["GET", "POST"])
@requires_any(*ACCOUNT_ADMIN)
def disable(person_id: int):
    """Disable an account (a confirmation first); one used elsewhere only loses this association."""
    row = directory.person_row(g.association, person_id, g.association.today())
    person = row.person
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            only_here = invitations.disable(person, g.association, current_user)
        except PeopleError as error:
            flash(error.message, "error")
            return redirect(url_for("register.person", person_id=person_id))
        if only_here:
            message = _(
                "%(name)s also uses Porch in another association, so the account stays; their access to"
                " %(association)s has ended.",
                name=person.full_name,
                association=g.association.name,
            )
        else:
            message = _("The account of %(name)s is disabled and signed out everywhere.", name=person.full_name)
        flash(message, "success")
        return redirect(url_for("register.person", person_id=person_id))
    elsewhere = person.user_id is not None and (
        Membership.select()
        .where((Membership.user == person.user_id) & (Membership.association != g.association))
        .exists()
    )
    return render("register/disable.html", form=form, row=row, person=person, elsewhere=elsewhere)


@bp.route("/people/<int:person_id>/enable", methods=["POST"])
@requires_any(*ACCOUNT_ADMIN)
def enable(person_id: int):
    """Give a disabled account access again."""
    person = Person.get_visible(g.membership, person_id)
    try:
        invitations.enable(person, g.association, current_user)
    except PeopleError as error:
        return _after_action(person_id, error.message, "error")
    return _after_action(person_id, _("%(name)s has access again.", name=person.full_name))


@bp.route("/people/<int:person_id>/role", methods=["POST"])
@requires(perms.ROLES_MANAGE)
def assign_role(person_id: int):
    """Give a member another role here (P5); a person without an account gets it when invited."""
    person = Person.get_visible(g.membership, person_id)
    roles = _roles()
    form = RoleChoiceForm()
    form.role.choices = [SelectChoice(r.id, r.display_name) for r in roles]
    if not form.validate_on_submit():
        return render(
            "register/person.html",
            "register/_person_details.html",
            **_person_context(person_id, role_form=form),
            status=422,
        )
    role = next(r for r in roles if r.id == form.role.data)
    membership = None
    if person.user_id is not None:
        membership = Membership.get_or_none(
            (Membership.user == person.user_id) & (Membership.association == g.association)
        )
    if membership is not None and _last_role_manager(membership, role):
        form.role.errors.append(_("Someone must keep the right to manage roles. Give it to another member first."))
        return render(
            "register/person.html",
            "register/_person_details.html",
            **_person_context(person_id, role_form=form),
            status=422,
        )
    with transaction():
        Person.update(role=role).where(Person.id == person.id).execute()
        if membership is not None:
            Membership.update(role=role).where(Membership.id == membership.id).execute()
        audit(
            "people.role_assigned",
            actor=current_user,
            association=g.association,
            target=person.full_name,
            role=role.display_name,
        )
    return _after_action(
        person_id, _("%(name)s now has the role %(role)s.", name=person.full_name, role=role.display_name)
    )


def _last_role_manager(membership: Membership, new_role: Role) -> bool:
    """Would this change leave the association without anyone who can manage roles?"""
    if perms.ROLES_MANAGE in new_role.permission_set:
        return False
    managers = [r.id for r in Role.of(g.association) if perms.ROLES_MANAGE in r.permission_set]
    if membership.role_id not in managers:
        return False
    today = g.association.today()
    others = Membership.select().where(
        (Membership.association == g.association) & Membership.role.in_(managers) & (Membership.id != membership.id)
    )
    return not any(m.is_current(today) for m in others)


# --- The member list (R6) ----------------------------------------------------------


@bp.route("/members")
@requires(perms.MEMBERS_VIEW)
@MEMBERS_TAB
def members():
    """Owners with their units and shares; contacts only for roles that may see them; search as you type."""
    page = _page_number()
    q = request.args.get("q", "").strip()[:100]
    rows, more = directory.members_page(g.association, g.association.today(), page, q)
    return render(
        "register/members.html",
        "register/_member_list.html",
        q=q,
        rows=rows,
        page_number=page,
        more=more,
        contacts=can(perms.MEMBERS_VIEW_CONTACTS),
        full_ids=can(perms.REGISTER_MANAGE),
    )
