"""Views of the faults blueprint."""

from blueprints.faults import bp  # noqa: F401
