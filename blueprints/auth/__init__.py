"""Signing in and out, activation, password reset and e-mail confirmation."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from blueprints.auth import views  # noqa: E402,F401
