"""Fault reports and requests: reports, their history, attachments and the board's
response deadlines; the fault tab is on for every association.
"""
from peewee import *


def up(migrator, db):
    class Association(Model):
        class Meta:
            database = db
            table_name = 'association'

    class Building(Model):
        class Meta:
            database = db
            table_name = 'building'

    class Person(Model):
        class Meta:
            database = db
            table_name = 'person'

    class Unit(Model):
        class Meta:
            database = db
            table_name = 'unit'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class FaultReport(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        kind = CharField(max_length=10, default='fault')
        place = CharField(max_length=12, default='unit')
        unit = ForeignKeyField(Unit, null=True, on_delete='SET NULL')
        building = ForeignKeyField(Building, null=True, on_delete='SET NULL')
        area = CharField(max_length=120, default='')
        responsible = CharField(max_length=16, default='')
        category = CharField(max_length=16, default='other')
        severity = CharField(max_length=8, default='normal')
        title = CharField(max_length=200)
        details = TextField(default='')
        contact_phone = CharField(max_length=40, default='')
        contact_email = CharField(max_length=254, default='')
        reporter = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reporter_person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        assignee = ForeignKeyField(User, null=True, on_delete='SET NULL')
        status = CharField(max_length=12, default='new')
        deadline_at = DateTimeField(null=True)
        responded_at = DateTimeField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        closed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'fault_report'
            indexes = ((('association', 'status', 'deadline_at'), False), (('association', 'created_at'), False), (('association', 'unit'), False), (('association', 'building'), False))
    db.create_tables([FaultReport])

    class FaultEvent(Model):
        report = ForeignKeyField(FaultReport, on_delete='CASCADE')
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        kind = CharField(max_length=10)
        from_status = CharField(max_length=12, default='')
        to_status = CharField(max_length=12, default='')
        assignee = ForeignKeyField(User, null=True, on_delete='SET NULL')
        text = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'fault_event'
            indexes = ((('report', 'created_at'), False),)
    db.create_tables([FaultEvent])

    class FaultAttachment(Model):
        report = ForeignKeyField(FaultReport, on_delete='CASCADE')
        event = ForeignKeyField(FaultEvent, null=True, on_delete='CASCADE')
        stored_name = CharField(max_length=100)
        original_name = CharField(max_length=200, default='')
        content_type = CharField(max_length=100)
        size = IntegerField(default=0)
        is_image = BooleanField(default=False)
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'fault_attachment'
    db.create_tables([FaultAttachment])

    class FaultDeadline(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        severity = CharField(max_length=8)
        amount = IntegerField()
        unit = CharField(max_length=12, default='working_days')
        class Meta:
            database = db
            table_name = 'fault_deadline'
            indexes = ((('association', 'severity'), True),)
    db.create_tables([FaultDeadline])

    # The fault tab is new: associations that exist already get it switched on.
    p = db.param  # ? on SQLite, %s on PostgreSQL
    db.execute_sql(f"UPDATE association SET tabs = TRIM(tabs || {p}) WHERE tabs NOT LIKE {p}", (" faults", "%faults%"))


def down(migrator, db):
    migrator.migrate(migrator.drop_table('fault_deadline'))
    migrator.migrate(migrator.drop_table('fault_attachment'))
    migrator.migrate(migrator.drop_table('fault_event'))
    migrator.migrate(migrator.drop_table('fault_report'))
