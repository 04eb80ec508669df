"""The documents domain's fixtures: alpha's built-in folders and a way to make documents."""

from __future__ import annotations

import io
import zipfile

import pytest

from models.documents import Document, Folder


@pytest.fixture
def folders(alpha) -> dict[str, Folder]:
    return {folder.key: folder for folder in Folder.of(alpha).where(Folder.key.is_null(False))}


@pytest.fixture
def make_document(alpha):
    def make(folder: Folder, title: str = "Notice", body: str = "", state: str = Document.PUBLISHED, **fields):
        return Document.create(association=alpha, folder=folder, title=title, body=body, state=state, **fields)

    return make


def docx_bytes(text: str) -> bytes:
    """A minimal Word file holding `text` in one paragraph."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def pdf_bytes(text: str) -> bytes:
    """A real one-page PDF whose text pypdf reads back (made by WeasyPrint)."""
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()
