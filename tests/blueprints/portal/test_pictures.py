"""Logo, header photo and pictures in the welcome text: upload, serve, remove (SPEC P1, seed 004 §4.8)."""

import io
import re

import pytest

from core import images
from models import Association, AuditLog
from tests.blueprints.portal.conftest import SETTINGS
from tests.blueprints.portal.pictures import exif_of, jpeg_with_gps, picture_bytes, size_of


def upload(client, path, field, data, filename="picture.png", **kwargs):
    return client.submit(path, {field: (io.BytesIO(data), filename)}, form_page=SETTINGS, **kwargs)


def folder(app, association):
    return app.config["UPLOAD_DIR"] / str(association.id)


def files_in(app, association):
    path = folder(app, association)
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


def test_logo_is_resized_and_shown_in_the_header_and_on_the_login_page(app, client, alpha, board, new_client):
    response = upload(client, f"{SETTINGS}/logo", "logo", picture_bytes((1200, 300), "PNG"), "our logo.png")
    assert response.status_code == 302

    logo = Association.get_by_id(alpha.id).logo
    assert logo.startswith("logo-") and logo.endswith("-400x100.png") and "our" not in logo
    assert files_in(app, alpha) == [logo]
    assert AuditLog.of(alpha).where(AuditLog.action == "settings.logo_changed").exists()

    home = client.get("/alpha/").get_data(as_text=True)
    assert re.search(
        rf'<a class="brand" href="/alpha/">\s*<img src="/alpha/media/{logo}" alt="" width="400" height="100">', home
    )
    anonymous = new_client()
    login_page = anonymous.get("/alpha/login").get_data(as_text=True)
    assert f'src="/alpha/media/{logo}"' in login_page
    served = anonymous.get(f"/alpha/media/{logo}")  # public: the login page shows it
    assert served.status_code == 200 and size_of(served.data) == (400, 100)


def test_a_new_logo_replaces_the_old_file(app, client, alpha, board):
    upload(client, f"{SETTINGS}/logo", "logo", picture_bytes((200, 80), "PNG"))
    first = Association.get_by_id(alpha.id).logo
    upload(client, f"{SETTINGS}/logo", "logo", picture_bytes((200, 80), "WEBP"), "logo.webp")
    second = Association.get_by_id(alpha.id).logo
    assert second != first and second.endswith(".webp")
    assert files_in(app, alpha) == [second]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"Minutes of the annual meeting\n" * 100, "logo.png", "This is not a JPEG, PNG or WebP picture."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.svg", "This is not a JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (images.DEFAULT_MAX_BYTES + 1), "huge.png", "The picture is too large"),
        (b"", "", "Choose a picture to upload."),
    ],
)
def test_bad_logo_gets_a_message_and_nothing_is_saved(app, client, alpha, board, data, filename, message):
    response = upload(client, f"{SETTINGS}/logo", "logo", data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'<p class="error" id="logo-err">{re.escape(message)}', page)
    assert Association.get_by_id(alpha.id).logo is None
    assert files_in(app, alpha) == []
    assert not AuditLog.of(alpha).where(AuditLog.action.startswith("settings.")).exists()


def test_header_photo_is_a_banner_on_the_home_page_only(client, alpha, board):
    response = upload(client, f"{SETTINGS}/header-photo", "header_photo", jpeg_with_gps((3200, 1000)), "IMG_0001.jpg")
    assert response.status_code == 302
    photo = Association.get_by_id(alpha.id).header_photo
    assert photo.endswith("-1600x500.jpg")

    home = client.get("/alpha/").get_data(as_text=True)
    assert f'<img class="banner" src="/alpha/media/{photo}" alt="Alpha Housing" width="1600" height="500">' in home
    assert "banner" not in client.get("/alpha/account").get_data(as_text=True)

    served = client.get(f"/alpha/media/{photo}")
    assert exif_of(served.data)["gps"] == {} and b"PhoneMaker" not in served.data


def test_removing_asks_first_then_deletes_the_file(app, client, alpha, board):
    upload(client, f"{SETTINGS}/logo", "logo", picture_bytes((100, 40), "PNG"))
    logo = Association.get_by_id(alpha.id).logo

    ask = client.get(f"{SETTINGS}/logo/remove")
    assert ask.status_code == 200 and "Remove the logo?" in ask.get_data(as_text=True)
    assert Association.get_by_id(alpha.id).logo == logo  # asking changes nothing

    done = client.submit(f"{SETTINGS}/logo/remove", {}, form_page=f"{SETTINGS}/logo/remove")
    assert done.status_code == 302
    assert Association.get_by_id(alpha.id).logo is None
    assert files_in(app, alpha) == []
    assert client.get(f"/alpha/media/{logo}").status_code == 404
    assert AuditLog.of(alpha).where(AuditLog.action == "settings.logo_removed").exists()


# --- nothing typed is lost (issue 17, item 8) ---------------------------------------------------

DRAFT = "## Spring cleaning\n\nSaturday 10:00 <b>in the yard</b>"


def test_uploading_a_logo_keeps_the_unsaved_welcome_text(app, client, alpha, board, settings_data):
    data = settings_data(welcome_text=DRAFT, logo=(io.BytesIO(picture_bytes((200, 80), "PNG")), "logo.png"))
    response = client.submit(f"{SETTINGS}/logo", data)

    assert response.status_code == 200  # the page again, not a redirect that would drop the draft
    page = response.get_data(as_text=True)
    assert "## Spring cleaning\n\nSaturday 10:00 &lt;b&gt;in the yard&lt;/b&gt;</textarea>" in page
    assert "The new logo is saved." in page and "Your other changes are not saved yet" in page
    saved = Association.get_by_id(alpha.id)
    assert saved.logo is not None and saved.welcome_text == alpha.welcome_text  # the logo only
    assert f'src="/alpha/media/{saved.logo}"' in page

    # Saving then keeps both.
    assert client.submit(SETTINGS, settings_data(welcome_text=DRAFT)).status_code == 302
    assert Association.get_by_id(alpha.id).welcome_text.replace("\r\n", "\n") == DRAFT


def test_nothing_unsaved_goes_back_to_the_settings_as_before(client, alpha, board, settings_data):
    data = settings_data(logo=(io.BytesIO(picture_bytes((200, 80), "PNG")), "logo.png"))
    response = client.submit(f"{SETTINGS}/logo", data)
    assert response.status_code == 302 and response.location.endswith("#picture-logo")


def test_a_refused_logo_keeps_the_unsaved_text_too(client, alpha, board, settings_data):
    data = settings_data(contact_text="Call 070-123 45 67", logo=(io.BytesIO(b"not a picture"), "logo.png"))
    response = client.submit(f"{SETTINGS}/logo", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "not a JPEG, PNG or WebP" in page and "Call 070-123 45 67</textarea>" in page


def test_removing_from_the_settings_page_asks_there_and_keeps_the_text(app, client, alpha, board, settings_data):
    upload(client, f"{SETTINGS}/logo", "logo", picture_bytes((100, 40), "PNG"))
    logo = Association.get_by_id(alpha.id).logo

    asked = client.submit(f"{SETTINGS}/logo/remove", settings_data(welcome_text="Draft", ask="1"))
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Remove the logo?" in page and "Draft</textarea>" in page
    assert Association.get_by_id(alpha.id).logo == logo  # asking changes nothing

    kept = client.submit(SETTINGS, settings_data(welcome_text="Draft", keep="1"))
    assert kept.status_code == 200 and "Draft</textarea>" in kept.get_data(as_text=True)
    assert Association.get_by_id(alpha.id).logo == logo and Association.get_by_id(alpha.id).welcome_text != "Draft"

    removed = client.submit(f"{SETTINGS}/logo/remove", settings_data(welcome_text="Draft"))
    page = removed.get_data(as_text=True)
    assert removed.status_code == 200 and "The logo is removed." in page and "Draft</textarea>" in page
    assert Association.get_by_id(alpha.id).logo is None and files_in(app, alpha) == []


def test_save_settings_also_stores_a_chosen_picture(app, client, alpha, board, settings_data):
    data = settings_data(name="Renamed", logo=(io.BytesIO(picture_bytes((200, 80), "PNG")), "logo.png"))
    assert client.submit(SETTINGS, data).status_code == 302
    saved = Association.get_by_id(alpha.id)
    assert saved.name == "Renamed" and saved.logo is not None and files_in(app, alpha) == [saved.logo]

    refused = settings_data(name="Again", header_photo=(io.BytesIO(b"not a picture"), "photo.jpg"))
    response = client.submit(SETTINGS, refused)
    assert response.status_code == 422 and "not a JPEG, PNG or WebP" in response.get_data(as_text=True)
    assert Association.get_by_id(alpha.id).name == "Renamed"  # nothing saved


def test_a_welcome_picture_without_javascript_keeps_the_unsaved_text(app, client, alpha, board, settings_data):
    data = settings_data(welcome_text="Half-written", image=(io.BytesIO(picture_bytes((300, 200), "PNG")), "a.png"))
    response = client.submit(f"{SETTINGS}/images", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    (name,) = files_in(app, alpha)
    assert f"![](/alpha/media/{name})</textarea>" in page and "Half-written</textarea>" in page


def test_unknown_picture_kind_is_404(client, alpha, board):
    assert upload(client, f"{SETTINGS}/favicon", "favicon", picture_bytes((10, 10), "PNG")).status_code == 404


# --- pictures in the welcome text --------------------------------------------------------------


def test_welcome_picture_without_javascript_shows_the_markdown_line(app, client, alpha, board):
    response = upload(client, f"{SETTINGS}/images", "image", jpeg_with_gps(), "holiday.jpg")
    assert response.status_code == 302 and "#welcome-images" in response.location
    (name,) = files_in(app, alpha)
    assert name.startswith("image-") and name.endswith("-1200x900.jpg")

    page = client.get(response.location).get_data(as_text=True)
    assert f"![](/alpha/media/{name})</textarea>" in page
    served = client.get(f"/alpha/media/{name}")
    assert exif_of(served.data)["gps"] == {}
    assert AuditLog.of(alpha).where(AuditLog.action == "settings.image_uploaded").exists()


def test_welcome_picture_with_htmx_answers_with_the_panel(app, client, alpha, board):
    token = client.csrf(SETTINGS)
    response = client.post(
        f"{SETTINGS}/images",
        data={"image": (io.BytesIO(picture_bytes((300, 300), "PNG")), "a.png")},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="panel" id="welcome-images">')
    (name,) = files_in(app, alpha)
    assert f"![](/alpha/media/{name})" in html

    refused = client.post(
        f"{SETTINGS}/images",
        data={"image": (io.BytesIO(b"not a picture"), "b.png")},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert refused.status_code == 422
    assert refused.get_data(as_text=True).lstrip().startswith('<section class="panel" id="welcome-images">')
    assert "not a JPEG, PNG or WebP" in refused.get_data(as_text=True)


def test_a_welcome_picture_appears_on_the_home_page(app, client, alpha, board, settings_data):
    upload(client, f"{SETTINGS}/images", "image", picture_bytes((200, 100), "PNG"))
    (name,) = files_in(app, alpha)
    assert "Copy this line" not in client.get(f"{SETTINGS}?inserted=../{name}").get_data(as_text=True)

    client.submit(SETTINGS, settings_data(welcome_text=f"## Spring\n\n![The garden](/alpha/media/{name})"))

    home = client.get("/alpha/").get_data(as_text=True)
    assert re.search(
        rf'<img (alt="The garden" src="/alpha/media/{name}"|src="/alpha/media/{name}" alt="The garden")', home
    )


# --- serving ----------------------------------------------------------------------------------


def test_media_headers(client, alpha, board):
    upload(client, f"{SETTINGS}/logo", "logo", picture_bytes((100, 40), "PNG"))
    logo = Association.get_by_id(alpha.id).logo
    response = client.get(f"/alpha/media/{logo}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "inline"
    assert "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/alpha/media/..%2F..%2Fporch.sqlite3",
        "/alpha/media/..%2Fsecret_key",
        "/alpha/media/%2E%2E%2F%2E%2E%2Fporch.sqlite3",
        "/alpha/media/../../porch.sqlite3",
        "/alpha/media/logo-" + "0" * 32 + "-10x10.png%00.png",
        "/alpha/media/porch.sqlite3",
    ],
)
def test_path_traversal_on_media_is_harmless(app, client, alpha, path):
    (app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    (app.config["UPLOAD_DIR"] / "secret_key").write_text("do not serve")
    response = client.get(path)
    assert response.status_code == 404
    assert b"do not serve" not in response.data and b"SQLite format" not in response.data


def test_another_associations_picture_is_404(client, alpha, board, make_association):
    beta = make_association("beta")
    upload(client, f"{SETTINGS}/logo", "logo", picture_bytes((100, 40), "PNG"))
    logo = Association.get_by_id(alpha.id).logo
    assert client.get(f"/alpha/media/{logo}").status_code == 200
    assert client.get(f"/{beta.slug}/media/{logo}").status_code == 404
