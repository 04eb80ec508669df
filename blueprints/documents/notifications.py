"""Mail about new documents (seed 004 §4.2): publishing one mails every member whose role reads its
folder and who has not switched "New documents" off in My account.

Publishing means a document becoming published (written and published at once, or a draft published);
editing, saving a draft and a document published with "do not notify" ticked mail nobody. The mails are
outbox rows written in the publishing transaction (library.on_publish), each in its reader's language.
"""

from __future__ import annotations

from blueprints.documents import events, library
from core import clock, notifications
from core.mail import external_url, mail_language, queue_mail
from core.text import lazy_gettext as _l
from models import Association, Membership, User
from models.documents import Document, Folder, FolderAccess

NEW_DOCUMENTS = "documents.new"

notifications.register(
    notifications.Kind(
        NEW_DOCUMENTS,
        _l("New documents"),
        order=10,
        hint=_l("A mail when the board publishes a document in a folder you read."),
    )
)


def readers(association: Association, folder_id: int, kind: str) -> list[User]:
    """The active members whose role reads the folder today and who get this kind of mail (one query)."""
    today = association.today()
    query = (
        User.select(User)
        .join(Membership, on=(Membership.user == User.id))
        .where(
            (Membership.association == association.id)
            & Membership.role.in_(FolderAccess.select(FolderAccess.role).where(FolderAccess.folder == folder_id))
            & (Membership.valid_from.is_null() | (Membership.valid_from <= today))
            & (Membership.valid_to.is_null() | (Membership.valid_to >= today))
            & (User.state == User.ACTIVE)
            & User.id.not_in(notifications.switched_off(association.id, kind))
        )
        .order_by(User.id)
        .distinct()
    )
    return list(query)


def published(document: Document) -> int:
    """Mail the folder's readers about a newly published document (inside the publishing transaction)."""
    if not document.notify:
        return 0
    association = Association.get_by_id(document.association_id)
    folder = Folder.get_by_id(document.folder_id)
    link = external_url("documents.document", slug=association.slug, document_id=document.id)
    first = None
    if document.is_event:
        first = events.next_occurrence(document, association.timezone, clock.now())
    sent = 0
    for user in readers(association, folder.id, NEW_DOCUMENTS):
        if user.id == document.author_id:
            continue  # the author knows
        language = mail_language(user, association)
        queue_mail(
            "document_new",
            user.email,
            language=language,
            association=association,
            user=user,
            document=document,
            folder=folder,
            link=link,
            when=events.when(first, language) if first else "",
        )
        sent += 1
    return sent


library.on_publish.append(published)
