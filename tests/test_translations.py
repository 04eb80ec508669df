"""The Swedish, Czech and Estonian catalogues cover every message in the code (SPEC X1)."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-k", "_lp:1c,2", "--ignore-dirs=.venv tests bench", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return {(message.id, message.context) for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["sv", "da", "cs", "et"])
def test_catalogue_is_complete(extracted, language):
    assert len(extracted) > 100, "extraction found too little: is babel.cfg right?"
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        (m.id, m.context)
        for m in catalogue
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    missing = sorted(str(i) for i in extracted - translated)
    assert not missing, f"{len(missing)} messages lack a {language} translation: {missing[:10]}"
