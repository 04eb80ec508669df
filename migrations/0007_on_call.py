"""Urgent faults have a way to a person (issue 17): the association's on-call text."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('association', 'on_call_text', TextField(default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('association', 'on_call_text'))
