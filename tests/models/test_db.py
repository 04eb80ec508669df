"""models/db.py: prepared selects (one SQL text per shape), LIKE patterns, rows loaded by hand."""

from models.db import PreparedSelect, like, like_pattern, loaded
from models.register import Unit


def _units(association, pattern, *, searching):
    query = Unit.select(Unit.number).where(Unit.association == association)
    if searching:
        query = query.where(like(Unit.number, pattern))
    return query.order_by(Unit.number).tuples()


def test_a_prepared_select_is_built_once_per_shape(alpha, make_unit):
    for number in ("1", "12", "1_2", "100%"):
        make_unit(alpha, number)
    built = []

    def build(association, pattern, *, searching):
        built.append(searching)
        return _units(association, pattern, searching=searching)

    prepared = PreparedSelect(build)
    numbers = lambda q, searching: [n for (n,) in prepared(alpha.id, like_pattern(q), searching=searching)]  # noqa: E731
    assert numbers("", False) == ["1", "100%", "12", "1_2"]
    assert numbers("1_", True) == ["1_2"]  # _ and % are taken literally
    assert numbers("0%", True) == ["100%"]
    assert numbers("2", True) == ["12", "1_2"]
    assert built == [False, True]


def test_loaded_rows_skip_the_defaults():
    unit = loaded(Unit, id=7, number="7", building=3)
    assert (unit.id, unit.number, unit.building_id, unit.created_at, unit.kind) == (7, "7", 3, None, None)
    assert not unit.is_dirty()
    assert Unit(number="7").kind == Unit.FLAT  # made by hand for saving: the defaults are there


def test_past_its_kept_shapes_a_prepared_select_builds_each_time(alpha, make_unit):
    make_unit(alpha, "1")
    built = []

    def build(association, *, shape):
        built.append(shape)
        return Unit.select(Unit.number).where(Unit.association == association).tuples()

    prepared = PreparedSelect(build)
    prepared.KEPT = 2
    for shape in (1, 2, 3, 3, 1):
        assert prepared(alpha.id, shape=shape) == [("1",)]
    assert built == [1, 2, 3, 3]  # 3 came after the two kept ones: built each time
