"""The board's invoice list (filters, search, totals, CSV), invoice page and residents page (SPEC B4)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest

from blueprints.billing import board_queries
from models import Membership, Person
from models.billing import Contract, Invoice
from tests.factories.billing import make_billing, make_contract, make_invoice, make_payment, make_unit

TODAY = dt.datetime(2026, 11, 20, 9)
DEC = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
NOV_DATES = {"issue_date": dt.date(2026, 10, 15), "due_date": dt.date(2026, 10, 31), "period": NOV}


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


@pytest.fixture
def world(app, alpha, make_person, frozen_clock):
    """Anna (unit 12): December open, November overdue. Bertil (unit 7): December partly paid, November paid.
    Cecilia (unit 12B): November credited by a credit note."""
    frozen_clock.set(TODAY)
    make_billing(alpha)
    anna = make_person(alpha, given_name="Anna", surname="Andersson")
    bertil = make_person(alpha, given_name="Bertil", surname="Berg")
    cecilia = make_person(alpha, given_name="Cecilia", surname="Carlsson")
    u12, u7, u12b = make_unit(alpha, "12"), make_unit(alpha, "7"), make_unit(alpha, "12B")
    w = SimpleNamespace(anna=anna, bertil=bertil, cecilia=cecilia, u12=u12, u7=u7, u12b=u12b)
    w.anna_dec = make_invoice(alpha, anna, unit=u12, reference="1234561", period=DEC, number=1001)
    w.anna_nov = make_invoice(alpha, anna, unit=u12, reference="1234579", number=901, **NOV_DATES)
    w.bertil_dec = make_invoice(alpha, bertil, unit=u7, reference="7700001", period=DEC, number=1002)
    make_payment(w.bertil_dec, 100000)
    w.bertil_nov = make_invoice(alpha, bertil, unit=u7, reference="7700019", number=902, **NOV_DATES)
    make_payment(w.bertil_nov, 416700)
    w.cecilia_nov = make_invoice(alpha, cecilia, unit=u12b, number=903, **NOV_DATES)
    w.credit = make_invoice(
        alpha,
        cecilia,
        unit=u12b,
        kind=Invoice.CREDIT_NOTE,
        credits=w.cecilia_nov,
        lines=[("Monthly fee, credited", -416700, 0)],
        issue_date=dt.date(2026, 11, 2),
        due_date=dt.date(2026, 11, 2),
        period=NOV,
        number=904,
    )
    Invoice.update(credited_total=416700).where(Invoice.id == w.cecilia_nov.id).execute()
    return w


def numbers(html: str) -> list[int]:
    """The invoice numbers of the list's rows, in order."""
    return [int(n) for n in re.findall(r"<strong>No\. (\d+)</strong>", html)]


def text(response) -> str:
    """The body, with the no-break space between a currency code and its digits left out (for matching)."""
    return response.get_data(as_text=True).replace("\u00a0", "")


def listed(client, query: str = "", **headers) -> str:
    response = client.get(f"/alpha/admin/invoices{query}", headers=headers)
    assert response.status_code == 200
    return text(response)


def queries(client, path, **headers) -> int:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return int(response.headers["X-Query-Count"])


# --- the list, its filters and its search -------------------------------------------------------


def test_the_list_shows_every_invoice_newest_first_with_its_status(client, world, login_as):
    login_as("board")
    html = listed(client)
    assert numbers(html) == [1002, 1001, 904, 903, 902, 901]  # issue date, then number, descending
    assert 'state-invoice-overdue">Overdue</span>' in html and 'state-invoice-partly_paid">Partly paid' in html
    assert "Unit 12 · December 2026" in html and "1234561" in html
    assert "3,167.00 left" in html  # Bertil's partly paid December


def row_of(html: str, number: int) -> str:
    """The list row of invoice `number`."""
    return next(row for row in html.split('<li class="row board-invoice-row">')[1:] if f"No. {number}<" in row)


def test_a_row_drawn_before_shows_what_changed_since(client, world, login_as, frozen_clock):
    """The rendered rows are kept (core.rendering.cached_row): every change a row shows must still reach it."""
    login_as("board")
    before = row_of(listed(client), 1001)
    assert 'state-invoice-open">Open</span>' in before and "left" not in before
    make_payment(world.anna_dec, 100000)
    paid_some = row_of(listed(client), 1001)
    assert 'state-invoice-partly_paid">Partly paid' in paid_some and "3,167.00 left" in paid_some
    frozen_clock.set(dt.datetime(2027, 2, 1, 9))  # past its due date: only the day changed
    assert 'state-invoice-overdue">Overdue</span>' in row_of(listed(client), 1001)
    world.u12.number = "12A"
    world.u12.save()
    assert "Unit 12A · December 2026" in row_of(listed(client), 1001)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?period=2026-12", [1002, 1001]),
        ("?period=2026-11", [904, 903, 902, 901]),
        ("?period=2025-01", []),
        ("?status=overdue", [901]),
        ("?status=open", [1001]),
        ("?status=partly_paid", [1002]),
        ("?status=paid", [902]),
        ("?status=credited", [904, 903]),
        ("?unit=12", [1001, 901]),  # the unit number exactly: not 12B
        ("?unit=12b", [904, 903]),
        ("?period=2026-11&status=paid&unit=7", [902]),
        ("?status=nonsense&period=2026-13", [1002, 1001, 904, 903, 902, 901]),  # ignored, not an error
    ],
)
def test_filters(client, world, login_as, query, expected):
    login_as("board")
    html = listed(client, query)
    assert numbers(html) == expected
    if not expected:
        assert "No invoice matches this selection." in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("anna", [1001, 901]),  # name, any case
        ("BERG", [1002, 902]),
        ("bertil berg", [1002, 902]),  # every word must match
        ("12b", [904, 903]),  # unit number
        ("1234561", [1001]),  # reference
        ("123 4579", [901]),  # reference typed in groups
        ("903", [903]),  # invoice number
        ("%231002", [1002]),  # "#1002"
        ("nobody", []),
    ],
)
def test_search_by_name_unit_reference_or_number(client, world, login_as, q, expected):
    login_as("board")
    assert numbers(listed(client, f"?q={q}")) == expected


def test_search_as_you_type_swaps_the_list_and_works_without_js(client, world, login_as):
    login_as("board")
    page = listed(client, "?q=anna")
    assert 'hx-trigger="input changed delay:300ms, search"' in page and 'hx-push-url="true"' in page
    assert 'action="/alpha/admin/invoices"' in page and 'name="q" value="anna"' in page  # a plain GET form
    part = listed(client, "?q=anna", **{"HX-Request": "true"})
    assert part.lstrip().startswith("{#") is False and "<html" not in part
    assert 'id="invoice-list"' in part and numbers(part) == [1001, 901]


def test_totals_per_status_match_the_rows(app, client, world, login_as, alpha):
    user = login_as("board")
    today = TODAY.date()
    for query in ("", "?period=2026-11", "?q=12", "?status=overdue"):
        filters = board_queries.Filters.from_args(_args(query))
        with app.test_request_context():
            membership = Membership.current(user, alpha)
            totals = board_queries.status_totals(membership, filters, today)
            rows = list(board_queries.filtered(membership, filters, today, Invoice))
        expected = {}
        for invoice in rows:
            status = invoice.status_on(today)
            count, total, outstanding = expected.get(status, (0, 0, 0))
            expected[status] = (count + 1, total + invoice.total, outstanding + invoice.outstanding)
        assert {t.status: (t.count, t.total, t.outstanding) for t in totals} == expected, query
    html = listed(client)
    table = html[html.index("board-totals") : html.index("</table>")]
    # Status, count, outstanding, total.
    assert re.search(r"Overdue</a></th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">SEK4,167.00</td>", table)
    assert re.search(
        r"Partly paid</a></th>\s*<td class=\"num\">1</td>\s*<td[^>]*>SEK3,167.00</td>\s*<td[^>]*>SEK4,167.00", table
    )
    assert re.search(r"Credited</a></th>\s*<td class=\"num\">2</td>\s*<td[^>]*>SEK0.00</td>\s*<td[^>]*>SEK0.00", table)
    assert re.search(r"All</th><td class=\"num\">6</td><td[^>]*>SEK11,501.00</td><td[^>]*>SEK16,668.00", table)
    assert "6 invoices" in html
    # A status in the totals links to the list narrowed to it, keeping the other filters.
    assert 'href="/alpha/admin/invoices?period=2026-11&amp;status=paid"' in listed(client, "?period=2026-11")


def _args(query: str):
    from werkzeug.datastructures import MultiDict

    return MultiDict([pair.split("=", 1) for pair in query.lstrip("?").split("&") if pair])


def test_pages_of_fifty(client, world, login_as, alpha):
    login_as("board")
    for i in range(60):
        make_invoice(alpha, world.anna, unit=world.u12, issue_date=dt.date(2026, 9, 1), number=2000 + i)
    first = listed(client)
    assert len(numbers(first)) == 50 and "Page 1 of 2" in first
    second = listed(client, "?page=2")
    assert len(numbers(second)) == 16 and "Page 2 of 2" in second
    assert 'href="/alpha/admin/invoices?page=1"' not in second  # page 1 is the plain URL
    assert numbers(listed(client, "?page=99")) == numbers(second)  # past the end: the last page


# --- CSV -------------------------------------------------------------------------------------------


def test_csv_export_of_the_filtered_list(client, world, login_as, alpha):
    login_as("board")
    response = client.get("/alpha/admin/invoices.csv?period=2026-12")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "number",
        "kind",
        "period",
        "issue_date",
        "due_date",
        "unit",
        "recipient",
        "reference",
        "total",
        "paid",
        "credited",
        "outstanding",
        "currency",
        "status",
    ]
    assert rows[1:] == [
        [
            "1002",
            "invoice",
            "2026-12",
            "2026-11-15",
            "2026-11-30",
            "7",
            "Bertil Berg",
            "7700001",
            "4167.00",
            "1000.00",
            "0.00",
            "3167.00",
            "SEK",
            "partly_paid",
        ],
        [
            "1001",
            "invoice",
            "2026-12",
            "2026-11-15",
            "2026-11-30",
            "12",
            "Anna Andersson",
            "1234561",
            "4167.00",
            "0.00",
            "0.00",
            "4167.00",
            "SEK",
            "open",
        ],
    ]
    credited = list(csv.reader(io.StringIO(text(client.get("/alpha/admin/invoices.csv?status=credited")))))
    assert [r[0] for r in credited[1:]] == ["904", "903"]
    assert credited[1][1:3] == ["credit_note", "2026-11"] and credited[1][8] == "-4167.00" and credited[1][11] == "0.00"
    assert credited[2][10] == "4167.00"  # credited in full


def test_csv_cells_cannot_run_as_formulas_and_names_keep_their_letters(client, world, login_as, alpha, make_person):
    login_as("board")
    evil = make_person(alpha, given_name='=HYPERLINK("x")', surname="Øberg")
    make_invoice(alpha, evil, number=1500, period=DEC)
    rows = list(csv.reader(io.StringIO(client.get("/alpha/admin/invoices.csv?q=1500").get_data().decode("utf-8-sig"))))
    assert rows[1][6] == '\'=HYPERLINK("x") Øberg' and rows[1][5] == ""


# --- the invoice page ------------------------------------------------------------------------------


def test_the_invoice_page_shows_lines_payments_credit_notes_and_status(client, world, login_as):
    login_as("board")
    html = text(client.get(f"/alpha/admin/invoices/{world.bertil_dec.id}"))
    assert "Invoice 1002" in html and "Bertil Berg" in html and "Monthly fee" in html
    assert 'state-invoice-partly_paid">Partly paid' in html and "SEK1,000.00" in html and "SEK3,167.00" in html
    assert f'href="/alpha/admin/residents/{world.bertil.id}"' in html
    credited = text(client.get(f"/alpha/admin/invoices/{world.cecilia_nov.id}"))
    assert "Credit note 904" in credited and 'state-invoice-credited">Credited' in credited
    note = text(client.get(f"/alpha/admin/invoices/{world.credit.id}"))
    assert f'href="/alpha/admin/invoices/{world.cecilia_nov.id}">Invoice 903' in note


def test_the_invoice_page_links_to_pdf_and_credit_note_when_those_pages_exist(app, client, world, login_as):
    login_as("board")
    html = text(client.get(f"/alpha/admin/invoices/{world.anna_dec.id}"))
    if "billing.invoice_pdf" in app.view_functions:
        assert "Download PDF" in html
    else:
        assert "Download PDF" not in html
    if "billing.credit_note" in app.view_functions:
        assert "Make a credit note" in html
    else:
        assert "Make a credit note" not in html


def test_another_associations_invoice_is_404(client, world, login_as, make_association, make_person):
    beta = make_association("beta")
    theirs = make_invoice(beta, make_person(beta), number=1001)
    login_as("board")
    assert client.get(f"/alpha/admin/invoices/{theirs.id}").status_code == 404
    assert client.get(f"/alpha/admin/invoices/{theirs.id}", headers={"HX-Request": "true"}).status_code == 404
    assert 1001 in numbers(listed(client)) and len(numbers(listed(client, "?q=1001"))) == 1  # only alpha's 1001


# --- residents -------------------------------------------------------------------------------------


def test_residents_show_what_each_owes_and_search_by_name_or_unit(client, world, login_as):
    from models.register import Ownership

    Ownership.create(unit=world.u12, person=world.anna, is_main=True)
    Ownership.create(unit=world.u7, person=world.bertil, is_main=True)
    login_as("board")
    html = text(client.get("/alpha/admin/residents"))
    anna = html[html.index("Andersson Anna") - 400 : html.index("Andersson Anna") + 400]
    assert (
        'state-invoice-overdue">Overdue' in anna
        and "SEK8,334.00 to pay, SEK4,167.00 overdue" in anna
        and "Unit 12" in anna
    )
    bertil = html[html.index("Berg Bertil") - 400 : html.index("Berg Bertil") + 400]
    assert 'state-invoice-open">To pay' in bertil and "SEK3,167.00 to pay" in bertil and "overdue" not in bertil
    cecilia = html[html.index("Carlsson Cecilia") - 400 : html.index("Carlsson Cecilia") + 400]
    assert "Nothing to pay" in cecilia
    assert 'hx-trigger="toggle once"' in html and f'href="/alpha/admin/residents/{world.anna.id}"' in html
    found = text(client.get("/alpha/admin/residents?q=berg", headers={"HX-Request": "true"}))
    assert "Berg Bertil" in found and "Andersson" not in found and "<html" not in found
    by_unit = text(client.get("/alpha/admin/residents?q=12"))
    assert "Andersson Anna" in by_unit and "Berg Bertil" not in by_unit


def test_a_residents_row_drawn_before_shows_what_changed_since(client, world, login_as):
    """The rendered rows are kept (core.rendering.cached_row): every change a row shows must still reach it."""
    from models.register import Ownership

    Ownership.create(unit=world.u7, person=world.bertil, is_main=True)
    login_as("board")

    def row(name: str = "Berg Bertil") -> str:
        html = text(client.get("/alpha/admin/residents"))
        start = html.index(name)
        return html[html.rindex("<summary>", 0, start) : html.index("</details>", start)]

    assert "Unit 7" in row() and "3,167.00 to pay" in row() and "Overdue" not in row()
    make_payment(world.bertil_dec, 316700)
    assert "Nothing to pay" in row() and "3,167.00" not in row()
    world.bertil.given_name = "Bert"
    world.bertil.save()
    assert "Contracts and invoices of Bert Berg" in row("Berg Bert<")


def test_a_residents_billing_lists_contracts_invoices_and_sums(client, world, login_as, alpha):
    make_contract(alpha, world.u12, [world.anna], number="C-12", category=Contract.HOME)
    make_contract(alpha, world.u12, [world.anna], number="P-3", category=Contract.PARKING, status=Contract.ENDED)
    login_as("board")
    part = text(client.get(f"/alpha/admin/residents/{world.anna.id}", headers={"HX-Request": "true"}))
    assert "<html" not in part
    assert "C-12" in part and "Home" in part and 'state-contract-active">Active' in part
    assert "P-3" in part and "Parking" in part and 'state-contract-ended">Ended' in part
    assert part.index("C-12") < part.index("P-3")  # in force first
    assert 'state-invoice-open">Open' in part and 'state-invoice-overdue">Overdue' in part
    assert f'href="/alpha/admin/invoices/{world.anna_dec.id}"' in part
    assert "SEK8,334.00" in part and "SEK4,167.00" in part  # to pay, of which overdue
    assert "Bertil" not in part
    page = text(client.get(f"/alpha/admin/residents/{world.anna.id}"))
    assert "<html" in page and "Andersson Anna" in page


def test_a_residents_billing_includes_invoices_on_their_contracts(client, world, login_as, alpha, make_person):
    tenant = make_person(alpha, given_name="Tove", surname="Tenant")
    contract = make_contract(alpha, world.u7, [tenant], number="C-7")
    make_invoice(
        alpha, world.bertil, unit=world.u7, contract=contract, number=1700, period=DEC
    )  # addressed to the owner
    login_as("board")
    part = text(client.get(f"/alpha/admin/residents/{tenant.id}", headers={"HX-Request": "true"}))
    assert "Invoice 1700" in part and "C-7" in part


def test_another_associations_person_is_404(client, world, login_as, make_association, make_person):
    beta = make_association("beta")
    stranger = make_person(beta)
    login_as("board")
    assert client.get(f"/alpha/admin/residents/{stranger.id}").status_code == 404


# --- a constant number of queries ------------------------------------------------------------------


def add_invoices(alpha, person: Person, unit, count: int, start: int) -> None:
    for i in range(count):
        invoice = make_invoice(
            alpha, person, unit=unit, number=start + i, period=DEC if i % 2 else NOV, reference=f"{start + i}7"
        )
        if i % 3 == 0:
            make_payment(invoice, 1000)


@pytest.mark.parametrize(
    "path",
    [
        "/alpha/admin/invoices",
        "/alpha/admin/invoices?status=partly_paid",
        "/alpha/admin/invoices?period=2026-12&unit=12",
        "/alpha/admin/invoices?q=anna",
        "/alpha/admin/invoices?page=2",
        "htmx:/alpha/admin/invoices?q=andersson",
    ],
)
def test_the_invoice_list_costs_the_same_for_5_and_60_invoices(client, world, login_as, alpha, path):
    login_as("board")
    headers = {"HX-Request": "true"} if path.startswith("htmx:") else {}
    path = path.removeprefix("htmx:")
    add_invoices(alpha, world.anna, world.u12, 5 if "page=2" not in path else 55, 3000)
    few = queries(client, path, **headers)
    add_invoices(alpha, world.anna, world.u12, 55, 4000)
    assert queries(client, path, **headers) == few
    assert few <= 4  # the session, the billing revision, the totals per status, the page of rows


def test_totals_are_reused_until_an_invoice_or_payment_changes_them(client, world, login_as, alpha):
    """The totals per status are cached per billing revision: a payment recorded through the page shows at once."""
    login_as("board")
    first = queries(client, "/alpha/admin/invoices")
    assert queries(client, "/alpha/admin/invoices") == first - 1  # unchanged: the totals come from the cache
    invoice = Invoice.of(alpha).where(Invoice.number == 1001).get()  # Anna's December invoice, open
    before = text(client.get("/alpha/admin/invoices"))
    response = client.submit(
        f"/alpha/admin/invoices/{invoice.id}/payments",
        {"amount": "1", "paid_on": "2026-11-20", "reference": "", "note": ""},
    )
    assert response.status_code in (200, 302)
    after = text(client.get("/alpha/admin/invoices"))
    assert before != after and queries(client, "/alpha/admin/invoices") == first - 1


def test_the_residents_page_and_a_residents_billing_cost_the_same_for_few_and_many(
    client, world, login_as, alpha, make_person
):
    login_as("board")
    from models.register import Ownership

    def add_people(n: int, start: int):
        for i in range(n):
            person = make_person(alpha, given_name="Person", surname=f"P{start + i:03d}")
            unit = make_unit(alpha, f"U{start + i}")
            Ownership.create(unit=unit, person=person, is_main=True)
            add_invoices(alpha, person, unit, 2, 10000 + (start + i) * 10)
            make_contract(alpha, unit, [person], number=f"K{start + i}")

    add_people(3, 0)
    paths = ["/alpha/admin/residents", "/alpha/admin/residents?q=P0", f"/alpha/admin/residents/{world.anna.id}"]
    few = [queries(client, p) for p in paths]
    add_people(50, 100)
    add_invoices(alpha, world.anna, world.u12, 40, 50000)
    make_contract(alpha, world.u12, [world.anna], number="A-1")
    make_contract(alpha, world.u12, [world.anna], number="A-2")
    assert [queries(client, p) for p in paths] == few
    assert max(few) <= 5
