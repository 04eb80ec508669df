"""Access matrix entries for the import of the register and the books, and for merging likely duplicate
people (SPEC I1): the board's (register.manage).

world() leaves a checked run of a units file (its bytes and its outcome kept where the app keeps uploads)
and two people who are likely one. Empty posts: the upload is refused as incomplete (422), as are the
columns (no column chosen) and the merge (no entry chosen); checking again and applying redirect to the
run's page (applying refuses there, with a message, what the check has not cleared).
"""

import json
from pathlib import Path

from flask import appcontext_pushed

from models import Person
from models.exchange import ImportRun
from tests.access.common import BOARD_UP, LOGIN, holders_of

MATRIX = {
    ("exchange.imports", "GET"): holders_of(BOARD_UP),
    ("exchange.imports", "POST"): holders_of(BOARD_UP, 422),  # nothing chosen
    ("exchange.import_columns", "GET"): holders_of(BOARD_UP),
    ("exchange.import_columns", "POST"): holders_of(BOARD_UP, 422),  # no column chosen
    ("exchange.import_run", "GET"): holders_of(BOARD_UP),
    ("exchange.import_check", "POST"): holders_of(BOARD_UP, 302),
    ("exchange.import_apply", "POST"): holders_of(BOARD_UP, 302),
    ("exchange.duplicate_people", "GET"): holders_of(BOARD_UP),
    ("exchange.merge_people", "GET"): holders_of(BOARD_UP),
    ("exchange.merge_people", "POST"): holders_of(BOARD_UP, 422),  # no entry chosen
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())

TOKEN = "0123456789abcdef0123456789abcdef"
FILE = b"Building;Unit;Share\nMatrix House;M1;1/2\n"


def world(alpha, beta, users) -> dict:
    run = ImportRun.create(
        association=alpha, kind="units", token=TOKEN, original_name="units.csv", sha256="0" * 64, header_key="0" * 64,
        row_count=1, mapping=json.dumps({"building": "Building", "unit": "Unit", "share": "Share"}),
        state=ImportRun.CHECKED, created=1,
    )  # fmt: skip
    outcome = json.dumps([[2, "created", "Matrix House / M1", {"Share": ["", "1/2"]}, []]]).encode()
    _write_when_the_app_runs(alpha.id, {f"{TOKEN}.dat": FILE, f"{TOKEN}.json": outcome})
    first = Person.create(association=alpha, given_name="Dora", surname="Double", email="dora@one.example",
                          street="Matrix 1")  # fmt: skip
    second = Person.create(association=alpha, given_name="Dora", surname="Double", email="dora@two.example",
                           street="Matrix 1")  # fmt: skip
    return {"import_id": run.id, "first_person_id": first.id, "second_person_id": second.id}


def _write_when_the_app_runs(association_id: int, files: dict[str, bytes]) -> None:
    """Put the files where the import keeps them once the first request says which app (and UPLOAD_DIR) it is."""

    def write(app, **_extra):
        appcontext_pushed.disconnect(write)
        directory = Path(app.config["UPLOAD_DIR"]) / "imports" / str(association_id)
        directory.mkdir(parents=True, exist_ok=True)
        for name, body in files.items():
            (directory / name).write_bytes(body)

    appcontext_pushed.connect(write, weak=False)
