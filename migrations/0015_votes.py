"""Votes (issue 12): polls and per-rollam votes with their options, attachments, frozen unit weights, ballots
and hash-chained ledger; a discussion per vote; two-factor authentication (factors, recovery codes, throttled
guesses, the session's step-up, the association's choice of permissions that need it, the member's choice
to be asked at login). Members may vote per rollam; the board may run per-rollam votes.
"""

from peewee import *

NEW_PERMISSIONS = {
    'votes.cast_per_rollam': ('member', 'board', 'administrator'),
    'votes.manage_per_rollam': ('board', 'administrator'),
}


def up(migrator, db):
    class Association(Model):
        class Meta:
            database = db
            table_name = 'association'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Role(Model):
        class Meta:
            database = db
            table_name = 'role'

    class Person(Model):
        class Meta:
            database = db
            table_name = 'person'

    class Unit(Model):
        class Meta:
            database = db
            table_name = 'unit'

    class Folder(Model):
        class Meta:
            database = db
            table_name = 'folder'

    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

    class Vote(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        kind = CharField(max_length=12, default='poll')
        title = CharField(max_length=200)
        resolution = TextField(default='')
        body = TextField(default='')
        counting = CharField(max_length=8, default='share')
        secret = BooleanField(default=False)
        live_results = BooleanField(default=True)
        jurisdiction = CharField(max_length=4, default='')
        evaluation = CharField(max_length=8, default='voting')
        threshold_numerator = IntegerField(default=1)
        threshold_denominator = IntegerField(default=2)
        quorum_numerator = IntegerField(default=0)
        quorum_denominator = IntegerField(default=1)
        reminders = BooleanField(default=True)
        starts_at = DateTimeField(null=True)
        ends_at = DateTimeField(null=True)
        state = CharField(max_length=10, default='draft')
        started_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        last_reminded_at = DateTimeField(null=True)
        result_folder = ForeignKeyField(Folder, null=True, on_delete='SET NULL')
        protocol = ForeignKeyField(Document, null=True, on_delete='SET NULL')
        outcome = CharField(max_length=10, default='')
        result_json = TextField(default='')
        ledger_length = IntegerField(default=0)
        ledger_head = CharField(max_length=64, default='')
        eligible_units = IntegerField(default=0)
        total_weight_numerator = BigIntegerField(default=0)
        total_weight_denominator = BigIntegerField(default=1)
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'vote'
            indexes = ((('association', 'state', 'ends_at'), False), (('state', 'ends_at'), False))

    class VoteOption(Model):
        vote = ForeignKeyField(Vote, on_delete='CASCADE')
        position = IntegerField(default=0)
        label = CharField(max_length=300)
        meaning = CharField(max_length=8, default='')

        class Meta:
            database = db
            table_name = 'vote_option'
            indexes = ((('vote', 'position'), False),)

    class VoteAttachment(Model):
        vote = ForeignKeyField(Vote, on_delete='CASCADE')
        stored_name = CharField(max_length=100)
        original_name = CharField(max_length=200, default='')
        content_type = CharField(max_length=100)
        size = IntegerField(default=0)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'vote_attachment'

    class VoteUnit(Model):
        vote = ForeignKeyField(Vote, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        weight_numerator = BigIntegerField()
        weight_denominator = BigIntegerField(default=1)
        last_reminded_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'vote_unit'
            indexes = ((('vote', 'unit'), True),)

    class Ballot(Model):
        vote = ForeignKeyField(Vote, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        option = ForeignKeyField(VoteOption, on_delete='CASCADE')
        channel = CharField(max_length=8, default='online')
        cast_by = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        as_proxy = BooleanField(default=False)
        cast_at = DateTimeField()
        changes = IntegerField(default=0)
        paper_received_on = DateField(null=True)
        scan_name = CharField(max_length=100, null=True)
        scan_original_name = CharField(max_length=200, default='')
        scan_content_type = CharField(max_length=100, default='')
        salt = CharField(max_length=32, default='')
        receipt = CharField(max_length=64, default='')

        class Meta:
            database = db
            table_name = 'ballot'
            indexes = ((('vote', 'unit'), True), (('vote', 'option'), False))

    class LedgerEntry(Model):
        vote = ForeignKeyField(Vote, on_delete='CASCADE')
        seq = IntegerField()
        action = CharField(max_length=8)
        unit = ForeignKeyField(Unit, null=True, on_delete='SET NULL')
        channel = CharField(max_length=8, default='')
        choice = CharField(max_length=64, default='')
        at = DateTimeField()
        previous_hash = CharField(max_length=64)
        hash = CharField(max_length=64)
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'ledger_entry'
            indexes = ((('vote', 'seq'), True),)

    class SecondFactor(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=8)
        secret = CharField(max_length=64, default='')
        confirmed_at = DateTimeField(null=True)
        last_used_step = BigIntegerField(default=0)
        code_hash = CharField(max_length=64, default='')
        code_expires_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'second_factor'
            indexes = ((('user', 'kind'), True),)

    class RecoveryCode(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        code_hash = CharField(max_length=64)
        used_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'recovery_code'
            indexes = ((('user', 'code_hash'), True),)

    class SecondFactorAttempt(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        ip = CharField(max_length=64, default='')
        attempted_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'second_factor_attempt'
            indexes = ((('user', 'attempted_at'), False),)

    db.create_tables([Vote, VoteOption, VoteAttachment, VoteUnit, Ballot, LedgerEntry,
                      SecondFactor, RecoveryCode, SecondFactorAttempt])
    migrator.migrate(
        migrator.add_column('thread', 'vote_id',
                            ForeignKeyField(Vote, field=Vote.id, null=True, unique=True, on_delete='CASCADE')),
        migrator.add_column('association', 'second_factor_permissions', CharField(max_length=300, default='')),
        migrator.add_column('user', 'second_factor_at_login', BooleanField(default=False)),
        migrator.add_column('user_session', 'second_factor_at', DateTimeField(null=True)),
    )
    p = db.param  # ? on SQLite, %s on PostgreSQL
    for permission, role_keys in NEW_PERMISSIONS.items():
        markers = ", ".join([p] * len(role_keys))  # one SQL parameter per role key
        db.execute_sql(
            f"UPDATE role SET permissions = TRIM(permissions || {p}) WHERE key IN ({markers})"
            f" AND permissions NOT LIKE {p}",
            (" " + permission, *role_keys, f"%{permission}%"),
        )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('user_session', 'second_factor_at'),
        migrator.drop_column('user', 'second_factor_at_login'),
        migrator.drop_column('association', 'second_factor_permissions'),
        migrator.drop_column('thread', 'vote_id'),
    )
    for table in ('second_factor_attempt', 'recovery_code', 'second_factor', 'ledger_entry', 'ballot', 'vote_unit',
                  'vote_attachment', 'vote_option', 'vote'):
        db.execute_sql(f'DROP TABLE "{table}"')
