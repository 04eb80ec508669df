"""`flask doctor` (issue 16 item 8): each problem an operator can make is found and said with what to do;
a sound configuration is "Ready to serve" (exit 0), a broken one exits 1."""

from __future__ import annotations

import re

import pytest

from core import doctor
from models.db import db
from tests.conftest import PG_URL

GOOD_KEY = "9" * 64


def _states(app, monkeypatch, **config) -> dict[str, tuple[str, str]]:
    for name, value in config.items():
        monkeypatch.setitem(app.config, name, value)
    findings = doctor.examine(app.config, lambda: [])
    return {f.subject: (f.state, f.message) for f in findings if f.state != doctor.OK} | {
        f"{f.subject} ok": (f.state, f.message) for f in findings if f.state == doctor.OK
    }


def test_a_production_configuration_is_ready(app, monkeypatch, smtp_server, redis):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    result = _states(app, monkeypatch, SECRET_KEY=GOOD_KEY, BASE_URL="https://porch.example.org", TRUSTED_PROXIES=1)
    assert not [subject for subject, (state, _) in result.items() if state == doctor.FAIL], result
    assert {"SECRET_KEY ok", "REDIS_URL ok", "SMTP_URL ok", "UPLOAD_DIR ok", "BASE_URL ok"} <= set(result)
    if not PG_URL:  # SQLite is said to be for one machine
        assert result["DATABASE_URL"][0] == doctor.WARN and "PostgreSQL" in result["DATABASE_URL"][1]


def test_every_misconfiguration_is_named_with_what_to_do(app, monkeypatch, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = _states(
        app,
        monkeypatch,
        SECRET_KEY="test-secret",
        REDIS_URL="redis://127.0.0.1:1/0",
        SMTP_URL="smtp://mailer:hunter2@127.0.0.1:1",
        UPLOAD_DIR=blocked / "uploads",
        BASE_URL="https://porch.example.org",
        TRUSTED_PROXIES=0,
    )
    assert result["SECRET_KEY"][0] == doctor.FAIL and "token_hex(32)" in result["SECRET_KEY"][1]
    assert result["REDIS_URL"][0] == doctor.FAIL and "does not answer" in result["REDIS_URL"][1]
    assert result["SMTP_URL"][0] == doctor.FAIL and "hunter2" not in result["SMTP_URL"][1]  # never the password
    assert result["UPLOAD_DIR"][0] == doctor.FAIL and "cannot be written" in result["UPLOAD_DIR"][1]
    assert result["TRUSTED_PROXIES"][0] == doctor.FAIL and "TRUSTED_PROXIES=1" in result["TRUSTED_PROXIES"][1]

    mail_to_folder = _states(app, monkeypatch, SMTP_URL=None, REDIS_URL=None, BASE_URL=None)
    assert mail_to_folder["SMTP_URL"][0] == doctor.WARN and "reaches nobody" in mail_to_folder["SMTP_URL"][1]
    assert mail_to_folder["REDIS_URL"][0] == doctor.WARN and "flask jobs tick" in mail_to_folder["REDIS_URL"][1]
    assert mail_to_folder["BASE_URL"][0] == doctor.FAIL and "their own site" in mail_to_folder["BASE_URL"][1]


def test_an_unmigrated_or_unreachable_database_fails(app, monkeypatch):
    findings = doctor.examine(app.config, lambda: ["0019_waiting_list"])
    database = next(f for f in findings if f.subject == "DATABASE_URL")
    assert database.state == doctor.FAIL and "flask db upgrade" in database.message

    def unreachable():
        raise OSError('could not connect to server: Connection refused\n\tIs the server running on host "db"')

    database = next(f for f in doctor.examine(app.config, unreachable) if f.subject == "DATABASE_URL")
    assert database.state == doctor.FAIL and database.message.endswith("Connection refused")


@pytest.mark.parametrize("secret, code", [("test-secret", 1), (GOOD_KEY, 0)])
def test_the_command_exits_1_on_a_problem(app, monkeypatch, secret, code):
    monkeypatch.setitem(app.config, "SECRET_KEY", secret)
    db.close()
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == code, result.output
    assert ("problem(s) to fix" in result.output) == bool(code)
    assert "DATABASE_URL" in result.output and "migrated" in result.output


def test_the_deploy_files_name_only_settings_porch_reads():
    """deploy/porch.env.example sets nothing Porch would ignore (a typo there is a silent misconfiguration)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    read = set(re.findall(r'_(?:env|int)\("([A-Z_]+)"', (root / "config.py").read_text())) | {"FLASK_APP"}
    lines = (root / "deploy" / "porch.env.example").read_text().splitlines()
    named = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert named and named <= read, named - read
    for unit in ("porch-web", "porch-worker", "porch-cron", "porch-backup"):
        assert "EnvironmentFile=/etc/porch/porch.env" in (root / "deploy" / f"{unit}.service").read_text()
