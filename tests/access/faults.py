"""Access matrix entries for fault reports and requests.

In world() the member owns unit F1 and reported a fault in it with a PDF
attached; the tenant lives elsewhere (House A, see register.py), so the
report, its status part and its file are a 404 for the tenant, as for anyone
who cannot see it. Status changes and assignment are for resolvers (the
board); the member, though the reporter, may only reopen (an empty post is
refused). Deadlines are the resolvers'.
"""

import secrets
from pathlib import Path

from flask import appcontext_pushed

from models import Person
from models.faults import FaultAttachment, FaultEvent, FaultReport
from models.register import Building, Ownership, Unit
from tests.access.common import BOARD_UP, LOGIN, holders_of, members

SEEING = ("member", "board", "administrator")  # the report's unit owner and the resolvers


def seeing(status=200, handlers_status=None):
    """The member and the board see the report; the tenant gets 404 (not visible), like a wrong id."""
    expected = holders_of(SEEING, status)
    expected["tenant"] = 404
    if handlers_status is not None:
        expected["member"] = 403
        for role in BOARD_UP:
            expected[role] = handlers_status
    return expected


MATRIX = {
    ("faults.reports", "GET"): members(),
    ("faults.report_new", "GET"): members(),
    ("faults.report_new", "POST"): members(422),  # nothing typed
    ("faults.report_page", "GET"): seeing(),
    ("faults.report_assign", "POST"): seeing(handlers_status=422),  # nobody chosen
    ("faults.report_status", "POST"): seeing(handlers_status=422),  # no status chosen
    ("faults.report_comment", "POST"): seeing(422),  # an empty comment
    ("faults.attachment", "GET"): seeing(),
    ("faults.deadlines", "GET"): holders_of(BOARD_UP),
    ("faults.deadlines", "POST"): holders_of(BOARD_UP, 422),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """Unit F1 of Fault House, owned by the member, with the member's fault report and its PDF."""
    building = Building.create(association=alpha, name="Fault House")
    unit = Unit.create(association=alpha, building=building, number="F1", share_numerator=1, share_denominator=1)
    member = Person.get(Person.user == users["member"])
    Ownership.create(unit=unit, person=member, share_numerator=1, share_denominator=1, is_main=True)
    report = FaultReport.create(
        association=alpha,
        unit=unit,
        building=building,
        title="Dripping tap",
        reporter=users["member"],
        reporter_person=member,
    )
    event = FaultEvent.create(report=report, actor=users["member"], kind=FaultEvent.CREATED, to_status="new")
    stored_name = f"file-{secrets.token_hex(16)}.pdf"
    _write_when_the_app_runs(alpha.id, stored_name, b"%PDF-1.4\n%%EOF\n")
    attachment = FaultAttachment.create(
        report=report,
        event=event,
        stored_name=stored_name,
        original_name="quote.pdf",
        content_type="application/pdf",
        size=15,
    )
    return {"report_id": report.id, "attachment_id": attachment.id}


def _write_when_the_app_runs(association_id: int, stored_name: str, body: bytes, folder: str = "faults") -> None:
    """Put the file where the app keeps uploads, once the first request tells us which app that is.

    world() runs outside an application context, so UPLOAD_DIR (a folder of
    the test's own) is not known yet; the first request's context brings it.
    """

    def write(app, **_extra):
        appcontext_pushed.disconnect(write)
        directory = Path(app.config["UPLOAD_DIR"]) / str(association_id) / folder
        directory.mkdir(parents=True, exist_ok=True)
        (directory / stored_name).write_bytes(body)

    appcontext_pushed.connect(write, weak=False)
