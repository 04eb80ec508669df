"""The board's import (SPEC I1) through its pages: upload, columns, the dry run, apply; the same file twice;
a bad row; the mapping remembered; hostile cells; CSV in several dialects and XLSX.

Jobs run inline (no REDIS_URL) once the request commits, as they do on an install without Redis.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from models import AuditLog, Person
from models.billing import Invoice, Payment
from models.db import db
from models.exchange import ImportMapping, ImportRun
from models.register import Building, Ownership, Unit

# A Czech SVJ board's owners list, as kept in Excel and saved as CSV (semicolons, decimal commas).
OWNERS_CSV = """Dům;Číslo jednotky;Podíl;Plocha;Jméno a příjmení;Rodné číslo;E-mail;Velikost podílu
Lipová 12;1;6450/100000;64,5;Eva Malá;755101/1234;eva@example.cz;1/2
Lipová 12;1;6450/100000;64,5;Jan Malý;750101/1234;jan@example.cz;1/2
Lipová 12;2;5100/100000;51;Petr Svoboda;800202/2345;petr@example.cz;1
"""


def _upload(client, kind: str, data: bytes, name: str = "owners.csv"):
    token = client.csrf("/alpha/admin/import")
    return client.post(
        "/alpha/admin/import",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _run_id(response) -> int:
    return int(re.search(r"/admin/import/(\d+)", response.headers["Location"])[1])


def _columns(client, run_id: int, choices: dict | None = None, source: str = ""):
    """Post the columns page as it was filled in (the guess or the remembered mapping), with `choices` changed."""
    page = client.get(f"/alpha/admin/import/{run_id}/columns").get_data(as_text=True)
    data = {"source": source}
    for name, body in re.findall(r'<select[^>]*name="(col_\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        data[name] = next((v for v in chosen.groups() if v is not None), "") if chosen else ""
    data.update(choices or {})
    return client.submit(f"/alpha/admin/import/{run_id}/columns", data)


def _check(client, kind: str, data: bytes, name: str = "owners.csv", **choices):
    response = _upload(client, kind, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    run_id = _run_id(response)
    response = _columns(client, run_id, choices)
    assert response.status_code == 302, response.get_data(as_text=True)[:5000]
    return ImportRun.get_by_id(run_id)


def _apply(client, run: ImportRun):
    return client.submit(f"/alpha/admin/import/{run.id}/apply", {}, form_page=f"/alpha/admin/import/{run.id}")


def _state() -> dict:
    """Every table's rows (besides the import's own and the audit log), to compare before and after."""
    tables = {}
    for model in db.get_tables():
        if model in ("import_run", "import_mapping", "audit_log", "migratehistory"):
            continue
        rows = db.execute_sql(f'SELECT * FROM "{model}"').fetchall()
        # PostgreSQL hands bytea over as memoryview, whose repr is its address: compare the bytes.
        tables[model] = sorted(repr([bytes(v) if isinstance(v, memoryview) else v for v in row]) for row in rows)
    return tables


def _imported() -> list[Person]:
    """The register's people but the board member logged in."""
    return list(Person.select().where(~Person.email.endswith("@alpha.example")))


@pytest.fixture
def board(login_as, frozen_clock):
    return login_as("board")


def test_the_owners_list_is_checked_applied_and_the_same_file_changes_nothing(client, board, alpha):
    before = _state()
    run = _check(client, "ownership", OWNERS_CSV.encode())
    assert (run.state, run.created, run.invalid, run.encoding) == ("checked", 3, 0, "utf-8")
    assert _state() == before  # the dry run changed nothing
    page = client.get(f"/alpha/admin/import/{run.id}").get_data(as_text=True)
    assert "Would be created" in page and "Apply the import" in page
    assert _apply(client, run).status_code == 302
    assert ImportRun.get_by_id(run.id).state == "applied"
    unit1 = Unit.get(Unit.number == "1")
    assert (unit1.share_numerator, unit1.share_denominator, unit1.area) == (6450, 100000, 64.5)
    assert sorted((o.person.surname, o.share_numerator, o.share_denominator, o.is_main) for o in unit1.ownerships) == [
        ("Malá", 1, 2, True), ("Malý", 1, 2, False),
    ]  # fmt: skip
    assert AuditLog.select().where(AuditLog.action == "exchange.import_applied").count() == 1
    after = _state()
    # The same file again: the columns are remembered, the check finds nothing to do, applying changes nothing.
    again = _check(client, "ownership", OWNERS_CSV.encode())
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    page = client.get(f"/alpha/admin/import/{again.id}").get_data(as_text=True)
    assert "This same file was applied on" in page
    _apply(client, again)
    assert ImportRun.get_by_id(again.id).state == "applied"
    assert _state() == after


def test_one_bad_row_applies_nothing_and_names_row_and_column(client, board, alpha):
    bad = OWNERS_CSV.replace("5100/100000;51;", "5100/100000;lots;")
    before = _state()
    run = _check(client, "ownership", bad.encode())
    assert (run.state, run.created, run.invalid) == ("checked", 2, 1)
    page = client.get(f"/alpha/admin/import/{run.id}").get_data(as_text=True)
    assert "Row 4, column “Plocha”" in page
    assert "Apply the import" not in page
    response = _apply(client, run)  # even posted by hand
    assert ImportRun.get_by_id(run.id).state == "checked"
    assert _state() == before
    assert "Only a checked file without errors can be applied." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_the_mapping_is_remembered_per_header(client, board, alpha):
    csv = "Hus;Lgh;Andelstal;Mejl\nA;1;1/2;a@example.se\nA;2;1/2;b@example.se\n"
    run = _check(client, "units", csv.encode(), col_share="Andelstal", col_unit="Lgh", col_building="Hus")
    assert run.state == "checked" and run.created == 2
    assert ImportMapping.select().count() == 1
    page = client.get(f"/alpha/admin/import/{_run_id(_upload(client, 'units', csv.encode()))}/columns")
    assert "These are the columns remembered" in page.get_data(as_text=True)
    assert '<option selected value="Andelstal">' in page.get_data(as_text=True) or (
        'value="Andelstal" selected' in page.get_data(as_text=True)
    )


def test_hostile_cells_are_stored_as_text_and_shown_escaped(client, board, alpha):
    csv = ('Dům;Jednotka;Podíl;Příjmení;E-mail\nA;1;1;"=HYPERLINK(""http://evil.example"",""x"")";x@example.cz\n'
           "A;2;1;<script>alert(1)</script>;y@example.cz\n")  # fmt: skip
    run = _check(client, "ownership", csv.encode())
    assert run.created == 2, client.get(f"/alpha/admin/import/{run.id}").get_data(as_text=True)[-3000:]
    _apply(client, run)
    assert {p.surname for p in _imported()} == {
        '=HYPERLINK("http://evil.example","x")',
        "<script>alert(1)</script>",
    }
    page = client.get(f"/alpha/admin/import/{run.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    people = client.get("/alpha/people").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in people and "&lt;script&gt;" in people


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1250"])
def test_czech_csv_in_utf8_with_bom_or_windows_1250(client, board, alpha, encoding):
    run = _check(client, "ownership", OWNERS_CSV.encode(encoding))
    assert (run.created, run.encoding) == (3, "utf-8" if encoding == "utf-8-sig" else "cp1250")
    _apply(client, run)
    assert {p.surname for p in _imported()} == {"Malá", "Malý", "Svoboda"}


def test_swedish_latin1_comma_csv(client, board, alpha):
    csv = 'Fastighet,Lägenhet,Andelstal,Förnamn,Efternamn,Personnummer\nBrf Åsen,1101,"1/2",Åsa,Öberg,19800101-1234\n'
    run = _check(client, "ownership", csv.encode("latin-1"))
    assert (run.created, run.encoding) == (1, "cp1252")
    _apply(client, run)
    assert _imported()[0].surname == "Öberg" and Building.get().name == "Brf Åsen"


def test_text_in_no_known_encoding_is_refused_with_a_message(client, board, alpha):
    response = _upload(client, "units", b"A;B\n\x81\x8d;\x8f\x90\n")
    assert response.status_code == 422
    assert "Save it as CSV UTF-8" in response.get_data(as_text=True)
    assert ImportRun.select().count() == 0


def test_an_old_xls_file_is_refused(client, board, alpha):
    response = _upload(client, "units", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "register.xls")
    assert response.status_code == 422 and "old Excel file" in response.get_data(as_text=True)


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_invoices_and_payments(client, board, alpha):
    import datetime as dt

    _apply(client, _check(client, "ownership", OWNERS_CSV.encode()))
    invoices = _xlsx([
        ["Číslo faktury", "Dům", "Jednotka", "Období", "Datum vystavení", "Splatnost", "Částka"],
        [2026001, "Lipová 12", 1, "2026-01", dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 15), 2450.5],
        [2026002, "Lipová 12", 2, "2026-01", dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 15), 1800],
    ])  # fmt: skip
    run = _check(client, "invoices", invoices, "faktury.xlsx")
    assert (run.file_kind, run.created, run.invalid) == ("xlsx", 2, 0), client.get(
        f"/alpha/admin/import/{run.id}"
    ).get_data(as_text=True)[-3000:]
    _apply(client, run)
    assert Invoice.get(Invoice.number == 2026001).total == 245050
    assert Invoice.get(Invoice.number == 2026001).recipient.surname == "Malá"  # the main owner
    payments = _xlsx([["Faktura", "Částka", "Datum platby"], [2026001, 2450.5, dt.date(2026, 1, 10)],
                      [2026002, 2000, dt.date(2026, 1, 10)]])  # fmt: skip
    run = _check(client, "payments", payments, "platby.xlsx")
    assert (run.created, run.invalid) == (1, 1)  # 2000 is more than invoice 2026002 owes
    assert Payment.select().count() == 0


def test_a_large_dry_run_is_paged(client, board, alpha):
    lines = ["Building;Unit;Share"] + [f"A;{n};1/200" for n in range(1, 121)]
    run = _check(client, "units", "\n".join(lines).encode())
    assert run.created == 120
    page = client.get(f"/alpha/admin/import/{run.id}").get_data(as_text=True)
    assert "Page 1 of 3" in page and page.count('class="state state-import-row-created"') == 50
    third = client.get(f"/alpha/admin/import/{run.id}?page=3").get_data(as_text=True)
    assert third.count('class="state state-import-row-created"') == 20


def test_billing_files_need_invoices_manage(client, login_as, alpha, frozen_clock):
    from models import permissions as perms
    from models.portal import Role

    role = Role.create(association=alpha, key="registrar", name="Registrar", permissions=perms.REGISTER_MANAGE)
    from tests.factories.portal import make_user

    user = make_user(alpha, "registrar@alpha.example", "board")
    from models.portal import Membership

    Membership.update(role=role).where(Membership.user == user).execute()
    from tests.helpers import PASSWORD

    client.submit("/alpha/login", {"email": user.email, "password": PASSWORD})
    page = client.get("/alpha/admin/import").get_data(as_text=True)
    assert 'value="ownership"' in page and 'value="invoices"' not in page
    assert _upload(client, "invoices", b"a;b\n1;2\n").status_code == 403
    assert Ownership.select().count() == 0
