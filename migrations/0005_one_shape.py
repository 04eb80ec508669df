"""One shape for every domain: the report settings move from billing to exchange (report_settings),
and an ordered PDF whose mail is written says so in its own state ("mailing", then "sent" or "failed").
"""
from peewee import *


def up(migrator, db):
    class Association(Model):
        class Meta:
            database = db
            table_name = 'association'

    class ReportSettings(Model):
        association = ForeignKeyField(Association, unique=True, on_delete='CASCADE')
        board_reports = CharField(max_length=200, default='tenants units members')
        resident_reports = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'report_settings'
    db.create_tables([ReportSettings])

    db.execute_sql(
        "INSERT INTO report_settings (association_id, board_reports, resident_reports)"
        " SELECT association_id, board_reports, resident_reports FROM billing_settings"
    )
    migrator.migrate(
        migrator.drop_column('billing_settings', 'board_reports'),
        migrator.drop_column('billing_settings', 'resident_reports'),
    )

    # Reports are exchange's now; so are the audit entries of ordering them and choosing them.
    p = db.param
    for old, new in (('billing.report_ordered', 'exchange.report_ordered'),
                     ('exchange.report_settings', 'exchange.report_settings')):
        db.execute_sql(f"UPDATE audit_log SET action = {p} WHERE action = {p}", (new, old))

    # Orders with a mail were shown from the mail's state; store it on the order itself.
    for mail_status, state in (('sent', 'sent'), ('queued', 'mailing'), ('sending', 'mailing'), ('failed', 'mailing')):
        db.execute_sql(
            f"UPDATE pdf_order SET state = {p} WHERE email_id IN (SELECT id FROM outbound_email WHERE status = {p})",
            (state, mail_status),
        )


def down(migrator, db):
    migrator.migrate(
        migrator.add_column('billing_settings', 'board_reports', CharField(max_length=200, default='tenants units members')),
        migrator.add_column('billing_settings', 'resident_reports', CharField(max_length=200, default='')),
    )
    db.execute_sql(
        "UPDATE billing_settings SET board_reports = (SELECT board_reports FROM report_settings r"
        " WHERE r.association_id = billing_settings.association_id),"
        " resident_reports = (SELECT resident_reports FROM report_settings r"
        " WHERE r.association_id = billing_settings.association_id)"
        " WHERE association_id IN (SELECT association_id FROM report_settings)"
    )
    db.execute_sql("UPDATE pdf_order SET state = 'rendering' WHERE state = 'mailing'")
    p = db.param
    for new, old in (('billing.report_ordered', 'exchange.report_ordered'),
                     ('exchange.report_settings', 'exchange.report_settings')):
        db.execute_sql(f"UPDATE audit_log SET action = {p} WHERE action = {p}", (new, old))
    migrator.migrate(migrator.drop_table('report_settings'))
