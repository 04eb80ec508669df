"""Indexes for the pages residents and the board use most (issue 9): the unit list's share total reads
one index; an invoice's credit notes are found by the invoice (and in date order), not among all of the
association's invoices; people without an account are found without reading the register.
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('unit', ('association_id', 'archived_at', 'share_denominator', 'share_numerator'), False),
        migrator.drop_index('invoice', 'invoice_credits_id'),
        migrator.add_index('invoice', ('credits_id', 'issue_date'), False),
        migrator.add_index('person', ('association_id', 'user_id'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('person', 'person_association_id_user_id'),
        migrator.drop_index('invoice', 'invoice_credits_id_issue_date'),
        migrator.add_index('invoice', ('credits_id',), False),
        migrator.drop_index('unit', 'unit_association_id_archived_at_share_denominator_share__3288a03'),
    )
