"""Events and notifications (issue 10 items 4-5): a document may be an event (start, end, whole day,
RRULE, last day); the reminders sent; members' calendar feeds; what each member chose to be mailed about.
"""
from peewee import *


def up(migrator, db):
    class Association(Model):
        class Meta:
            database = db
            table_name = 'association'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

    class EventReminder(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        document = ForeignKeyField(Document, on_delete='CASCADE')
        occurrence = DateTimeField()
        offset = CharField(max_length=20)
        mailed = BooleanField(default=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'event_reminder'
            indexes = ((('user', 'document', 'occurrence', 'offset'), True), (('document',), False))

    class CalendarFeed(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        token_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'calendar_feed'
            indexes = ((('user', 'association'), True),)

    class NotificationChoice(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=40)
        enabled = BooleanField(default=True)
        options = CharField(max_length=200, default='')

        class Meta:
            database = db
            table_name = 'notification_choice'
            indexes = ((('user', 'association', 'kind'), True), (('association', 'kind', 'enabled'), False))

    migrator.migrate(
        migrator.add_column('document', 'event_start', DateTimeField(null=True)),
        migrator.add_column('document', 'event_end', DateTimeField(null=True)),
        migrator.add_column('document', 'event_all_day', BooleanField(default=False)),
        migrator.add_column('document', 'event_rrule', CharField(max_length=100, default='')),
        migrator.add_column('document', 'event_until', DateField(null=True)),
        migrator.add_index('document', ('association_id', 'event_start'), False),
    )
    db.create_tables([EventReminder, CalendarFeed, NotificationChoice])


def down(migrator, db):
    for table in ('notification_choice', 'calendar_feed', 'event_reminder'):
        db.execute_sql(f'DROP TABLE "{table}"')
    migrator.migrate(
        migrator.drop_index('document', 'document_association_id_event_start'),
        *[migrator.drop_column('document', column)
          for column in ('event_start', 'event_end', 'event_all_day', 'event_rrule', 'event_until')],
    )
