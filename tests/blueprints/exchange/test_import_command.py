"""`flask import FILE --association SLUG --kind KIND [--mapping …] [--dry-run]`: the same import for scripts,
with a report and an exit code."""

from __future__ import annotations

import json

from models import AuditLog
from models.exchange import ImportMapping
from models.register import Ownership, Unit

CSV = "Dům;Jednotka;Podíl;Jméno;E-mail\nA;1;1/2;Eva Malá;eva@example.cz\nA;2;1/2;Jan Malý;jan@example.cz\n"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["import", *map(str, args)])


def test_dry_run_then_import_then_nothing_to_do(app, alpha, tmp_path, frozen_clock):
    path = tmp_path / "owners.csv"
    path.write_text(CSV, encoding="utf-8")
    result = _run(app, path, "--association", "alpha", "--kind", "ownership", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "guessed from the header" in result.output and "unit                   <- Jednotka" in result.output
    assert "2 would be created" in result.output and "nothing was kept" in result.output
    assert Unit.select().count() == 0
    result = _run(app, path, "--association", "alpha", "--kind", "ownership", "--source", "Excel")
    assert result.exit_code == 0, result.output
    assert "2 were created" in result.output and Ownership.select().count() == 2
    assert ImportMapping.get().source == "Excel"
    assert AuditLog.select().where(AuditLog.action == "exchange.import_applied").count() == 1
    result = _run(app, path, "--association", "alpha", "--kind", "ownership")
    assert "remembered from 'Excel'" in result.output and "2 left as they are" in result.output


def test_a_bad_row_keeps_nothing_and_exits_1(app, alpha, tmp_path, frozen_clock):
    path = tmp_path / "owners.csv"
    path.write_text(CSV.replace("A;2;1/2", "A;2;3/2"), encoding="utf-8")
    result = _run(app, path, "--association", "alpha", "--kind", "ownership")
    assert result.exit_code == 1
    assert "row 3, column 'Podíl'" in result.output and "Nothing was imported" in result.output
    assert Unit.select().count() == 0


def test_an_explicit_mapping_and_unusable_input_exit_2(app, alpha, tmp_path, frozen_clock):
    path = tmp_path / "units.csv"
    path.write_text("Hus;Nr;Andel\nA;1;1/3\n", encoding="utf-8")
    mapping = json.dumps({"building": "Hus", "unit": "Nr", "share": "Andel"})
    result = _run(app, path, "--association", "alpha", "--kind", "units", "--mapping", mapping)
    assert result.exit_code == 0, result.output
    assert Unit.get().share_denominator == 3
    assert _run(app, path, "--association", "nowhere", "--kind", "units").exit_code == 2
    bad = _run(app, path, "--association", "alpha", "--kind", "units", "--mapping", '{"colour": "Hus"}')
    assert bad.exit_code == 2 and "keys not taken by units: colour" in bad.output
