"""Writes static/css/public.css, the stylesheet of the pages a visitor sees before signing in (the vacant
homes' search, a listing, its contact form, the login page), from static/css/porch.css: the first part of
porch.css (every page's rules) and every later rule whose selector names a class those pages use (or no
class at all). Signed-in pages keep the whole porch.css, so their first visit does not grow; a public page's
first visit loads a third of it (issue 15: the search's first visit ≤ 30 KB gzipped).

Run after changing porch.css or a public page's classes (tests/test_public_css.py fails until you do):

    .venv/bin/python bench/public_css.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE, TARGET = ROOT / "static/css/porch.css", ROOT / "static/css/public.css"
PUBLIC_TEMPLATES = [
    "base.html", "_macros.html", "_form.html", "listings/homes.html", "listings/_results.html",
    "listings/_result.html", "listings/listing.html", "listings/_facts.html", "listings/contact.html",
    "listings/contact_sent.html", "portal/login.html", "listings/_saved_search_form.html",
    "listings/saved_confirm.html", "listings/saved_new.html", "listings/saved_stop.html",
    "listings/_waiting_checks.html", "listings/waiting_answered.html", "listings/waiting_confirm.html",
    "listings/waiting_delete.html", "listings/waiting_deleted.html", "listings/waiting_expired.html",
    "listings/waiting_link.html", "listings/waiting_me.html", "listings/waiting_offer.html",
    "listings/waiting_open.html", "listings/waiting_sent.html", "listings/waiting_signup.html",
]  # fmt: skip
# Classes the pages get from elsewhere than their templates' class attributes.
ALWAYS = {"htmx-request", "htmx-indicator", "visually-hidden", "skip"}
EVERY_PAGE_ENDS_AT = "/* == register"  # porch.css's first part: what every page needs


def used_classes() -> set[str]:
    used = set(ALWAYS)
    for name in PUBLIC_TEMPLATES:
        text = (ROOT / "templates" / name).read_text()
        for attr in re.findall(r'class="([^"]*)"', text):
            used.update(re.findall(r"[A-Za-z_][\w-]*", re.sub(r"{[{%].*?[%}]}", " ", attr)))
        used.update(re.findall(r"'([a-z][\w-]*)'", text))  # classes chosen in an expression
    script = (ROOT / "static/js/porch.js").read_text()
    used.update(re.findall(r"classList\.\w+\(\"([\w-]+)", script))
    return used


def blocks(css: str) -> list[str]:
    """The top-level rules and at-rules, each with the comments before it."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(css):
        if css.startswith("/*", i):
            i = css.index("*/", i) + 2
            continue
        if css[i] == "{":
            depth += 1
        elif css[i] == "}":
            depth -= 1
            if depth == 0:
                out.append(css[start : i + 1])
                start = i + 1
        i += 1
    return out


def _wanted(selector: str, used: set[str]) -> bool:
    selector = re.sub(r"/\*.*?\*/", "", selector, flags=re.S)
    classes = set(re.findall(r"\.([A-Za-z_][\w-]*)", selector))
    return not classes or bool(classes & used)


def public_css(css: str, used: set[str]) -> str:
    every_page_end = css.index(EVERY_PAGE_ENDS_AT)
    kept, position = [], 0
    for block in blocks(css):
        position += len(block)
        if position <= every_page_end:
            kept.append(block)
            continue
        head, _, body = block.partition("{")
        if head.strip().split("*/")[-1].strip().startswith("@"):
            rules = re.findall(r"\s*(?:/\*.*?\*/\s*)*[^{}]+\{[^{}]*\}", body[: body.rindex("}")], flags=re.S)
            inner = [rule for rule in rules if _wanted(rule[: rule.index("{")], used)]
            if inner:
                kept.append(head + "{" + "".join(inner) + "\n}")
        elif _wanted(head, used):
            kept.append(block)
    header = "/* Made by bench/public_css.py from porch.css: do not edit, run the script. */\n"
    return header + "".join(kept).strip() + "\n"


def main() -> int:
    TARGET.write_text(public_css(SOURCE.read_text(), used_classes()))
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
