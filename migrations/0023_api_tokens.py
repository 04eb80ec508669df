"""The API for management systems (issue 16 item 2): the board's tokens, the per-minute request windows a
token's rate limit counts in when there is no Redis, the answers kept for POSTs made with an
Idempotency-Key, and an index that lets the fault feed page through (association, updated_at, id)."""
from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, User = (table(n) for n in ('association', 'user'))

    class ApiToken(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        name = CharField(max_length=100)
        scopes = CharField(max_length=200)
        token_hash = CharField(max_length=64, unique=True)
        shown_start = CharField(max_length=16)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        revoked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'api_token'

    class ApiRateWindow(Model):
        token = ForeignKeyField(ApiToken, on_delete='CASCADE')
        window_start = DateTimeField()
        count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'api_rate_window'
            indexes = ((('token', 'window_start'), True),)

    class ApiIdempotencyKey(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        key = CharField(max_length=200)
        request_hash = CharField(max_length=64)
        status = IntegerField()
        body = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'api_idempotency_key'
            indexes = ((('association', 'key'), True),)

    db.create_tables([ApiToken, ApiRateWindow, ApiIdempotencyKey])
    migrator.migrate(migrator.add_index('fault_report', ('association_id', 'updated_at', 'id'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('fault_report', 'fault_report_association_id_updated_at_id'))
    for name in ('api_idempotency_key', 'api_rate_window', 'api_token'):
        db.execute_sql(f'DROP TABLE "{name}"')
