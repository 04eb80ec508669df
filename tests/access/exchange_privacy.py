"""Access matrix entries for a member's own data (GDPR), the board's erasure and leaving Porch (SPEC I3).

The member's own-data file is the member's alone: every other member of alpha gets 404 for its status and
its download, as for anything that exists but is not theirs. The erasure and the association's export are
the board's (register.manage, settings.manage). An empty erasure post lacks the confirmation: 422.
"""

import datetime as dt
import io
import secrets
import zipfile
from pathlib import Path

from flask import appcontext_pushed

from models import DataExport, Person
from tests.access.common import BOARD_UP, LOGIN, holders_of, members


def _only(actor: str, status: int = 200) -> dict:
    """Only `actor` of alpha gets `status`; alpha's other members 404 (not theirs); beta's board 403."""
    expected = {"anonymous": LOGIN, "outsider": 403}
    for role in ("tenant", "member", "board", "administrator"):
        expected[role] = status if role == actor else 404
    return expected


MATRIX = {
    ("exchange.privacy", "GET"): members(),
    ("exchange.privacy", "POST"): members(302),  # a file of one's data is being made
    ("exchange.privacy_status", "GET"): _only("member"),
    ("exchange.privacy_download", "GET"): _only("member"),
    ("exchange.erase_person", "GET"): holders_of(BOARD_UP),
    ("exchange.erase_person", "POST"): holders_of(BOARD_UP, 422),  # not confirmed
    ("exchange.leaving", "GET"): holders_of(BOARD_UP),
    ("exchange.leaving", "POST"): holders_of(BOARD_UP, 302),
    ("exchange.leaving_status", "GET"): holders_of(BOARD_UP),
    ("exchange.leaving_download", "GET"): holders_of(BOARD_UP),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A person who has left, the member's ready own-data file, and the board's ready export of alpha."""
    gone = Person.create(association=alpha, surname="Leftbefore", given_name="Greta", email="greta@gone.example")
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=30)
    mine = _ready(alpha, users["member"], DataExport.PERSON, later)
    whole = _ready(alpha, users["board"], DataExport.ASSOCIATION, later)
    # The erasure's URL takes register_people.py's person_id (a resident without a unit: not confirmed, 422).
    return {"export_id": mine.id, "leaving_id": whole.id, "gone_person_id": gone.id}


def _ready(association, user, kind: str, expires_at) -> DataExport:
    stored = f"exports/{association.id}/{secrets.token_hex(16)}.zip"
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as archive:
        archive.writestr("data.json", "{}")
    _write_when_the_app_runs(stored, body.getvalue())
    return DataExport.create(
        association=association, kind=kind, user=user, state=DataExport.READY, stored_name=stored,
        size=len(body.getvalue()), expires_at=expires_at,
    )  # fmt: skip


def _write_when_the_app_runs(key: str, body: bytes) -> None:
    """world() runs outside an application context: the first one tells where UPLOAD_DIR is."""

    def write(app, **_extra):
        appcontext_pushed.disconnect(write)
        path = Path(app.config["UPLOAD_DIR"]) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    appcontext_pushed.connect(write, weak=False)
