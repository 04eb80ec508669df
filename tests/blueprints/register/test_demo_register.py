"""demo/register.py: both demo registers as the README promises, and the benchmark's units."""

from __future__ import annotations

from fractions import Fraction

from demo.portal import load_associations, load_units_benchmark
from demo.register import load_register, load_units_benchmark_register
from models import Association, Person
from models.register import Building, Ownership, Residency, Unit, UnitFileEntry, VotingProxy


def test_demo_registers(app, client, login):
    list(load_associations())
    lines = list(load_register())
    assert len(lines) == 3
    for slug in ("solrosen", "nakopci", "kase5"):
        association = Association.get(Association.slug == slug)
        today = association.today()
        units = list(Unit.active(association))
        assert len(units) >= 20 and Building.of(association).count() >= 1
        assert sum((u.share for u in units), Fraction(0)) == 1
        owned = Ownership.select().join(Unit).where(Unit.association == association)
        current = [o for o in owned if o.is_current(today)]
        assert {o.unit_id for o in current} == {u.id for u in units}  # every unit has owners ...
        for unit in units:  # ... whose shares of it add up to 1, with one main owner
            mine = [o for o in current if o.unit_id == unit.id]
            assert sum(o.share for o in mine) == 1 and sum(o.is_main for o in mine) == 1
        assert any(o.ended_on for o in owned)  # a past change of owner
        assert (
            UnitFileEntry.select()
            .join(Unit)
            .where((Unit.association == association) & (UnitFileEntry.kind == UnitFileEntry.OWNER_CHANGE))
            .exists()
        )
        assert VotingProxy.select().join(Unit).where(Unit.association == association).exists()
        roles = {r.role for r in Residency.select().join(Unit).where(Unit.association == association)}
        assert {Residency.TENANT, Residency.HOUSEHOLD} <= roles
        owner = Person.get(Person.email == f"owner@{slug}.example")
        mine = [o for o in current if o.person_id == owner.id]
        assert len(mine) >= 2 and any(o.share == Fraction(1, 2) for o in mine)

    assert list(load_register()) == [
        "Brf Solrosen: the register exists; left as it is.",
        "SVJ Na Kopci: the register exists; left as it is.",
        "Korteriühistu Kase 5: the register exists; left as it is.",
    ]
    tenant = Person.get(Person.email == "tenant@solrosen.example")
    assert Residency.get(Residency.person == tenant).role == Residency.TENANT

    login(client, "owner@solrosen.example", password="demo-password")
    home = client.get("/solrosen/").get_data(as_text=True)
    assert "Johanna Johansson" in home
    login(client, "tenant@solrosen.example", password="demo-password")
    home = client.get("/solrosen/").get_data(as_text=True)
    unit_link = home[home.index('href="/solrosen/units/') :].split('"')[1]
    assert client.get(unit_link).status_code == 200


def test_benchmark_units(app):
    load_units_benchmark(30)
    bench = Association.get(Association.slug == "bench")
    assert "30 units" in load_units_benchmark_register(bench, 30)
    units = list(Unit.of(bench))
    assert len(units) == 30 and sum((u.share for u in units), Fraction(0)) == 1
    first = Ownership.select().join(Unit).where(Unit.number == "1", Unit.association == bench).get()
    assert first.person.email == "resident1@bench.example"
    assert "left as it is" in load_units_benchmark_register(bench, 30)
