"""CSRF, security headers, cookies and Markdown sanitising (SPEC X3)."""

import re

from core.text import markdown
from tests.helpers import PASSWORD


def test_post_without_csrf_token_is_refused(client, alpha, make_user):
    make_user(alpha, "owner@example.com")
    response = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert client.get("/alpha/").status_code == 302  # not logged in


def test_htmx_post_uses_the_token_from_hx_headers(client, alpha, make_user, login):
    make_user(alpha, "board@example.com", "board")
    login(client, "board@example.com")
    page = client.get("/alpha/").get_data(as_text=True)
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    without = client.post("/alpha/account", headers={"HX-Request": "true"}, data={"name": "New"})
    assert without.status_code == 400
    with_token = client.post(
        "/alpha/account", headers={"HX-Request": "true", "X-CSRFToken": token}, data={"name": "New", "ui_language": ""}
    )
    assert with_token.status_code == 302


def test_csrf_token_does_not_expire_while_the_page_is_open(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_security_headers_and_csp_without_inline_script(client, alpha):
    response = client.get("/alpha/login")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    # The only inline block is the theme colour, allowed by this response's nonce.
    body = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<style nonce="{nonce}">' in body
    assert "<script>" not in body and " onclick=" not in body


def test_session_cookie_flags(client, alpha, make_user, login):
    make_user(alpha, "owner@example.com")
    login(client, "owner@example.com")
    cookie = client.get_cookie("porch")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure  # plain http in tests


def test_session_cookie_is_secure_over_https(client, alpha):
    response = client.get("/alpha/login", base_url="https://porch.test")
    set_cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_markdown_is_sanitised():
    html = str(
        markdown(
            "# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n![p](/img.png)"
        )
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert '<img alt="p" src="/img.png">' in html or '<img src="/img.png" alt="p">' in html
    assert 'rel="noopener noreferrer nofollow"' in str(markdown("[a](https://example.com)"))


def test_static_files_are_hashed_and_cached_for_a_year(client, alpha):
    # The login page is a visitor's (public.css); any other page links the whole porch.css.
    login = client.get("/alpha/login").get_data(as_text=True)
    other = client.get("/alpha/nothing-here").get_data(as_text=True)
    for page, name in ((login, "public"), (other, "porch")):
        css = re.search(rf'href="(/static/css/{name}\.[0-9a-f]{{10}}\.css)"', page).group(1)
        response = client.get(css)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/static/../config.py").status_code == 404


def test_error_pages_are_in_the_portal_style(client, alpha):
    response = client.get("/alpha/nothing-here")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Page not found" in body and "porch." in body  # our stylesheet


def test_an_id_too_large_for_any_column_is_a_404_not_a_500(app, alpha, login_as, client):
    login_as("member")
    for path in (
        "/alpha/invoices/99999999999999999999999",
        "/alpha/faults/9223372036854775808",
        "/alpha/units/1" + "0" * 30,
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/alpha/invoices/9223372036854775807").status_code == 404  # the largest id: looked up, not found
