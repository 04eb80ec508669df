"""Access matrix entries for the settings blueprint: portal settings, pictures, contact."""

from tests.access.common import BOARD_UP, everyone, holders_of, members

MATRIX = {
    ("portal.settings", "GET"): holders_of(BOARD_UP),
    ("portal.settings", "POST"): holders_of(BOARD_UP, 422),  # empty form
    ("portal.settings_preview", "POST"): holders_of(BOARD_UP),
    ("portal.upload_picture", "POST"): holders_of(BOARD_UP, 422),  # no file
    ("portal.remove_picture", "GET"): holders_of(BOARD_UP, 302),  # nothing to remove: back to the settings
    ("portal.remove_picture", "POST"): holders_of(BOARD_UP, 302),
    ("portal.upload_image", "POST"): holders_of(BOARD_UP, 422),
    # Public (the login page shows the logo); the name is of no file, so 404 for all
    # alike: nobody is sent to log in or refused. Serving is tested in tests/blueprints/settings.
    ("portal.media", "GET"): everyone(404),
    ("portal.contact", "GET"): members(),
}


def world(alpha, beta, users) -> dict:
    """URL values for these routes."""
    alpha.contact_text = "Call the board: 012-345 67"
    alpha.save()
    return {"picture": "logo", "media_name": "logo-" + "0" * 32 + "-10x10.png"}
