"""Writing documents, and the board's folders (SPEC D1, D2, seed 004 §4.3).

A member writes in the folders their role may write in (FolderAccess); the
board (documents.write) keeps the folders: adds, renames, orders and removes
them, and ticks which roles read and write each one.
"""

from __future__ import annotations

import peewee as pw
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.documents import bp, events, library, queries
from blueprints.documents.forms import (
    ACCESS_LABELS,
    FILES_ACCEPT,
    READ,
    WRITE,
    DocumentForm,
    FolderForm,
    FolderRemoveForm,
)
from blueprints.documents.views import reader
from core import clock
from core.access import requires
from core.forms import ConfirmForm
from core.rendering import render
from models import Role
from models import permissions as perms
from models.db import first_or_404
from models.documents import Document, Folder, FolderAccess

# --- writing documents ----------------------------------------------------------------------------


def _writable_folders() -> list[Folder]:
    writable = queries.writable_folder_ids(g.membership)
    return [f for f in queries.readable_folders(g.membership) if f.id in writable]


def _document_form(folders: list[Folder], **data) -> DocumentForm:
    form = DocumentForm(**data)
    form.folder.choices = [SelectChoice(f.id, f.name) for f in folders]
    return form


def _draft(form: DocumentForm, folders: list[Folder]) -> library.Draft:
    folder = next(f for f in folders if f.id == form.folder.data)
    folder.association = g.association
    created = form.created_at.data
    return library.Draft(
        title=form.title.data.strip(),
        body=form.body.data or "",
        folder=folder,
        created_at=clock.to_utc_naive(created, g.association) if created else None,
        quiet=bool(form.quiet.data),
        event=form.event_times(),
    )


@bp.route("/documents/new", methods=["GET", "POST"])
@reader
def document_new():
    """Write a document: title, folder, text, files; save it as a draft or publish it (seed 004 §4.3)."""
    folders = _writable_folders()
    if not folders:
        abort(403)
    chosen = request.args.get("folder", type=int)
    form = _document_form(folders, **({"folder": chosen} if request.method == "GET" and chosen else {}))
    if form.validate_on_submit():
        if form.folder.data not in {f.id for f in folders}:
            abort(403)
        publish = "publish" in request.form
        try:
            document = library.write(
                _draft(form, folders), request.files.getlist(form.files.name), current_user, publish=publish
            )
        except library.LibraryError as error:
            getattr(form, error.field or "title").errors.append(str(error.message))
        else:
            flash(_("The document is published.") if publish else _("The draft is saved."), "success")
            return redirect(url_for("documents.document", document_id=document.id))
    return render(
        "documents/document_form.html",
        form=form,
        document=None,
        files=[],
        files_accept=FILES_ACCEPT,
        max_mb=g.association.document_max_mb,
        status=422 if form.errors else 200,
    )


def _editable(document_id: int) -> Document:
    """A document the member may change: visible to them, in a folder their role writes in."""
    document = queries.visible_document(g.membership, document_id)
    if document.folder_id not in queries.writable_folder_ids(g.membership):
        abort(403)
    document.association = g.association
    return document


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@reader
def document_edit(document_id: int):
    """Change a document; the creation time stays unless changed here, and the edit is recorded."""
    document = _editable(document_id)
    folders = _writable_folders()
    if request.method == "POST":
        form = _document_form(folders)
    else:
        local = clock.to_local(document.created_at, g.association).replace(tzinfo=None, second=0, microsecond=0)
        form = _document_form(
            folders,
            formdata=None,
            title=document.title,
            body=document.body,
            folder=document.folder_id,
            created_at=local,
            quiet=not document.notify,
        )
        form.show_event(events.times_of(document, g.association.timezone))
    files = queries.attachments_of(document)
    if form.validate_on_submit():
        if form.folder.data not in {f.id for f in folders}:
            abort(403)
        removed = {int(v) for v in request.form.getlist("remove") if v.isdigit()}
        publish, was_draft = "publish" in request.form, document.is_draft
        try:
            library.edit(
                document,
                _draft(form, folders),
                request.files.getlist(form.files.name),
                removed,
                current_user,
                publish=publish,
            )
        except library.LibraryError as error:
            getattr(form, error.field or "title").errors.append(str(error.message))
        else:
            published_now = publish and was_draft
            flash(_("The document is published.") if published_now else _("The document is saved."), "success")
            return redirect(url_for("documents.document", document_id=document.id))
    return render(
        "documents/document_form.html",
        form=form,
        document=document,
        files=files,
        files_accept=FILES_ACCEPT,
        max_mb=g.association.document_max_mb,
        status=422 if form.errors else 200,
    )


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
@reader
def document_delete(document_id: int):
    """Delete a document and its files, after asking."""
    document = _editable(document_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        folder_id = document.folder_id
        library.remove(document, current_user)
        flash(_("“%(title)s” is deleted.", title=document.title), "success")
        return redirect(url_for("documents.folder", folder_id=folder_id))
    return render("documents/document_delete.html", form=form, document=document)


# --- folders (the board) ------------------------------------------------------------------------------


@bp.route("/documents/folders")
@requires(perms.DOCUMENTS_WRITE)
def folders():
    """The association's folders in the menu's order, with who reads each."""
    shown = list(Folder.ordered(g.association))
    access = {}
    for row in FolderAccess.select(FolderAccess, Role).join(Role).where(FolderAccess.folder.in_([f.id for f in shown])):
        access.setdefault(row.folder_id, []).append(row)
    counts = dict(
        Document.of(g.association).select(Document.folder, pw.fn.COUNT(Document.id)).group_by(Document.folder).tuples()
    )
    return render(
        "documents/folders.html", folders=shown, access=access, counts=counts, form=ConfirmForm(formdata=None)
    )


def _board_folder(folder_id: int) -> Folder:
    folder = first_or_404(Folder.of(g.association).where(Folder.id == folder_id))
    folder.association = g.association
    return folder


def _roles() -> list[Role]:
    return list(Role.of(g.association).order_by(Role.id))


def _typed_access(roles: list[Role]) -> dict[int, str]:
    return {role.id: request.form.get(f"access-{role.id}", "") for role in roles}


@bp.route("/documents/folders/new", methods=["GET", "POST"])
@requires(perms.DOCUMENTS_WRITE)
def folder_new():
    """Add a folder; nobody reads it until roles are ticked."""
    return _folder_form(Folder(association=g.association))


@bp.route("/documents/folders/<int:folder_id>/edit", methods=["GET", "POST"])
@requires(perms.DOCUMENTS_WRITE)
def folder_edit(folder_id: int):
    """Rename a folder and choose who reads and writes it."""
    return _folder_form(_board_folder(folder_id))


def _folder_form(folder: Folder):
    roles = _roles()
    if request.method == "POST":
        form = FolderForm()
        access = _typed_access(roles)
    else:
        form = FolderForm(formdata=None, obj=folder) if folder.id else FolderForm(formdata=None)
        rows = FolderAccess.select().where(FolderAccess.folder == folder.id) if folder.id else []
        access = {row.role_id: WRITE if row.may_write else READ for row in rows}
    if form.validate_on_submit():
        library.save_folder(folder, form.name.data, bool(form.in_menu.data), access, current_user)
        flash(_("The folder “%(name)s” is saved.", name=folder.name), "success")
        return redirect(url_for("documents.folders"))
    return render(
        "documents/folder_form.html",
        form=form,
        folder=folder,
        roles=roles,
        access=access,
        access_labels=ACCESS_LABELS,
        readers=_readers(access),
        status=422 if form.errors else 200,
    )


def _readers(access: dict[int, str]) -> list[str]:
    return library.readers_of(g.association, {rid for rid, level in access.items() if level}, g.association.today())


@bp.route("/documents/folders/readers")
@requires(perms.DOCUMENTS_WRITE)
def folder_readers():
    """Who a folder comes to with the roles ticked on its form (htmx, as the board changes them)."""
    roles = _roles()
    access = {role.id: request.args.get(f"access-{role.id}", "") for role in roles}
    return render("documents/_folder_readers.html", readers=_readers(access))


@bp.route("/documents/folders/<int:folder_id>/move", methods=["POST"])
@requires(perms.DOCUMENTS_WRITE)
def folder_move(folder_id: int):
    """Move a folder up or down in the menu."""
    folder = _board_folder(folder_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        library.move_folder(folder, -1 if request.form.get("direction") == "up" else 1, current_user)
    return redirect(url_for("documents.folders"))


@bp.route("/documents/folders/<int:folder_id>/remove", methods=["GET", "POST"])
@requires(perms.DOCUMENTS_WRITE)
def folder_remove(folder_id: int):
    """Remove a folder, after asking; one that holds documents asks where they go."""
    folder = _board_folder(folder_id)
    held = Document.select().where(Document.folder == folder.id).count()
    others = [f for f in Folder.ordered(g.association) if f.id != folder.id]
    form = FolderRemoveForm()
    form.move_to.choices = [SelectChoice(0, "—")] + [SelectChoice(f.id, f.name) for f in others]
    if form.validate_on_submit():
        target = next((f for f in others if f.id == form.move_to.data), None)
        try:
            moved = library.remove_folder(folder, target, current_user)
        except library.LibraryError as error:
            getattr(form, error.field or "move_to").errors.append(str(error.message))
        else:
            message = _("The folder “%(name)s” is removed.", name=folder.name)
            if moved:
                message += " " + ngettext(
                    "%(num)d document moved to “%(folder)s”.",
                    "%(num)d documents moved to “%(folder)s”.",
                    moved,
                    folder=target.name,
                )
            flash(message, "success")
            return redirect(url_for("documents.folders"))
    return render(
        "documents/folder_remove.html",
        form=form,
        folder=folder,
        held=held,
        status=422 if form.errors else 200,
    )
