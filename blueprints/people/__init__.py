"""The board's people administration, invitations, registration requests and roles (SPEC P3–P5, R2, R6)."""

from core.access import association_blueprint

bp = association_blueprint("people", __name__)

from blueprints.people import admin_views, views  # noqa: E402,F401
