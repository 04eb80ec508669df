"""core.images: pictures checked by content, stripped of metadata, resized, stored under our names."""

import io

import pytest
from PIL import Image

from core import images
from tests.blueprints.portal.pictures import exif_of, format_of, jpeg_with_gps, picture_bytes, size_of


@pytest.fixture
def store(app, alpha):
    def do(data, kind="photo", max_size=(400, 400), folder=""):
        with app.app_context():
            stored = images.store_image(io.BytesIO(data), alpha, kind=kind, max_size=max_size, folder=folder)
            return stored, images.image_path(alpha, stored.name, folder)

    return do


def test_gps_and_camera_metadata_are_stripped(store):
    original = jpeg_with_gps()
    assert exif_of(original)["gps"][2] == (59.0, 19.0, 44.5)  # the test photo really carries a position

    stored, path = store(original, max_size=(1600, 600))

    cleaned = path.read_bytes()
    metadata = exif_of(cleaned)
    assert metadata["tags"] == {} and metadata["gps"] == {}
    assert not metadata["info"] & {"exif", "xmp", "comment"}
    assert b"PhoneMaker" not in cleaned
    assert size_of(cleaned) == (800, 600) == (stored.width, stored.height)
    assert format_of(cleaned) == "JPEG"


def test_stored_under_a_server_made_name_in_the_associations_folder(app, store, alpha):
    stored, path = store(picture_bytes((300, 200), "PNG"), kind="logo")
    assert path.parent == app.config["UPLOAD_DIR"] / str(alpha.id)
    assert images.NAME.match(stored.name) and stored.name.startswith("logo-") and stored.name.endswith("-300x200.png")
    assert images.image_size(stored.name) == (300, 200)
    again, _ = store(picture_bytes((300, 200), "PNG"), kind="logo")
    assert again.name != stored.name  # every upload gets a new name (and can be cached for ever)


def test_private_folder_is_separate_from_the_public_pictures(app, store, alpha):
    stored, path = store(picture_bytes((50, 50)), kind="fault", folder="faults")
    assert path.parent.name == "faults"
    with app.app_context():
        assert images.image_path(alpha, stored.name) is None  # not among the public pictures
        with pytest.raises(ValueError):
            images.image_path(alpha, stored.name, folder="../faults")


def test_transparent_png_and_webp_keep_their_format(store):
    png, png_path = store(picture_bytes((1000, 100), "PNG", colour=(0, 0, 0, 0), mode="RGBA"), max_size=(400, 160))
    assert (png.width, png.height) == (400, 40)
    with Image.open(png_path) as picture:
        assert picture.format == "PNG" and picture.mode == "RGBA"
    webp, webp_path = store(picture_bytes((100, 100), "WEBP"))
    assert webp.name.endswith(".webp") and format_of(webp_path.read_bytes()) == "WEBP"


def test_a_phone_photo_is_turned_upright(store):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    stored, path = store(picture_bytes((400, 200), "JPEG", exif=exif), max_size=(1000, 1000))
    assert (stored.width, stored.height) == (200, 400)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Dear board, this is a text file called logo.png\n" * 20, "not a JPEG, PNG or WebP"),
        (picture_bytes((40, 40), "GIF"), "not a JPEG, PNG or WebP"),
        (picture_bytes((40, 40), "PNG")[:60], "damaged"),
        (b"", "Choose a picture"),
    ],
)
def test_what_is_not_a_picture_we_take_is_refused(app, store, alpha, data, message):
    with pytest.raises(images.ImageRefusedError) as refused:
        store(data)
    assert message in str(refused.value)
    assert not (app.config["UPLOAD_DIR"] / str(alpha.id)).exists() or not any(
        (app.config["UPLOAD_DIR"] / str(alpha.id)).iterdir()
    )


def test_too_many_pixels_is_refused_before_decoding(store):
    bomb = picture_bytes((8000, 7000), "PNG", colour=0, mode="1")  # small file, 56 megapixels
    assert len(bomb) < 100_000
    with pytest.raises(images.ImageRefusedError, match="too many pixels"):
        store(bomb)


class EndlessUpload:
    """An upload that never ends: the cap must stop reading it."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size=-1):
        assert size > 0, "read everything at once"
        self.read_bytes += size
        return b"\xff" * size


def test_size_cap_stops_reading_early(app, alpha):
    upload = EndlessUpload()
    with app.app_context(), pytest.raises(images.ImageRefusedError, match="too large"):
        images.store_image(upload, alpha, kind="logo", max_size=(10, 10))
    assert upload.read_bytes <= images.DEFAULT_MAX_BYTES + images.CHUNK


@pytest.mark.parametrize(
    "name",
    [
        "../porch.sqlite3",
        "logo-" + "0" * 32 + "-10x10.png/../../x",
        "logo-" + "0" * 32 + "-10x10.svg",
        "LOGO-" + "0" * 32 + "-10x10.png",
        ".logo-" + "0" * 32 + "-10x10.png.part",
        "",
        None,
    ],
)
def test_names_outside_the_pattern_find_nothing(app, alpha, name):
    with app.app_context():
        assert images.image_path(alpha, name) is None
        assert images.image_size(name) is None
