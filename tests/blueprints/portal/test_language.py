"""Language, everywhere (issue 17, item 10): the login and public pages follow the browser, a visible switch,
error pages in the portal's language and look, and the language choice where people look for it."""

from __future__ import annotations

import re

from models import Person, User

CZECH_BROWSER = {"Accept-Language": "cs-CZ,cs;q=0.9,en;q=0.8"}


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_login_page_follows_the_browser_then_the_association(client, make_association):
    make_association("solrosen", locale="sv", name="Brf Solrosen")
    assert lang_of(client.get("/solrosen/login")) == "sv"  # the browser says nothing Porch speaks
    assert lang_of(client.get("/solrosen/login", headers={"Accept-Language": "de-DE,de"})) == "sv"
    czech = client.get("/solrosen/login", headers=CZECH_BROWSER)
    assert lang_of(czech) == "cs" and "Přihlásit se" in czech.get_data(as_text=True)
    signup = client.get("/solrosen/signup", headers={"Accept-Language": "et"})
    assert signup.status_code == 200 and lang_of(signup) == "et"


def test_the_switch_is_visible_before_signing_in_and_remembered(client, make_association):
    make_association("solrosen", locale="sv", name="Brf Solrosen")
    page = client.get("/solrosen/login").get_data(as_text=True)
    assert 'class="lang-switch"' in page
    for code, name in (("en", "English"), ("sv", "Svenska"), ("da", "Dansk"), ("cs", "Čeština"), ("et", "Eesti")):
        link = f'href="/language/{code}?next=/solrosen/login" lang="{code}" hreflang="{code}"'
        assert link in page and f">{name}</a>" in page

    switched = client.get("/language/et?next=/solrosen/login", headers=CZECH_BROWSER)
    assert switched.status_code == 302 and switched.location == "/solrosen/login"
    assert "porch_lang=et" in switched.headers["Set-Cookie"] and "HttpOnly" in switched.headers["Set-Cookie"]
    after = client.get("/solrosen/login", headers=CZECH_BROWSER)  # the switch beats the browser
    assert lang_of(after) == "et" and "Logi sisse" in after.get_data(as_text=True)


def test_the_switch_refuses_unknown_languages_and_foreign_addresses(client):
    assert client.get("/language/de?next=/login").status_code == 404
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.get("/language/sv", query_string={"next": target})
        assert response.status_code == 302 and "evil" not in response.location


def test_a_signed_in_users_own_choice_comes_first(client, alpha, make_user, login):
    user = make_user(alpha, "owner@example.com")
    client.get("/language/cs?next=/alpha/login")
    login(client, "owner@example.com")
    assert lang_of(client.get("/alpha/")) == "cs"  # no choice of their own yet: the switch still counts
    User.update(ui_language="sv").where(User.id == user.id).execute()
    assert lang_of(client.get("/alpha/", headers=CZECH_BROWSER)) == "sv"
    User.update(ui_language=None).where(User.id == user.id).execute()
    client.set_cookie("porch_lang", "", expires=0)
    # Signed in without a choice: the portal's language, whatever the browser says.
    assert lang_of(client.get("/alpha/", headers=CZECH_BROWSER)) == "en-GB"
    assert 'class="lang-switch"' not in client.get("/alpha/").get_data(as_text=True)


def test_an_unknown_page_under_a_portal_is_in_its_language_and_look(client, make_association, make_user, login):
    kopec = make_association("nakopci", locale="cs", name="SVJ Na Kopci", theme_color="#5a2d82")
    response = client.get("/nakopci/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and lang_of(response) == "cs"
    assert "Stránka nebyla nalezena" in page and "<title>Stránka nebyla nalezena · SVJ Na Kopci</title>" in page
    assert "--accent:#5a2d82" in page and 'href="/nakopci/"' in page
    # A member sees their menu on it too.
    make_user(kopec, "owner@example.com")
    login(client, "owner@example.com")
    page = client.get("/nakopci/no-such-page").get_data(as_text=True)
    assert 'aria-label="Hlavní menu"' in page or "Můj účet" in page
    # Outside any portal the generic page stays.
    outside = client.get("/nosuchportal/page").get_data(as_text=True)
    assert "<title>Page not found · Porch</title>" in outside


def test_my_account_puts_the_language_first_and_shows_the_registers_phones(client, alpha, make_user, login):
    user = make_user(alpha, "owner@example.com")
    person = Person.get(Person.user == user)
    person.phone_mobile = "+46 70 555 12 34"  # entered by the board in the register
    person.save()
    login(client, "owner@example.com")
    page = client.get("/alpha/account").get_data(as_text=True)
    assert page.index('id="language"') < page.index('id="details"')
    assert 'value="+46 70 555 12 34"' in page
    assert 'href="/alpha/account#language"' in page  # the footer says which language and where to change it
