"""Community (issue 11): discussion categories with their readers, threads, posts with their revisions,
attachments and mentions, follows, waiting post mail, flags, posting pauses and the moderation log; mass
mailings with their attachments and recipients; outbox rows with more files, an unsubscribe address and
bounces; a person's bounced address; search entries by category. The board may moderate; every
association gets the built-in categories.
"""
import datetime as dt

from peewee import *

# The built-in categories as this migration made them (models/community.py keeps the living list).
BUILTINS = {
    'everyone': ({'en': 'All members', 'sv': 'Alla medlemmar', 'cs': 'Všichni členové', 'et': 'Kõik liikmed'},
                 ('tenant', 'member', 'board', 'administrator')),
    'owners': ({'en': 'Owners only', 'sv': 'Endast ägare', 'cs': 'Jen vlastníci', 'et': 'Ainult omanikud'},
               ('member', 'board', 'administrator')),
    'board': ({'en': 'Board', 'sv': 'Styrelsen', 'cs': 'Výbor', 'et': 'Juhatus'}, ('board', 'administrator')),
}


def up(migrator, db):
    class Association(Model):
        locale = CharField()

        class Meta:
            database = db
            table_name = 'association'

    class Role(Model):
        association = ForeignKeyField(Association)
        key = CharField(null=True)

        class Meta:
            database = db
            table_name = 'role'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Person(Model):
        class Meta:
            database = db
            table_name = 'person'

    class Folder(Model):
        class Meta:
            database = db
            table_name = 'folder'

    class Document(Model):
        class Meta:
            database = db
            table_name = 'document'

    class OutboundEmail(Model):
        class Meta:
            database = db
            table_name = 'outbound_email'

    class CommunitySettings(Model):
        association = ForeignKeyField(Association, unique=True, on_delete='CASCADE')
        edit_window = CharField(max_length=12, default='until_reply')
        edit_hours = IntegerField(default=24)
        post_interval_seconds = IntegerField(default=15)
        posts_per_day = IntegerField(default=30)

        class Meta:
            database = db
            table_name = 'community_settings'

    class Category(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        key = CharField(max_length=20, null=True)
        name = CharField(max_length=120)
        position = IntegerField(default=0)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'category'
            indexes = ((('association', 'position'), False),)

    class CategoryAccess(Model):
        category = ForeignKeyField(Category, on_delete='CASCADE')
        role = ForeignKeyField(Role, on_delete='CASCADE')

        class Meta:
            database = db
            table_name = 'category_access'
            indexes = ((('category', 'role'), True), (('role', 'category'), False))

    class Thread(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        document = ForeignKeyField(Document, null=True, unique=True, on_delete='CASCADE')
        category = ForeignKeyField(Category, null=True, on_delete='RESTRICT')
        title = CharField(max_length=200, default='')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        locked = BooleanField(default=False)
        post_count = IntegerField(default=0)
        created_at = DateTimeField()
        last_post_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'thread'
            indexes = ((('association', 'category', 'last_post_at', 'id'), False),)

    class Post(Model):
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        association = ForeignKeyField(Association, on_delete='CASCADE')
        number = IntegerField()
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        body = TextField(default='')
        quote_of = ForeignKeyField('self', null=True, on_delete='SET NULL')
        state = CharField(max_length=10, default='visible')
        created_at = DateTimeField()
        edited_at = DateTimeField(null=True)
        hidden_reason = TextField(default='')
        hidden_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        hidden_at = DateTimeField(null=True)
        deleted_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'post'
            indexes = (
                (('thread', 'number'), True),
                (('author', 'created_at'), False),
                (('association', 'created_at'), False),
            )

    class PostRevision(Model):
        post = ForeignKeyField(Post, on_delete='CASCADE')
        body = TextField()
        written_at = DateTimeField()
        replaced_at = DateTimeField()
        editor = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'post_revision'
            indexes = ((('post', 'replaced_at'), False),)

    class PostAttachment(Model):
        post = ForeignKeyField(Post, on_delete='CASCADE')
        stored_name = CharField(max_length=100)
        original_name = CharField(max_length=200, default='')
        content_type = CharField(max_length=100)
        size = IntegerField(default=0)
        is_image = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'post_attachment'
            indexes = ((('post', 'id'), False),)

    class PostMention(Model):
        post = ForeignKeyField(Post, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')

        class Meta:
            database = db
            table_name = 'post_mention'
            indexes = ((('post', 'user'), True), (('user',), False))

    class Subscription(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        thread = ForeignKeyField(Thread, null=True, on_delete='CASCADE')
        folder = ForeignKeyField(Folder, null=True, on_delete='CASCADE')
        category = ForeignKeyField(Category, null=True, on_delete='CASCADE')
        active = BooleanField(default=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'subscription'
            indexes = (
                (('user', 'thread'), False),
                (('thread', 'active'), False),
                (('folder', 'active'), False),
                (('category', 'active'), False),
            )

    class PostDigest(Model):
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        first_number = IntegerField()
        last_number = IntegerField(null=True)
        due_at = DateTimeField()
        state = CharField(max_length=10, default='waiting')
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        mails = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'post_digest'
            indexes = ((('thread', 'state'), False), (('state', 'due_at'), False))

    class PostFlag(Model):
        post = ForeignKeyField(Post, on_delete='CASCADE')
        association = ForeignKeyField(Association, on_delete='CASCADE')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reason = TextField()
        created_at = DateTimeField()
        resolved_at = DateTimeField(null=True)
        resolved_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'post_flag'
            indexes = ((('post', 'user'), True), (('association', 'resolved_at', 'created_at'), False))

    class PostingPause(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        until = DateField()
        reason = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        lifted_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'posting_pause'
            indexes = ((('association', 'user', 'until'), False),)

    class ModerationLog(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        moderator = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(max_length=20)
        thread = ForeignKeyField(Thread, null=True, on_delete='SET NULL')
        post = ForeignKeyField(Post, null=True, on_delete='SET NULL')
        member = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reason = TextField(default='')
        detail = CharField(max_length=200, default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'moderation_log'
            indexes = ((('association', 'created_at'), False), (('association', 'action', 'created_at'), False))

    class Mailing(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        subject = CharField(max_length=200)
        body = TextField(default='')
        newsletter = BooleanField(default=False)
        state = CharField(max_length=10, default='draft')
        recipient_filter = TextField(default='')
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        test_sent_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'mailing'
            indexes = ((('association', 'created_at'), False),)

    class MailingAttachment(Model):
        mailing = ForeignKeyField(Mailing, on_delete='CASCADE')
        stored_name = CharField(max_length=100)
        original_name = CharField(max_length=200, default='')
        content_type = CharField(max_length=100)
        size = IntegerField(default=0)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'mailing_attachment'

    class MailingRecipient(Model):
        mailing = ForeignKeyField(Mailing, on_delete='CASCADE')
        person = ForeignKeyField(Person, null=True, on_delete='SET NULL')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        name = CharField(max_length=250, default='')
        address = CharField(max_length=254)
        language = CharField(max_length=10, default='en')
        email = ForeignKeyField(OutboundEmail, null=True, on_delete='SET NULL')
        personal_file = CharField(max_length=100, null=True)
        personal_file_name = CharField(max_length=200, default='')

        class Meta:
            database = db
            table_name = 'mailing_recipient'
            indexes = ((('mailing', 'id'), False), (('email',), False))

    class OutboundAttachment(Model):
        email = ForeignKeyField(OutboundEmail, on_delete='CASCADE')
        path = CharField(max_length=200)
        name = CharField(max_length=200)
        shared = BooleanField(default=False)

        class Meta:
            database = db
            table_name = 'outbound_attachment'
            indexes = ((('email',), False),)

    db.create_tables([
        CommunitySettings, Category, CategoryAccess, Thread, Post, PostRevision, PostAttachment, PostMention,
        Subscription, PostDigest, PostFlag, PostingPause, ModerationLog, Mailing, MailingAttachment,
        MailingRecipient, OutboundAttachment,
    ])
    migrator.migrate(
        migrator.add_column('outbound_email', 'unsubscribe_url', CharField(max_length=500, default='')),
        migrator.add_column('outbound_email', 'bounced_at', DateTimeField(null=True)),
        migrator.add_column('outbound_email', 'bounce_reason', TextField(default='')),
        migrator.add_column('person', 'email_bounced_at', DateTimeField(null=True)),
        migrator.add_column('person', 'email_bounce_reason', CharField(max_length=300, default='')),
        migrator.add_column('search_entry', 'category_id', IntegerField(null=True)),
    )

    p = db.param  # ? on SQLite, %s on PostgreSQL
    db.execute_sql(
        f"UPDATE role SET permissions = TRIM(permissions || {p}) WHERE key IN ({p}, {p}) AND permissions NOT LIKE {p}",
        (" discussions.moderate", "board", "administrator", "%discussions.moderate%"),
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for association in Association.select():
        language = (association.locale or 'en').split('_')[0].split('-')[0]
        roles = {role.key: role.id for role in Role.select().where((Role.association == association) & Role.key.is_null(False))}
        for position, (key, (names, readers)) in enumerate(BUILTINS.items()):
            category = Category.create(
                association=association, key=key, name=names.get(language, names['en']),
                position=(position + 1) * 10, created_at=now,
            )
            for role_key in readers:
                if role_key in roles:
                    CategoryAccess.create(category=category, role=roles[role_key])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('search_entry', 'category_id'),
        migrator.drop_column('person', 'email_bounce_reason'),
        migrator.drop_column('person', 'email_bounced_at'),
        migrator.drop_column('outbound_email', 'bounce_reason'),
        migrator.drop_column('outbound_email', 'bounced_at'),
        migrator.drop_column('outbound_email', 'unsubscribe_url'),
    )
    for table in ('outbound_attachment', 'mailing_recipient', 'mailing_attachment', 'mailing', 'moderation_log',
                  'posting_pause', 'post_flag', 'post_digest', 'subscription', 'post_mention', 'post_attachment',
                  'post_revision', 'post', 'thread', 'category_access', 'category', 'community_settings'):
        db.execute_sql(f'DROP TABLE "{table}"')
