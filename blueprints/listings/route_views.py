"""The seeker's way on (L2 settings): the association's routes — for every home, a housing type, a department
(building) or both — to the landlord's application page, a contact form mailed to the landlord, or a phone
number; and for each housing type and department, the route a seeker gets."""

from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.listings import bp, vacancies
from blueprints.listings.board_forms import RouteForm
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import render
from models import permissions as perms
from models.db import first_or_404, transaction
from models.listings import SeekerRoute, Vacancy
from models.register import Building


def _routes() -> list[SeekerRoute]:
    """The association's routes, general ones first, with their building."""
    return list(
        SeekerRoute.of(g.association)
        .select(SeekerRoute, Building)
        .join(Building, pw.JOIN.LEFT_OUTER)
        .order_by(SeekerRoute.building.is_null(False), Building.name, SeekerRoute.housing_type, SeekerRoute.id)
    )


def _route_form(buildings: list[Building], route: SeekerRoute | None = None) -> RouteForm:
    form = RouteForm(obj=route) if request.method == "GET" and route is not None else RouteForm()
    if request.method == "GET" and route is not None:
        form.building.data = str(route.building_id or "")
    form.building.choices = [SelectChoice("", _("Every department"))] + [
        SelectChoice(str(b.id), b.name) for b in buildings
    ]
    form.housing_type.choices = [SelectChoice("", _("Every housing type"))] + [
        SelectChoice(key, label) for key, label in Vacancy.HOUSING_TYPES.items()
    ]
    return form


def _taken(building_id: int | None, housing_type: str, route_id: int | None) -> bool:
    """Another route already answers for this department and type. Checked here as well as by the unique
    index: the index lets two rows without a department through (NULLs differ in SQL)."""
    query = SeekerRoute.of(g.association).where(SeekerRoute.housing_type == housing_type)
    query = query.where(SeekerRoute.building.is_null() if building_id is None else SeekerRoute.building == building_id)
    if route_id is not None:
        query = query.where(SeekerRoute.id != route_id)
    return query.exists()


def _values(form: RouteForm) -> dict:
    """Only the field the kind uses is kept: a phone route has no stale address behind it."""
    kind = form.kind.data
    return {
        "building": int(form.building.data) if form.building.data else None,
        "housing_type": form.housing_type.data or "",
        "kind": kind,
        "url": form.url.data.strip() if kind == SeekerRoute.WEBSITE else "",
        "email": form.email.data.strip() if kind == SeekerRoute.FORM else "",
        "phone": form.phone.data.strip() if kind == SeekerRoute.PHONE else "",
    }


def _grid(routes: list[SeekerRoute], buildings: list[Building]) -> list[tuple[Building, list]]:
    """For each department, the route a seeker of each housing type gets (None: no way on)."""
    return [
        (building, [vacancies.route_for(routes, building.id, key) for key in Vacancy.HOUSING_TYPES])
        for building in buildings
    ]


def _save(form: RouteForm, route: SeekerRoute | None) -> SeekerRoute | None:
    """Store the valid form; None (with the error on the form) when the place is taken."""
    values = _values(form)
    if _taken(values["building"], values["housing_type"], route.id if route else None):
        form.housing_type.errors = [
            _("There is already a route for this department and housing type: change that one instead.")
        ]
        return None
    with transaction():
        if route is None:
            route = SeekerRoute.create(association=g.association, **values)
            action = "listings.route_created"
        else:
            if values["url"] != route.url or values["kind"] != route.kind:
                values.update(checked_at=None, check_status="")  # the job asks the new page
            SeekerRoute.update(values).where(SeekerRoute.id == route.id).execute()
            action = "listings.route_changed"
        audit(action, actor=current_user, association=g.association, target=f"seeker_route:{route.id}", **values)
    return route


@bp.route("/board/routes", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def routes():
    """The seeker's routes, which one each housing type and department gets, and a form to add one."""
    buildings = Building.by_name(g.association)
    form = _route_form(buildings)
    if form.validate_on_submit() and _save(form, None) is not None:
        flash(_("The route is added."), "success")
        return redirect(url_for("listings.routes"))
    all_routes = _routes()
    status = 422 if request.method == "POST" else 200
    return render(
        "listings/routes.html", form=form, routes=all_routes, grid=_grid(all_routes, buildings),
        general=vacancies.route_for(all_routes, None, ""), status=status,
    )  # fmt: skip


def _own_route(route_id: int) -> SeekerRoute:
    return first_or_404(
        SeekerRoute.of(g.association).select(SeekerRoute, Building).join(Building, pw.JOIN.LEFT_OUTER)
        .where(SeekerRoute.id == route_id)
    )  # fmt: skip


@bp.route("/board/routes/<int:listing_route_id>", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def route_edit(listing_route_id: int):
    """Change a route: where it applies, its kind and its address or number."""
    route = _own_route(listing_route_id)
    form = _route_form(Building.by_name(g.association), route)
    if form.validate_on_submit() and _save(form, route) is not None:
        flash(_("The route is saved."), "success")
        return redirect(url_for("listings.routes"))
    status = 422 if request.method == "POST" else 200
    return render("listings/board_route_form.html", form=form, route=route, status=status)


@bp.route("/board/routes/<int:listing_route_id>/remove", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def route_remove(listing_route_id: int):
    """Remove a route, after the board confirms; seekers then get the next more general one."""
    route = _own_route(listing_route_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with transaction():
            route.delete_instance()
            audit(
                "listings.route_removed", actor=current_user, association=g.association,
                target=f"seeker_route:{route.id}", kind=route.kind, building=route.building_id,
                housing_type=route.housing_type,
            )  # fmt: skip
        flash(_("The route is removed."), "success")
        return redirect(url_for("listings.routes"))
    status = 422 if request.method == "POST" else 200
    return render("listings/board_route_remove.html", route=route, form=form, status=status)
