"""The register: buildings, units, ownership, residents, unit file, registration
requests and slug aliases; people get contact and invoice fields, associations
a logo, header photo and tabs.
"""
from peewee import *


def up(migrator, db):
    class Association(Model):
        class Meta:
            database = db
            table_name = 'association'

    class Person(Model):
        class Meta:
            database = db
            table_name = 'person'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Building(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        name = CharField(max_length=120)
        street = CharField(max_length=200, default='')
        postcode = CharField(max_length=20, default='')
        municipality = CharField(max_length=120, default='')
        region = CharField(max_length=120, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'building'
    db.create_tables([Building])

    class Unit(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        building = ForeignKeyField(Building, on_delete='RESTRICT')
        number = CharField(max_length=20)
        kind = CharField(max_length=12, default='flat')
        rooms = IntegerField(null=True)
        floor = IntegerField(null=True)
        area = DecimalField(null=True, max_digits=9, decimal_places=2)
        share_numerator = BigIntegerField(default=0)
        share_denominator = BigIntegerField(default=1)
        equipment = TextField(default='')
        condition_notes = TextField(default='')
        accessibility = CharField(max_length=200, default='')
        resident_count = IntegerField(null=True)
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'unit'
            indexes = ((('building', 'number'), True), (('association', 'number'), False))
    db.create_tables([Unit])

    class Ownership(Model):
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='RESTRICT')
        share_numerator = IntegerField(default=1)
        share_denominator = IntegerField(default=1)
        is_main = BooleanField(default=False)
        started_on = DateField(null=True)
        ended_on = DateField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ownership'
            indexes = ((('unit', 'ended_on'), False),)
    db.create_tables([Ownership])

    class RegistrationRequest(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        name = CharField(max_length=200)
        email = CharField(max_length=254)
        unit_number = CharField(max_length=40, default='')
        message = TextField(default='')
        status = CharField(index=True, max_length=10, default='pending')
        reason = TextField(default='')
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField(null=True)
        ip = CharField(max_length=64, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'registration_request'
    db.create_tables([RegistrationRequest])

    class Residency(Model):
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='CASCADE')
        role = CharField(max_length=16, default='tenant')
        start_date = DateField(null=True)
        end_date = DateField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'residency'
    db.create_tables([Residency])

    class SlugAlias(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        slug = CharField(unique=True, max_length=64)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'slug_alias'
    db.create_tables([SlugAlias])

    class UnitFileEntry(Model):
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        happened_on = DateField()
        kind = CharField(max_length=16, default='note')
        text = TextField()
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'unit_file_entry'
    db.create_tables([UnitFileEntry])

    class VotingProxy(Model):
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='CASCADE')
        start_date = DateField(null=True)
        end_date = DateField(null=True)
        class Meta:
            database = db
            table_name = 'voting_proxy'
    db.create_tables([VotingProxy])

    migrator.migrate(migrator.add_column('association', 'logo', CharField(null=True, max_length=100)))
    migrator.migrate(migrator.add_column('association', 'header_photo', CharField(null=True, max_length=100)))
    migrator.migrate(migrator.add_column('association', 'tabs', CharField(max_length=200, default='contact members units')))
    migrator.migrate(migrator.add_column('person', 'personal_id', CharField(max_length=40, default='')))
    migrator.migrate(migrator.add_column('person', 'street', CharField(max_length=200, default='')))
    migrator.migrate(migrator.add_column('person', 'postcode', CharField(max_length=20, default='')))
    migrator.migrate(migrator.add_column('person', 'city', CharField(max_length=120, default='')))
    migrator.migrate(migrator.add_column('person', 'country', CharField(max_length=2, default='')))
    migrator.migrate(migrator.add_column('person', 'invoice_by_email', BooleanField(default=True)))
    migrator.migrate(migrator.add_column('person', 'invoice_by_paper', BooleanField(default=False)))
    migrator.migrate(migrator.add_column('person', 'invoice_language', CharField(null=True, max_length=10)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('person', 'invoice_language'))
    migrator.migrate(migrator.drop_column('person', 'invoice_by_paper'))
    migrator.migrate(migrator.drop_column('person', 'invoice_by_email'))
    migrator.migrate(migrator.drop_column('person', 'country'))
    migrator.migrate(migrator.drop_column('person', 'city'))
    migrator.migrate(migrator.drop_column('person', 'postcode'))
    migrator.migrate(migrator.drop_column('person', 'street'))
    migrator.migrate(migrator.drop_column('person', 'personal_id'))
    migrator.migrate(migrator.drop_column('association', 'tabs'))
    migrator.migrate(migrator.drop_column('association', 'header_photo'))
    migrator.migrate(migrator.drop_column('association', 'logo'))
    migrator.migrate(migrator.drop_table('voting_proxy'))
    migrator.migrate(migrator.drop_table('unit_file_entry'))
    migrator.migrate(migrator.drop_table('slug_alias'))
    migrator.migrate(migrator.drop_table('residency'))
    migrator.migrate(migrator.drop_table('registration_request'))
    migrator.migrate(migrator.drop_table('ownership'))
    migrator.migrate(migrator.drop_table('unit'))
    migrator.migrate(migrator.drop_table('building'))
