"""Fault reports and requests to the administration (SPEC F1–F4)."""

from core.access import association_blueprint

bp = association_blueprint("faults", __name__)

from blueprints.faults import views  # noqa: E402,F401
