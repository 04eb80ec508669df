"""`flask` commands: db, demo, jobs, mail, search, users, votes, backup and restore, import."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from blueprints.community import bounces
from blueprints.portal import founding
from blueprints.votes import closing, ledger
from core import backup, clock, doctor, search
from core.storage import storage
from demo import load_benchmark, load_demo
from jobs import periodic
from models import Association
from models.db import db, migration_runner, upgrade
from models.votes import Vote


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(votes_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(doctor_command)
    app.cli.add_command(association_cli)
    app.cli.add_command(import_command)
    app.cli.add_command(privacy_cli)


db_cli = AppGroup("db", help="Database schema migrations (peewee's playhouse.migrations).")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every pending migration."""
    with db.connection_context():
        applied = upgrade()
    click.echo("\n".join(f"applied: {name}" for name in applied) or "The database is up to date.")


@db_cli.command("status")
def db_status():
    """List migrations and whether each is applied."""
    with db.connection_context():
        for migration in migration_runner().status():
            mark = "x" if migration.applied else " "
            click.echo(f"[{mark}] {migration.name}")


@db_cli.command("create")
@click.argument("name")
def db_create(name: str):
    """Write a new, empty numbered migration file."""
    click.echo(migration_runner().create(name))


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("tick")
def jobs_tick():
    """Re-queue unsent mail and invoices, mail due event and meter reading reminders and new posts, close votes
    whose end has passed and mail vote reminders, clear old login attempts, ask the seekers' website routes not
    checked for a day, remove data exports past their download time; run every minute from cron without Redis.
    Each job runs once per its interval however many machines tick (jobs/periodic.py): one skipped here counts
    nothing."""
    with db.connection_context():
        count = _tick("outbox-sweep", 0)
        deliveries = _tick("invoice-delivery-sweep", 0)
        reminded = _tick("event-reminders", 0)
        meter_reminded = _tick("meter-reminders", 0)
        saved_mailed = _tick("saved-searches", 0)  # saved searches: homes new to each, once each
        posts = _tick("post-mail-sweep", 0)
        closed, vote_reminders = _tick("votes-sweep", (0, 0))
        _tick("prune", None)
        bounced = _tick("mail-bounces", 0)
        routes_checked = _tick("listing-route-checks", 0)  # only routes last checked more than a day ago
        offers_expired, renewals_reminded, seniority_lost = _tick("waiting-list", (0, 0, 0))
        exports_removed = _tick("expired-exports", 0)
    click.echo(
        f"Re-queued {count} unsent mail(s) and {deliveries} invoice(s) waiting to be mailed;"
        f" {reminded} event reminder(s) mailed; {meter_reminded} meter reading reminder(s) mailed;"
        f" {saved_mailed} saved search(es) mailed new homes;"
        f" {posts} discussion(s) with new posts mailed;"
        f" {closed} vote(s) closed and {vote_reminders} vote reminder(s) mailed;"
        f" {bounced} bounce(s) read from the mailbox;"
        f" {routes_checked} seeker route(s) checked;"
        f" {offers_expired} waiting-list offer(s) expired, {renewals_reminded} renewal reminder(s) mailed,"
        f" {seniority_lost} seniority(ies) lost;"
        f" {exports_removed} expired data export(s) removed."
    )


def _tick(name: str, nothing):
    """The periodic job's result, or `nothing` when another machine ran it in this interval already."""
    result = periodic.run(name)
    return nothing if result == periodic.SKIPPED else result


mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("bounces")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def mail_bounces_command(path: Path):
    """Read bounce messages from a Maildir or an mbox file: mark the mail and the person whose address bounced."""
    with db.connection_context():
        tally = bounces.process_path(path, current_app.config.get("MAIL_BOUNCE_ADDRESS"))
    click.echo(f"Read {tally.read} message(s): {tally.recorded} bounce(s) recorded, {tally.ignored} not ours.")


votes_cli = AppGroup("votes", help="Votes: closing them, and checking their ballot ledger.")


@votes_cli.command("verify")
@click.argument("vote_id", type=int)
def votes_verify(vote_id: int):
    """Recompute a vote's hash chain and its count from the stored ballots; exit 1 if anything differs."""
    with db.connection_context():
        vote = Vote.get_or_none(Vote.id == vote_id)
        if vote is None:
            raise click.ClickException(f"No vote has the id {vote_id}.")
        checked = ledger.verify(vote)
    click.echo(f"Vote {vote.id} «{vote.title}» ({vote.state}): {checked.entries} ledger entries.")
    click.echo(f"Final hash: {checked.head or '-'}")
    if vote.state == Vote.CLOSED:
        click.echo(f"Published final hash: {vote.ledger_head or '-'}")
    for problem in checked.problems:
        click.echo(f"PROBLEM: {problem}")
    if not checked.ok:
        click.echo(f"FAILED: {len(checked.problems)} problem(s).")
        raise SystemExit(1)
    counted = "the ballots add up to the published result" if vote.result_json else "the ballots match the ledger"
    click.echo(f"OK: the chain is intact and {counted}.")


@votes_cli.command("close-due")
def votes_close_due():
    """Close every running vote whose end has passed: count, publish the protocol, mail the result."""
    with db.connection_context():
        closed = closing.close_due()
        lines = [closing.closing_report(vote_id) for vote_id in closed]
    click.echo("\n".join(lines) or "No vote is due to close.")


search_cli = AppGroup("search", help="The quick search's index.")


@search_cli.command("rebuild")
@click.option("--association", "slug", help="Only this association (its address, e.g. solrosen); else all.")
def search_rebuild(slug: str | None):
    """Index every published document (and each registered kind's things) again."""
    with db.connection_context():
        association_id = None
        if slug:
            association = Association.get_or_none(Association.slug == slug)
            if association is None:
                raise click.ClickException(f"No association has the address {slug!r}.")
            association_id = association.id
        count = search.rebuild(association_id)
    click.echo(f"Indexed {count} item(s).")


@click.command("demo")
@with_appcontext
@click.option("--units", type=int, default=0, help="Also add a benchmark association with this many units.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has associations.")
def demo_command(units: int, if_empty: bool):
    """Load the demo associations and accounts (password: demo-password)."""
    with db.connection_context():
        if if_empty and Association.select().exists():
            click.echo("The database already has data; demo not loaded.")
            return
        for line in load_demo():
            click.echo(line)
        if units:
            for line in load_benchmark(units):
                click.echo(line)


@click.command("backup")
@with_appcontext
@click.option(
    "--to", "target", type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the backup in (default: instance/backups).",
)  # fmt: skip
@click.option("--keep", type=click.IntRange(min=1), help="Then remove all but this many newest backups there.")
def backup_command(target: Path | None, keep: int | None):
    """Write a consistent snapshot of the database and every uploaded file, with a manifest and checksums."""
    config = current_app.config
    target = target or Path(config["INSTANCE_DIR"]) / "backups"
    try:
        folder, manifest = backup.make_backup(config["DATABASE_URL"], storage(), target, clock.now())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest.tables.values())
    size = sum(facts["size"] for facts in manifest.files.values())
    click.echo(
        f"Backup written to {folder}: {len(manifest.tables)} tables, {rows} rows,"
        f" {len(manifest.files)} files ({size / 1_000_000:.1f} MB)."
    )
    for old in backup.prune(target, keep) if keep else []:
        click.echo(f"Removed the older backup {old}.")


@click.command("restore")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check-only", is_flag=True, help="Only check the backup against its manifest; change nothing.")
def restore_command(folder: Path, check_only: bool):
    """Bring a backup made by `flask backup` into this install, which must be empty; refuse a damaged one."""
    config = current_app.config
    known = [migration.name for migration in migration_runner().migrations()]
    db.close()  # the restore writes the database itself; no connection of ours may hold it
    try:
        if check_only:
            manifest = backup.check(folder)
        else:
            manifest = backup.restore(folder, config["DATABASE_URL"], storage(), known)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    done = "is complete" if check_only else "was restored"
    click.echo(
        f"The backup of {manifest.created_at} {done}: {sum(manifest.tables.values())} rows in"
        f" {len(manifest.tables)} tables, {len(manifest.files)} files."
    )
    if not check_only:
        click.echo("Run `flask db upgrade` next if this Porch is newer than the backup.")


@click.command("doctor")
@with_appcontext
def doctor_command():
    """Check this configuration: secret key, database and migrations, Redis, SMTP, folders, HTTPS."""

    def pending() -> list[str]:
        with db.connection_context():
            return [migration.name for migration in migration_runner().status() if not migration.applied]

    findings = doctor.examine(current_app.config, pending)
    for finding in findings:
        click.echo(f"[{finding.state:>4}] {finding.subject}: {finding.message}")
    failed = [finding for finding in findings if finding.state == doctor.FAIL]
    if failed:
        click.echo(f"{len(failed)} problem(s) to fix before serving.")
        raise SystemExit(1)
    click.echo("Ready to serve.")


association_cli = AppGroup("association", help="Associations on this install, and their first board member.")


@association_cli.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--language", default="en", show_default=True, help="Its pages' and mails' language (en sv da cs et).")
@click.option("--currency", default="EUR", show_default=True, help="ISO code: SEK, DKK, CZK, EUR, …")
@click.option("--timezone", default="UTC", show_default=True, help="Where its days begin, e.g. Europe/Prague.")
def association_create(slug: str, name: str, language: str, currency: str, timezone: str):
    """Start an association at /SLUG/ with its roles, document folders and discussion categories."""
    with db.connection_context():
        try:
            association = founding.found_association(slug, name, language, currency, timezone)
        except founding.FoundingError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Created {association.name} at /{association.slug}/. Next: flask association invite {slug} …")


@association_cli.command("invite")
@click.argument("slug")
@click.argument("email")
@click.argument("given_name")
@click.argument("surname")
@click.option("--role", default="board", show_default=True, help="tenant, member, board or administrator.")
def association_invite(slug: str, email: str, given_name: str, surname: str, role: str):
    """Add a person to the register with a role and mail them the link to set their password."""
    with db.connection_context():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            raise click.ClickException(f"No association has the address {slug!r}.")
        try:
            outcome = founding.invite_first(association, email, given_name, surname, role)
        except founding.FoundingError as error:
            raise click.ClickException(str(error)) from None
    where = (
        ""
        if current_app.config.get("SMTP_URL")
        else f" (no SMTP_URL: the mail is in {current_app.config['OUTBOX_DIR']})"
    )
    done = "joins with their existing password" if outcome == "joined" else "is invited to set a password"
    click.echo(f"{email} {done}; the mail is on its way{where}.")


# --- import (issue 16 item 1) ------------------------------------------------------------------------------


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--association", "slug", required=True, help="The association's address (slug).")
@click.option("--kind", required=True, type=click.Choice((
    "ownership", "units", "people", "residents", "contracts", "charges", "invoices", "payments")),
    help="What the rows are.")  # fmt: skip
@click.option("--mapping", "mapping_text", default=None,
              help='Which column holds which key, as JSON or a JSON file: {"unit": "Číslo jednotky", ...}. '
                   "Default: the mapping remembered for this header, else one guessed from the header.")  # fmt: skip
@click.option("--source", default="", help="Remember the mapping used under this source's name.")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would change; keep nothing.")
@click.option("--errors", "shown_errors", default=50, show_default=True, help="How many errors to print.")
@with_appcontext
def import_command(file: Path, slug: str, kind: str, mapping_text: str | None, source: str, dry_run: bool,
                   shown_errors: int):  # fmt: skip
    """Import units, people, owners, residents, contracts, charges, invoices or payments from a CSV or XLSX
    file, as the board's import page does: every row or none. Exit code 0: done (or, with --dry-run, every row
    is right); 1: rows refused, nothing kept; 2: the file, the mapping or the association cannot be used."""
    import json
    import time

    from blueprints.exchange import importing

    def fail(message: str) -> None:
        click.echo(f"error: {message}", err=True)
        raise SystemExit(2)

    with db.connection_context():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            fail(f"no association has the address {slug!r}")
        try:
            table = importing.read_table(file.read_bytes())
        except importing.ImportFileError as error:
            fail(f"{file.name}, row {error.where or '?'}: {error.message}")
        if mapping_text:
            path = Path(mapping_text)
            try:
                mapping = json.loads(path.read_text() if path.is_file() else mapping_text)
            except (ValueError, OSError) as error:
                fail(f"--mapping is neither JSON nor a JSON file ({error})")
            if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
                fail('--mapping must map keys to column names: {"unit": "Number", ...}')
            unknown = sorted(set(mapping) - set(importing.KEYS[kind]))
            if unknown:
                fail(f"keys not taken by {kind}: {', '.join(unknown)} (taken: {', '.join(importing.KEYS[kind])})")
        else:
            saved = importing.saved_mapping(association, kind, table.key)
            mapping = json.loads(saved.mapping) if saved else importing.guess(table.header, kind)
            click.echo(f"columns {'remembered from ' + repr(saved.source) if saved else 'guessed from the header'}:")
        for key, column in mapping.items():
            click.echo(f"  {key:<22} <- {column}")
        found = importing.problems(mapping, table.header, kind)
        if found:
            fail("; ".join(f"{key}: {message}" for key, message in found.items()))
        started = time.perf_counter()
        outcomes = importing.import_rows(association, kind, table, mapping, apply=not dry_run, user=None,
                                         name=file.name)  # fmt: skip
        seconds = time.perf_counter() - started
        counts = importing.counts_of(outcomes)
        if source and not dry_run and not counts["invalid"]:
            importing.save_mapping(association, kind, table.key, mapping, source)
    column_of = dict(mapping)
    errors = [(line, column_of.get(error.field, error.field), error.message)
              for (line, _cells), outcome in zip(table.rows, outcomes, strict=True) for error in outcome.errors]  # fmt: skip
    for line, column, message in errors[:shown_errors]:
        click.echo(f"row {line}, column {column!r}: {message}" if column else f"row {line}: {message}")
    if len(errors) > shown_errors:
        click.echo(f"... and {len(errors) - shown_errors} more errors")
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{len(outcomes)} rows in {seconds:.1f} s: {counts['created']} {verb} created, {counts['changed']} {verb} "
        f"changed, {counts['unchanged']} left as they are, {counts['invalid']} refused."
    )
    if counts["invalid"]:
        click.echo("Nothing was imported: every row must be right." if not dry_run else "Correct the rows above.")
        raise SystemExit(1)
    click.echo("Checked: nothing was kept (--dry-run)." if dry_run else "Imported.")


# --- exchange: privacy exports (GDPR access, leaving Porch) ---------------------------------------------------

privacy_cli = AppGroup("privacy", help="Members' own-data files and the association exports.")


@privacy_cli.command("remove-expired")
def privacy_remove_expired():
    """Remove the files of data exports whose download time has passed (run it daily from cron)."""
    from blueprints.exchange import privacy_jobs

    with db.connection_context():
        count = privacy_jobs.remove_expired()
    click.echo(f"Removed {count} expired export file(s).")
