"""Views of the people blueprint."""

from blueprints.people import bp  # noqa: F401
