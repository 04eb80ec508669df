"""Portal settings, the association's pictures, and the contact page (SPEC P1, P8)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.portal import CONTACT_TAB, bp
from blueprints.portal.settings_forms import (
    SECOND_FACTOR_OFFERED,
    TAB_LABELS,
    HeaderPhotoForm,
    LogoForm,
    SettingsForm,
    WelcomeImageForm,
)
from core import images, storage
from core.access import requires
from core.audit import audit
from core.rendering import htmx, render
from core.text import lazy_gettext as _l
from core.text import markdown
from models import Association, Person, SlugAlias
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
    form.second_factor_permissions.data = association.second_factor_permissions.split()
    form.theme_color_picker.data = association.theme_color
    return form


def _typed_settings() -> SettingsForm | None:
    """What was typed on the settings page, when this post came from it (a picture's button posts it all)."""
    if "name" not in request.form:
        return None
    form = _settings_form(request.form)
    form.pick_colour()
    return form


def _unsaved(form: SettingsForm) -> bool:
    association = g.association
    return any(getattr(association, key) != value for key, value in _changes(form).items())


def _back_to_settings(typed: SettingsForm | None, anchor: str, **context):
    """After a picture was stored or removed: the page again with what was typed if anything is unsaved
    (and a word that it is), else a plain redirect to the saved settings."""
    if typed is not None and _unsaved(typed):
        flash(_("Your other changes are not saved yet: press “Save settings” to keep them."), "warning")
        return _settings_page(typed, **context)
    args = {"inserted": context["inserted"]} if context.get("inserted") else {}
    return redirect(url_for("portal.settings", slug=g.association.slug, **args) + anchor)


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
    if "preview" in request.form or "keep" in request.form:  # show again, keep what was typed, save nothing
        form.pick_colour()
        return _settings_page(form, preview=form.welcome_text.data or "")
    if not form.validate_on_submit():
        return _settings_page(form, status=422)
    pictures = _chosen_pictures()
    if any(p.errors for p in pictures.values()):  # all or nothing: a picture that passed is not kept alone
        for picture_form in pictures.values():
            if picture_form.stored is not None:
                images.delete_image(g.association, picture_form.stored.name)
        return _settings_page(form, pictures=pictures, status=422)
    _save_settings(g.association, form)
    for key, picture_form in pictures.items():  # chosen but not uploaded with their own button: saved too
        _replace_picture(PICTURES[key], picture_form.stored)
    flash(_("The settings are saved."), "success")
    return redirect(url_for("portal.settings", slug=g.association.slug))


def _chosen_pictures() -> dict:
    """The logo or header photo chosen in the form, each checked and stored (or refused, on its field)."""
    chosen = {}
    for key, kind in PICTURES.items():
        upload = request.files.get(kind.column)
        if upload is not None and upload.filename:
            picture_form = kind.form_class()
            picture_form.stored = (
                _store(picture_form[kind.column], key.split("-")[0], kind.max_size)
                if picture_form.validate_on_submit()
                else None
            )
            chosen[key] = picture_form
    return chosen


def _changes(form: SettingsForm) -> dict:
    """The association's columns as the form would set them."""
    return {
        "name": (form.name.data or "").strip(),
        "slug": form.slug.data,
        "locale": form.locale.data,
        "currency": form.currency.data,
        "timezone": form.timezone.data,
        "welcome_text": form.welcome_text.data or "",
        "contact_text": form.contact_text.data or "",
        "on_call_text": form.on_call_text.data or "",
        "gdpr_text": form.gdpr_text.data or "",
        "theme_color": form.theme_color.data,
        "document_max_mb": form.document_max_mb.data,
        "tabs": " ".join(tab for tab in Association.OPTIONAL_TABS if tab in (form.tabs.data or [])),
        "second_factor_permissions": " ".join(
            key for key in SECOND_FACTOR_OFFERED if key in (form.second_factor_permissions.data or [])
        ),
    }


def _save_settings(association: Association, form: SettingsForm) -> None:
    old_slug, new_slug = association.slug, form.slug.data
    changes = _changes(form)
    changed = sorted(key for key, value in changes.items() if getattr(association, key) != value)
    with transaction():
        if new_slug != old_slug:
            _move_address(association, old_slug, new_slug, changes)
        Association.update(**changes).where(Association.id == association.id).execute()
        if changes["locale"] != association.locale:  # names sort as the new language sorts them
            association.locale = changes["locale"]
            Person.rekey(association)
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
    typed = _typed_settings()
    stored = _store(form[kind.column], kind.key.split("-")[0], kind.max_size) if form.validate_on_submit() else None
    if stored is None:
        return _settings_page(typed or _settings_form(), pictures={kind.key: form}, status=422)
    _replace_picture(kind, stored)
    flash(str(kind.saved), "success")
    return _back_to_settings(typed, f"#picture-{kind.key}")


def _replace_picture(kind: Picture, stored: images.StoredImage) -> None:
    association = g.association
    old_name = getattr(association, kind.column)
    with transaction():
        Association.update({kind.column: stored.name}).where(Association.id == association.id).execute()
        audit(f"settings.{kind.column}_changed", actor=current_user, association=association, target=stored.name)
        after_commit(lambda: images.delete_image(association, old_name))
    setattr(association, kind.column, stored.name)


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
    """Remove the logo or header photo, after asking: on a page of its own (GET), or on the settings page
    with everything typed there kept (its Remove button posts "ask")."""
    kind = _picture(picture)
    association = g.association
    name = getattr(association, kind.column)
    typed = _typed_settings()
    if request.method == "GET" or "ask" in request.form:
        if not name:
            return redirect(url_for("portal.settings", slug=association.slug))
        if request.method == "POST":
            return _settings_page(typed or _settings_form(), asking_to_remove=kind.key)
        return render("portal/picture_remove.html", kind=kind, name=name)
    if name:
        with transaction():
            Association.update({kind.column: None}).where(Association.id == association.id).execute()
            audit(f"settings.{kind.column}_removed", actor=current_user, association=association, target=name)
            after_commit(lambda: images.delete_image(association, name))
        setattr(association, kind.column, None)
        flash(str(kind.removed), "success")
    return _back_to_settings(typed, f"#picture-{kind.key}")


@bp.route("/admin/settings/images", methods=["POST"])
@requires(perms.SETTINGS_MANAGE)
def upload_image():
    """Upload a picture for the welcome text; the answer is the Markdown line to paste."""
    form = WelcomeImageForm()
    stored = _store(form.image, "image", WELCOME_IMAGE_SIZE) if form.validate_on_submit() else None
    if stored is None:
        if htmx:
            return render("portal/_welcome_images.html", image_form=form, inserted=None, status=422)
        return _settings_page(_typed_settings() or _settings_form(), image_form=form, status=422)
    audit("settings.image_uploaded", actor=current_user, association=g.association, target=stored.name)
    if htmx:
        return render("portal/_welcome_images.html", image_form=WelcomeImageForm(formdata=None), inserted=stored.name)
    return _back_to_settings(_typed_settings(), "#welcome-images", inserted=stored.name)


# --- serving pictures and the contact page --------------------------------------------------


@bp.route("/media/<media_name>")
def media(media_name: str):
    """One of the association's public pictures (logo, header photo, welcome text); public: the login page shows them."""
    path = images.image_path(g.association, media_name)
    if path is None:
        abort(404)
    response = storage.send(
        path, mimetype=images.mimetype_of(media_name), as_attachment=False, download_name=media_name, max_age=YEAR
    )
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
