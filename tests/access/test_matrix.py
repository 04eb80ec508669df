"""Every route × anonymous, each built-in role and another association's user.

Each domain lists its routes in a module of this package (portal.py,
register.py, …) with a MATRIX of expected statuses and a world() that
creates the rows its URLs need. A route missing from every MATRIX fails
test_every_route_is_in_the_matrix. Each (route, actor) runs on a fresh
database, so a destructive POST cannot change what the next actor sees.
Statuses: 200, 302 (for anonymous users, LOGIN: to the login page), 403, 404,
410, 422 (an empty form refused), and TOKEN (401 problem JSON) for the API, which no cookie opens. Each GET is also made as an htmx request:
a partial must be refused exactly as its page is.
"""

import importlib
import pkgutil

import pytest

import tests.access
from models import User
from tests.access.common import ACTORS, EMAILS, LOGIN, TOKEN
from tests.helpers import WorldSnapshot

DOMAINS = [
    importlib.import_module(f"tests.access.{info.name}")
    for info in pkgutil.iter_modules(tests.access.__path__)
    if info.name not in ("common",) and not info.name.startswith("test_")
]
MATRIX = {}
for _domain in DOMAINS:
    assert not set(_domain.MATRIX) & set(MATRIX), f"{_domain.__name__} repeats a route"
    MATRIX.update(_domain.MATRIX)


def _build_world(request) -> dict:
    alpha = request.getfixturevalue("alpha")
    make_association, make_user = request.getfixturevalue("make_association"), request.getfixturevalue("make_user")
    beta = make_association("beta")
    users: dict[str, User] = {}
    for role in ("tenant", "member", "board", "administrator"):
        users[role] = make_user(alpha, EMAILS[role], role)
    users["outsider"] = make_user(beta, EMAILS["outsider"], "board")
    values = {}
    for domain in DOMAINS:
        created = domain.world(alpha, beta, users)
        assert not set(created) & set(values) - {"slug"}, f"{domain.__name__} reuses a URL value name"
        values.update(created)
    return values


@pytest.fixture(scope="session")
def _world_snapshot(tmp_path_factory):
    return WorldSnapshot(tmp_path_factory.mktemp("world"))


@pytest.fixture
def world(request, app, tmp_path, outbox, _world_snapshot):
    """The same rows and files for every (route, actor), each on a database of its own.

    Building them is most of a matrix test's time, and the matrix is half the suite: the first test of
    each worker builds them and keeps a copy, later ones get that copy. The copy is made again once it is
    a minute old, so the rows' times stay as recent as a fresh build's for every rule of the app that
    looks at age (the shortest such window is five minutes).
    """
    if _world_snapshot.fresh():
        _world_snapshot.restore(app, tmp_path)
        return dict(_world_snapshot.values)
    values = _build_world(request)
    with app.app_context():  # the files world() leaves to write at the first app context (faults.py)
        pass
    _world_snapshot.take(app, tmp_path, values)
    return values


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
@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_access(app, world, actor, endpoint, method, login, new_client):
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check has its own test; this one is about access
    client = new_client()
    if actor != "anonymous":
        login(client, EMAILS[actor])
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods]
    path = url_for_rule(rule, world)
    expected = MATRIX[(endpoint, method)][actor]
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
        if expected == TOKEN:  # the API: a cookie opens nothing, and the refusal is a problem document
            assert response.mimetype == "application/problem+json", where
            assert "Set-Cookie" not in response.headers, where


def test_outsider_gets_nothing_of_another_association_by_id(app, world, login, new_client):
    """A board member of beta cannot retry alpha's mail through beta's URL either."""
    from models import OutboundEmail

    client = new_client()
    login(client, EMAILS["outsider"])
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(f"/beta/admin/mail/{world['mail_id']}/retry")
    assert response.status_code == 404
    assert OutboundEmail.get_by_id(world["mail_id"]).status == "failed"


def test_unknown_association_is_404(client):
    assert client.get("/no-such-place/").status_code == 404
    assert client.get("/no-such-place/login").status_code == 404
