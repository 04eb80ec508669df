"""Meters (issue 14): meters per unit and building, the board's reading windows, readings and their
corrections, reminders mailed once per window and member, remembered import mappings; the yearly
settlement of services (B9): services, a charge's service, settlements with their costs, keys and each
unit's result. Built-in roles get the new permissions, and associations the new meters tab."""
from peewee import *

NEW_PERMISSIONS = {
    'meters.submit': ('tenant', 'member', 'board', 'administrator'),
    'meters.manage': ('board', 'administrator'),
}


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, User, Person, Unit, Building, Invoice, Receipt, OutboundEmail = (
        table(n) for n in ('association', 'user', 'person', 'unit', 'building', 'invoice', 'receipt',
                           'outbound_email'))

    class Meter(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        building = ForeignKeyField(Building, on_delete='RESTRICT')
        unit = ForeignKeyField(Unit, null=True, on_delete='RESTRICT')
        kind = CharField(max_length=12)
        serial = CharField(max_length=60, default='')
        measure = CharField(max_length=12, default='')
        installed_on = DateField()
        removed_on = DateField(null=True)
        replaces = ForeignKeyField('self', null=True, on_delete='SET NULL')
        remote_read = BooleanField(default=False)
        note = CharField(max_length=200, default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'meter'
            indexes = ((('association', 'unit'), False), (('association', 'building'), False))

    class ReadingWindow(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        period_start = DateField()
        period_end = DateField()
        opens_on = DateField()
        closes_on = DateField()
        locked_at = DateTimeField(null=True)
        locked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'reading_window'
            indexes = ((('association', 'period_end'), True), (('association', 'closes_on'), False))

    class Reading(Model):
        meter = ForeignKeyField(Meter, on_delete='CASCADE')
        window = ForeignKeyField(ReadingWindow, null=True, on_delete='RESTRICT')
        read_on = DateField()
        value = DecimalField(max_digits=15, decimal_places=3, auto_round=True)
        source = CharField(max_length=10, default='resident')
        flag = CharField(max_length=10, default='')
        photo = CharField(max_length=100, null=True)
        entered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'reading'
            indexes = ((('meter', 'window'), True), (('meter', 'read_on'), False), (('window', 'meter'), False))

    class ReadingChange(Model):
        reading = ForeignKeyField(Reading, on_delete='CASCADE')
        old_value = DecimalField(max_digits=15, decimal_places=3, auto_round=True)
        new_value = DecimalField(max_digits=15, decimal_places=3, auto_round=True)
        reason = CharField(max_length=300, default='')
        changed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        changed_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'reading_change'

    class ReadingReminder(Model):
        window = ForeignKeyField(ReadingWindow, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        email = ForeignKeyField(OutboundEmail, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'reading_reminder'
            indexes = ((('window', 'user'), True),)

    class ReadingImportMapping(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        source = CharField(max_length=120, default='')
        header_key = CharField(max_length=64)
        mapping = TextField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'reading_import_mapping'
            indexes = ((('association', 'header_key'), True),)

    class Service(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        name = CharField(max_length=120)
        position = IntegerField(default=0)
        archived_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'service'
            indexes = ((('association', 'position'), False),)

    class Settlement(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        year = IntegerField()
        period_start = DateField()
        period_end = DateField()
        deadline = DateField()
        state = CharField(max_length=10, default='draft')
        note = TextField(default='')
        run_at = DateTimeField(null=True)
        run_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        delivered_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'settlement'
            indexes = ((('association', 'year'), True),)

    class SettlementCost(Model):
        settlement = ForeignKeyField(Settlement, on_delete='CASCADE')
        service = ForeignKeyField(Service, on_delete='RESTRICT')
        amount = BigIntegerField()
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'settlement_cost'
            indexes = ((('settlement', 'service'), True),)

    class SettlementKey(Model):
        cost = ForeignKeyField(SettlementCost, on_delete='CASCADE')
        kind = CharField(max_length=12)
        percent = IntegerField(default=100)
        meter_kind = CharField(max_length=12, default='')

        class Meta:
            database = db
            table_name = 'settlement_key'

    class SettlementUnit(Model):
        settlement = ForeignKeyField(Settlement, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, on_delete='RESTRICT')
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        costs = BigIntegerField(default=0)
        advances = BigIntegerField(default=0)
        difference = BigIntegerField(default=0)
        detail = TextField(default='')
        invoice = ForeignKeyField(Invoice, null=True, on_delete='SET NULL')
        receipt = ForeignKeyField(Receipt, null=True, on_delete='SET NULL')
        stored_name = CharField(max_length=100, default='')
        email = ForeignKeyField(OutboundEmail, null=True, on_delete='SET NULL')
        error = TextField(default='')
        sent_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'settlement_unit'
            indexes = ((('settlement', 'unit'), True),)

    db.create_tables([Meter, ReadingWindow, Reading, ReadingChange, ReadingReminder, ReadingImportMapping, Service,
                      Settlement, SettlementCost, SettlementKey, SettlementUnit])
    migrator.migrate(
        migrator.add_column('charge', 'service_id',
                            ForeignKeyField(Service, field=Service.id, null=True, on_delete='SET NULL')),
    )
    p = db.param  # ? on SQLite, %s on PostgreSQL
    for permission, role_keys in NEW_PERMISSIONS.items():
        markers = ", ".join([p] * len(role_keys))  # one SQL parameter per role key
        db.execute_sql(
            f"UPDATE role SET permissions = TRIM(permissions || {p}) WHERE key IN ({markers})"
            f" AND permissions NOT LIKE {p}",
            (" " + permission, *role_keys, f"%{permission}%"),
        )
    db.execute_sql(f"UPDATE association SET tabs = TRIM(tabs || {p}) WHERE tabs NOT LIKE {p}", (" meters", "%meters%"))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('charge', 'service_id'))
    for name in ('settlement_unit', 'settlement_key', 'settlement_cost', 'settlement', 'service',
                 'reading_import_mapping', 'reading_reminder', 'reading_change', 'reading', 'reading_window', 'meter'):
        db.execute_sql(f'DROP TABLE "{name}"')
