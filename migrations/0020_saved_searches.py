"""Saved searches by e-mail (issue 15 item 2): a seeker's filters kept for one address, mailed about new
homes once the address is confirmed, and the homes each search has seen (mailed once each)."""
from peewee import *


def up(migrator, db):
    def table(name):
        class Meta:
            database = db
            table_name = name
        return type(name.title().replace('_', ''), (Model,), {'Meta': Meta})

    Association, Vacancy = (table(n) for n in ('association', 'vacancy'))

    class SavedSearch(Model):
        association = ForeignKeyField(Association, null=True, on_delete='CASCADE')
        email = CharField(max_length=254)
        language = CharField(max_length=10)
        query = TextField()
        token_hash = CharField(max_length=64, null=True, unique=True)
        sender_key = CharField(max_length=64)
        created_at = DateTimeField()
        confirmed_at = DateTimeField(null=True)
        unsubscribed_at = DateTimeField(null=True)
        mailed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'saved_search'
            indexes = ((('sender_key', 'created_at'), False), (('email',), False))

    class SavedSearchHit(Model):
        search = ForeignKeyField(SavedSearch, on_delete='CASCADE')
        vacancy = ForeignKeyField(Vacancy, on_delete='CASCADE')
        mailed = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'saved_search_hit'
            indexes = ((('search', 'vacancy'), True),)

    db.create_tables([SavedSearch, SavedSearchHit])


def down(migrator, db):
    for name in ('saved_search_hit', 'saved_search'):
        db.execute_sql(f'DROP TABLE "{name}"')
