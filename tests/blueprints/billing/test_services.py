"""The board's services (issue 14 item 5): added, renamed, reordered and archived; names are inert."""

from __future__ import annotations

import pytest

from models.billing import Service

HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def board(app, login_as):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests
    return login_as("board")


def names(alpha) -> list[str]:
    return [s.name for s in Service.of(alpha).where(Service.archived_at.is_null()).order_by(Service.position)]


def test_add_rename_move_and_archive(client, board, alpha):
    for name in ("Water", "Heating", "Lift"):
        assert client.post("/alpha/admin/services", data={"name": name}).status_code == 302
    assert client.post("/alpha/admin/services", data={"name": "water"}).status_code == 422  # a name is used once
    assert client.post("/alpha/admin/services", data={"name": ""}).status_code == 422
    assert names(alpha) == ["Water", "Heating", "Lift"]
    lift = Service.get(Service.name == "Lift")
    client.post(f"/alpha/admin/services/{lift.id}/move", data={"direction": "up"})
    assert names(alpha) == ["Water", "Lift", "Heating"]
    response = client.post(f"/alpha/admin/services/{lift.id}/rename", data={f"s{lift.id}-name": "Lifts"})
    assert response.status_code == 302 and names(alpha) == ["Water", "Lifts", "Heating"]
    refused = client.post(f"/alpha/admin/services/{lift.id}/rename", data={f"s{lift.id}-name": ""})
    assert refused.status_code == 422 and "Give the service" in refused.get_data(as_text=True)
    client.post(f"/alpha/admin/services/{lift.id}/archive")
    assert names(alpha) == ["Water", "Heating"]
    page = client.get("/alpha/admin/services").get_data(as_text=True)
    assert "Archived" in page and "Use again" in page
    client.post(f"/alpha/admin/services/{lift.id}/archive")
    assert "Lifts" in names(alpha)


def test_a_hostile_name_is_inert_and_another_associations_service_is_404(client, board, alpha, make_association):
    client.post("/alpha/admin/services", data={"name": HOSTILE})
    page = client.get("/alpha/admin/services").get_data(as_text=True)
    assert HOSTILE not in page and "&lt;img" in page
    other = Service.create(association=make_association("beta"), name="Theirs")
    assert client.post(f"/alpha/admin/services/{other.id}/archive").status_code == 404


def test_a_charge_names_the_service_it_is_the_advance_for(client, board, alpha, make_association):
    from models.billing import Charge
    from tests.factories.register import make_unit

    water = Service.create(association=alpha, name="Water", position=1)
    theirs = Service.create(association=make_association("beta"), name="Theirs")
    unit = make_unit(alpha, "7")
    path = f"/alpha/admin/units/{unit.id}/charges"
    assert "This is the monthly advance for" in client.get(path).get_data(as_text=True)
    refused = client.post(path, data={"description": "Water advance", "amount": "25", "service": theirs.id})
    assert refused.status_code == 422 and not Charge.select().exists()
    assert (
        client.post(path, data={"description": "Water advance", "amount": "25", "service": water.id}).status_code == 302
    )
    assert client.post(path, data={"description": "Monthly fee", "amount": "100"}).status_code == 302
    assert {c.description: c.service_id for c in Charge.select()} == {"Water advance": water.id, "Monthly fee": None}
