"""The association's portal: its login and sign-up pages, home, my account, admin pages.

`bp` serves /<slug>/…; `site` serves the pages outside any association.
"""

from flask import Blueprint

from core.access import association_blueprint

bp = association_blueprint("portal", __name__)
site = Blueprint("site", __name__)

from blueprints.portal import admin_views, views  # noqa: E402,F401
