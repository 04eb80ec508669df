"""`flask` commands: db, demo, jobs, mail, search, users, votes."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from blueprints.community import bounces
from blueprints.votes import closing, ledger
from core import search
from demo import load_benchmark, load_demo
from jobs import community, events, invoices, listing_checks, mail_bounces, meter_reminders, votes, waiting_list
from jobs.email import sweep
from jobs.maintenance import prune
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
    checked for a day; run every minute from cron without Redis."""
    with db.connection_context():
        count = sweep()
        deliveries = invoices.sweep()
        reminded = events.remind()
        meter_reminded = meter_reminders.remind()
        posts = community.sweep()
        closed, vote_reminders = votes.sweep()
        prune()
        bounced = mail_bounces.read_imap()
        routes_checked = listing_checks.check_routes()  # only routes last checked more than a day ago
        offers_expired, renewals_reminded, seniority_lost = waiting_list.sweep()
    click.echo(
        f"Re-queued {count} unsent mail(s) and {deliveries} invoice(s) waiting to be mailed;"
        f" {reminded} event reminder(s) mailed; {meter_reminded} meter reading reminder(s) mailed;"
        f" {posts} discussion(s) with new posts mailed;"
        f" {closed} vote(s) closed and {vote_reminders} vote reminder(s) mailed;"
        f" {bounced} bounce(s) read from the mailbox;"
        f" {routes_checked} seeker route(s) checked;"
        f" {offers_expired} waiting-list offer(s) expired, {renewals_reminded} renewal reminder(s) mailed,"
        f" {seniority_lost} seniority(ies) lost."
    )


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
