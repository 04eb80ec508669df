"""Demo fault reports and requests (F1–F4): open, overdue, in progress, resolved and rejected.

Run after load_register(); an association that already has reports is left
alone. Each report is written as it would have happened, with the clock set
back to its time, so deadlines, history and overdue marks are real. No mail
is sent: these events are history, not news.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from blueprints.faults import attachments, workflow
from core import clock
from models import Association, Membership, Unit, User
from models.db import transaction
from models.faults import FaultEvent, FaultReport
from models.register import Building

R = FaultReport
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

# Who, what, where, how long ago, and what happened since: (after, who, action, text[, photo colour]).
# "unit" is the reporter's own flat; "common"/"building" are in the first building.
PLANS = {
    "solrosen": dict(
        accounts=dict(owner="owner@solrosen.example", tenant="tenant@solrosen.example", board="board@solrosen.example"),
        reports=[
            dict(
                by="owner", kind=R.FAULT, place="unit", category="plumbing", severity=R.NORMAL, ago=20 * H,
                title="Droppande kran i köket",
                details="Kranen droppar hela natten, även när den är ordentligt stängd.",
                photos=[(120, 150, 190)], steps=[],
            ),
            dict(
                by="tenant", kind=R.FAULT, place="unit", category="heating", severity=R.URGENT, ago=3 * D,
                title="Elementet i sovrummet är kallt",
                details="Elementet har varit kallt sedan i förrgår. Det är 16 grader i rummet.",
                photos=[], steps=[(5 * H, "tenant", "comment", "Nu är det kallt i vardagsrummet också.")],
            ),
            dict(
                by="owner", kind=R.FAULT, place="common", area="Tvättstugan", category="electricity",
                severity=R.NORMAL, ago=4 * D, title="Torktumlaren startar inte",
                details="Displayen lyser men trumman snurrar inte. Lapp uppsatt på maskinen.",
                photos=[(200, 200, 210)],
                steps=[
                    (3 * H, "board", "assign", ""),
                    (4 * H, "board", "status", R.IN_PROGRESS),
                    (1 * D, "tenant", "comment", "Samma problem igår kväll."),
                    (2 * D, "board", "comment", "Servicetekniker är bokad till torsdag."),
                ],
            ),
            dict(
                by="tenant", kind=R.FAULT, place="common", area="Cykelrummet", category="doors_locks",
                severity=R.LOW, ago=20 * D, title="Dörren till cykelrummet går inte i lås",
                details="Dörren glider upp igen om man inte drar hårt i den.",
                photos=[(90, 110, 80)],
                steps=[
                    (1 * D, "board", "assign", ""),
                    (1 * D + 2 * H, "board", "status", R.IN_PROGRESS),
                    (2 * D, "owner", "comment", "Bra att det tas upp, cyklar har försvunnit förut."),
                    (6 * D, "board", "resolve", "Dörrstängaren justerad och nytt slutbleck monterat.", (160, 160, 150)),
                ],
            ),
            dict(
                by="owner", kind=R.FAULT, place="building", category="outdoor", severity=R.LOW, ago=30 * D,
                title="Klotter på fasaden mot gatan", details="Nytt klotter bredvid porten.",
                photos=[(170, 90, 90)],
                steps=[
                    (2 * D, "board", "reject", "Fasaden tvättas vid vårstädningen i april; vi tar det då."),
                ],
            ),
            dict(
                by="owner", kind=R.REQUEST, responsible=R.ACCOUNTS, severity=R.NORMAL, ago=2 * D,
                title="Fråga om avgiften för garaget",
                details="Avgiften för garageplatsen höjdes i januari. Vad beror höjningen på?",
                photos=[], steps=[],
            ),
            dict(
                by="tenant", kind=R.REQUEST, responsible=R.REPAIRS, severity=R.LOW, ago=10 * D,
                title="Beställa extra nyckel till tvättstugan", details="Vi är två i lägenheten och behöver två nycklar.",
                photos=[],
                steps=[(1 * D, "board", "resolve", "Nyckeln ligger i ditt postfack, kvittera den hos styrelsen.")],
            ),
            dict(
                by="owner", kind=R.FAULT, place="unit", category="ventilation", severity=R.NORMAL, ago=12 * D,
                title="Ventilationen i badrummet drar inte",
                details="Ett papper fastnar inte mot ventilen längre, och spegeln immar igen.",
                photos=[],
                steps=[(1 * D, "board", "assign", ""), (2 * D, "board", "status", R.IN_PROGRESS)],
            ),
        ],
    ),
    "nakopci": dict(
        accounts=dict(owner="owner@nakopci.example", board="board@nakopci.example"),
        reports=[
            dict(
                by="owner", kind=R.FAULT, place="unit", category="plumbing", severity=R.NORMAL, ago=2 * D,
                title="Kape kohoutek v koupelně", details="Kohoutek u umyvadla kape i po zavření.",
                photos=[(110, 140, 200)], steps=[],
            ),
            dict(
                by="owner", kind=R.FAULT, place="common", area="Výtah", category="lift", severity=R.URGENT,
                ago=2 * D, title="Výtah stojí mezi patry", details="Výtah zůstal stát mezi 2. a 3. patrem, nikdo uvnitř.",
                photos=[(150, 150, 160)],
                steps=[(2 * H, "board", "assign", ""), (30 * H, "board", "status", R.IN_PROGRESS)],
            ),
            dict(
                by="owner", kind=R.FAULT, place="building", category="electricity", severity=R.NORMAL, ago=15 * D,
                title="Nesvítí světlo ve vchodu", details="Po setmění je ve vchodu úplná tma.",
                photos=[(40, 40, 60)],
                steps=[
                    (1 * D, "board", "assign", ""),
                    (1 * D + H, "board", "comment", "Elektrikář přijde ve středu."),
                    (3 * D, "owner", "comment", "Děkuji, ve středu budu doma."),
                    (4 * D, "board", "resolve", "Vyměněno čidlo pohybu a obě žárovky.", (230, 220, 150)),
                ],
            ),
            dict(
                by="owner", kind=R.REQUEST, responsible=R.ADMINISTRATION, severity=R.NORMAL, ago=8 * D,
                title="Potvrzení o bezdlužnosti", details="Prosím o potvrzení pro banku kvůli hypotéce.",
                photos=[],
                steps=[(1 * D, "board", "reject", "Potvrzení vydává správce domu, obraťte se prosím na jeho kancelář.")],
            ),
            dict(
                by="owner", kind=R.REQUEST, responsible=R.ACCOUNTS, severity=R.LOW, ago=1 * D,
                title="Dotaz k vyúčtování služeb", details="Ve vyúčtování je dvakrát položka za úklid.",
                photos=[], steps=[],
            ),
            dict(
                by="board", kind=R.FAULT, place="common", area="Sklep", category="other", severity=R.LOW,
                ago=40 * D, title="Vlhkost ve sklepě", details="Na stěně u kóje č. 4 se objevila plíseň.",
                photos=[(120, 130, 100)],
                steps=[(10 * D, "board", "resolve", "Stěna vysušena a ošetřena, přidáno větrání.")],
            ),
        ],
    ),
    "kase5": dict(
        accounts=dict(owner="owner@kase5.example", board="board@kase5.example"),
        reports=[
            dict(
                by="owner", kind=R.FAULT, place="unit", category="plumbing", severity=R.NORMAL, ago=3 * D,
                title="Vannitoa kraan tilgub", details="Valamu kraan tilgub ka kinni keeratuna.",
                photos=[(100, 130, 190)], steps=[(1 * D, "board", "assign", "")],
            ),
            dict(
                by="owner", kind=R.FAULT, place="common", area="Trepikoda", category="electricity", severity=R.NORMAL,
                ago=12 * D, title="Trepikoja valgus ei põle", details="Teise korruse lamp ei sütti.",
                photos=[],
                steps=[(1 * D, "board", "assign", ""), (2 * D, "board", "resolve", "Lamp vahetatud.")],
            ),
        ],
    ),
}  # fmt: skip


def load_faults() -> Iterator[str]:
    """Fill each demo association's fault reports once."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if FaultReport.of(association).exists():
            yield f"{association.name}: fault reports exist; left as they are."
            continue
        users = {key: User.get_or_none(User.email == email) for key, email in plan["accounts"].items()}
        if None in users.values() or not Building.of(association).exists():
            yield f"{association.name}: no demo accounts or register; no fault reports."
            continue
        now = clock.now()
        with transaction():
            made = [_make(association, users, entry, now) for entry in plan["reports"]]
        overdue = sum(workflow.is_overdue(report, now.replace(tzinfo=None)) for report in made)
        yield f"{association.name}: {len(made)} fault reports and requests ({overdue} overdue)."


def _make(association: Association, users: dict[str, User], entry: dict, now: dt.datetime) -> FaultReport:
    reporter = users[entry["by"]]
    membership = Membership.get((Membership.user == reporter) & (Membership.association == association))
    created = now - entry["ago"]
    with clock.frozen(created):
        report = FaultReport.create(
            association=association,
            kind=entry["kind"],
            reporter=reporter,
            reporter_person=membership.person_id,
            category=entry.get("category", "other"),
            severity=entry["severity"],
            title=entry["title"],
            details=entry["details"],
            contact_email=reporter.email,
            deadline_at=workflow.deadline_for(association, entry["severity"], created.replace(tzinfo=None)),
            **_where(association, membership, entry),
        )
        event = FaultEvent.create(report=report, actor=reporter, kind=FaultEvent.CREATED, to_status=R.NEW)
        _photos(report, event, reporter, entry["photos"])
    for after, who, action, text, *photo in entry["steps"]:
        with clock.frozen(created + after):
            _step(report, users[who], action, text, photo)
    return report


def _where(association: Association, membership: Membership, entry: dict) -> dict:
    if entry["kind"] == R.REQUEST:
        return dict(place=R.WHOLE_BUILDING, responsible=entry["responsible"])
    if entry["place"] == "unit":
        mine = Unit.ids_held_by(membership.person_id, association.today())
        unit = Unit.select().where(Unit.id.in_(mine) & (Unit.kind != Unit.GARAGE)).order_by(Unit.id).first()
        return dict(place=R.IN_UNIT, unit=unit, building=unit.building_id)
    building = Building.of(association).order_by(Building.id).first()
    if entry["place"] == "common":
        return dict(place=R.COMMON_AREA, building=building, area=entry["area"])
    return dict(place=R.WHOLE_BUILDING, building=building)


def _step(report: FaultReport, actor: User, action: str, text: str, photo: list) -> None:
    if action == "assign":
        workflow.assign(report, actor, actor)
    elif action == "comment":
        event = workflow.comment(report, actor, text)
        _photos(report, event, actor, photo)
    elif action == "status":
        workflow.change_status(report, text, actor)
    else:  # resolve or reject, with a note
        event = workflow.change_status(report, R.RESOLVED if action == "resolve" else R.REJECTED, actor, text)
        _photos(report, event, actor, photo)


def _photos(report: FaultReport, event: FaultEvent, actor: User, colours: list) -> None:
    uploads = [
        FileStorage(stream=io.BytesIO(_picture(colour, i)), filename=f"IMG_{1000 + report.id * 10 + i}.jpg")
        for i, colour in enumerate(colours)
    ]
    attachments.store(report, event, uploads, actor)


def _picture(colour: tuple[int, int, int], seed: int) -> bytes:
    """A small phone-like photo: a coloured wall with a darker shape on it."""
    picture = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(picture)
    shade = tuple(max(0, c - 60) for c in colour)
    draw.rectangle((180 + seed * 20, 140, 460, 380), fill=shade)
    draw.ellipse((260, 200, 380, 320), outline=(250, 250, 250), width=6)
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=80)
    return output.getvalue()
