"""Who holds a role in an association (the fault list's "Handled by" choices, who hears of new work) is read
from an index of association and role. With two roles asked for, SQLite read every membership of the
association by the association's own index (2,000 at the bench's size: 0.3 ms on every board fault list).
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("membership", ("association_id", "role_id"), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("membership", "membership_association_id_role_id"),
    )
