"""Votes (SPEC V): polls weighted by share with live results, written per-rollam votes, paper ballots and a
verifiable ledger of every ballot."""

from core.access import association_blueprint

bp = association_blueprint("votes", __name__)
