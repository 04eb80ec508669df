"""Import of the register and the books (issue 16 item 1): column mappings remembered per source, and the
runs of uploaded files (mapped, checked, applied)."""
from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, User = (table(n) for n in ('association', 'user'))

    class ImportMapping(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        kind = CharField(max_length=12)
        header_key = CharField(max_length=64)
        source = CharField(max_length=120, default='')
        mapping = TextField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'import_mapping'
            indexes = ((('association', 'kind', 'header_key'), True),)

    class ImportRun(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        kind = CharField(max_length=12)
        token = CharField(max_length=32, unique=True)
        original_name = CharField(max_length=200, default='')
        sha256 = CharField(max_length=64)
        header_key = CharField(max_length=64)
        file_kind = CharField(max_length=4, default='csv')
        encoding = CharField(max_length=20, default='')
        row_count = IntegerField(default=0)
        mapping = TextField(default='')
        state = CharField(max_length=10, default='uploaded')
        created = IntegerField(default=0)
        changed = IntegerField(default=0)
        unchanged = IntegerField(default=0)
        invalid = IntegerField(default=0)
        error_count = IntegerField(default=0)
        problem = TextField(default='')
        seconds = FloatField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        checked_at = DateTimeField(null=True)
        applied_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'import_run'
            indexes = ((('association', 'created_at'), False),)

    db.create_tables([ImportMapping, ImportRun])


def down(migrator, db):
    for name in ('import_run', 'import_mapping'):
        db.execute_sql(f'DROP TABLE "{name}"')
