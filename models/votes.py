"""Votes (SPEC V1-V7, seed 004 §4.4 and §4.15): polls and written per-rollam votes, their ballots and ledger.

A Vote is a poll (options of the board's choosing, counted by share or one unit one vote) or a per-rollam
vote (a resolution answered For, Against or Abstain, evaluated against a threshold). When it starts, the
units that may vote and their weights are frozen as VoteUnit rows: later changes of ownership or shares do
not move them. A unit has at most one Ballot per vote, the last choice made online or the one on paper;
every cast, change and paper entry is appended to the vote's LedgerEntry chain, each entry's SHA-256
covering the one before it, so `flask votes verify` can show that nothing was changed afterwards.
"""

from __future__ import annotations

from fractions import Fraction

import peewee as pw

from core import clock
from core.text import lazy_pgettext as _lp
from models.db import AssociationScoped, BaseModel
from models.documents import Document, Folder
from models.portal import Association, Role, User
from models.register import Person, Unit


class Vote(AssociationScoped, BaseModel):
    POLL, PER_ROLLAM = "poll", "per_rollam"
    KINDS = (POLL, PER_ROLLAM)

    DRAFT, RUNNING, CLOSED = "draft", "running", "closed"
    STATES = (DRAFT, RUNNING, CLOSED)
    STATE_NAMES = {
        DRAFT: _lp("vote state", "Draft"),
        RUNNING: _lp("vote state", "Open"),
        CLOSED: _lp("vote state", "Closed"),
    }

    # How a ballot weighs: the unit's share of the common property, or one unit one vote.
    BY_SHARE, BY_UNIT = "share", "unit"
    # Per rollam: the For side's weight is compared with the weight that voted, or with all eligible weight
    # (then a unit that did not answer counts as not agreeing, as Czech law has it).
    OF_VOTING, OF_ALL = "voting", "all"
    # The law a per-rollam vote follows: it fills the defaults and the checks (blueprints/votes/rules.py).
    NO_LAW, CZECH, ESTONIAN, SWEDISH = "", "cz", "ee", "se"

    PASSED, REJECTED, NO_QUORUM = "passed", "rejected", "no_quorum"

    association = pw.ForeignKeyField(Association, backref="votes", on_delete="CASCADE")
    kind = pw.CharField(max_length=12, default=POLL)
    title = pw.CharField(max_length=200)  # a poll's question, a per-rollam vote's short title
    resolution = pw.TextField(default="")  # per rollam: the resolution the owners approve, word for word
    body = pw.TextField(default="")  # Markdown: the details and background (both kinds)
    counting = pw.CharField(max_length=8, default=BY_SHARE)
    secret = pw.BooleanField(default=False)
    live_results = pw.BooleanField(default=True)
    jurisdiction = pw.CharField(max_length=4, default=NO_LAW)
    evaluation = pw.CharField(max_length=8, default=OF_VOTING)
    # The For side must be MORE than this fraction of the base (exactly the threshold does not pass).
    threshold_numerator = pw.IntegerField(default=1)
    threshold_denominator = pw.IntegerField(default=2)
    # The weight that voted must be AT LEAST this fraction of all eligible weight (0: no minimum).
    quorum_numerator = pw.IntegerField(default=0)
    quorum_denominator = pw.IntegerField(default=1)
    reminders = pw.BooleanField(default=True)  # every REMINDER_DAYS to units that have not voted
    starts_at = pw.DateTimeField(null=True)  # UTC; a draft may say when it should start
    ends_at = pw.DateTimeField(null=True)  # UTC; the vote closes itself then
    state = pw.CharField(max_length=10, default=DRAFT)
    started_at = pw.DateTimeField(null=True)
    closed_at = pw.DateTimeField(null=True)
    last_reminded_at = pw.DateTimeField(null=True)
    result_folder = pw.ForeignKeyField(Folder, null=True, on_delete="SET NULL")  # where the protocol goes
    protocol = pw.ForeignKeyField(Document, null=True, on_delete="SET NULL")  # the published result
    outcome = pw.CharField(max_length=10, default="")  # per rollam, once closed
    # The tally as published when the vote closed (JSON: see blueprints/votes/tally.py), checked by verify.
    result_json = pw.TextField(default="")
    # The ledger: how many entries it holds and the last one's hash (the receipt of the whole vote).
    ledger_length = pw.IntegerField(default=0)
    ledger_head = pw.CharField(max_length=64, default="")
    # Kept with the frozen weights when the vote starts, so pages never add them up.
    eligible_units = pw.IntegerField(default=0)
    total_weight_numerator = pw.BigIntegerField(default=0)
    total_weight_denominator = pw.BigIntegerField(default=1)
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = (
            (("association", "state", "ends_at"), False),
            (("state", "ends_at"), False),  # the sweep: running votes whose end has come
        )

    @property
    def is_per_rollam(self) -> bool:
        return self.kind == self.PER_ROLLAM

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_numerator, self.threshold_denominator or 1)

    @threshold.setter
    def threshold(self, value: Fraction) -> None:
        self.threshold_numerator, self.threshold_denominator = value.numerator, value.denominator

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator or 1)

    @quorum.setter
    def quorum(self, value: Fraction) -> None:
        self.quorum_numerator, self.quorum_denominator = value.numerator, value.denominator

    @property
    def total_weight(self) -> Fraction:
        return Fraction(self.total_weight_numerator, self.total_weight_denominator or 1)

    @property
    def state_name(self) -> str:
        return str(self.STATE_NAMES[self.state])

    @property
    def is_open(self) -> bool:
        return self.state == self.RUNNING

    @classmethod
    def readable_by(cls, role_id) -> pw.Expression:
        """Votes a role's members may read: started ones, for roles granting any vote permission (a draft is
        its managers' alone: views check that). An expression on Vote, for Thread.readable_by and lists."""
        voters = Role.select(Role.id).where((Role.id == role_id) & Role.permissions.contains("votes."))
        return (cls.state != cls.DRAFT) & pw.fn.EXISTS(voters)


class VoteOption(BaseModel):
    """One answer of a vote, in the order shown; locked once the vote starts."""

    vote = pw.ForeignKeyField(Vote, backref="options", on_delete="CASCADE")
    position = pw.IntegerField(default=0)
    label = pw.CharField(max_length=300)
    # Per rollam: which option is For (and Against, Abstain), so evaluation does not read labels.
    meaning = pw.CharField(max_length=8, default="")

    FOR, AGAINST, ABSTAIN = "for", "against", "abstain"

    class Meta:
        indexes = ((("vote", "position"), False),)


class VoteAttachment(BaseModel):
    """A file the board attaches to a vote (the proposal, a quote); served after the read check."""

    vote = pw.ForeignKeyField(Vote, backref="attachments", on_delete="CASCADE")
    stored_name = pw.CharField(max_length=100)
    original_name = pw.CharField(max_length=200, default="")
    content_type = pw.CharField(max_length=100)
    size = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)


class VoteUnit(BaseModel):
    """A unit that may vote, with its weight frozen when the vote started (V1: later changes do not move it)."""

    vote = pw.ForeignKeyField(Vote, backref="units", on_delete="CASCADE")
    unit = pw.ForeignKeyField(Unit, on_delete="CASCADE")
    weight_numerator = pw.BigIntegerField()
    weight_denominator = pw.BigIntegerField(default=1)
    last_reminded_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("vote", "unit"), True),)

    @property
    def weight(self) -> Fraction:
        return Fraction(self.weight_numerator, self.weight_denominator or 1)


class Ballot(BaseModel):
    """A unit's ballot in a vote: the choice that counts now. Changes replace it; the ledger keeps each one."""

    ONLINE, PAPER = "online", "paper"
    CHANNELS = (ONLINE, PAPER)

    vote = pw.ForeignKeyField(Vote, backref="ballots", on_delete="CASCADE")
    unit = pw.ForeignKeyField(Unit, on_delete="CASCADE")
    option = pw.ForeignKeyField(VoteOption, on_delete="CASCADE")
    channel = pw.CharField(max_length=8, default=ONLINE)
    cast_by = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")  # the owner, co-owner or proxy
    recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # who typed it (paper: the board)
    as_proxy = pw.BooleanField(default=False)
    cast_at = pw.DateTimeField(default=clock.utcnow_naive)  # the last change
    changes = pw.IntegerField(default=0)
    paper_received_on = pw.DateField(null=True)
    scan_name = pw.CharField(max_length=100, null=True)  # the paper ballot's scan, a file under UPLOAD_DIR
    scan_original_name = pw.CharField(max_length=200, default="")
    scan_content_type = pw.CharField(max_length=100, default="")
    # A secret vote's ledger holds sha256(salt:option) instead of the option; the salt stays here.
    salt = pw.CharField(max_length=32, default="")
    receipt = pw.CharField(max_length=64, default="")  # the ledger entry's hash for this choice

    class Meta:
        indexes = ((("vote", "unit"), True), (("vote", "option"), False))


class LedgerEntry(BaseModel):
    """One link of a vote's hash chain (seq 0 is the start: the frozen weights; then every ballot, change and
    paper entry). hash = sha256(previous hash, vote, unit, choice, time, channel): see blueprints/votes/ledger.py."""

    START, CAST, CHANGE, PAPER = "start", "cast", "change", "paper"

    vote = pw.ForeignKeyField(Vote, backref="ledger", on_delete="CASCADE")
    seq = pw.IntegerField()
    action = pw.CharField(max_length=8)
    unit = pw.ForeignKeyField(Unit, null=True, on_delete="SET NULL")
    channel = pw.CharField(max_length=8, default="")
    choice = pw.CharField(max_length=64, default="")  # the option id, or a secret vote's commitment
    at = pw.DateTimeField()
    previous_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)
    person = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")  # who cast it (never in the hash)

    class Meta:
        indexes = ((("vote", "seq"), True),)


# The hash the first entry follows.
GENESIS = "0" * 64
