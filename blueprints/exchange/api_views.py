"""The API's routes (SPEC I1): its OpenAPI description, the register to read, the fault feed, and the
pushes of the register and billing (records.py validates and writes them, as it does for the import).

Each view is wrapped by api_view(scope): the token, its association, its rate limit and its scope are
checked before the view runs, and every error leaves as problem details (api.py, problems.py)."""

from __future__ import annotations

from blueprints.exchange import feeds, openapi, pushes, site
from blueprints.exchange.api import api_view, page_limit
from blueprints.exchange.problems import api_json
from models.exchange import ApiToken


@site.get("/openapi.json")
def openapi_description():
    """The OpenAPI 3.1 description of this API (public: it describes, it holds no data)."""
    response = api_json(openapi.description())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@site.get("/<slug>/units")
@api_view(ApiToken.READ_REGISTER)
def units(association, token):
    """The association's units, archived ones included, by id, a page at a time."""
    items, cursor = feeds.units(association, page_limit())
    return api_json({"items": items, "next_cursor": cursor})


@site.get("/<slug>/people")
@api_view(ApiToken.READ_REGISTER)
def people(association, token):
    """The people of the association's register, by id, a page at a time."""
    items, cursor = feeds.people(association, page_limit())
    return api_json({"items": items, "next_cursor": cursor})


@site.get("/<slug>/ownership")
@api_view(ApiToken.READ_REGISTER)
def ownership(association, token):
    """Who owns which unit, past owners included, by id, a page at a time."""
    items, cursor = feeds.ownership(association, page_limit())
    return api_json({"items": items, "next_cursor": cursor})


@site.get("/<slug>/faults")
@api_view(ApiToken.READ_FAULTS)
def faults(association, token):
    """Fault reports new or changed since ?cursor=, oldest change first; keep next_cursor for next time."""
    items, cursor, more = feeds.fault_changes(association, page_limit())
    return api_json({"items": items, "next_cursor": cursor, "has_more": more})


# --- pushes (pushes.py, records.py) --------------------------------------------------------------------------


@site.put("/<slug>/units")
@api_view(ApiToken.WRITE_REGISTER)
def put_units(association, token):
    """Create or update units, matched by building + unit number."""
    return pushes.push(association, token, "units")


@site.put("/<slug>/people")
@api_view(ApiToken.WRITE_REGISTER)
def put_people(association, token):
    """Create or update people, matched by personal id, else e-mail."""
    return pushes.push(association, token, "people")


@site.put("/<slug>/ownership")
@api_view(ApiToken.WRITE_REGISTER)
def put_ownership(association, token):
    """Create or update who owns which unit: a unit's current owners must add up to the whole unit."""
    return pushes.push(association, token, "ownership")


@site.put("/<slug>/contracts")
@api_view(ApiToken.WRITE_BILLING)
def put_contracts(association, token):
    """Create or update contracts, matched by their number; the row's person becomes a party."""
    return pushes.push(association, token, "contracts")


@site.post("/<slug>/invoices")
@api_view(ApiToken.WRITE_BILLING)
def post_invoices(association, token):
    """Issue invoices, matched by their number: one already issued is never changed (credit it in Porch)."""
    return pushes.idempotent(association, lambda: pushes.push(association, token, "invoices"))


@site.post("/<slug>/payments")
@api_view(ApiToken.WRITE_BILLING)
def post_payments(association, token):
    """Book payments against invoices, matched by invoice, day and amount: the same payment twice books once."""
    return pushes.idempotent(association, lambda: pushes.push(association, token, "payments"))
