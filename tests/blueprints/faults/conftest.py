"""Factories for the fault tests: a small world of buildings, units, people, and reports.

`fault_world` is association alpha with two buildings:
  House A: unit A1 (owner@ owns it), unit A2 (tenant@ rents it), unit A3 (neighbour@ owns it)
  House B: unit B1 (farowner@ owns it)
plus board@ (resolves faults, handles requests), member@ (a member without a unit),
and association beta with its own board (outsider@) and owner.
`make_report(world.owner, ...)` makes a report through the real service
(reporting.report), so history, deadline and mail are as in production.
Service calls need a request context (links in mail): `with app.test_request_context():`,
or request the `in_request` fixture.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from models import Membership, Person
from models.faults import FaultReport
from models.register import Ownership, Residency, Unit


@pytest.fixture
def in_request(app):
    """A request context, for calling the services directly (they build links for mail)."""
    if "faults.report_page" not in app.view_functions:
        # Until the views' report page exists, mail links need a stand-in endpoint to build.
        app.add_url_rule("/<slug>/faults/<int:report_id>", "faults.report_page", lambda slug, report_id: "")
    with app.test_request_context():
        yield


@pytest.fixture
def fault_world(app, alpha, make_association, make_user, make_building, make_unit):
    """Alpha and beta with buildings, units, owners, a tenant, a neighbour and boards (see above)."""
    house_a = make_building(alpha, "House A")
    house_b = make_building(alpha, "House B")
    units = {
        "A1": make_unit(alpha, "A1", building=house_a),
        "A2": make_unit(alpha, "A2", building=house_a),
        "A3": make_unit(alpha, "A3", building=house_a),
        "B1": make_unit(alpha, "B1", building=house_b),
    }

    def person(user) -> Person:
        return Membership.get(Membership.user == user, Membership.association == alpha).person

    owner = make_user(alpha, "owner@alpha.example", "member")
    tenant = make_user(alpha, "tenant@alpha.example", "tenant")
    neighbour = make_user(alpha, "neighbour@alpha.example", "member")
    far_owner = make_user(alpha, "farowner@alpha.example", "member")
    member = make_user(alpha, "member@alpha.example", "member")
    board = make_user(alpha, "board@alpha.example", "board")
    Ownership.create(unit=units["A1"], person=person(owner), is_main=True)
    Ownership.create(unit=units["A2"], person=person(neighbour), is_main=True)  # lets A2 to the tenant
    Residency.create(unit=units["A2"], person=person(tenant), role=Residency.TENANT)
    Ownership.create(unit=units["A3"], person=person(neighbour), is_main=True)
    Ownership.create(unit=units["B1"], person=person(far_owner), is_main=True)

    beta = make_association("beta")
    beta_house = make_building(beta, "Beta House")
    beta_unit = make_unit(beta, "1", building=beta_house)
    outsider = make_user(beta, "outsider@beta.example", "board")
    beta_owner = make_user(beta, "owner@beta.example", "member")
    Ownership.create(unit=beta_unit, person=Membership.get(Membership.user == beta_owner).person, is_main=True)

    def membership(user, association=alpha) -> Membership:
        return Membership.get(Membership.user == user, Membership.association == association)

    return SimpleNamespace(
        alpha=alpha,
        beta=beta,
        house_a=house_a,
        house_b=house_b,
        units=units,
        owner=owner,
        tenant=tenant,
        neighbour=neighbour,
        far_owner=far_owner,
        member=member,
        board=board,
        outsider=outsider,
        beta_owner=beta_owner,
        beta_house=beta_house,
        beta_unit=beta_unit,
        membership=membership,
    )


@pytest.fixture
def make_report(app, fault_world, outbox):
    """make_report(user, **fields): a report through reporting.report, as `user` of alpha.

    Defaults: a normal plumbing fault in the user's first unit (or, for a
    handler without a unit, in unit A1). Pass kind="request", responsible=...
    for a request; place="common_area", building_id=..., area=... for a common area.
    Call it inside a request context (the `in_request` fixture). It brings `outbox`: reports mail.
    """
    from blueprints.faults import reporting

    def make(user=None, association=None, **fields) -> FaultReport:
        user = user or fault_world.owner
        association = association or fault_world.alpha
        membership = fault_world.membership(user, association)
        values = dict(
            kind=FaultReport.FAULT,
            place=FaultReport.IN_UNIT,
            unit_id=None,
            building_id=None,
            area="",
            responsible="",
            category="plumbing",
            severity=FaultReport.NORMAL,
            title="Dripping tap in the kitchen",
            details="It drips all night.",
            contact_phone="",
            contact_email="",
            files=(),
        )
        values.update(fields)
        if values["kind"] == FaultReport.FAULT and values["place"] == FaultReport.IN_UNIT and not values["unit_id"]:
            mine = Unit.select(Unit.id).where(Unit.id.in_(Unit.ids_held_by(membership.person_id, association.today())))
            first = mine.order_by(Unit.id).first()
            values["unit_id"] = first.id if first else fault_world.units["A1"].id
        return reporting.report(association, user, membership, **values)

    return make


def jpeg_bytes(size=(64, 48), color=(200, 60, 40), exif: bytes | None = None) -> bytes:
    """A small JPEG, with EXIF bytes if given."""
    output = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(output, "JPEG", **extra)
    return output.getvalue()


def upload(data: bytes, filename: str = "photo.jpg", content_type: str = "image/jpeg") -> FileStorage:
    """What Flask hands the view for one chosen file."""
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


@pytest.fixture
def make_upload():
    """make_upload(data=None, filename="photo.jpg", content_type="image/jpeg") -> FileStorage."""

    def make(data: bytes | None = None, filename: str = "photo.jpg", content_type: str = "image/jpeg"):
        return upload(jpeg_bytes() if data is None else data, filename, content_type)

    return make
