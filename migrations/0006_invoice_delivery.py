"""Invoices reach everyone (issue 17): each invoice's delivery by e-mail or on paper, and print batches."""
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

    class InvoiceRun(Model):
        class Meta:
            database = db
            table_name = 'invoice_run'

    class Invoice(Model):
        class Meta:
            database = db
            table_name = 'invoice'

    class OutboundEmail(Model):
        class Meta:
            database = db
            table_name = 'outbound_email'

    class PrintBatch(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        run = ForeignKeyField(InvoiceRun, null=True, unique=True, on_delete='CASCADE')
        order = CharField(max_length=10, default='unit')
        state = CharField(max_length=10, default='queued')
        done = IntegerField(default=0)
        total = IntegerField(default=0)
        pages = IntegerField(default=0)
        error = TextField(default='')
        stored_name = CharField(max_length=100, default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'print_batch'

    class InvoiceDelivery(Model):
        invoice = ForeignKeyField(Invoice, on_delete='CASCADE')
        channel = CharField(max_length=8)
        state = CharField(max_length=12)
        error = TextField(default='')
        to_address = CharField(max_length=254, default='')
        email = ForeignKeyField(OutboundEmail, null=True, on_delete='SET NULL')
        batch = ForeignKeyField(PrintBatch, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'invoice_delivery'
            indexes = ((('invoice', 'channel'), True), (('state', 'updated_at'), False))

    db.create_tables([PrintBatch, InvoiceDelivery])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('invoice_delivery'))
    migrator.migrate(migrator.drop_table('print_batch'))
