"""The home page's "my open faults" reads the member's own reports from an index of reporter and time, not
every report of the association in time order until five of theirs turn up (issue 10: home ≥ 300 req/s).
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("fault_report", ("association_id", "reporter_id", "created_at"), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("fault_report", "fault_report_association_id_reporter_id_created_at"),
    )
