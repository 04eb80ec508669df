"""The board's services (SPEC B9): water, heating, cleaning, lift… — what the association buys and settles
yearly against the monthly advances. Listed in the board's order; added, renamed, moved and archived (an
archived service keeps its charges and settlements, and is offered for no new cost)."""

from __future__ import annotations

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.billing import bp
from blueprints.billing.settlement_forms import ServiceForm
from core import clock
from core.access import requires
from core.audit import audit
from core.rendering import render
from models import permissions as perms
from models.billing import Charge, Service
from models.db import transaction


def _services() -> list[Service]:
    """Every service, active ones first in the board's order, each with how many charges name it."""
    counts = (
        Charge.select(Charge.service, pw.fn.COUNT(Charge.id))
        .where((Charge.association == g.association) & Charge.service.is_null(False))
        .group_by(Charge.service)
        .tuples()
    )
    used = dict(counts)
    services = list(
        Service.of(g.association).order_by(Service.archived_at.is_null(False), Service.position, Service.id)
    )
    for service in services:
        service.charge_count = used.get(service.id, 0)
    return services


def _page(form: ServiceForm | None = None, errors: dict | None = None, status: int = 200):
    return render(
        "billing/services.html",
        form=form or ServiceForm(formdata=None),
        services=_services(),
        errors=errors or {},
        status=status,
    )


def _service(service_id: int) -> Service:
    service = Service.of(g.association).where(Service.id == service_id).first()
    if service is None:
        abort(404)
    return service


@bp.route("/admin/services")
@requires(perms.INVOICES_MANAGE)
def services():
    """The association's services, with a form to add one."""
    return _page()


@bp.route("/admin/services", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def service_add():
    """Add a service at the end of the list."""
    form = ServiceForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    name = form.name.data.strip()
    if Service.of(g.association).where(pw.fn.LOWER(Service.name) == name.lower()).exists():
        form.name.errors = [_("There is a service of this name already.")]
        return _page(form, status=422)
    with transaction():
        last = Service.of(g.association).select(pw.fn.MAX(Service.position)).scalar() or 0
        service = Service.create(association=g.association, name=name, position=last + 1)
        audit("billing.service_added", actor=current_user, association=g.association, target=f"service:{service.id}")
    flash(_("%(name)s is added.", name=name), "success")
    return redirect(url_for("billing.services"))


@bp.route("/admin/services/<int:service_id>/rename", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def service_rename(service_id: int):
    """Rename a service; its charges and settlements follow."""
    service = _service(service_id)
    form = ServiceForm(prefix=f"s{service.id}")
    if not form.validate_on_submit():
        message = form.name.errors[0] if form.name.errors else _("The form expired: try again.")
        return _page(errors={service.id: message}, status=422)
    name = form.name.data.strip()
    clash = Service.of(g.association).where((pw.fn.LOWER(Service.name) == name.lower()) & (Service.id != service.id))
    if clash.exists():
        return _page(errors={service.id: _("There is a service of this name already.")}, status=422)
    with transaction():
        Service.update(name=name).where(Service.id == service.id).execute()
        audit("billing.service_renamed", actor=current_user, association=g.association, target=f"service:{service.id}")
    flash(_("The service is renamed %(name)s.", name=name), "success")
    return redirect(url_for("billing.services"))


@bp.route("/admin/services/<int:service_id>/move", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def service_move(service_id: int):
    """Move a service one place up or down in the list (and on the statements)."""
    service = _service(service_id)
    upwards = request.form.get("direction") == "up"
    active = [s for s in _services() if s.archived_at is None]
    ids = [s.id for s in active]
    if service.id in ids:
        index = ids.index(service.id)
        other = index - 1 if upwards else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
            with transaction():
                for position, moved_id in enumerate(ids, start=1):
                    Service.update(position=position).where(Service.id == moved_id).execute()
    return redirect(url_for("billing.services") + f"#service-{service.id}")


@bp.route("/admin/services/<int:service_id>/archive", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def service_archive(service_id: int):
    """Archive a service (it is offered for no new cost or charge), or bring an archived one back."""
    service = _service(service_id)
    archived = service.archived_at is None
    with transaction():
        Service.update(archived_at=clock.utcnow_naive() if archived else None).where(Service.id == service.id).execute()
        audit(
            "billing.service_archived" if archived else "billing.service_restored",
            actor=current_user,
            association=g.association,
            target=f"service:{service.id}",
        )
    if archived:
        flash(_("%(name)s is archived.", name=service.name), "success")
    else:
        flash(_("%(name)s is back in use.", name=service.name), "success")
    return redirect(url_for("billing.services"))
