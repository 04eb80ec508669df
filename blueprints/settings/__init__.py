"""Portal settings, uploaded images, the contact page (SPEC P1, P8)."""

from core.access import association_blueprint

bp = association_blueprint("settings", __name__)

from blueprints.settings import views  # noqa: E402,F401
