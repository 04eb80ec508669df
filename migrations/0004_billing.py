"""Billing: contracts, recurring charges, invoice runs, invoices with lines, payments,
PDF orders, and one attachment per outbox mail. Board and administrator roles
get the new permission to manage invoices.
"""
from peewee import *


def up(migrator, db):
    class Association(Model):
        class Meta:
            database = db
            table_name = 'association'

    class OutboundEmail(Model):
        class Meta:
            database = db
            table_name = 'outbound_email'

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

    class BillingSettings(Model):
        association = ForeignKeyField(Association, unique=True, on_delete='CASCADE')
        payee_name = CharField(max_length=200, default='')
        payee_address = TextField(default='')
        org_number = CharField(max_length=40, default='')
        vat_number = CharField(max_length=40, default='')
        vat_registered = BooleanField(default=False)
        iban = CharField(max_length=34, default='')
        bic = CharField(max_length=11, default='')
        bankgiro = CharField(max_length=12, default='')
        account_number = CharField(max_length=40, default='')
        reference_standard = CharField(max_length=8, default='rf')
        ocr_length_digit = BooleanField(default=False)
        payment_terms_days = IntegerField(default=14)
        next_invoice_number = IntegerField(default=1)
        invoice_footer = TextField(default='')
        board_reports = CharField(max_length=200, default='tenants units members')
        resident_reports = CharField(max_length=200, default='')
        revision = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'billing_settings'
    db.create_tables([BillingSettings])

    class Contract(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, on_delete='RESTRICT')
        number = CharField(max_length=40)
        category = CharField(max_length=12, default='home')
        type_label = CharField(max_length=120, default='')
        status = CharField(max_length=12, default='active')
        start_date = DateField()
        end_date = DateField(null=True)
        notice_months = IntegerField(null=True)
        renewal = CharField(max_length=12, default='indefinite')
        renewal_months = IntegerField(null=True)
        rent = BigIntegerField(default=0)
        rent_vat_rate = IntegerField(default=0)
        note = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'contract'
            indexes = ((('association', 'number'), True), (('association', 'unit'), False))
    db.create_tables([Contract])

    class Charge(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, null=True, on_delete='CASCADE')
        contract = ForeignKeyField(Contract, null=True, on_delete='CASCADE')
        description = CharField(max_length=200)
        amount = BigIntegerField()
        vat_rate = IntegerField(default=0)
        valid_from = DateField(null=True)
        valid_to = DateField(null=True)
        position = IntegerField(default=0)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'charge'
            indexes = ((('association', 'unit'), False), (('association', 'contract'), False))
    db.create_tables([Charge])

    class ContractParty(Model):
        contract = ForeignKeyField(Contract, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'contract_party'
            indexes = ((('contract', 'person'), True),)
    db.create_tables([ContractParty])

    class InvoiceRun(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        period_start = DateField()
        period_end = DateField()
        issue_date = DateField()
        due_date = DateField()
        invoice_count = IntegerField(default=0)
        total = BigIntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'invoice_run'
            indexes = ((('association', 'period_start'), True),)
    db.create_tables([InvoiceRun])

    class Invoice(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        number = IntegerField()
        kind = CharField(max_length=12, default='invoice')
        credits = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        unit = ForeignKeyField(Unit, null=True, on_delete='RESTRICT')
        contract = ForeignKeyField(Contract, null=True, on_delete='RESTRICT')
        recipient = ForeignKeyField(Person, on_delete='RESTRICT')
        recipient_name = CharField(max_length=250)
        recipient_address = TextField(default='')
        period_start = DateField(null=True)
        period_end = DateField(null=True)
        issue_date = DateField()
        due_date = DateField()
        currency = CharField(max_length=3)
        reference = CharField(max_length=35, default='')
        message = TextField(default='')
        net_total = BigIntegerField(default=0)
        vat_total = BigIntegerField(default=0)
        total = BigIntegerField(default=0)
        paid_total = BigIntegerField(default=0)
        credited_total = BigIntegerField(default=0)
        run = ForeignKeyField(InvoiceRun, null=True, on_delete='SET NULL')
        run_key = CharField(unique=True, null=True, max_length=60)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'invoice'
            indexes = ((('association', 'number'), True), (('association', 'issue_date'), False), (('association', 'recipient'), False), (('association', 'unit'), False), (('association', 'reference'), False))
    db.create_tables([Invoice])

    class InvoiceLine(Model):
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        position = IntegerField(default=0)
        description = CharField(max_length=200)
        amount = BigIntegerField()
        vat_rate = IntegerField(default=0)
        vat_amount = BigIntegerField(default=0)
        charge = ForeignKeyField(Charge, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'invoice_line'
            indexes = ((('invoice', 'position'), False),)
    db.create_tables([InvoiceLine])

    class Payment(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        invoice = ForeignKeyField(Invoice, on_delete='RESTRICT')
        amount = BigIntegerField()
        paid_on = DateField()
        reference = CharField(max_length=35, default='')
        note = CharField(max_length=200, default='')
        source = CharField(max_length=12, default='manual')
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'payment'
            indexes = ((('association', 'paid_on'), False), (('invoice',), False))
    db.create_tables([Payment])

    class PdfOrder(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        invoice = ForeignKeyField(Invoice, null=True, on_delete='CASCADE')
        report = CharField(null=True, max_length=20)
        report_scope = CharField(max_length=40, default='')
        to_address = CharField(max_length=254)
        language = CharField(max_length=10, default='en')
        state = CharField(max_length=10, default='queued')
        error = TextField(default='')
        email = ForeignKeyField(OutboundEmail, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'pdf_order'
            indexes = ((('association', 'user', 'created_at'), False), (('invoice', 'created_at'), False))
    db.create_tables([PdfOrder])

    migrator.migrate(migrator.add_column('outbound_email', 'attachment_path', CharField(null=True, max_length=200)))
    migrator.migrate(migrator.add_column('outbound_email', 'attachment_name', CharField(max_length=200, default='')))

    p = db.param  # ? on SQLite, %s on PostgreSQL
    db.execute_sql(
        f"UPDATE role SET permissions = TRIM(permissions || {p}) WHERE key IN ({p}, {p}) AND permissions NOT LIKE {p}",
        (" invoices.manage", "board", "administrator", "%invoices.manage%"),
    )
    # Contracts and invoices are new tabs: associations that exist already get them switched on.
    for tab in ("contracts", "invoices"):
        db.execute_sql(f"UPDATE association SET tabs = TRIM(tabs || {p}) WHERE tabs NOT LIKE {p}", (f" {tab}", f"%{tab}%"))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('outbound_email', 'attachment_name'))
    migrator.migrate(migrator.drop_column('outbound_email', 'attachment_path'))
    migrator.migrate(migrator.drop_table('pdf_order'))
    migrator.migrate(migrator.drop_table('payment'))
    migrator.migrate(migrator.drop_table('invoice_line'))
    migrator.migrate(migrator.drop_table('invoice'))
    migrator.migrate(migrator.drop_table('invoice_run'))
    migrator.migrate(migrator.drop_table('contract_party'))
    migrator.migrate(migrator.drop_table('charge'))
    migrator.migrate(migrator.drop_table('contract'))
    migrator.migrate(migrator.drop_table('billing_settings'))
