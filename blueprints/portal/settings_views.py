"""Portal settings, the association's pictures, and the contact page (SPEC P1, P8)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import CONTACT_TAB, bp
from blueprints.portal.settings_forms import TAB_LABELS, HeaderPhotoForm, LogoForm, SettingsForm, WelcomeImageForm
from core import images
from core.access import requires
from core.audit import audit
from core.rendering import htmx, render
from core.text import lazy_gettext as _l
from core.text import markdown
from models import Association, SlugAlias
from models import permissions as perms
from models.db import after_commit, transaction

YEAR = 31536000


class Picture:
    """The logo or the header photo: its column, its form and the box it is fitted into."""

    def __init__(self, key: str, column: str, form_class, max_size: tuple[int, int], label, hint, saved, removed):
        self.key, self.column, self.form_class, self.max_size = key, column, form_class, max_size
        self.label, self.hint, self.saved, self.removed = label, hint, saved, removed


PICTURES = {
    "logo": Picture(
        "logo",
        "logo",
        LogoForm,
        (400, 160),
        _l("Logo"),
        _l("Shown in the header of every page and on the login page. JPEG, PNG or WebP; made at most 400×160."),
        _l("The new logo is saved."),
        _l("The logo is removed."),
    ),
    "header-photo": Picture(
        "header-photo",
        "header_photo",
        HeaderPhotoForm,
        (1600, 600),
        _l("Header photo"),
        _l("A wide photo across the top of the home page, about 1600×600. JPEG, PNG or WebP."),
        _l("The new header photo is saved."),
        _l("The header photo is removed."),
    ),
}
WELCOME_IMAGE_SIZE = (1200, 1200)


@bp.app_template_global()
def media_url(name: str | None, association: Association | None = None) -> str | None:
    """The address of one of the association's public pictures (the current association's by default)."""
    if not name:
        return None
    association = association or g.association
    return url_for("portal.media", slug=association.slug, media_name=name)


@bp.app_template_global()
def image_size(name: str | None) -> tuple[int, int]:
    """(width, height) of a stored picture, for <img width height>."""
    return images.image_size(name) or (1, 1)


# --- the settings page ---------------------------------------------------------------------


def _settings_form(formdata=None) -> SettingsForm:
    """The form filled from the association, or (posted) from what was sent and nothing else."""
    association = g.association
    if formdata is not None:
        return SettingsForm(association, formdata=formdata)
    form = SettingsForm(association, obj=association, formdata=None)
    form.tabs.data = association.tabs.split()
    form.theme_color_picker.data = association.theme_color
    return form


def _settings_page(form: SettingsForm, *, status: int = 200, pictures: dict | None = None, **context):
    picture_forms = {key: kind.form_class(formdata=None) for key, kind in PICTURES.items()}
    picture_forms.update(pictures or {})
    context.setdefault("image_form", WelcomeImageForm(formdata=None))
    context.setdefault("inserted", None)
    return render(
        "portal/settings.html",
        form=form,
        pictures=PICTURES,
        picture_forms=picture_forms,
        tab_labels=TAB_LABELS,
        status=status,
        **context,
    )


@bp.route("/admin/settings", methods=["GET", "POST"])
@requires(perms.SETTINGS_MANAGE)
def settings():
    """The portal's name, address, language, texts, colour and tabs (seed 000, "Admin – Inställningar")."""
    if request.method == "GET":
        inserted = request.args.get("inserted")
        return _settings_page(
            _settings_form(), inserted=inserted if images.image_path(g.association, inserted) else None
        )
    form = _settings_form(request.form)
    if "preview" in request.form:  # the no-JavaScript preview: show, keep what was typed, save nothing
        form.pick_colour()
        return _settings_page(form, preview=form.welcome_text.data or "")
    if not form.validate_on_submit():
        return _settings_page(form, status=422)
    _save_settings(g.association, form)
    flash(_("The settings are saved."), "success")
    return redirect(url_for("portal.settings", slug=g.association.slug))


def _save_settings(association: Association, form: SettingsForm) -> None:
    old_slug, new_slug = association.slug, form.slug.data
    changes = {
        "name": form.name.data.strip(),
        "slug": new_slug,
        "locale": form.locale.data,
        "currency": form.currency.data,
        "timezone": form.timezone.data,
        "welcome_text": form.welcome_text.data or "",
        "contact_text": form.contact_text.data or "",
        "gdpr_text": form.gdpr_text.data or "",
        "theme_color": form.theme_color.data,
        "tabs": " ".join(tab for tab in Association.OPTIONAL_TABS if tab in form.tabs.data),
    }
    changed = sorted(key for key, value in changes.items() if getattr(association, key) != value)
    with transaction():
        if new_slug != old_slug:
            _move_address(association, old_slug, new_slug, changes)
        Association.update(**changes).where(Association.id == association.id).execute()
        audit("settings.changed", actor=current_user, association=association, target=changes["name"], fields=changed)
        if new_slug != old_slug:
            audit("settings.slug_changed", actor=current_user, association=association, target=new_slug, old=old_slug)
    for key, value in changes.items():
        setattr(association, key, value)


def _move_address(association: Association, old_slug: str, new_slug: str, changes: dict) -> None:
    """Keep the old address redirecting, and point pictures in the texts at the new one."""
    SlugAlias.delete().where((SlugAlias.association == association) & (SlugAlias.slug == new_slug)).execute()
    if not SlugAlias.select().where(SlugAlias.slug == old_slug).exists():
        SlugAlias.create(association=association, slug=old_slug)
    for key in ("welcome_text", "contact_text"):
        changes[key] = changes[key].replace(f"/{old_slug}/media/", f"/{new_slug}/media/")


@bp.route("/admin/settings/preview", methods=["POST"])
@requires(perms.SETTINGS_MANAGE)
def settings_preview():
    """The welcome text as residents will see it, sanitised exactly like the home page."""
    text = request.form.get("welcome_text", "")
    return render("portal/settings_preview.html", "portal/_settings_preview.html", preview=text)


# --- logo and header photo ------------------------------------------------------------------


def _picture(key: str) -> Picture:
    if key not in PICTURES:
        abort(404)
    return PICTURES[key]


@bp.route("/admin/settings/<picture>", methods=["POST"])
@requires(perms.SETTINGS_MANAGE)
def upload_picture(picture: str):
    """Upload a new logo or header photo: checked, stripped of metadata and resized."""
    kind = _picture(picture)
    form = kind.form_class()
    stored = _store(form[kind.column], kind.key.split("-")[0], kind.max_size) if form.validate_on_submit() else None
    if stored is None:
        return _settings_page(_settings_form(), pictures={kind.key: form}, status=422)
    association = g.association
    old_name = getattr(association, kind.column)
    with transaction():
        Association.update({kind.column: stored.name}).where(Association.id == association.id).execute()
        audit(f"settings.{kind.column}_changed", actor=current_user, association=association, target=stored.name)
        after_commit(lambda: images.delete_image(association, old_name))
    flash(str(kind.saved), "success")
    return redirect(url_for("portal.settings", slug=association.slug) + f"#picture-{kind.key}")


def _store(field, kind: str, max_size: tuple[int, int]) -> images.StoredImage | None:
    """Store the uploaded picture, or put the reason it was refused on the field."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        field.errors.append(_("Choose a picture to upload."))
        return None
    try:
        return images.store_image(upload.stream, g.association, kind=kind, max_size=max_size)
    except images.ImageRefusedError as error:
        field.errors.append(str(error.message))
        return None


@bp.route("/admin/settings/<picture>/remove", methods=["GET", "POST"])
@requires(perms.SETTINGS_MANAGE)
def remove_picture(picture: str):
    """Remove the logo or header photo, after asking."""
    kind = _picture(picture)
    association = g.association
    name = getattr(association, kind.column)
    if request.method == "GET":
        if not name:
            return redirect(url_for("portal.settings", slug=association.slug))
        return render("portal/picture_remove.html", kind=kind, name=name)
    if name:
        with transaction():
            Association.update({kind.column: None}).where(Association.id == association.id).execute()
            audit(f"settings.{kind.column}_removed", actor=current_user, association=association, target=name)
            after_commit(lambda: images.delete_image(association, name))
        flash(str(kind.removed), "success")
    return redirect(url_for("portal.settings", slug=association.slug))


@bp.route("/admin/settings/images", methods=["POST"])
@requires(perms.SETTINGS_MANAGE)
def upload_image():
    """Upload a picture for the welcome text; the answer is the Markdown line to paste."""
    form = WelcomeImageForm()
    stored = _store(form.image, "image", WELCOME_IMAGE_SIZE) if form.validate_on_submit() else None
    if stored is None:
        if htmx:
            return render("portal/_welcome_images.html", image_form=form, inserted=None, status=422)
        return _settings_page(_settings_form(), image_form=form, status=422)
    audit("settings.image_uploaded", actor=current_user, association=g.association, target=stored.name)
    if htmx:
        return render("portal/_welcome_images.html", image_form=WelcomeImageForm(formdata=None), inserted=stored.name)
    return redirect(url_for("portal.settings", slug=g.association.slug, inserted=stored.name) + "#welcome-images")


# --- serving pictures and the contact page --------------------------------------------------


@bp.route("/media/<media_name>")
def media(media_name: str):
    """One of the association's public pictures (logo, header photo, welcome text); public: the login page shows them."""
    path = images.image_path(g.association, media_name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=images.mimetype_of(media_name), max_age=YEAR, conditional=True)
    # The name is new for every upload, so a picture at one address never changes.
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/contact")
@requires()
@CONTACT_TAB
def contact():
    """How to reach the board or the landlord (P8)."""
    return render("portal/contact.html", text=markdown(g.association.contact_text))
