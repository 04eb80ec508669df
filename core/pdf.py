"""The PDF engine: Jinja templates under templates/pdf/ rendered by WeasyPrint (invoices, reports, protocols).

It knows no domain: a domain builds its template's context and calls
render_pdf(). A worker renders many PDFs in a row, so what does not change
between them is made once: the font configuration (fontconfig's lookups, once
per thread), the parsed stylesheets of the templates (the <style> of
templates/pdf/_base.html and its children: the same text is parsed once per
process) and decoded pictures (logo names change with every upload, so a
picture at one address never changes). Nothing is fetched over the network:
the URL fetcher serves files from static/, stored files (the logo) by their
`porch-storage:<key>` URL from core.storage, on either backend, and data: URLs,
and refuses everything else.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from flask import render_template
from flask_babel import force_locale
from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA as WEASYPRINT_UA
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core import images
from core.storage import check_key, key_of, storage
from core.text import locale_for
from models import Association

# WeasyPrint turns on Pillow's "load truncated images" for the whole process when imported; uploads
# (core/images.py) must keep refusing damaged pictures, and the PDFs only embed pictures we re-encoded.
ImageFile.LOAD_TRUNCATED_IMAGES = False

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
BASE_URL = STATIC_DIR.as_uri() + "/"
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
# Whitespace between two tags that breaks a line: the templates' indentation. WeasyPrint would parse
# each run into a text node and box it before dropping it; escaped text never holds a raw < or >.
INDENTATION = re.compile(r">\s*\n\s*<")
STORED = "porch-storage"  # the URL scheme of a stored file in a PDF: porch-storage:<key>
IMAGE_CACHE_SIZE = 64  # decoded pictures kept between renders (logos, mostly)

_lock = threading.Lock()
_per_thread = threading.local()  # fontconfig and Pango objects are not shared between threads
_stylesheets: dict[str, CSS] = {}
_image_cache: dict = {}


def render_pdf(template: str, *, language: str, **context) -> bytes:
    """Render templates/<template> to PDF in `language` (its _() words, |money and |date formats)."""
    with force_locale(locale_for(language)):
        html = render_template(template, language=language, **context)
    html, stylesheets = _split_styles(html)
    html = INDENTATION.sub("><", html)
    if len(_image_cache) > IMAGE_CACHE_SIZE:  # data: URLs would otherwise pile up in a long-lived worker
        _image_cache.clear()
    document = PdfHTML(string=html, base_url=BASE_URL, url_fetcher=LocalFetcher(), media_type="print")
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config(), cache=_image_cache)


def _split_styles(html: str) -> tuple[str, list[CSS]]:
    """Take the <style> elements out of the page and parse each distinct one once per process.

    The templates keep their CSS beside their markup, but it is the same for every
    invoice: parsing it each time would cost a third of a render.
    """
    sheets = []
    for source in STYLE.findall(html):
        with _lock:
            sheet = _stylesheets.get(source)
        if sheet is None:
            # No @font-face in our templates (system fonts only), so a parsed sheet serves every thread.
            sheet = CSS(string=source, base_url=BASE_URL, url_fetcher=LocalFetcher())
            with _lock:
                if len(_stylesheets) >= 32:  # templates are few; anything else is a template being edited
                    _stylesheets.clear()
                _stylesheets[source] = sheet
        sheets.append(sheet)
    return STYLE.sub("", html), sheets


def _user_agent_css(source: str) -> str:
    """WeasyPrint's HTML user-agent stylesheet without what no PDF of ours uses: form fields, and the
    rules for pseudo-elements of every element (`::marker`, `::footnote-call`, `::note-*`…).

    Those universal pseudo-element rules make WeasyPrint cascade and compute six extra styles for
    every element of every page, most of the CSS time of an invoice; list markers keep theirs (li)."""
    lines, in_forms = [], False
    for line in source.splitlines():
        if line.startswith("/* Form fields */"):
            in_forms = True
        elif line.startswith("/*"):
            in_forms = False
        if in_forms or line.startswith(("::footnote-", "::note-")):
            continue
        lines.append("li" + line if line.startswith("::marker") else line)
    return "\n".join(lines)


# Parsed once per process; its @counter-style rules go to a throw-away registry (WeasyPrint keeps its own).
USER_AGENT_SHEET = CSS(string=_user_agent_css(WEASYPRINT_UA), counter_style=CounterStyle())


class PdfHTML(HTML):
    """An HTML document styled with our trimmed user-agent stylesheet (see _user_agent_css)."""

    def _ua_stylesheets(self, forms=False):
        return [USER_AGENT_SHEET]


def font_config() -> FontConfiguration:
    """This thread's font configuration, made on its first PDF (a worker renders all of its PDFs with one)."""
    config = getattr(_per_thread, "font_config", None)
    if config is None:
        config = _per_thread.font_config = FontConfiguration()
    return config


class LocalFetcher(URLFetcher):
    """Serves static/ files, stored files and data: URLs; a PDF never reaches the network."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
        self.roots = [STATIC_DIR.resolve()]
        self.storage = storage()  # the app's, while the render runs inside it

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme == STORED:
            try:
                return URLFetcherResponse(url, self.storage.read(check_key(url[len(STORED) + 1 :])))
            except FileNotFoundError:
                raise ValueError(f"no stored file {url[:80]!r}") from None
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise ValueError(f"PDFs only use local files, not {url[:80]!r}")
        path = Path(url2pathname(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"not a file a PDF may use: {path}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())


def logo_url(association: Association) -> str | None:
    """The association's logo as a URL the fetcher serves (porch-storage:<key>), or None."""
    path = images.image_path(association, association.logo)
    return f"{STORED}:{key_of(path)}" if path is not None else None
