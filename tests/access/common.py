"""Vocabulary for the access matrix: actors and the usual expectations."""

ACTORS = ("anonymous", "tenant", "member", "board", "administrator", "outsider")
LOGIN = "login"  # anonymous: redirected to the login page (HX-Redirect for htmx)
BOARD_UP = ("board", "administrator")
ADMIN_ONLY = ("administrator",)

EMAILS = {
    "tenant": "tenant@alpha.example",
    "member": "member@alpha.example",
    "board": "board@alpha.example",
    "administrator": "admin@alpha.example",
    "outsider": "board@beta.example",
}


def everyone(status):
    """A public route: everyone gets `status`."""
    return dict.fromkeys(ACTORS, status)


def members(status=200):
    """Any member of alpha; anonymous users go to log in; beta's board is refused."""
    return {"anonymous": LOGIN, **dict.fromkeys(ACTORS[1:5], status), "outsider": 403}


def holders_of(roles, status=200):
    """Members of alpha whose role is in `roles` get `status`; other members 403."""
    expected = {"anonymous": LOGIN, "outsider": 403}
    for role in ACTORS[1:5]:
        expected[role] = status if role in roles else 403
    return expected


# An API route (exchange/api_views.py): only a bearer token opens it, so every actor of the matrix, who comes
# with a session cookie or nothing, gets a 401 answered as problem details (test_matrix checks the type).
TOKEN = 401


def token_only():
    return everyone(TOKEN)
