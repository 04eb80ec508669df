"""Views of the settings blueprint."""

from blueprints.settings import bp  # noqa: F401
