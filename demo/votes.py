"""Demo votes (V1-V7), in each association's language: a running poll, a closed one, a running per-rollam vote.

- A poll counted by share, started three days ago and running for another eleven, with online ballots from
  about two thirds of the units (the unit of proxy and one cast by the proxy among them) and live results;
  the demo owner's units are left for the reviewer to vote.
- A poll started three weeks ago that ended a week ago, with its ballots, closed with its protocol.
- A per-rollam vote under the association's law (Czech for cs, Estonian for et, Swedish for sv: see
  blueprints/votes/rules.py), with online ballots, three paper ballots recorded by the board with a scanned
  PDF each, and a joint ballot: the demo owner's flat, held jointly with a co-owner, cast by the co-owner
  (the demo owner sees who cast it, and can still change it; the owner's garage is left unvoted).

Written through the ballot services as owners and the board would, with the clock set back to each ballot's
time; mail the ballots cause is marked sent (history, not news). Run after load_register() and
load_community(); an association that has votes is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from blueprints.votes import ballots, closing, paper, rules, tally
from core import clock
from demo.documents import _pdf
from models import Association, Membership, OutboundEmail, Person, User
from models.documents import Folder
from models.register import Ownership, Unit, VotingProxy
from models.votes import Ballot, Vote, VoteOption, VoteUnit

D, H = dt.timedelta(days=1), dt.timedelta(hours=1)

# The law each demo association's per-rollam vote follows, by its language.


PLANS = {
    "solrosen": dict(
        board="board@solrosen.example",
        owner="owner@solrosen.example",
        co_owner="johanna@solrosen.example",
        poll=(
            "Vilken färg ska trapphuset målas i?",
            "Styrelsen har tagit fram tre förslag. Se färgproverna i entrén.",
            ("Ljusgrå", "Varmvit", "Ljusgrön"),
        ),
        closed=(
            "Ska vi skaffa en gemensam lastcykel?",
            "Cykeln skulle stå i cykelrummet och bokas som tvättstugan.",
            ("Ja", "Nej"),
        ),
        per_rollam=(
            "Renovering av tvättstugan",
            "Föreningen beslutar att renovera tvättstugan enligt offerten från Tvättexperten AB, högst 450 000 kr, "
            "finansierat ur underhållsfonden.",
            "Offerten finns under Information. Arbetet tar cirka tre veckor.",
            ("För", "Emot", "Avstår"),
        ),
        scan_title="Röstsedel – skriftligt beslut",
    ),
    "nakopci": dict(
        board="board@nakopci.example",
        owner="owner@nakopci.example",
        co_owner="marie@nakopci.example",
        poll=(
            "Jakou barvou vymalovat chodby?",
            "Výbor připravil tři návrhy. Vzorky barev visí ve vstupní hale.",
            ("Světle šedá", "Teplá bílá", "Světle zelená"),
        ),
        closed=(
            "Pořídit společné nákladní kolo?",
            "Kolo by stálo v kolárně a rezervovalo se jako prádelna.",
            ("Ano", "Ne"),
        ),
        per_rollam=(
            "Oprava střechy",
            "Shromáždění vlastníků schvaluje opravu střechy domu podle nabídky firmy Střechy Praha s.r.o. "
            "v ceně nejvýše 1 200 000 Kč, hrazenou z fondu oprav.",
            "Nabídka je v sekci Informace. Hlasování probíhá mimo zasedání podle § 1211 občanského zákoníku.",
            ("Pro", "Proti", "Zdržuji se"),
        ),
        scan_title="Hlasovací lístek – rozhodnutí mimo zasedání",
    ),
    "kase5": dict(
        board="board@kase5.example",
        owner="owner@kase5.example",
        co_owner="mari@kase5.example",
        poll=(
            "Mis värvi trepikoda värvida?",
            "Juhatus pakub kolm värvi. Näidised on välisukse juures.",
            ("Helehall", "Soe valge", "Heleroheline"),
        ),
        closed=("Kas soetame ühise kaubaratta?", "Ratas seisaks rattaruumis ja seda saaks broneerida.", ("Jah", "Ei")),
        per_rollam=(
            "Hoovi valgustuse uuendamine",
            "Korteriühistu otsustab uuendada hoovi valgustuse OÜ Valgus pakkumise alusel, maksumusega kuni "
            "8000 eurot, remondifondi arvelt.",
            "Pakkumine on jaotises Info. Hääletus toimub koosolekut kokku kutsumata.",
            ("Poolt", "Vastu", "Erapooletu"),
        ),
        scan_title="Hääletussedel – kirjalik otsus",
    ),
}
MEANINGS = (VoteOption.FOR, VoteOption.AGAINST, VoteOption.ABSTAIN)


def load_votes() -> Iterator[str]:
    """The three votes of each demo association, once."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if Vote.of(association).exists():
            yield f"{association.name}: votes exist; left as they are."
            continue
        board = User.get_or_none(User.email == plan["board"])
        if board is None:
            yield f"{association.name}: no board account; no votes."
            continue
        first_mail = OutboundEmail.select(OutboundEmail.id).order_by(OutboundEmail.id.desc()).scalar() or 0
        people = _People(association, plan)
        running = _running_poll(association, board, plan, people)
        closed = _closed_poll(association, board, plan, people)
        written = _per_rollam(association, board, plan, people)
        # What the ballots mailed (receipts, co-owners' notices) is history: marked sent, not sent now.
        OutboundEmail.update(status=OutboundEmail.SENT, sent_at=clock.utcnow_naive()).where(
            (OutboundEmail.id > first_mail) & (OutboundEmail.status != OutboundEmail.SENT)
        ).execute()
        yield (
            f"{association.name}: a running poll with {running} ballots, a closed one with {closed},"
            f" a per-rollam vote ({written})."
        )


class _People:
    """The register's people the votes need: who owns which unit, the demo owner and the co-owner."""

    def __init__(self, association: Association, plan: dict):
        self.association = association
        self.owner = Person.get((Person.association == association) & (Person.email == plan["owner"]))
        self.co_owner = Person.get((Person.association == association) & (Person.email == plan["co_owner"]))
        today = association.today()
        rows = (
            Ownership.select(Ownership.unit, Ownership.person)
            .join(Unit)
            .where((Unit.association == association) & Ownership.current(today))
            .order_by(Ownership.unit, Ownership.is_main.desc(), Ownership.id)
            .tuples()
        )
        self.owner_of: dict[int, int] = {}
        for unit_id, person_id in rows:
            self.owner_of.setdefault(unit_id, person_id)
        # The demo owner's units (the home held jointly, the garage) stay for the reviewer.
        self.owners_units = {unit_id for unit_id, person_id in rows if person_id == self.owner.id}
        proxy = (
            VotingProxy.select(VotingProxy.unit, VotingProxy.person)
            .join(Unit)
            .where((Unit.association == association) & ballots.proxy_valid(today))
            .tuples()
            .first()
        )
        self.proxy = proxy  # (unit id, person id) or None

    def member(self, person_id: int) -> Membership:
        """The person as the ballot services see a member (cast by their register entry)."""
        person = Person.get_by_id(person_id)
        return Membership(person=person.id, association=self.association, user=person.user_id)

    def voters(self, vote: Vote) -> list[int]:
        """The vote's units in a fixed order, without the demo owner's."""
        units = VoteUnit.select(VoteUnit.unit).where(VoteUnit.vote == vote.id).order_by(VoteUnit.unit).tuples()
        return [unit_id for (unit_id,) in units if unit_id not in self.owners_units]


def _new_vote(association: Association, board: User, title: str, body: str, labels, *, kind: str = Vote.POLL,
              meanings=None, **fields) -> Vote:  # fmt: skip
    minutes = Folder.get_or_none((Folder.association == association) & (Folder.key == Folder.MINUTES))
    vote = Vote.create(
        association=association, kind=kind, title=title, body=body, author=board, result_folder=minutes, **fields
    )
    for position, label in enumerate(labels):
        meaning = meanings[position] if meanings else ""
        VoteOption.create(vote=vote, position=position, label=label, meaning=meaning)
    return vote


def _cast_many(vote: Vote, people: _People, unit_ids: list[int], start: dt.datetime, step: dt.timedelta) -> int:
    """Online ballots for these units, each by the unit's owner (or its proxy), one `step` after the other;
    choices spread over the options, the first more often, so the pie has a leader."""
    options = [option_id for option_id, _label, _meaning in tally.options_of(vote.id)]
    pattern = [0, 0, 1, 0, 2, 1, 0, 1, 0, 2] if len(options) > 2 else [0, 0, 1, 0, 1, 0, 1]
    for n, unit_id in enumerate(unit_ids):
        person_id = people.owner_of.get(unit_id)
        if people.proxy is not None and people.proxy[0] == unit_id:
            person_id = people.proxy[1]  # the unit's proxy votes for it
        if person_id is None:
            continue
        choice = options[pattern[n % len(pattern)] % len(options)]
        with clock.frozen(start + n * step):
            ballots.cast(vote, people.member(person_id), unit_id, choice)
    return Ballot.select().where(Ballot.vote == vote.id).count()


def _running_poll(association: Association, board: User, plan: dict, people: _People) -> int:
    title, body, labels = plan["poll"]
    now = clock.now()
    start = now - 3 * D
    vote = _new_vote(association, board, title, body, labels, ends_at=(now + 11 * D).replace(tzinfo=None))
    with clock.frozen(start):
        vote = ballots.start(vote)
    units = people.voters(vote)
    chosen = units[: len(units) * 2 // 3]
    return _cast_many(vote, people, chosen, start + H, (now - start - 2 * H) / max(len(chosen), 1))


def _closed_poll(association: Association, board: User, plan: dict, people: _People) -> int:
    title, body, labels = plan["closed"]
    now = clock.now()
    start, end = now - 21 * D, now - 7 * D
    vote = _new_vote(association, board, title, body, labels, ends_at=end.replace(tzinfo=None))
    with clock.frozen(start):
        vote = ballots.start(vote)
    units = people.voters(vote)
    chosen = units[: len(units) * 3 // 4]
    count = _cast_many(vote, people, chosen, start + H, (end - start - 2 * H) / max(len(chosen), 1))
    close_ended(vote.id)
    return count


def close_ended(vote_id: int) -> None:
    """Close a vote whose end has passed, as the closing job does: evaluate, publish the protocol."""
    closing.close(vote_id)


def _per_rollam(association: Association, board: User, plan: dict, people: _People) -> str:
    title, resolution, body, labels = plan["per_rollam"]
    key = rules.suggested(association.locale)
    preset = rules.preset(key)
    now = clock.now()
    start = now - 4 * D
    vote = _new_vote(
        association, board, title, body, labels, kind=Vote.PER_ROLLAM, meanings=MEANINGS, resolution=resolution,
        ends_at=(start + max(preset.min_days, 14) * D + 7 * D).replace(tzinfo=None),
    )  # fmt: skip
    rules.apply_defaults(vote, key)
    vote.save()
    with clock.frozen(start):
        vote = ballots.start(vote)
    units = people.voters(vote)
    paper_units, online_units = units[:3], units[3 : 3 + len(units) // 2]
    online = _cast_many(vote, people, online_units, start + H, (now - start - 6 * H) / max(len(online_units), 1))
    recorded = _paper_ballots(vote, board, people, paper_units, plan["scan_title"])
    joint = _joint_ballot(vote, people)
    return f"{preset.key or 'no law'}: {online} online, {recorded} on paper, {joint}"


def _paper_ballots(vote: Vote, board: User, people: _People, unit_ids: list[int], scan_title: str) -> int:
    """Ballots returned on paper, each with a scanned PDF, recorded by the board this morning."""
    for_option, against_option, _abstain = [option_id for option_id, _l, _m in tally.options_of(vote.id)]
    today = vote.association.today()
    for n, unit_id in enumerate(unit_ids):
        unit = Unit.get_by_id(unit_id)
        signer = Person.get_by_id(people.owner_of[unit_id])
        text = f"{vote.title}\n{unit.title}: {'X' if n != 1 else ''} {signer.full_name}, {today - (n + 1) * D}"
        scan = paper.store_scan(
            vote.association, (f"{unit.number}.pdf".replace("/", "-"), _pdf(scan_title, text), "pdf")
        )
        with clock.frozen(clock.now() - (3 - n) * H):
            ballots.record_paper(
                vote, board, unit_id, against_option if n == 1 else for_option, today - (n + 1) * D,
                person_id=signer.id, scan=scan,
            )  # fmt: skip
    return len(unit_ids)


def _joint_ballot(vote: Vote, people: _People) -> str:
    """The demo owner's home, held jointly with the co-owner: the co-owner casts its one ballot."""
    home = (
        Ownership.select(Ownership.unit)
        .join(Unit)
        .where(
            (Unit.association == people.association)
            & (Ownership.person == people.co_owner.id)
            & Ownership.unit.in_(list(people.owners_units))
        )
        .scalar()
    )
    if home is None:
        return "no jointly held unit"
    for_option = tally.options_of(vote.id)[0][0]
    with clock.frozen(clock.now() - 5 * H):
        ballots.cast(vote, people.member(people.co_owner.id), home, for_option)
    return f"a joint ballot for {Unit.get_by_id(home).title} by {people.co_owner.full_name}"
