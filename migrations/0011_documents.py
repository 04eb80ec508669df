"""Documents in folders (issue 10): folders with their readers and writers, documents, their edits and
attachments; the association's largest attachment; every association gets the built-in folders.
"""
import datetime as dt

from peewee import *

# The built-in folders as this migration made them (models/documents.py keeps the living list):
# key -> names by language, roles that read, roles that write.
BUILTINS = {
    'notice_board': ({'en': 'Notice board', 'sv': 'Anslagstavla', 'cs': 'Nástěnka', 'et': 'Teadetetahvel'},
                     ('tenant', 'member', 'board', 'administrator'), ('board', 'administrator')),
    'information': ({'en': 'Information', 'sv': 'Information', 'cs': 'Informace', 'et': 'Info'},
                    ('tenant', 'member', 'board', 'administrator'), ('board', 'administrator')),
    'minutes': ({'en': 'Minutes', 'sv': 'Protokoll', 'cs': 'Zápisy', 'et': 'Protokollid'},
                ('member', 'board', 'administrator'), ('board', 'administrator')),
    'board': ({'en': 'Board only', 'sv': 'Endast styrelsen', 'cs': 'Jen pro výbor', 'et': 'Ainult juhatus'},
              ('board', 'administrator'), ('board', 'administrator')),
    'sidebar': ({'en': 'Sidebar', 'sv': 'Sidospalt', 'cs': 'Postranní panel', 'et': 'Külgpaan'},
                ('tenant', 'member', 'board', 'administrator'), ('board', 'administrator')),
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

    class Folder(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        key = CharField(max_length=20, null=True)
        name = CharField(max_length=120)
        position = IntegerField(default=0)
        in_menu = BooleanField(default=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'folder'
            indexes = ((('association', 'position'), False),)

    class FolderAccess(Model):
        folder = ForeignKeyField(Folder, on_delete='CASCADE')
        role = ForeignKeyField(Role, on_delete='CASCADE')
        may_write = BooleanField(default=False)

        class Meta:
            database = db
            table_name = 'folder_access'
            indexes = ((('folder', 'role'), True), (('role', 'folder'), False))

    class Document(Model):
        association = ForeignKeyField(Association, on_delete='CASCADE')
        folder = ForeignKeyField(Folder, on_delete='RESTRICT')
        title = CharField(max_length=200)
        body = TextField(default='')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        state = CharField(max_length=10, default='draft')
        notify = BooleanField(default=True)
        created_at = DateTimeField()
        published_at = DateTimeField(null=True)
        edited_at = DateTimeField(null=True)
        edited_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        search_title = CharField(max_length=200, default='')

        class Meta:
            database = db
            table_name = 'document'
            indexes = (
                (('association', 'folder', 'state', 'created_at', 'id'), False),
                (('association', 'state', 'created_at', 'id'), False),
                (('author', 'state'), False),
            )

    class DocumentEdit(Model):
        document = ForeignKeyField(Document, on_delete='CASCADE')
        editor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        edited_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'document_edit'
            indexes = ((('document', 'edited_at'), False),)

    class DocumentAttachment(Model):
        document = ForeignKeyField(Document, on_delete='CASCADE')
        stored_name = CharField(max_length=100)
        original_name = CharField(max_length=200, default='')
        content_type = CharField(max_length=100)
        size = IntegerField(default=0)
        is_image = BooleanField(default=False)
        text = TextField(default='')
        text_state = CharField(max_length=10, default='pending')
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'document_attachment'
            indexes = ((('document', 'id'), False),)

    db.create_tables([Folder, FolderAccess, Document, DocumentEdit, DocumentAttachment])
    migrator.migrate(migrator.add_column('association', 'document_max_mb', IntegerField(default=5)))

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for association in Association.select():
        language = (association.locale or 'en').split('_')[0].split('-')[0]
        roles = {role.key: role.id for role in Role.select().where((Role.association == association) & Role.key.is_null(False))}
        for position, (key, (names, readers, writers)) in enumerate(BUILTINS.items()):
            folder = Folder.create(
                association=association, key=key, name=names.get(language, names['en']),
                position=(position + 1) * 10, in_menu=key != 'sidebar', created_at=now,
            )
            for role_key in readers:
                if role_key in roles:
                    FolderAccess.create(folder=folder, role=roles[role_key], may_write=role_key in writers)


def down(migrator, db):
    migrator.migrate(migrator.drop_column('association', 'document_max_mb'))
    for table in ('document_attachment', 'document_edit', 'document', 'folder_access', 'folder'):
        db.execute_sql(f'DROP TABLE "{table}"')
