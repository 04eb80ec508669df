"""The quick search's page, and documents as one kind of thing it finds (SPEC D3).

A published document is indexed right after the commit that wrote, edited,
published or moved it (library.on_change), so its title is findable at once;
the extraction job's changed() call indexes its attachments' text once read. A
draft, or a document deleted, leaves the index. Who finds a document is who
reads its folder: the folder's readers are asked in the query itself.
"""

from __future__ import annotations

import html
import logging

import nh3
from flask import g, request, url_for

from blueprints.documents import bp, library
from core import search
from core.access import requires_any
from core.rendering import render
from core.text import lazy_gettext as _l
from core.text import markdown
from models import permissions as perms
from models.documents import Document, DocumentAttachment, Folder
from models.search import SearchEntry

KIND = "document"
log = logging.getLogger(__name__)


def _plain(source: str) -> str:
    """A document's Markdown as the words a reader sees (no markup, no addresses of links)."""
    return html.unescape(nh3.clean(str(markdown(source)), tags=set()))


def entry_of(document: Document, texts: list[str]) -> search.Entry:
    return search.Entry(
        kind=KIND,
        object_id=document.id,
        association_id=document.association_id,
        folder_id=document.folder_id,
        title=document.title,
        body=_plain(document.body),
        files="\n".join(text for text in texts if text),
        at=document.created_at,
    )


def _texts(document_id: int) -> list[str]:
    return [
        text
        for (text,) in DocumentAttachment.select(DocumentAttachment.text)
        .where(DocumentAttachment.document == document_id)
        .order_by(DocumentAttachment.id)
        .tuples()
    ]


def index_document(document_id: int) -> None:
    """Put the document in the index as it is now, or take it out (a draft, or deleted)."""
    try:
        _index(document_id)
    except Exception:  # the change itself is committed: `flask search rebuild` puts the index right
        log.exception("could not index document %s for the search", document_id)


def _index(document_id: int) -> None:
    document = Document.get_or_none(Document.id == document_id)
    if document is None or document.state != Document.PUBLISHED:
        search.remove(KIND, document_id)
        return
    search.put(entry_of(document, _texts(document_id)))


def entries(association_id: int):
    """Every published document of the association, for `flask search rebuild`."""
    documents = Document.select().where(
        (Document.association == association_id) & (Document.state == Document.PUBLISHED)
    )
    for document in documents.iterator():
        yield entry_of(document, _texts(document.id))


def readable_condition(membership):
    """Documents of the folders the member's role reads (the index holds published ones only)."""
    return SearchEntry.folder_id.in_(Folder.readable_ids(membership.role_id))


def url_for_hit(hit: search.Hit) -> str:
    return url_for("documents.document", document_id=hit.object_id)


search.register_kind(KIND, _l("Document"), url_for_hit, readable_condition, entries)
if index_document not in library.on_change:
    library.on_change.append(index_document)


@bp.route("/search", endpoint="search")
@requires_any(perms.SEARCH_USE, perms.DOCUMENTS_WRITE)
def search_page():
    """The quick search: what the member may read that holds every word typed, 20 a page."""
    query = (request.args.get("q") or "").strip()[:200]
    page = max(request.args.get("page", 1, type=int), 1)
    results = search.search(g.membership, query, page)
    return render("documents/search.html", "documents/_search_results.html", q=query, results=results)
