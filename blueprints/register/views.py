"""Views of the register blueprint."""

from blueprints.register import bp  # noqa: F401
