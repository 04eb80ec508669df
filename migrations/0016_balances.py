"""Balances (issue 13): late interest settings and the reference rate table, bank files and their
transactions, receipts that payments are allocated from and the allocations taken back, remembered CSV
mappings, interest runs and charges, instalment plans with the debt moved into them, debt reminders and
their template; an invoice's purpose and plan, a payment's receipt."""
from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, User, Person, Unit, Invoice, OutboundEmail = (
        table(n) for n in ('association', 'user', 'person', 'unit', 'invoice', 'outbound_email'))

    class ReferenceRate(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        valid_from = DateField()
        rate = IntegerField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'reference_rate'
            indexes = ((('association', 'valid_from'), True),)

    class BankFile(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        format = CharField(max_length=8)
        version = CharField(max_length=20, default='')
        original_name = CharField(max_length=200, default='')
        stored_name = CharField(max_length=100, default='')
        sha256 = CharField(max_length=64)
        account = CharField(max_length=40, default='')
        first_day = DateField(null=True)
        last_day = DateField(null=True)
        state = CharField(max_length=10, default='preview')
        transaction_count = IntegerField(default=0)
        booked_count = IntegerField(default=0)
        duplicate_count = IntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        booked_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'bank_file'
            indexes = ((('association', 'sha256'), True), (('association', 'created_at'), False))

    class Receipt(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='RESTRICT')
        amount = BigIntegerField()
        allocated = BigIntegerField(default=0)
        currency = CharField(max_length=3)
        received_on = DateField()
        reference = CharField(max_length=140, default='')
        note = CharField(max_length=200, default='')
        source = CharField(max_length=12, default='manual')
        bank_file = ForeignKeyField(BankFile, null=True, on_delete='SET NULL')
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'receipt'
            indexes = ((('association', 'person', 'received_on'), False), (('association', 'received_on'), False))

    class BankTransaction(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        file = ForeignKeyField(BankFile, on_delete='CASCADE')
        key = CharField(max_length=100)
        kind = CharField(max_length=10, default='credit')
        booked_on = DateField()
        value_on = DateField(null=True)
        amount = BigIntegerField()
        currency = CharField(max_length=3)
        reference = CharField(max_length=140, default='')
        message = TextField(default='')
        payer_name = CharField(max_length=200, default='')
        payer_account = CharField(max_length=40, default='')
        state = CharField(max_length=10, default='unmatched')
        invoice = ForeignKeyField(Invoice, null=True, on_delete='SET NULL')
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        receipt = ForeignKeyField(Receipt, null=True, on_delete='SET NULL')
        ignore_reason = CharField(max_length=200, default='')
        handled_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        handled_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'bank_transaction'
            indexes = ((('association', 'key'), True), (('association', 'state', 'booked_on'), False),
                       (('file',), False))

    class AllocationUndo(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        receipt = ForeignKeyField(Receipt, null=True, on_delete='SET NULL')
        amount = BigIntegerField()
        paid_on = DateField()
        reason = CharField(max_length=200)
        undone_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        undone_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'allocation_undo'
            indexes = ((('invoice', 'undone_at'), False),)

    class BankMapping(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        bank = CharField(max_length=120)
        header_key = CharField(max_length=64)
        mapping = TextField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'bank_mapping'
            indexes = ((('association', 'header_key'), True),)

    class InterestRun(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        through = DateField()
        charged_as = CharField(max_length=8)
        charge_count = IntegerField(default=0)
        total = BigIntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'interest_run'
            indexes = ((('association', 'through'), True),)

    class InterestCharge(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        run = ForeignKeyField(InterestRun, on_delete='CASCADE')
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='RESTRICT')
        first_day = DateField()
        last_day = DateField()
        amount = BigIntegerField()
        calculation = TextField()
        charged_on = ForeignKeyField(Invoice, null=True, on_delete='SET NULL', backref='interest_lines')

        class Meta:
            database = db
            table_name = 'interest_charge'
            indexes = ((('invoice', 'first_day'), True), (('association', 'person', 'last_day'), False))

    class InstalmentPlan(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='RESTRICT')
        unit = ForeignKeyField(Unit, null=True, on_delete='SET NULL')
        total = BigIntegerField()
        instalment_count = IntegerField()
        first_due = DateField()
        interval_months = IntegerField(default=1)
        state = CharField(max_length=10, default='active')
        note = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        ended_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'instalment_plan'
            indexes = ((('association', 'person'), False), (('association', 'state'), False))

    class PlanDebt(Model):
        plan = ForeignKeyField(InstalmentPlan, on_delete='CASCADE')
        invoice = ForeignKeyField(Invoice, on_delete='RESTRICT')
        amount = BigIntegerField()

        class Meta:
            database = db
            table_name = 'plan_debt'
            indexes = ((('plan', 'invoice'), True), (('invoice',), False))

    class DebtReminder(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='CASCADE')
        amount = BigIntegerField()
        email = ForeignKeyField(OutboundEmail, null=True, on_delete='SET NULL')
        sent_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        sent_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'debt_reminder'
            indexes = ((('association', 'person', 'sent_at'), False),)

    class ReminderTemplate(Model):
        association = ForeignKeyField(Association, unique=True, on_delete='CASCADE')
        subject = CharField(max_length=200, default='')
        body = TextField(default='')
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'reminder_template'

    db.create_tables([ReferenceRate, BankFile, Receipt, BankTransaction, AllocationUndo, BankMapping, InterestRun,
                      InterestCharge, InstalmentPlan, PlanDebt, DebtReminder, ReminderTemplate])
    migrator.migrate(
        migrator.add_column('billing_settings', 'interest_mode', CharField(max_length=10, default='none')),
        migrator.add_column('billing_settings', 'interest_rate', IntegerField(default=0)),
        migrator.add_column('billing_settings', 'interest_margin', IntegerField(default=0)),
        migrator.add_column('billing_settings', 'interest_reference', CharField(max_length=40, default='')),
        migrator.add_column('billing_settings', 'interest_grace_days', IntegerField(default=0)),
        migrator.add_column('billing_settings', 'interest_charged_as', CharField(max_length=8, default='invoice')),
        migrator.add_column('billing_settings', 'interest_during_plan', BooleanField(default=False)),
        migrator.add_column('billing_settings', 'interest_minimum', BigIntegerField(default=0)),
        migrator.add_column('invoice', 'purpose', CharField(max_length=12, default='charges')),
        migrator.add_column('invoice', 'plan_id',
                            ForeignKeyField(InstalmentPlan, field=InstalmentPlan.id, null=True, on_delete='SET NULL')),
        migrator.add_column('payment', 'receipt_id',
                            ForeignKeyField(Receipt, field=Receipt.id, null=True, on_delete='RESTRICT')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('payment', 'receipt_id'),
        migrator.drop_column('invoice', 'plan_id'),
        migrator.drop_column('invoice', 'purpose'),
        *[migrator.drop_column('billing_settings', c) for c in (
            'interest_mode', 'interest_rate', 'interest_margin', 'interest_reference', 'interest_grace_days',
            'interest_charged_as', 'interest_during_plan', 'interest_minimum')],
    )
    for name in ('reminder_template', 'debt_reminder', 'plan_debt', 'instalment_plan', 'interest_charge',
                 'interest_run', 'bank_mapping', 'allocation_undo', 'bank_transaction', 'receipt', 'bank_file',
                 'reference_rate'):
        db.execute_sql(f'DROP TABLE "{name}"')
