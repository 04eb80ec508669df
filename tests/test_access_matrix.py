"""Every route × anonymous, each built-in role and another association's user.

Adding a route without adding it here fails test_every_route_is_in_the_matrix.
Statuses: 200 OK, 302 redirect (for anonymous users: to the login page), 403,
404, 410 (used or unknown mail link). Each GET is also made as an htmx request:
the partial must be refused exactly as the page is.
"""

import pytest

from models import OutboundEmail
from tests.helpers import Client

ACTORS = ("anonymous", "tenant", "member", "board", "administrator", "outsider")
LOGIN = "login"  # anonymous: redirected to the login page (HX-Redirect for htmx)


def everyone(status):
    return dict.fromkeys(ACTORS, status)


def members(status=200):
    return {"anonymous": LOGIN, **dict.fromkeys(ACTORS[1:5], status), "outsider": 403}


def holders_of(permission_roles, status=200):
    expected = {"anonymous": LOGIN, "outsider": 403}
    for role in ACTORS[1:5]:
        expected[role] = status if role in permission_roles else 403
    return expected


BOARD_UP = ("board", "administrator")

# (endpoint, method) -> expected status per actor
MATRIX = {
    ("site.index", "GET"): {"anonymous": 302, **dict.fromkeys(ACTORS[1:], 302)},
    ("static", "GET"): everyone(200),
    ("auth.login", "GET"): everyone(200),
    ("auth.login", "POST"): everyone(422),  # empty form
    ("auth.logout", "POST"): everyone(302),
    ("auth.forgot", "GET"): everyone(200),
    ("auth.forgot", "POST"): everyone(422),
    ("auth.reset", "GET"): everyone(410),
    ("auth.reset", "POST"): everyone(410),
    ("auth.activate", "GET"): everyone(410),
    ("auth.activate", "POST"): everyone(410),
    ("auth.confirm_email", "GET"): everyone(410),
    ("auth.confirm_email", "POST"): everyone(410),
    ("portal.login", "GET"): {"anonymous": 200, **dict.fromkeys(ACTORS[1:5], 302), "outsider": 200},
    ("portal.login", "POST"): everyone(422),
    ("portal.signup", "GET"): everyone(200),
    ("portal.signup", "POST"): everyone(422),
    ("portal.home", "GET"): members(),
    ("portal.account", "GET"): members(),
    ("portal.account", "POST"): members(422),
    ("portal.account_password", "GET"): members(302),
    ("portal.account_password", "POST"): members(422),
    ("portal.account_email", "GET"): members(302),
    ("portal.account_email", "POST"): members(422),
    ("portal.mail_outbox", "GET"): holders_of(BOARD_UP),
    ("portal.mail_retry", "POST"): holders_of(BOARD_UP, 302),
    ("portal.audit_log", "GET"): holders_of(BOARD_UP),
}

EMAILS = {
    "tenant": "tenant@alpha.example",
    "member": "member@alpha.example",
    "board": "board@alpha.example",
    "administrator": "admin@alpha.example",
    "outsider": "board@beta.example",
}


@pytest.fixture
def world(app, alpha, make_association, make_user, outbox):
    beta = make_association("beta")
    for role in ("tenant", "member", "board", "administrator"):
        make_user(alpha, EMAILS[role], role)
    make_user(beta, EMAILS["outsider"], "board")
    mail = OutboundEmail.create(
        association=alpha, to_address="x@example.com", kind="activate", subject="s", body_text="t", status="failed"
    )
    return {"slug": "alpha", "token": "not-a-real-token", "mail_id": mail.id, "filename": "css/porch.css"}


def url_for_rule(rule, values):
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", str(values[argument]))
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{argument}>", str(values[argument]))
    return path


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_matrix(app):
    found = {(rule.endpoint, method) for rule, method in routes(app)}
    missing = found - set(MATRIX)
    assert not missing, f"routes without an access-matrix entry: {sorted(missing)}"
    assert not set(MATRIX) - found, f"matrix entries for routes that no longer exist: {sorted(set(MATRIX) - found)}"


@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(app, world, actor, login, new_client):
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check has its own test; this one is about access
    for rule, method in routes(app):
        client: Client = new_client()
        if actor != "anonymous":
            login(client, EMAILS[actor])
        path = url_for_rule(rule, world)
        expected = MATRIX[(rule.endpoint, method)][actor]
        for htmx in (False, True) if method == "GET" else (False,):
            headers = {"HX-Request": "true"} if htmx else {}
            response = client.open(path, method=method, headers=headers, data={} if method == "POST" else None)
            where = f"{method} {path} as {actor}{' (htmx)' if htmx else ''}"
            if expected == LOGIN:
                if htmx:
                    assert response.status_code == 200 and "/login" in response.headers["HX-Redirect"], where
                else:
                    assert response.status_code == 302 and "/login" in response.location, where
            else:
                assert response.status_code == expected, f"{where}: {response.status_code} != {expected}"


def test_outsider_gets_nothing_of_another_association_by_id(app, world, make_user, login, new_client):
    """A board member of beta cannot retry alpha's mail through beta's URL either."""
    client = new_client()
    login(client, EMAILS["outsider"])
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(f"/beta/admin/mail/{world['mail_id']}/retry")
    assert response.status_code == 404
    assert OutboundEmail.get_by_id(world["mail_id"]).status == "failed"


def test_unknown_association_is_404(client):
    assert client.get("/no-such-place/").status_code == 404
    assert client.get("/no-such-place/login").status_code == 404
