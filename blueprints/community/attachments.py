"""Files on posts: the documents' upload rules (blueprints/documents/attachments.py checks what a file is by
its bytes, caps its size at the association's limit and writes it under a server-made name), kept in
<association id>/discussions/ in the storage and served only by the post's file view, after the thread's
read check."""

from __future__ import annotations

from flask import abort

from blueprints.documents.attachments import AttachmentRefused, checked_uploads, file_in, write_file
from core.storage import FileHandle
from models.community import Post, PostAttachment

FOLDER = "discussions"

__all__ = ["AttachmentRefused", "check", "discard_files", "path", "store"]


def check(uploads, association) -> list[tuple[str, bytes, str]]:
    """Every chosen file checked before anything is written (AttachmentRefused says which and why)."""
    return checked_uploads(uploads, association)


def store(post: Post, checked: list[tuple[str, bytes, str]], association) -> list[PostAttachment]:
    """Write the checked files and their rows on the post; the files written so far go if one fails.

    Call inside the post's transaction: if it rolls back, the caller discards the returned files."""
    stored: list[PostAttachment] = []
    try:
        for name, data, extension in checked:
            written = write_file(association, FOLDER, data, extension)
            stored.append(
                PostAttachment.create(
                    post=post,
                    stored_name=written.stored_name,
                    original_name=name,
                    content_type=written.content_type,
                    size=written.size,
                    is_image=written.is_image,
                )
            )
    except BaseException:
        discard_files(association, stored)
        raise
    return stored


def discard_files(association, stored: list[PostAttachment]) -> None:
    """Remove the files of attachments whose rows are gone (rolled back or deleted)."""
    for attachment in stored:
        file = file_in(association, FOLDER, attachment.stored_name)
        if file is not None:
            file.unlink(missing_ok=True)


def path(association, attachment: PostAttachment) -> FileHandle:
    """The stored file of an attachment the caller has checked the member may see; 404 if it is gone."""
    file = file_in(association, FOLDER, attachment.stored_name)
    if file is None or not file.is_file():
        abort(404)
    return file
