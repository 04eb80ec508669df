"""Lists cost the same number of queries however long they grow."""

import pytest

from models import AuditLog, OutboundEmail


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"])


def add_rows(alpha, user, n):
    for i in range(n):
        OutboundEmail.create(
            association=alpha, to_address=f"r{i}@example.com", kind="reset", subject="s", body_text="x", status="sent"
        )
        AuditLog.create(association=alpha, actor=user, action="account.login", target=f"r{i}")


def test_home_page_needs_three_queries(client, login_as):
    login_as("member")
    # The session with its user and memberships, the "My units" panel, then every domain's panel (one UNION).
    assert queries(client, "/alpha/") == 3


@pytest.mark.parametrize("path", ["/alpha/admin/mail", "/alpha/admin/audit", "/alpha/account"])
def test_list_query_count_is_constant(client, alpha, login_as, outbox, path):
    board = login_as("board")
    add_rows(alpha, board, 3)
    few = queries(client, path)
    add_rows(alpha, board, 60)
    assert queries(client, path) == few
    assert few <= 4
