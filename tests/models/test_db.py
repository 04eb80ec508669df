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


def test_raw_rows_are_the_drivers_own_from_the_same_prepared_sql(alpha, make_unit):
    unit = make_unit(alpha, "7")
    built = []

    def build(association):
        built.append(association)
        return Unit.select(Unit.id, Unit.number, Unit.created_at).where(Unit.association == association).tuples()

    prepared = PreparedSelect(build)
    (converted,) = prepared(alpha.id)
    (raw,) = prepared.raw(alpha.id)
    assert type(raw) is tuple and raw[:2] == (unit.id, "7") == converted[:2]
    assert Unit.created_at.python_value(raw[2]) == converted[2]  # a time as stored (text on SQLite)
    assert len(built) == 1


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


def test_a_subquery_in_an_in_is_built_once_however_deep(monkeypatch):
    """peewee built each IN's subquery once more to check it was not `()`, doubling per level of nesting."""
    import peewee as pw

    from models.documents import Document, Folder, FolderAccess

    built = []
    select_sql = pw.Select.__sql__
    monkeypatch.setattr(pw.Select, "__sql__", lambda self, ctx: built.append(self) or select_sql(self, ctx))
    accesses = FolderAccess.select(FolderAccess.folder).where(FolderAccess.role == 7)
    folders = Folder.select(Folder.id).where(Folder.id.in_(accesses))
    documents = Document.select(Document.id).where(Document.folder.in_(folders))
    sql, params = documents.sql()
    assert sql.count("SELECT") == 3 and params == [7]
    assert len(built) == 3


def test_an_in_of_nothing_is_still_false():
    from models.documents import Document

    sql, _params = Document.select(Document.id).where(Document.folder.in_([])).sql()
    assert "0 = 1" in sql
