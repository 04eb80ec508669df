"""`flask demo` and the accounts the README promises."""

from fractions import Fraction

from demo import ACCOUNTS
from models import Association, Membership, Ownership, Person, Unit, User


def test_demo_creates_the_associations_and_accounts(app, client, login):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert {a.slug: (a.locale, a.currency, a.timezone) for a in Association.select()} == {
        "solrosen": ("sv", "SEK", "Europe/Stockholm"),
        "nakopci": ("cs", "CZK", "Europe/Prague"),
    }
    for email, slug, role, *_ in ACCOUNTS:
        membership = (
            Membership.select().join(User).switch(Membership).join(Association)
            .where((User.email == email) & (Association.slug == slug)).get()
        )  # fmt: skip
        assert membership.role.key == role
    # Both registers hold people without accounts who can sign up.
    assert Person.select().where(Person.user.is_null() & (Person.email != "")).count() >= 4

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
