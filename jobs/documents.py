"""Reading the text inside a document's attachments, for the quick search (SPEC D3).

A PDF is read with pypdf; Word (.docx), Excel (.xlsx) and OpenDocument (.odt,
.ods) files are ZIP archives of XML, read with the standard library; plain text
is decoded. The text is kept on the attachment (DocumentAttachment.text) and
its state says whether it was read ("done"), had none ("none") or could not be
read ("failed", e.g. a damaged or encrypted PDF). Idempotent: an attachment
whose text is no longer pending is left alone.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from xml.etree import ElementTree

from blueprints.documents import library
from blueprints.documents.attachments import file_of
from jobs import job_context
from models.db import transaction
from models.documents import Document, DocumentAttachment

log = logging.getLogger(__name__)

MAX_TEXT = 2_000_000  # characters kept per attachment: a 500-page PDF's text fits
# The XML parts whose text is the file's words.
ZIP_PARTS = {
    "docx": (r"^word/(document|header\d*|footer\d*|footnotes)\.xml$",),
    "xlsx": (r"^xl/sharedStrings\.xml$", r"^xl/worksheets/sheet\d+\.xml$"),
    "odt": (r"^content\.xml$",),
    "ods": (r"^content\.xml$",),
}
# Elements that end a line or paragraph in those parts.
BREAKS = {"p", "br", "tab", "h", "tr", "row", "si", "table-row", "line-break", "list-item"}


def extract_text(attachment_id: int) -> str:
    """Read the attachment's text and keep it: "done", "none", "failed", or "skipped" if not pending."""
    with job_context():
        attachment = DocumentAttachment.get_or_none(DocumentAttachment.id == attachment_id)
        if attachment is None or attachment.text_state != DocumentAttachment.PENDING:
            return "skipped"
        document = Document.get_by_id(attachment.document_id)
        file = file_of(attachment, document.association)
        try:
            text = read_text(file.read_bytes(), attachment.stored_name.rsplit(".", 1)[-1])
            state = DocumentAttachment.DONE if text.strip() else DocumentAttachment.NONE
        except Exception as error:  # a damaged file is the uploader's, not a reason to retry
            log.warning("could not read the text of attachment %s: %s", attachment_id, error)
            text, state = "", DocumentAttachment.FAILED
        with transaction():
            library.changed(attachment.document_id)  # the search reads the new text
            (
                DocumentAttachment.update(text=text[:MAX_TEXT], text_state=state)
                .where(
                    (DocumentAttachment.id == attachment_id)
                    & (DocumentAttachment.text_state == DocumentAttachment.PENDING)
                )
                .execute()
            )
        return state


def read_text(data: bytes, extension: str) -> str:
    """The words of a file of one of the kinds documents take."""
    if extension == "pdf":
        return _pdf_text(data)
    if extension in ZIP_PARTS:
        return _zip_text(data, ZIP_PARTS[extension])
    if extension == "txt":
        return data.decode("utf-8", "replace")
    return ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_TEXT:
            break
    return "\n".join(parts)


def _zip_text(data: bytes, patterns: tuple[str, ...]) -> str:
    wanted = [re.compile(pattern) for pattern in patterns]
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if any(pattern.match(name) for pattern in wanted):
                info = archive.getinfo(name)
                if info.file_size > 50 * 1024 * 1024:  # a "zip bomb" part is not read
                    continue
                parts.append(_xml_text(archive.read(name)))
    return "\n".join(part for part in parts if part)


def _xml_text(xml: bytes) -> str:
    """The text of an XML part, with line breaks where its paragraphs and rows end."""
    out: list[str] = []
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        local = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            if element.text and local in {"t", "span", "p", "h", "v", "a", "s"}:
                out.append(element.text)
        else:
            if local in BREAKS:
                out.append("\n")
            if element.tail and local in {"span", "s", "tab", "a", "line-break"}:
                out.append(element.tail)
    return re.sub(r"[ \t]*\n\s*", "\n", "".join(out)).strip()
