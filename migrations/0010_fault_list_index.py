"""The fault lists choose a page, and count what resolvers have to handle, from one index: status, kind,
responsible role, reporter, deadline and time of the association's reports (issue 9).
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index(
            'fault_report',
            ('association_id', 'status', 'kind', 'responsible', 'reporter_id', 'deadline_at', 'created_at'),
            False,
        ),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('fault_report', INDEX_NAME),
    )


INDEX_NAME = 'fault_report_association_id_status_kind_responsible_repo_72a36e9'  # as add_index named it
