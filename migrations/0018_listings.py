"""Listings (issue 15): vacancies of units with their texts and photos, the seeker's routes to the landlord
with the self-check's view of each website route, and messages sent through a listing's contact form; an
outgoing mail's Reply-To (the seeker's address on a landlord's copy)."""
from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, User, Unit, Building = (table(n) for n in ('association', 'user', 'unit', 'building'))

    class Vacancy(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        move_in = DateField()
        ends_on = DateField(null=True)
        rent = BigIntegerField()
        deposit = BigIntegerField(default=0)
        housing_type = CharField(max_length=8, default='family')
        lift = BooleanField(default=False)
        pets = BooleanField(default=False)
        schemes = CharField(max_length=200, default='')
        waiting_months = IntegerField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'vacancy'
            indexes = ((('association', 'unit'), False), (('ends_on', 'move_in'), False), (('rent',), False))

    class VacancyText(Model):
        vacancy = ForeignKeyField(Vacancy, on_delete='CASCADE')
        language = CharField(max_length=10)
        description = TextField(default='')

        class Meta:
            database = db
            table_name = 'vacancy_text'
            indexes = ((('vacancy', 'language'), True),)

    class VacancyPhoto(Model):
        vacancy = ForeignKeyField(Vacancy, on_delete='CASCADE')
        stored_name = CharField(max_length=100)
        width = IntegerField(default=0)
        height = IntegerField(default=0)
        position = IntegerField(default=0)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'vacancy_photo'

    class SeekerRoute(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        building = ForeignKeyField(Building, null=True, on_delete='CASCADE')
        housing_type = CharField(max_length=8, default='')
        kind = CharField(max_length=8)
        url = CharField(max_length=500, default='')
        email = CharField(max_length=254, default='')
        phone = CharField(max_length=40, default='')
        checked_at = DateTimeField(null=True)
        check_status = CharField(max_length=120, default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'seeker_route'
            indexes = ((('association', 'building', 'housing_type'), True),)

    class ContactMessage(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        vacancy = ForeignKeyField(Vacancy, null=True, on_delete='SET NULL')
        name = CharField(max_length=200)
        email = CharField(max_length=254)
        phone = CharField(max_length=40, default='')
        message = TextField()
        sender_key = CharField(max_length=64)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'contact_message'
            indexes = ((('sender_key', 'created_at'), False), (('association', 'created_at'), False))

    db.create_tables([Vacancy, VacancyText, VacancyPhoto, SeekerRoute, ContactMessage])
    migrator.migrate(migrator.add_column('outbound_email', 'reply_to', CharField(max_length=300, default='')))
    db.execute_sql('CREATE UNIQUE INDEX "seeker_route_one_without_department" ON "seeker_route" '
                   '("association_id", "housing_type") WHERE "building_id" IS NULL')
    p = db.param  # ? on SQLite, %s on PostgreSQL
    # The board keeps the listings: built-in board and administrator roles get the new permission.
    db.execute_sql(
        f"UPDATE role SET permissions = TRIM(permissions || {p}) WHERE key IN ({p}, {p}) AND permissions NOT LIKE {p}",
        (" listings.manage", "board", "administrator", "%listings.manage%"),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column('outbound_email', 'reply_to'))
    for name in ('contact_message', 'seeker_route', 'vacancy_photo', 'vacancy_text', 'vacancy'):
        db.execute_sql(f'DROP TABLE "{name}"')
