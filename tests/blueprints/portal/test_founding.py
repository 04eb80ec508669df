"""`flask association create` and `flask association invite` (issue 16 item 8): a fresh install gets its
first association and board member without the demo; bad input is refused with what to do."""

from __future__ import annotations

from models import Association, Membership, Person, User
from models.community import Category
from models.documents import Folder
from models.portal import Role


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_fresh_install_gets_an_association_and_its_first_board_member(app, outbox):
    made = _run(app, "association", "create", "brf-eken", "Brf <b>Eken</b>", "--language", "sv",
                "--currency", "sek", "--timezone", "Europe/Stockholm")  # fmt: skip
    assert made.exit_code == 0, made.output
    eken = Association.get(Association.slug == "brf-eken")
    assert (eken.name, eken.locale, eken.currency, eken.timezone) == (
        "Brf <b>Eken</b>", "sv", "SEK", "Europe/Stockholm",
    )  # fmt: skip
    assert {r.key for r in Role.select().where(Role.association == eken)} >= {
        "tenant",
        "member",
        "board",
        "administrator",
    }
    assert Folder.select().where(Folder.association == eken).count() >= 5
    assert Category.select().where(Category.association == eken).exists()

    invited = _run(app, "association", "invite", "brf-eken", "Eva@Eken.example", "Eva", "Ek")
    assert invited.exit_code == 0, invited.output
    person = Person.get(Person.email == "eva@eken.example")
    membership = Membership.get(Membership.person == person)
    assert membership.role.key == "board" and membership.user.state == User.INVITED
    (mail,) = outbox.rows(to_address="eva@eken.example")
    assert mail.kind == "invite" and "/brf-eken/invite/" in mail.body_text


def test_bad_input_is_refused_with_the_reason_and_nothing_made(app, outbox):
    assert _run(app, "association", "create", "eken", "Brf Eken").exit_code == 0
    refusals = {
        ("association", "create", "eken", "Again"): "already has the address",
        ("association", "create", "homes", "X"): "cannot be an address",
        ("association", "create", "language", "X"): "cannot be an address",  # the install's own /language
        ("association", "create", "confirm-email", "X"): "cannot be an address",
        ("association", "create", "Bad Slug", "X"): "cannot be an address",
        ("association", "create", "x2", "X", "--currency", "XYZ"): "not a currency code",
        ("association", "create", "x3", "X", "--timezone", "Mars/Olympus"): "not a time zone",
        ("association", "create", "x4", "X", "--language", "de"): "is not among them",
        ("association", "create", "x5", "  "): "needs a name",
        ("association", "invite", "nowhere", "a@b.example", "A", "B"): "No association",
        ("association", "invite", "eken", "a@b.example", "A", "B", "--role", "king"): "no role",
        ("association", "invite", "eken", "a@b.example\r\nBcc: x@y", "A", "B"): "not an e-mail address",
    }
    for args, reason in refusals.items():
        result = _run(app, *args)
        assert result.exit_code != 0 and reason in result.output, (args, result.output)
    assert Association.select().count() == 1 and not Person.select().exists()
