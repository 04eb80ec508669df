"""`flask demo` and the accounts the README promises."""

from fractions import Fraction

import pytest

from demo import ACCOUNTS
from models import Association, Membership, Ownership, Person, Unit, User


@pytest.fixture(autouse=True)
def _demo_mailing(outbox):
    """The demo sends its mailing (C4): every test here expects that mail."""


def test_demo_creates_the_associations_and_accounts(app, client, login):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert {a.slug: (a.locale, a.currency, a.timezone) for a in Association.select()} == {
        "solrosen": ("sv", "SEK", "Europe/Stockholm"),
        "nakopci": ("cs", "CZK", "Europe/Prague"),
        "kase5": ("et", "EUR", "Europe/Tallinn"),
        "bogely": ("da", "DKK", "Europe/Copenhagen"),
    }
    for email, slug, role, *_ in ACCOUNTS:
        membership = (
            Membership.select().join(User).switch(Membership).join(Association)
            .where((User.email == email) & (Association.slug == slug)).get()
        )  # fmt: skip
        assert membership.role.key == role
    # Both registers hold people without accounts who can sign up.
    assert Person.select().where(Person.user.is_null() & (Person.email != "")).count() >= 4
    # Czech women carry the feminine form of their surname (Jana Novotná, not Jana Novotný).
    nakopci = Association.get(Association.slug == "nakopci")
    women = Person.of(nakopci).where(Person.given_name.in_(["Jana", "Petra", "Lucie", "Hana", "Veronika", "Tereza"]))
    assert women.count() > 10
    assert all(p.surname.endswith("á") for p in women), [p.full_name for p in women if not p.surname.endswith("á")]

    login(client, "owner@solrosen.example", password="demo-password")
    home = client.get("/solrosen/").get_data(as_text=True)
    assert "Välkommen till Brf Solrosen" in home and 'lang="sv"' in home

    again = runner.invoke(args=["demo", "--if-empty"])
    assert "already has data" in again.output


def test_demo_units_adds_a_benchmark_association(app):
    result = app.test_cli_runner().invoke(args=["demo", "--units", "50"])
    assert result.exit_code == 0, result.output
    bench = Association.get(Association.slug == "bench")
    assert Membership.select().where(Membership.association == bench).count() == 50
    units = list(Unit.active(bench))
    assert len(units) == 50
    assert sum((u.share for u in units), Fraction(0)) == 1
    assert Ownership.select().join(Unit).where(Unit.association == bench).count() == 50


def test_demo_billing_has_a_year_of_invoices_in_every_state(app):
    from blueprints.billing import references
    from models.billing import BillingSettings, Contract, Invoice, InvoiceRun

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for slug, standard in (("solrosen", "se_ocr"), ("nakopci", "cz_vs"), ("kase5", "ee")):
        association = Association.get(Association.slug == slug)
        settings = BillingSettings.for_association(association)
        assert settings.reference_standard == standard
        today = association.today()
        # Na Kopci's demo also invoices the months of last year before the twelve (demo/services.py), so
        # its yearly settlement of last year has every month's advances to compare with.
        extra = today.month if slug == "nakopci" else 0
        assert InvoiceRun.of(association).count() == 12 + extra
        invoices = list(Invoice.of(association))
        assert {i.status_on(today) for i in invoices} >= {"paid", "partly_paid", "overdue", "open"}
        for invoice in invoices[:50]:
            assert references.validate(standard, invoice.reference, length_digit=settings.ocr_length_digit)
        assert Contract.of(association).where(Contract.category == Contract.PARKING).exists()
        assert Contract.of(association).where(Contract.category == Contract.HOME).exists()
        owner = Person.get((Person.association == association) & (Person.email == f"owner@{slug}.example"))
        mine = {i.status_on(today) for i in Invoice.of(association).where(Invoice.recipient == owner)}
        assert mine >= {"paid", "partly_paid", "overdue"}, (slug, mine)
    # Running the demo again adds no invoices.
    before = Invoice.select().count()
    app.test_cli_runner().invoke(args=["demo"])
    assert Invoice.select().count() == before


def test_demo_documents_fill_the_folders_in_each_language(app, client, login):
    from models.documents import Document, DocumentAttachment, Folder

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for slug, minutes_word in (("solrosen", "Protokoll"), ("nakopci", "Zápis"), ("kase5", "protokoll")):
        association = Association.get(Association.slug == slug)
        documents = list(Document.of(association))
        assert len(documents) >= 12
        assert any(d.state == Document.DRAFT for d in documents)
        by_folder = {f.key: f for f in Folder.of(association)}
        assert any(d.folder_id == by_folder["board"].id for d in documents)
        assert any(d.folder_id == by_folder["sidebar"].id for d in documents)
        assert any(minutes_word in d.title and d.folder_id == by_folder["minutes"].id for d in documents)
        pdfs = DocumentAttachment.select().join(Document).where(Document.association == association)
        assert pdfs.count() >= 3 and all(pdf.text_state == "done" for pdf in pdfs)
        meetings = [d for d in documents if d.event_rrule]
        assert {d.event_rrule.split(";")[0] for d in meetings} == {"FREQ=YEARLY", "FREQ=MONTHLY"}
    # The Czech minutes' PDF holds the words the search will find.
    zapis = DocumentAttachment.get(DocumentAttachment.original_name == "zapis-shromazdeni-2026.pdf")
    assert "stoupaček" in zapis.text

    login(client, "tenant@solrosen.example", password="demo-password")
    home = client.get("/solrosen/").get_data(as_text=True)
    assert "Städdag lördag 10.00" in home and "Sophämtning" in home
    assert "Offert takrenovering" not in home  # the board's folder
    assert "Städdag i gården" in home  # the next cleaning day, among the upcoming events


def test_demo_community_has_discussions_moderation_and_a_mailing_in_every_state(app, client, login):
    from blueprints.community import mailing as mass_mail
    from models.community import Mailing, ModerationLog, Post, PostDigest, Thread

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for slug in ("solrosen", "nakopci", "kase5"):
        association = Association.get(Association.slug == slug)
        threads = list(Thread.of(association))
        assert sum(t.document_id is not None for t in threads) == 1 and sum(t.is_topic for t in threads) == 3
        assert sum(t.locked for t in threads if t.vote_id is None) == 1  # a closed vote's discussion is locked too
        hidden = Post.select().where((Post.association == association) & (Post.state == Post.HIDDEN))
        assert hidden.count() == 1 and hidden.get().hidden_reason
        actions = {row.action for row in ModerationLog.select().where(ModerationLog.association == association)}
        assert actions == {ModerationLog.HIDE, ModerationLog.LOCK}
        mailing = Mailing.of(association).get()
        states = mass_mail.counts_of([mailing.id])[mailing.id]
        assert states.get("failed") == 1 and states.get("bounced") == 1 and states.get("sent", 0) > 10, states
    # History, not news: nothing waits to be mailed about the demo's posts.
    assert not PostDigest.select().where(PostDigest.state == PostDigest.WAITING).exists()

    login(client, "owner@solrosen.example", password="demo-password")
    page = client.get("/solrosen/discussions").get_data(as_text=True)
    assert "Cykelrummet är fullt" in page and "Laddbox i garaget?" in page


def test_demo_votes_run_close_and_take_paper_and_joint_ballots(app):
    from blueprints.votes import ledger, tally
    from models.votes import Ballot, Vote

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    laws = {"solrosen": Vote.SWEDISH, "nakopci": Vote.CZECH, "kase5": Vote.ESTONIAN}
    for slug, law in laws.items():
        association = Association.get(Association.slug == slug)
        votes = {(v.kind, v.state): v for v in Vote.of(association)}
        assert set(votes) == {(Vote.POLL, Vote.RUNNING), (Vote.POLL, Vote.CLOSED), (Vote.PER_ROLLAM, Vote.RUNNING)}

        running = votes[(Vote.POLL, Vote.RUNNING)]
        counted = tally.read(running)
        assert running.counting == Vote.BY_SHARE and running.live_results
        assert 0 < counted.ballots < counted.eligible_units  # some units have not voted
        assert sum(1 for t in counted.options if t.ballots) >= 2  # the pie has slices
        assert ledger.verify(running).ok

        closed = votes[(Vote.POLL, Vote.CLOSED)]
        assert closed.ends_at < closed.closed_at or closed.closed_at == closed.ends_at
        assert tally.Tally.from_json(closed.result_json).ballots > 0
        assert ledger.verify(closed).ok

        per_rollam = votes[(Vote.PER_ROLLAM, Vote.RUNNING)]
        assert per_rollam.jurisdiction == law
        ballots = list(Ballot.select().where(Ballot.vote == per_rollam))
        paper = [b for b in ballots if b.channel == Ballot.PAPER]
        assert len(paper) == 3 and all(b.scan_name and b.scan_content_type == "application/pdf" for b in paper)
        assert any(b.channel == Ballot.ONLINE and not b.as_proxy for b in ballots)
        # The joint ballot: the demo owner's home, held with a co-owner, cast by the co-owner.
        owner = Person.get((Person.association == association) & (Person.email == f"owner@{slug}.example"))
        home = Ownership.select(Ownership.unit).where(Ownership.person == owner).order_by(Ownership.id).scalar()
        joint = next(b for b in ballots if b.unit_id == home)
        assert joint.cast_by_id != owner.id
        assert Ownership.select().where((Ownership.unit == home) & (Ownership.person == joint.cast_by_id)).exists()
        assert ledger.verify(per_rollam).ok
    again = app.test_cli_runner().invoke(args=["demo"])
    assert "votes exist" in again.output
