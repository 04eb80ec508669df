"""The public pages' stylesheet (issue 15: the search's first visit ≤ 30 KB gzipped): public.css is made from
porch.css by bench/public_css.py and must be up to date; a visitor's public pages link it, signed-in pages
the whole porch.css."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("public_css", ROOT / "bench" / "public_css.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_public_css_is_made_from_porch_css():
    module = _generator()
    expected = module.public_css(module.SOURCE.read_text(), module.used_classes())
    assert module.TARGET.read_text() == expected, "run .venv/bin/python bench/public_css.py"
    assert ".listing-filters" in expected and ".pager" in expected and ".payment-grid" not in expected


def test_visitors_get_public_css_and_signed_in_pages_porch_css(client, alpha, login_as):
    for path in ("/homes", "/alpha/homes", "/alpha/login"):
        html = client.get(path).get_data(as_text=True)
        assert "/static/css/public." in html and "/static/css/porch." not in html, path
    assert "/static/css/porch." in client.get("/alpha/forgot").get_data(as_text=True)
    login_as("board")
    for path in ("/alpha/", "/alpha/homes"):
        html = client.get(path).get_data(as_text=True)
        assert "/static/css/porch." in html and "/static/css/public." not in html, path
