"""The association's portal: its login and sign-up pages, home, my account, admin pages.

`bp` serves /<slug>/…; `site` serves the pages outside any association.
"""

from flask import Blueprint, g

from core.access import enter_association

bp = Blueprint("portal", __name__, url_prefix="/<slug>")
site = Blueprint("site", __name__)


@bp.url_value_preprocessor
def _enter(endpoint, values):
    enter_association(values.pop("slug"))


@bp.url_defaults
def _slug(endpoint, values):
    if "slug" not in values and g.get("association") is not None:
        values["slug"] = g.association.slug


from blueprints.portal import admin_views, views  # noqa: E402,F401
