"""Access matrix entries for the quick search (issue 10 item 3).

Every built-in role holds search.use, so every member of alpha reaches the page; what each finds is
what their role reads (tests/blueprints/documents/test_search.py). world() indexes what documents.py's
world() published (the Minutes document a tenant may not read).
"""

from core import search
from tests.access.common import LOGIN, members

MATRIX = {
    ("documents.search", "GET"): members(),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    search.rebuild(alpha.id)
    return {}
