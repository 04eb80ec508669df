"""GDPR export and erasure, and leaving Porch (issue 16 items 3 and 4): the export jobs' rows (a member's own
data, or the whole association, as a ZIP) and the record of every erasure (who and when, never what)."""

from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name

        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, User, Person = (table(n) for n in ('association', 'user', 'person'))

    class DataExport(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        kind = CharField(max_length=12)
        user = ForeignKeyField(User, on_delete='CASCADE')
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        state = CharField(max_length=10, default='queued')
        done = IntegerField(default=0)
        total = IntegerField(default=0)
        error = TextField(default='')
        stored_name = CharField(max_length=100, null=True)
        size = BigIntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        expires_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'data_export'
            indexes = ((('association', 'kind', 'created_at'), False), (('user', 'created_at'), False))

    class Erasure(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        pseudonym = CharField(max_length=120)
        erased_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        files_removed = IntegerField(default=0)
        files_kept = IntegerField(default=0)
        kept_reason = TextField(default='')
        rows_scrubbed = IntegerField(default=0)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'erasure'

    db.create_tables([DataExport, Erasure])


def down(migrator, db):
    for name in ('erasure', 'data_export'):
        db.execute_sql(f'DROP TABLE "{name}"')
