"""Fixtures for the settings tests: a board member signed in to alpha, and the settings form's data."""

import pytest

SETTINGS = "/alpha/admin/settings"


@pytest.fixture
def board(login_as):
    return login_as("board")


@pytest.fixture
def settings_data(alpha):
    """Everything the settings form sends, as it stands, with changes."""

    def make(**changes):
        data = {
            "name": alpha.name,
            "slug": alpha.slug,
            "locale": alpha.locale,
            "currency": alpha.currency,
            "timezone": alpha.timezone,
            "welcome_text": alpha.welcome_text,
            "contact_text": alpha.contact_text,
            "on_call_text": alpha.on_call_text,
            "gdpr_text": alpha.gdpr_text,
            "theme_color": alpha.theme_color,
            "theme_color_picker": alpha.theme_color,
            "tabs": alpha.tabs.split(),
            "document_max_mb": str(alpha.document_max_mb),
            "second_factor_permissions": alpha.second_factor_permissions.split(),
        }
        data.update(changes)
        return data

    return make
