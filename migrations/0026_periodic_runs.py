"""Periodic work on several machines (issue 16 item 7): each periodic job's last interval, claimed by the one
scheduler that runs it, so two `rq cron` processes or two crontabs with `flask jobs tick` run it once."""
from peewee import *


def up(migrator, db):
    class PeriodicRun(Model):
        name = CharField(max_length=100, unique=True)
        slot = BigIntegerField(default=-1)
        runs = IntegerField(default=0)
        ran_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'periodic_run'

    db.create_tables([PeriodicRun])


def down(migrator, db):
    db.execute_sql('DROP TABLE "periodic_run"')
