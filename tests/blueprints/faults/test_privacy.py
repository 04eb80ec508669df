"""Privacy of fault reports (F5): a report, its status part and its files only for those who may see it.

A fault in a unit: that unit's residents and the resolvers. A common area or
a building: the building's residents. A request: its sender and the role it
went to. Everyone else gets the same 404 as for a report that does not exist,
by URL and by htmx request alike.
"""

from __future__ import annotations

import pytest

from models.faults import FaultEvent, FaultReport

HX = {"HX-Request": "true"}


@pytest.fixture
def new_report(app, make_report):
    def make(user=None, **fields) -> FaultReport:
        with app.test_request_context():
            return make_report(user, **fields)

    return make


@pytest.fixture
def unit_fault(fault_world, new_report, make_upload):
    """The owner's fault in unit A1 with a photo."""
    return new_report(fault_world.owner, title="Mould in the bathroom", files=[make_upload()])


def paths(report) -> list[str]:
    photo = report.attachments.get()
    base = f"/alpha/faults/{report.id}"
    return [base, f"{base}/files/{photo.id}"]


@pytest.mark.parametrize("email", ["tenant@alpha.example", "neighbour@alpha.example", "farowner@alpha.example"])
@pytest.mark.parametrize("htmx", [False, True])
def test_another_units_fault_and_photo_are_refused(client, login, unit_fault, email, htmx):
    login(client, email)
    for path in paths(unit_fault):
        response = client.get(path, headers=HX if htmx else {})
        assert response.status_code == 404, path
        assert b"Mould" not in response.data
    assert b"Mould" not in client.get("/alpha/faults?tab=all").data


def test_the_owner_and_the_board_see_it(client, login, unit_fault):
    for email in ("owner@alpha.example", "board@alpha.example"):
        login(client, email)
        for path in paths(unit_fault):
            assert client.get(path).status_code == 200, (email, path)
        assert client.get(paths(unit_fault)[0], headers=HX).status_code == 200


def test_nothing_can_be_posted_to_a_report_one_cannot_see(client, login, fault_world, unit_fault):
    login(client, "tenant@alpha.example")
    base = f"/alpha/faults/{unit_fault.id}"
    token = client.csrf("/alpha/faults")
    for action, data in (("comment", {"text": "Hi"}), ("status", {"to_status": "reopened"}), ("assign", {})):
        for headers in ({}, HX):
            response = client.post(f"{base}/{action}", data={"csrf_token": token, **data}, headers=headers)
            assert response.status_code == 404, action
    assert FaultEvent.select().where(FaultEvent.kind == "comment").count() == 0


def test_a_file_is_found_only_under_its_own_report(client, login, fault_world, new_report, unit_fault):
    """The owner can see both reports, but a file id under the wrong report is still a 404."""
    other = new_report(fault_world.owner, title="Second")
    photo = unit_fault.attachments.get()
    login(client, "owner@alpha.example")
    assert client.get(f"/alpha/faults/{other.id}/files/{photo.id}").status_code == 404


def test_a_common_area_is_for_the_buildings_residents(client, login, fault_world, new_report):
    report = new_report(fault_world.owner, place="common_area", building_id=fault_world.house_a.id, area="Bike room")
    for email, status in (
        ("neighbour@alpha.example", 200),
        ("tenant@alpha.example", 200),
        ("farowner@alpha.example", 404),
        ("member@alpha.example", 404),
    ):
        login(client, email)
        assert client.get(f"/alpha/faults/{report.id}").status_code == status, email


def test_a_request_to_the_administration_is_for_its_sender_and_that_role(client, login, fault_world, new_report):
    report = new_report(fault_world.owner, kind="request", responsible="administration", title="Parking permit")
    for email, status in (
        ("owner@alpha.example", 200),
        ("board@alpha.example", 200),
        ("neighbour@alpha.example", 404),
        ("tenant@alpha.example", 404),
        ("member@alpha.example", 404),
    ):
        login(client, email)
        for headers in ({}, HX):
            assert client.get(f"/alpha/faults/{report.id}", headers=headers).status_code == status, email
        assert (b"Parking permit" in client.get("/alpha/faults?tab=all").data) == (status == 200), email


def test_another_association_gets_nothing(client, login, fault_world, unit_fault):
    login(client, "outsider@beta.example")
    for path in paths(unit_fault):
        assert client.get(path).status_code == 403
        # Through their own association's address, alpha's report does not exist.
        assert client.get(path.replace("/alpha/", "/beta/")).status_code == 404
