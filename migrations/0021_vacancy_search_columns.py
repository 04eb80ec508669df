"""The public search's columns on the vacancy (issue 15): the unit's rooms, area, floor, accessibility and
whether it is archived, and its building with the building's municipality and region, so that a search of
550,000 units reads only the 20,000 vacancies. The database keeps the copies: triggers on vacancy, unit and
building are the one place every writer passes through (forms, bulk edit, imports, COPY, plain SQL), so no
code path can forget them. The residency index on (unit, start, end) answers "does anyone live there?" from
the index alone."""

from peewee import BooleanField, CharField, DecimalField, IntegerField, PostgresqlDatabase

COPIED = ("rooms", "area", "floor", "accessibility", "unit_archived", "building_id", "municipality", "region")

# What a vacancy row copies, as SQL on the unit `u` and building `b` (the same on both backends).
VALUES = {
    "rooms": "u.rooms",
    "area": "u.area",
    "floor": "u.floor",
    "accessibility": "u.accessibility",
    "unit_archived": "u.archived_at IS NOT NULL",
    "building_id": "u.building_id",
    "municipality": "b.municipality",
    "region": "b.region",
}


def _copy_for(where: str) -> str:
    """An UPDATE of the vacancies matching `where` from their unit and building (correlated: portable)."""
    sets = ", ".join(
        f'"{column}" = (SELECT {value} FROM unit u JOIN building b ON b.id = u.building_id '
        f"WHERE u.id = vacancy.unit_id)"
        for column, value in VALUES.items()
    )
    return f"UPDATE vacancy SET {sets} WHERE {where}"


POSTGRES = [
    # Before a vacancy row is written, whatever the writer sent for the copies is replaced by the truth.
    f"""CREATE FUNCTION vacancy_search_columns() RETURNS trigger AS $$
    BEGIN
        SELECT {", ".join(VALUES.values())} INTO {", ".join(f"NEW.{c}" for c in VALUES)}
        FROM unit u JOIN building b ON b.id = u.building_id WHERE u.id = NEW.unit_id;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER vacancy_search_columns BEFORE INSERT OR UPDATE ON vacancy
    FOR EACH ROW EXECUTE FUNCTION vacancy_search_columns()""",
    # A unit's change reaches its vacancies (the vacancy trigger above fills the values in).
    """CREATE FUNCTION vacancy_search_columns_of_unit() RETURNS trigger AS $$
    BEGIN
        UPDATE vacancy SET unit_id = unit_id WHERE unit_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER vacancy_search_columns_of_unit AFTER UPDATE ON unit FOR EACH ROW
    WHEN (OLD.rooms IS DISTINCT FROM NEW.rooms OR OLD.area IS DISTINCT FROM NEW.area
          OR OLD.floor IS DISTINCT FROM NEW.floor OR OLD.accessibility IS DISTINCT FROM NEW.accessibility
          OR OLD.archived_at IS DISTINCT FROM NEW.archived_at OR OLD.building_id IS DISTINCT FROM NEW.building_id)
    EXECUTE FUNCTION vacancy_search_columns_of_unit()""",
    """CREATE FUNCTION vacancy_search_columns_of_building() RETURNS trigger AS $$
    BEGIN
        UPDATE vacancy SET municipality = NEW.municipality, region = NEW.region WHERE building_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER vacancy_search_columns_of_building AFTER UPDATE ON building FOR EACH ROW
    WHEN (OLD.municipality IS DISTINCT FROM NEW.municipality OR OLD.region IS DISTINCT FROM NEW.region)
    EXECUTE FUNCTION vacancy_search_columns_of_building()""",
]

# SQLite has no BEFORE trigger that may change NEW: the row is corrected right after it is written (SQLite
# does not fire a trigger from its own statement again: recursive_triggers is off).
SQLITE = [
    f"""CREATE TRIGGER vacancy_search_columns_insert AFTER INSERT ON vacancy BEGIN
        {_copy_for("id = NEW.id")}; END""",
    f"""CREATE TRIGGER vacancy_search_columns_update AFTER UPDATE ON vacancy BEGIN
        {_copy_for("id = NEW.id")}; END""",
    f"""CREATE TRIGGER vacancy_search_columns_of_unit
        AFTER UPDATE OF rooms, area, floor, accessibility, archived_at, building_id ON unit BEGIN
        {_copy_for("unit_id = NEW.id")}; END""",
    """CREATE TRIGGER vacancy_search_columns_of_building AFTER UPDATE OF municipality, region ON building BEGIN
        UPDATE vacancy SET municipality = NEW.municipality, region = NEW.region WHERE building_id = NEW.id; END""",
]


def _postgres(db) -> bool:
    return isinstance(db, PostgresqlDatabase)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("vacancy", "rooms", IntegerField(null=True)),
        migrator.add_column("vacancy", "area", DecimalField(max_digits=9, decimal_places=2, null=True)),
        migrator.add_column("vacancy", "floor", IntegerField(null=True)),
        migrator.add_column("vacancy", "accessibility", CharField(max_length=200, default="")),
        migrator.add_column("vacancy", "unit_archived", BooleanField(default=False)),
        migrator.add_column("vacancy", "building_id", IntegerField(null=True)),
        migrator.add_column("vacancy", "municipality", CharField(max_length=120, default="")),
        migrator.add_column("vacancy", "region", CharField(max_length=120, default="")),
        migrator.add_index("vacancy", ("region", "municipality"), False),
        migrator.add_index("vacancy", ("building_id",), False),
        migrator.add_index("residency", ("unit_id", "start_date", "end_date"), False),
    )
    db.execute_sql(_copy_for("1 = 1"))
    for statement in POSTGRES if _postgres(db) else SQLITE:
        db.execute_sql(statement)


def down(migrator, db):
    if _postgres(db):
        for name, table in (
            ("vacancy_search_columns", "vacancy"),
            ("vacancy_search_columns_of_unit", "unit"),
            ("vacancy_search_columns_of_building", "building"),
        ):
            db.execute_sql(f"DROP TRIGGER {name} ON {table}")
            db.execute_sql(f"DROP FUNCTION {name}()")
    else:
        for name in (
            "vacancy_search_columns_insert",
            "vacancy_search_columns_update",
            "vacancy_search_columns_of_unit",
            "vacancy_search_columns_of_building",
        ):
            db.execute_sql(f"DROP TRIGGER {name}")
    migrator.migrate(
        migrator.drop_index("residency", "residency_unit_id_start_date_end_date"),
        migrator.drop_index("vacancy", "vacancy_region_municipality"),
        migrator.drop_index("vacancy", "vacancy_building_id"),
        *(migrator.drop_column("vacancy", column) for column in COPIED),
    )
