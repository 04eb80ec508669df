"""Buildings, units, ownership, residents and the unit file (SPEC R1–R6)."""

from core.access import association_blueprint

bp = association_blueprint("register", __name__)

from blueprints.register import views  # noqa: E402,F401
