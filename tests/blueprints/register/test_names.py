"""Search without accents, names in each language's order (issue 17, item 5; SPEC X5).

Residents type without diacritics: "cerny", "dvorakova" and "novakova" must find Černý, Dvořáková and
Nováková in every list that searches as you type. Names sort as the association's language does:
Czech puts Č after C and "ch" after "h", Swedish puts Å, Ä and Ö after Z.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models import Person
from models.faults import FaultReport
from models.register import Ownership
from tests.factories.billing import make_billing, make_contract, make_invoice

CZECH = [("Petr", "Cibulka"), ("Jan", "Černý"), ("Eva", "Dvořáková"), ("Hana", "Hrubá"), ("Karel", "Chudoba"),
         ("Jana", "Nováková")]  # fmt: skip


def names_in(page: str, surnames) -> list[str]:
    """The surnames in the order the page shows them."""
    found = [(page.find(name), name) for name in surnames if name in page]
    return [name for _, name in sorted(found)]


@pytest.fixture
def prague(make_association, make_unit, login_as):
    """A Czech association whose register holds people with diacritics, each owning a unit."""
    association = make_association("praha", locale="cs", currency="CZK")
    people = {}
    for number, (given, surname) in enumerate(CZECH, start=1):
        person = Person.create(association=association, given_name=given, surname=surname)
        Ownership.create(unit=make_unit(association, str(number)), person=person, is_main=True)
        people[surname] = person
    return association, people


@pytest.fixture
def board_of(client, make_user, login):
    def log_in(association):
        make_user(association, f"board@{association.slug}.example", "board")
        login(client, f"board@{association.slug}.example")

    return log_in


@pytest.mark.parametrize(("typed", "found"), [("cerny", "Černý"), ("dvorakova", "Dvořáková"), ("NOVAKOVA", "Nováková")])
def test_every_list_finds_names_typed_without_accents(client, prague, board_of, typed, found):
    association, people = prague
    board_of(association)
    person = people[found]
    make_billing(association)
    unit = Ownership.get(Ownership.person == person).unit
    make_invoice(association, person, unit=unit, period=(dt.date(2026, 12, 1), dt.date(2026, 12, 31)))
    make_contract(association, unit, [person], number=f"K-{person.id}")
    lists = {
        "people": f"/praha/people?q={typed}",
        "members": f"/praha/members?q={typed}",
        "units": f"/praha/units?q={typed}",
        "invoices": f"/praha/admin/invoices?q={typed}",
        "contracts": f"/praha/admin/contracts?q={typed}",
        "residents' accounts": f"/praha/admin/residents?q={typed}",
    }
    others = [surname for surname in people if surname != found]
    for name, path in lists.items():
        for headers in ({}, {"HX-Request": "true"}):  # the page, and the part search-as-you-type swaps in
            page = client.get(path, headers=headers).get_data(as_text=True)
            assert found in page, f"{name}: {typed!r} does not find {found}"
            assert not [o for o in others if o in page], f"{name}: {typed!r} finds others too"


def test_fault_titles_are_found_without_accents(client, prague, board_of, outbox):
    association, people = prague
    board_of(association)
    reporter = Person.get(Person.email == "board@praha.example")
    for title in ("Prasklá trubka ve sklepě", "Nesvítí světlo na chodbě"):
        FaultReport.create(association=association, title=title, kind="request", place="building",
                           responsible="administration", reporter=reporter.user)  # fmt: skip
    page = client.get("/praha/faults?q=praskla+sklepe&tab=all").get_data(as_text=True)
    assert "Prasklá trubka ve sklepě" in page and "Nesvítí světlo" not in page


def test_czech_names_sort_c_before_c_caron_and_ch_after_h(client, prague, board_of):
    association, people = prague
    board_of(association)
    expected = ["Cibulka", "Černý", "Dvořáková", "Hrubá", "Chudoba", "Nováková"]
    assert names_in(client.get("/praha/people").get_data(as_text=True), people) == expected
    assert names_in(client.get("/praha/members").get_data(as_text=True), people) == expected
    assert names_in(client.get("/praha/admin/residents").get_data(as_text=True), people) == expected


def test_swedish_names_sort_a_ring_a_umlaut_o_umlaut_after_z(client, alpha, make_person, board_of):
    alpha.locale = "sv"
    alpha.save()
    for given, surname in (
        ("Åsa", "Öst"),
        ("Bo", "Åberg"),
        ("Cia", "Zetterlund"),
        ("Dan", "Ärlig"),
        ("Eva", "Andersson"),
    ):
        make_person(alpha, given_name=given, surname=surname)
    board_of(alpha)
    page = client.get("/alpha/people").get_data(as_text=True)
    assert names_in(page, ["Andersson", "Zetterlund", "Åberg", "Ärlig", "Öst"]) == [
        "Andersson", "Zetterlund", "Åberg", "Ärlig", "Öst"
    ]  # fmt: skip


def test_a_new_language_sorts_the_register_anew(client, alpha, make_person, board_of, settings_data_for):
    for given, surname in (("Åsa", "Öst"), ("Cia", "Zetterlund")):
        make_person(alpha, given_name=given, surname=surname)
    board_of(alpha)
    assert names_in(client.get("/alpha/people").get_data(as_text=True), ["Öst", "Zetterlund"]) == ["Öst", "Zetterlund"]
    client.submit("/alpha/admin/settings", settings_data_for(alpha, locale="sv"))
    assert names_in(client.get("/alpha/people").get_data(as_text=True), ["Öst", "Zetterlund"]) == ["Zetterlund", "Öst"]


@pytest.fixture
def settings_data_for():
    def make(association, **changes):
        association = type(association).get_by_id(association.id)
        data = {name: getattr(association, name) for name in ("name", "slug", "locale", "currency", "timezone",
                "welcome_text", "contact_text", "on_call_text", "gdpr_text", "theme_color", "document_max_mb")}  # fmt: skip
        data.update(theme_color_picker=association.theme_color, tabs=association.tabs.split(), **changes)
        return data

    return make


def test_search_terms_match_whole_names_in_any_order(client, prague, board_of):
    association, _people = prague
    board_of(association)
    page = client.get("/praha/people?q=novakova+jana").get_data(as_text=True)
    assert "Nováková" in page and re.search(r"Černý|Cibulka", page) is None
