"""Accounts, associations, roles, memberships, sessions, tokens, audit log and the outbox.

Generated from the models by peewee's schema diff. Timestamp defaults are set
by the application, not the database.
"""
from peewee import *


def up(migrator, db):
    class Association(Model):
        name = CharField(max_length=200)
        slug = CharField(unique=True, max_length=64)
        locale = CharField(max_length=10, default='en')
        currency = CharField(max_length=3, default='EUR')
        timezone = CharField(max_length=64, default='UTC')
        welcome_text = TextField(default='')
        contact_text = TextField(default='')
        gdpr_text = TextField(default='')
        theme_color = CharField(max_length=7, default='#1d5f8a')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'association'
    db.create_tables([Association])

    class User(Model):
        email = CharField(unique=True, max_length=254)
        password_hash = CharField(null=True)
        state = CharField(max_length=12, default='unconfirmed')
        name = CharField(max_length=200, default='')
        phone_home = CharField(max_length=40, default='')
        phone_mobile = CharField(max_length=40, default='')
        phone_work = CharField(max_length=40, default='')
        ui_language = CharField(null=True, max_length=10)
        created_at = DateTimeField()
        last_login_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class AuditLog(Model):
        association = ForeignKeyField(Association, null=True, on_delete='CASCADE')
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(max_length=64)
        target = CharField(max_length=200, default='')
        detail = TextField(default='')
        ip = CharField(max_length=64, default='')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'audit_log'
            indexes = ((('association', 'created_at'), False),)
    db.create_tables([AuditLog])

    class Consent(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        association = ForeignKeyField(Association, on_delete='CASCADE')
        text = TextField()
        accepted_at = DateTimeField()
        ip = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'consent'
    db.create_tables([Consent])

    class LoginAttempt(Model):
        email = CharField(index=True, max_length=254)
        ip = CharField(index=True, max_length=64)
        attempted_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'login_attempt'
    db.create_tables([LoginAttempt])

    class Role(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        key = CharField(null=True, max_length=32)
        name = CharField(max_length=100)
        permissions = TextField(default='')
        class Meta:
            database = db
            table_name = 'role'
            indexes = ((('association', 'key'), True),)
    db.create_tables([Role])

    class Person(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        surname = CharField(max_length=120)
        given_name = CharField(max_length=120, default='')
        email = CharField(index=True, max_length=254, default='')
        phone_home = CharField(max_length=40, default='')
        phone_mobile = CharField(max_length=40, default='')
        phone_work = CharField(max_length=40, default='')
        role = ForeignKeyField(Role, null=True, on_delete='SET NULL')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'person'
            indexes = ((('association', 'surname', 'given_name'), False),)
    db.create_tables([Person])

    class Membership(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        association = ForeignKeyField(Association, on_delete='CASCADE')
        role = ForeignKeyField(Role, on_delete='RESTRICT')
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        valid_from = DateField(null=True)
        valid_to = DateField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'membership'
            indexes = ((('user', 'association'), True),)
    db.create_tables([Membership])

    class OutboundEmail(Model):
        association = ForeignKeyField(Association, null=True, on_delete='CASCADE')
        recipient_user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        to_address = CharField(max_length=254)
        kind = CharField(max_length=40)
        language = CharField(max_length=10, default='en')
        subject = CharField()
        body_text = TextField()
        body_html = TextField(default='')
        status = CharField(index=True, max_length=10, default='queued')
        attempts = IntegerField(default=0)
        last_error = TextField(default='')
        created_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        next_attempt_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbound_email'
            indexes = ((('association', 'created_at'), False),)
    db.create_tables([OutboundEmail])

    class Token(Model):
        token_hash = CharField(unique=True, max_length=64)
        purpose = CharField(max_length=16)
        user = ForeignKeyField(User, on_delete='CASCADE')
        association = ForeignKeyField(Association, null=True, on_delete='CASCADE')
        new_email = CharField(null=True, max_length=254)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'token'
    db.create_tables([Token])

    class UserSession(Model):
        key_hash = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        ip = CharField(max_length=64, default='')
        user_agent = CharField(default='')
        class Meta:
            database = db
            table_name = 'user_session'
    db.create_tables([UserSession])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('user_session'))
    migrator.migrate(migrator.drop_table('token'))
    migrator.migrate(migrator.drop_table('outbound_email'))
    migrator.migrate(migrator.drop_table('membership'))
    migrator.migrate(migrator.drop_table('person'))
    migrator.migrate(migrator.drop_table('role'))
    migrator.migrate(migrator.drop_table('login_attempt'))
    migrator.migrate(migrator.drop_table('consent'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('association'))
