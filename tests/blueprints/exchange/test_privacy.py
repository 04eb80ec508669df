"""GDPR (SPEC I3): a member's own data as a ZIP, and the board's erasure of a person who has left.

Jobs run inline (no REDIS_URL); the ZIP is read back as the member downloads it. The erasure test searches
every text column of every table, found from the database's own catalogue, for the erased values.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import peewee as pw
import pytest

import models
from blueprints.billing import ledger
from blueprints.community import search as post_search  # noqa: F401  (registers the post kind)
from blueprints.exchange import privacy_graph as graph
from blueprints.votes import ballots
from blueprints.votes import ledger as vote_ledger
from core import search
from core.audit import audit
from jobs import periodic
from models import (
    AuditLog,
    Ballot,
    DataExport,
    Erasure,
    FaultAttachment,
    FaultReport,
    Membership,
    OutboundEmail,
    Ownership,
    Person,
    PostMention,
    PostRevision,
    SecondFactor,
    User,
    UserSession,
)
from models.db import db
from tests.factories.billing import make_invoice, make_payment
from tests.factories.community import make_post, make_topic
from tests.factories.votes import make_vote, option
from tests.helpers import link_in

HOSTILE = "<script>alert(1)</script>"


# --- the model graph ------------------------------------------------------------------------------------


def test_every_link_to_a_person_or_an_account_says_what_it_means():
    """A model added later with a foreign key to Person or User fails here until LINKS says whether it is
    exported as theirs, as a reference, or is not personal (and why)."""
    links = {(f.model.__name__, f.name) for f in graph.personal_links()}
    missing = sorted(links - set(graph.LINKS))
    assert not missing, f"say in privacy_graph.LINKS what these links mean: {missing}"
    assert not set(graph.LINKS) - links, "LINKS names links that no longer exist"


def test_every_model_belongs_to_an_association_or_is_an_accounts_own():
    """The association's export and the erasure's sweep reach every model but a login's own security rows."""
    lost = [
        m.__name__
        for m in models.ALL_MODELS
        if graph.association_path(m) is None and m.__name__ not in graph.ACCOUNT_ONLY
    ]
    assert not lost, f"no way from these models to an association: {lost}"


# --- a member's own data ----------------------------------------------------------------------------------


@pytest.fixture
def neighbours(app, alpha, make_association, make_user, make_unit, make_owner, make_resident, frozen_clock):
    """Anna (hostile name) and Bob share unit A1 in alpha; Carl is in beta. Each has an invoice, a fault, a post."""
    beta = make_association("beta")
    anna = make_user(alpha, "anna@alpha.example", "member")
    bob = make_user(alpha, "bob@alpha.example", "member")
    carl = make_user(beta, "carl@beta.example", "member")
    people = {}
    for user, given, surname, phone in (
        (anna, HOSTILE, "Annasson", "070-111 11 11"),
        (bob, "Bob", "Bobsson", "070-222 22 22"),
        (carl, "Carl", "Carlsson", "070-333 33 33"),
    ):
        person = Person.get(Person.user == user)
        person.given_name, person.surname, person.phone_mobile = given, surname, phone
        person.save()
        people[user.email] = person
    unit = make_unit(alpha, "A1")
    make_owner(unit, people["anna@alpha.example"])
    make_resident(unit, people["bob@alpha.example"])
    beta_unit = make_unit(beta, "B1")
    make_owner(beta_unit, people["carl@beta.example"])
    for user, association in ((anna, alpha), (bob, alpha), (carl, beta)):
        person = people[user.email]
        invoice = make_invoice(association, person, unit=unit if association == alpha else beta_unit)
        make_payment(invoice, invoice.total)
        FaultReport.create(
            association=association, reporter=user, reporter_person=person, title=f"Fault of {person.surname}"
        )
        make_post(make_topic(association, f"Topic of {person.surname}", author=user), user, f"Post by {person.surname}")
    return {"anna": anna, "bob": bob, "carl": carl, "unit": unit, **people}


def download(client, response_or_path) -> zipfile.ZipFile:
    response = client.get(response_or_path)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_a_member_gets_their_own_data_by_a_mailed_link_and_nobody_elses(
    app, client, new_client, login, neighbours, outbox
):
    login(client, "anna@alpha.example")
    page = client.get("/alpha/account/my-data")
    assert "Make a file of my data" in page.get_data(as_text=True)
    assert client.submit("/alpha/account/my-data", {}).status_code == 302

    export = DataExport.get(DataExport.user == neighbours["anna"])
    assert export.state == DataExport.READY and export.kind == DataExport.PERSON
    assert "Ready" in client.get("/alpha/account/my-data").get_data(as_text=True)
    (mail,) = outbox.rows(kind="data_export_ready")
    assert mail.to_address == "anna@alpha.example"
    with app.app_context():
        message = _as_message(mail)
    path = link_in(message, "/my-data/")
    assert path == f"/alpha/account/my-data/{export.id}/download"

    archive = download(client, path)
    assert {"data.json", "summary.html"} <= set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    tables = data["tables"]
    everything = json.dumps(data)
    # Hers: the account, the register entry, the unit, the ownership, the invoice and its payment, the fault,
    # the topic and the post, the mail the export itself brought.
    assert tables["user"][0]["email"] == "anna@alpha.example"
    assert tables["person"][0]["given_name"] == HOSTILE
    assert [u["number"] for u in tables["unit"]] == ["A1"]
    assert len(tables["ownership"]) == 1
    (invoice,) = tables["invoice"]
    assert invoice["recipient_id"] == neighbours["anna@alpha.example"].id
    assert [p["invoice_id"] for p in tables["payment"]] == [invoice["id"]]
    assert tables["invoice_line"] and all(line["invoice_id"] == invoice["id"] for line in tables["invoice_line"])
    assert [f["title"] for f in tables["fault_report"]] == ["Fault of Annasson"]
    assert [p["body"] for p in tables["post"]] == ["Post by Annasson"]
    assert tables["membership"][0]["association_id"] == neighbours["unit"].association_id
    # Nobody else's: not Bob's, who shares the unit, nor Carl's in another association; and no secrets.
    for other in ("Bobsson", "bob@alpha.example", "070-222 22 22", "Carlsson", "carl@beta.example", "070-333"):
        assert other not in everything, other
    anna_id = neighbours["anna@alpha.example"].id
    assert all(r["person_id"] == anna_id for r in tables.get("residency", []))  # Bob's residency is his
    assert "password_hash" not in everything and "key_hash" not in everything

    summary = archive.read("summary.html").decode()
    assert HOSTILE not in summary and "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    assert "Fault of Annasson" in summary and "Bobsson" not in summary

    # Bob, another member, cannot open it; neither can beta's Carl.
    bob = new_client()
    login(bob, "bob@alpha.example")
    assert bob.get(path).status_code == 404
    assert bob.get(f"/alpha/account/my-data/{export.id}").status_code == 404
    carl = new_client()
    login(carl, "carl@beta.example")
    assert carl.get(path).status_code == 403
    assert new_client().get(path).status_code == 302  # to the login page


def _as_message(row: OutboundEmail):
    from email.message import EmailMessage

    message = EmailMessage()
    message.set_content(row.body_text)
    return message


def test_the_file_expires_and_is_removed(app, client, login, neighbours, outbox, frozen_clock):
    login(client, "anna@alpha.example")
    client.submit("/alpha/account/my-data", {})
    export = DataExport.get(DataExport.user == neighbours["anna"])
    stored = Path(app.config["UPLOAD_DIR"]) / export.stored_name
    assert stored.is_file()
    frozen_clock.advance(dt.timedelta(days=8))
    assert client.get(f"/alpha/account/my-data/{export.id}/download").status_code == 410
    assert not stored.is_file()
    page = client.get("/alpha/account/my-data").get_data(as_text=True)
    assert "The file has expired" in page and "Make a new file of my data" in page


def test_a_failed_export_says_so_and_can_be_asked_again(app, client, login, neighbours, outbox, monkeypatch):
    from blueprints.exchange import privacy_export

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy_export, "write_person_export", broken)
    login(client, "anna@alpha.example")
    client.submit("/alpha/account/my-data", {})
    export = DataExport.get(DataExport.user == neighbours["anna"])
    assert export.state == DataExport.FAILED and export.stored_name is None
    page = client.get(f"/alpha/account/my-data/{export.id}").get_data(as_text=True)
    assert "Failed" in page and "could not be made" in page
    assert not list((Path(app.config["UPLOAD_DIR"]) / "exports").rglob("*.zip"))
    monkeypatch.undo()
    client.submit("/alpha/account/my-data", {})
    assert DataExport.select().where(DataExport.state == DataExport.READY).count() == 1


# --- erasure ------------------------------------------------------------------------------------------------

ERIK = {
    "given_name": "Erik",
    "surname": "Eraseme",
    "email": "erik.eraseme@alpha.example",
    "phone_mobile": "070-999 88 77",
    "personal_id": "19800101-1234",
}
OLD_VALUES = ("Erik Eraseme", "Eraseme Erik", "erik.eraseme@alpha.example", "070-999 88 77", "19800101-1234")


@pytest.fixture
def erik(app, alpha, make_user, make_unit, make_owner, make_person, frozen_clock, outbox):
    """Erik owned C1 until today, voted, paid his invoice, reported a fault with a photo, posted, was
    mentioned by a neighbour, got mail; then sold C1 to Nina."""
    with app.test_request_context():  # the vote's start and the audit entry need one
        user = User.create(email=ERIK["email"], name="Erik Eraseme", state=User.ACTIVE, password_hash="x")
        person = make_person(alpha, ERIK["email"], user=user, **{k: v for k, v in ERIK.items() if k != "email"})
        membership = Membership.create(user=user, association=alpha, role=alpha.role("member"), person=person)
        UserSession.start(user)
        SecondFactor.create(user=user, kind=SecondFactor.TOTP, secret="PORCHDEMOPORCHDEMO")
        unit = make_unit(alpha, "C1", share=(1, 1))
        owned = make_owner(unit, person, started_on=dt.date(2020, 1, 1))
        invoice = make_invoice(alpha, person, unit=unit, issue_date=dt.date(2026, 1, 15), due_date=dt.date(2026, 1, 31))
        make_payment(invoice, invoice.total, paid_on=dt.date(2026, 1, 20))

        vote = make_vote(alpha, "Paint the stairwell?")
        ballots.cast(vote, Membership.current(user, alpha), unit.id, option(vote, "Yes").id)

        report = FaultReport.create(association=alpha, unit=unit, reporter=user, reporter_person=person, title="Leak")
        photo = Path(app.config["UPLOAD_DIR"]) / str(alpha.id) / "faults" / "f-0123456789abcdef0123456789abcdef.jpg"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(b"\xff\xd8\xff photo")
        FaultAttachment.create(
            report=report, uploaded_by=user, stored_name=photo.name, original_name="erik-leak.jpg",
            content_type="image/jpeg", size=10,
        )  # fmt: skip
        topic = make_topic(alpha, "Stairwell", author=user)
        post = make_post(topic, user, "Call me on 070-999 88 77. Erik Eraseme")
        PostRevision.create(post=post, body="First draft, Erik Eraseme, 19800101-1234", written_at=post.created_at)
        nina_user = make_user(alpha, "nina@alpha.example", "member")
        mention = make_post(topic, nina_user, "Thanks @Erik Eraseme (erik.eraseme@alpha.example)!")
        PostMention.create(post=mention, user=user)
        OutboundEmail.create(
            association=alpha, recipient_user=user, to_address=ERIK["email"], kind="invoice", subject="Invoice for Erik Eraseme",
            body_text="Hello Erik Eraseme", body_html="<p>Hello Erik Eraseme</p>", status="sent",
        )  # fmt: skip
        audit("register.person_changed", association=alpha, target="Erik Eraseme", email=ERIK["email"])
        search.rebuild(alpha.id)

        # He sells C1 to Nina today: he has left.
        Ownership.update(ended_on=alpha.today()).where(Ownership.id == owned.id).execute()
        make_owner(unit, Person.get(Person.user == nina_user), started_on=alpha.today())
        return {"user": user, "person": person, "membership": membership, "unit": unit, "vote": vote,
                "photo": photo, "invoice": invoice}  # fmt: skip


def _every_text_value() -> list[tuple[str, str, str]]:
    """(table, column, value) of every text column of every table, read from the database's catalogue."""
    found = []
    if isinstance(db.obj, pw.SqliteDatabase):
        tables = [row[0] for row in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {}
        for table in tables:
            if table.startswith("search_fts_"):  # FTS5's own storage: the words as binary pages
                continue
            info = db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()
            columns[table] = [
                c[1] for c in info if not c[2] or any(t in c[2].upper() for t in ("CHAR", "TEXT", "CLOB"))
            ]
    else:
        rows = db.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND data_type IN ('text', 'character varying', 'character')"
        ).fetchall()
        columns = {}
        for table, column in rows:
            columns.setdefault(table, []).append(column)
    for table, names in columns.items():
        if not names:
            continue
        quoted = ", ".join(f'"{name}"' for name in names)
        for row in db.execute_sql(f'SELECT {quoted} FROM "{table}"').fetchall():
            found += [(table, name, value) for name, value in zip(names, row, strict=True) if isinstance(value, str)]
    return found


def _holding(values) -> list[tuple[str, str, str]]:
    lowered = [v.lower() for v in values]
    return [(t, c, v) for t, c, v in _every_text_value() if any(old in v.lower() for old in lowered)]


def _totals(vote) -> dict:
    return {o: Ballot.select().where((Ballot.vote == vote) & (Ballot.option == o)).count() for o in vote.options}


def test_erasure_leaves_no_trace_of_the_person_and_the_history_still_adds_up(app, client, login_as, erik, outbox):
    assert _holding(OLD_VALUES), "the test must start with the values in the database"
    person = erik["person"]
    today = person.association.today()
    balance_before = ledger.owed(person, today) if hasattr(ledger, "owed") else None
    statement_before = ledger.person_statement(person, ledger.Period(dt.date(2000, 1, 1), today), today)
    totals_before = _totals(erik["vote"])

    board = login_as("board")
    page = client.get(f"/alpha/people/{person.id}/erase").get_data(as_text=True)
    assert "Erase Erik Eraseme?" in page and "Fault photo erik-leak.jpg" in page and "Erase for good" in page
    refused = client.submit(f"/alpha/people/{person.id}/erase", {})
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    response = client.submit(f"/alpha/people/{person.id}/erase", {"confirm": "y"})
    assert response.status_code == 302

    leftovers = _holding(OLD_VALUES)
    assert not leftovers, leftovers
    person = Person.get_by_id(person.id)
    assert person.surname.startswith("Former resident ") and person.user_id is None
    # The account and everything that let it in are gone.
    assert User.get_or_none(User.id == erik["user"].id) is None
    assert not UserSession.select().where(UserSession.user == erik["user"].id).exists()
    assert not SecondFactor.select().where(SecondFactor.user == erik["user"].id).exists()
    assert not Membership.select().where(Membership.id == erik["membership"].id).exists()
    # His photo is gone; his history is kept under the pseudonym and adds up as before.
    assert not erik["photo"].exists()
    assert Ownership.select().where(Ownership.person == person).count() == 1
    statement = ledger.person_statement(person, ledger.Period(dt.date(2000, 1, 1), today), today)
    assert statement.adds_up and statement.closing == statement_before.closing == 0
    assert (statement.invoiced, statement.paid) == (statement_before.invoiced, statement_before.paid)
    assert _totals(erik["vote"]) == totals_before
    assert vote_ledger.verify(models.Vote.get_by_id(erik["vote"].id)).ok
    assert Ballot.get(Ballot.vote == erik["vote"]).cast_by_id == person.id
    post_author = models.Post.get(models.Post.body.contains("Call me")).author
    assert post_author.name == person.surname and post_author.state == User.DISABLED
    # The search finds the pseudonym, not the name.
    words = " ".join(t.body for t in models.SearchText.select())
    assert person.surname in words and "Eraseme" not in words
    # Logged without the erased data.
    erasure = Erasure.get()
    assert erasure.pseudonym == person.surname and erasure.erased_by_id == board.id and erasure.files_removed == 1
    logged = AuditLog.get(AuditLog.action == "register.person_erased")
    assert logged.target == person.surname and "Erik" not in logged.detail
    assert balance_before is None or balance_before <= 0


def test_erasure_is_refused_while_they_own_a_unit_or_owe_money(app, client, login_as, alpha, make_person,
                                                                 make_unit, make_owner, frozen_clock):  # fmt: skip
    owner = make_person(alpha, "olle@alpha.example", given_name="Olle", surname="Owner")
    make_owner(make_unit(alpha, "D1"), owner)
    debtor = make_person(alpha, "dora@alpha.example", given_name="Dora", surname="Debtor")
    make_invoice(alpha, debtor, issue_date=dt.date(2026, 1, 15), due_date=dt.date(2026, 1, 31))
    login_as("board")
    page = client.get(f"/alpha/people/{owner.id}/erase").get_data(as_text=True)
    assert "They still own Flat D1" in page and "Erase for good" not in page
    response = client.submit(f"/alpha/people/{owner.id}/erase", {"confirm": "y"})
    assert response.status_code == 422
    page = client.get(f"/alpha/people/{debtor.id}/erase").get_data(as_text=True)
    assert "They owe" in page and "settle or write off" in page
    assert client.submit(f"/alpha/people/{debtor.id}/erase", {"confirm": "y"}).status_code == 422
    assert Person.get_by_id(owner.id).surname == "Owner" and Person.get_by_id(debtor.id).surname == "Debtor"
    assert not Erasure.select().exists()


def test_files_kept_for_a_stated_legal_reason(app, client, login_as, erik, outbox):
    login_as("board")
    path = f"/alpha/people/{erik['person'].id}/erase"
    response = client.submit(path, {"confirm": "y", "keep_files": "y", "keep_reason": ""})
    assert response.status_code == 422 and "State the legal reason" in response.get_data(as_text=True)
    response = client.submit(path, {"confirm": "y", "keep_files": "y", "keep_reason": "Insurance claim 2026-17"})
    assert response.status_code == 302
    assert erik["photo"].exists()
    erasure = Erasure.get()
    assert erasure.kept_reason == "Insurance claim 2026-17" and erasure.files_kept == 1 and erasure.files_removed == 0
    assert not _holding(OLD_VALUES)


def test_an_account_used_in_another_association_stays_there(app, client, login_as, erik, make_association, outbox):
    beta = make_association("beta")
    Membership.create(user=erik["user"], association=beta, role=beta.role("member"))
    login_as("board")
    page = client.get(f"/alpha/people/{erik['person'].id}/erase").get_data(as_text=True)
    assert "also used in another association" in page
    assert client.submit(f"/alpha/people/{erik['person'].id}/erase", {"confirm": "y"}).status_code == 302
    user = User.get_by_id(erik["user"].id)
    assert user.email == ERIK["email"]  # beta's member still logs in
    assert [m.association_id for m in Membership.select().where(Membership.user == user)] == [beta.id]
    # Nothing of alpha points at the login any more.
    assert not models.Post.select().where(models.Post.author == user).exists()
    assert not FaultReport.select().where(FaultReport.reporter == user).exists()


def test_the_command_removes_expired_files(app, client, login, neighbours, outbox, frozen_clock):
    login(client, "anna@alpha.example")
    client.submit("/alpha/account/my-data", {})
    export = DataExport.get()
    stored = Path(app.config["UPLOAD_DIR"]) / export.stored_name
    runner = app.test_cli_runner()
    assert "Removed 0 expired" in runner.invoke(args=["privacy", "remove-expired"]).output
    frozen_clock.advance(dt.timedelta(days=7, minutes=1))
    assert "Removed 1 expired" in runner.invoke(args=["privacy", "remove-expired"]).output
    assert not stored.exists() and DataExport.get().stored_name is None


def test_the_hourly_job_removes_expired_files_too(app, client, login, neighbours, outbox, frozen_clock):
    """Without anyone running the command, the periodic job (jobs/periodic.py) removes what has expired."""
    login(client, "anna@alpha.example")
    client.submit("/alpha/account/my-data", {})
    stored = Path(app.config["UPLOAD_DIR"]) / DataExport.get().stored_name
    assert "expired-exports" in periodic.BY_NAME and stored.exists()
    frozen_clock.advance(dt.timedelta(days=7, minutes=1))
    with app.app_context():
        assert periodic.run("expired-exports") == 1
    assert not stored.exists() and DataExport.get().stored_name is None
