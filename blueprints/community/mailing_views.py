"""The board's mass mail (SPEC C4, seed 004 §4.9): write, choose recipients, test, send, follow delivery.

A mailing is written (subject, Markdown text, files, newsletter or not) and saved as a draft; its
recipients page lists everyone in the register, those who can get it preselected and the others greyed
with the reason, narrowed by role, building or owners only (a GET form; htmx narrows the list in place).
"Send a test to me" mails the signed-in board member alone, without the files; "Send" asks first, with
the count. The mailing's page then shows each recipient's state and refreshes itself while mail is queued.

Newsletters carry a signed one-click unsubscribe link (List-Unsubscribe): it needs no login and no CSRF
token, since a mail programme posts it on the reader's behalf; the token names the member and association.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints.community import bp, mailing
from blueprints.documents.attachments import kind_of as document_kind
from blueprints.documents.attachments import max_bytes
from core import images, uploads
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.mail import attachment_file, store_attachment
from core.rendering import page_url, render
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import Building, Role, User
from models import permissions as perms
from models.community import Mailing, MailingAttachment
from models.db import after_commit, transaction

MAX_FILES = 10
MAX_PERSONAL_FILES = 2000
FILES_ACCEPT = (
    "application/pdf,.pdf,.docx,.xlsx,.odt,.ods,.txt,text/plain,image/jpeg,image/png,image/webp,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet"
)
REASONS = {
    mailing.NO_ADDRESS: _l("no e-mail address"),
    mailing.NO_NEWSLETTERS: _l("does not want newsletters"),
}


class MailingForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Give the mail a subject.")), Length(max=200)])
    body = TextAreaField(
        _lp("written text", "Text"), validators=[DataRequired(_l("Write the text of the mail.")), Length(max=50_000)]
    )
    newsletter = BooleanField(_l("This is a newsletter: members who switched newsletters off do not get it"))
    files = MultipleFileField(_l("Attachments"))


class FileRefused(Exception):  # noqa: N818 (what the views catch)
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- the list -------------------------------------------------------------------------------------------


@bp.route("/mailings")
@requires(perms.MAIL_SEND_MASS)
def mailings():
    """The association's mailings, newest first, each with its state and recipients per state."""
    rows = list(Mailing.of(g.association).order_by(Mailing.created_at.desc(), Mailing.id.desc()).limit(200))
    return render("community/mailings.html", mailings=rows, counts=mailing.counts_of([m.id for m in rows]))


def _mailing(mailing_id: int) -> Mailing:
    return Mailing.get_visible(g.membership, mailing_id)


def _draft(mailing_id: int) -> Mailing:
    """A mailing still being written; once sent, its page is where to go."""
    found = _mailing(mailing_id)
    if found.state != Mailing.DRAFT:
        abort(redirect(url_for("community.mailing_page", mailing_id=found.id)))
    return found


# --- writing --------------------------------------------------------------------------------------------


@bp.route("/mailings/new", methods=["GET", "POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_new():
    """Write a mailing: subject, text, files; saved as a draft, then on to its recipients."""
    form = MailingForm()
    if form.validate_on_submit():
        try:
            with transaction():
                draft = Mailing.create(association=g.association, author=current_user.id, subject="", body="")
                _fill(draft, form)
                audit("mailing.created", actor=current_user, association=g.association, target=draft.subject)
        except FileRefused as refused:
            form.files.errors.append(str(refused.message))
        else:
            flash(_("The draft is saved. Choose who gets it."), "success")
            return redirect(url_for("community.mailing_recipients", mailing_id=draft.id))
    return _form_page(form, None)


@bp.route("/mailings/<int:mailing_id>/edit", methods=["GET", "POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_edit(mailing_id: int):
    """Change a draft's subject, text and files."""
    draft = _draft(mailing_id)
    form = MailingForm(obj=draft) if request.method == "GET" else MailingForm()
    if form.validate_on_submit():
        try:
            with transaction():
                removed = {int(v) for v in request.form.getlist("remove") if v.isdigit()}
                _remove_files(draft, removed)
                _fill(draft, form)
        except FileRefused as refused:
            form.files.errors.append(str(refused.message))
        else:
            flash(_("The draft is saved."), "success")
            return redirect(url_for("community.mailing_page", mailing_id=draft.id))
    return _form_page(form, draft)


def _form_page(form: MailingForm, draft: Mailing | None):
    files = _files(draft) if draft is not None else []
    return render(
        "community/mailing_form.html",
        form=form,
        mailing=draft,
        files=files,
        files_accept=FILES_ACCEPT,
        max_mb=g.association.document_max_mb or 5,
        status=422 if form.errors else 200,
    )


def _fill(draft: Mailing, form: MailingForm) -> None:
    """Save what the form holds; new files are checked (all of them before any is kept) and stored once."""
    checked = _checked_files(request.files.getlist(form.files.name), already=len(_files(draft)))
    draft.subject = " ".join(form.subject.data.split())
    draft.body = form.body.data
    draft.newsletter = bool(form.newsletter.data)
    draft.save()
    for name, data, content_type in checked:
        stored, shown = store_attachment(name, data)
        MailingAttachment.create(
            mailing=draft, stored_name=stored, original_name=shown, content_type=content_type, size=len(data)
        )


def _checked_files(chosen, already: int) -> list[tuple[str, bytes, str]]:
    """(name, bytes, content type) of each upload, by the documents' rules: size, and content read from the
    bytes (PDF, Office, OpenDocument, text; pictures re-encoded, without their metadata)."""
    chosen = [upload for upload in chosen or () if upload is not None and upload.filename]
    if len(chosen) + already > MAX_FILES:
        raise FileRefused(_l("A mailing takes at most %(count)s files.", count=MAX_FILES))
    limit = max_bytes(g.association)
    return [_checked(upload, limit) for upload in chosen]


def _checked(upload, limit: int) -> tuple[str, bytes, str]:
    name = uploads.display_name(upload.filename)
    data = uploads.read_capped(upload.stream, limit)
    if data is None:
        raise FileRefused(uploads.too_large(name, limit))
    if not data:
        raise FileRefused(_l("%(name)s is empty.", name=name))
    extension = document_kind(data)
    if extension is not None:
        content_type = "text/plain" if extension == "txt" else _CONTENT_TYPES[extension]
        return _named(name, extension), data, content_type
    try:
        data, extension, _size = images.clean_image(data, (3000, 3000))
    except images.ImageRefusedError:
        raise FileRefused(
            _l(
                "%(name)s is not a file a mailing takes: PDF, Word (.docx), Excel (.xlsx), OpenDocument"
                " (.odt, .ods), plain text or a picture (JPEG, PNG, WebP).",
                name=name,
            )
        ) from None
    return _named(name, extension), data, images.MIMETYPES[extension]


_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _named(name: str, extension: str) -> str:
    """The name the recipient sees, ending as its content is: the mail programme picks how to open it by it."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix == extension or (extension == "jpg" and suffix == "jpeg"):
        return name
    return f"{name}.{extension}"


def _files(draft: Mailing) -> list[MailingAttachment]:
    return list(MailingAttachment.select().where(MailingAttachment.mailing == draft.id).order_by(MailingAttachment.id))


def _remove_files(draft: Mailing, removed: set[int]) -> None:
    """Take files off the draft; each file goes once that commits (a refused new file keeps them all)."""
    for file in _files(draft):
        if file.id in removed:
            file.delete_instance()
            path = attachment_file(file.stored_name)
            after_commit(lambda path=path: path.unlink(missing_ok=True))


@bp.route("/mailings/<int:mailing_id>/delete", methods=["POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_delete(mailing_id: int):
    """Throw a draft away, with its files."""
    draft = _draft(mailing_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction():
        _remove_files(draft, {file.id for file in _files(draft)})
        draft.delete_instance()
        audit("mailing.deleted", actor=current_user, association=g.association, target=draft.subject)
    flash(_("The draft is thrown away."), "success")
    return redirect(url_for("community.mailings"))


# --- recipients -----------------------------------------------------------------------------------------


@bp.route("/mailings/<int:mailing_id>/recipients", methods=["GET", "POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_recipients(mailing_id: int):
    """Everyone in the register: who can get the mail is preselected, the others greyed with the reason;
    narrowed by role, building and owners only (htmx swaps the list in place)."""
    draft = _draft(mailing_id)
    filters = mailing.Filters.from_args(request.args if request.method == "GET" else request.form)
    people = mailing.candidates(g.association, filters, newsletter=draft.newsletter)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        ticked = {int(v) for v in request.form.getlist("person") if v.isdigit()}
        count = mailing.choose(draft, filters, people, ticked)
        if count == 0:
            flash(_("Nobody is chosen. Tick at least one person."), "error")
            return _recipients_page(draft, filters, people, ticked, form, status=422)
        flash(
            ngettext("The recipients are saved: %(num)d person.", "The recipients are saved: %(num)d people.", count),
            "success",
        )
        return redirect(url_for("community.mailing_page", mailing_id=draft.id))
    ticked = mailing.chosen_ids(draft) if filters == mailing.Filters.from_json(draft.recipient_filter) else set()
    if not ticked:
        ticked = {c.person_id for c in people if c.eligible}
    return _recipients_page(draft, filters, people, ticked, form)


def _recipients_page(draft, filters, people, ticked, form, status=200):
    return render(
        "community/mailing_recipients.html",
        "community/_mailing_recipients.html",
        mailing=draft,
        filters=filters,
        people=people,
        ticked=ticked,
        form=form,
        roles=list(Role.of(g.association).order_by(Role.id)),
        buildings=Building.by_name(g.association),
        reasons=REASONS,
        eligible=sum(1 for c in people if c.eligible),
        status=status,
    )


# --- personal files -------------------------------------------------------------------------------------


@bp.route("/mailings/<int:mailing_id>/personal", methods=["POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_personal(mailing_id: int):
    """Upload one PDF per recipient at once, matched by unit number or name in the file name; the page
    shows who gets which file and which files matched nobody, before anything is sent."""
    draft = _draft(mailing_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        files = _personal_pdfs(request.files.getlist("personal"))
    except FileRefused as refused:
        return _page(draft, personal_error=str(refused.message), status=422)
    if not files:
        return _page(draft, personal_error=_("Choose the PDF files to send, one per recipient."), status=422)
    matching = mailing.attach_personal_files(draft, g.association, files)
    audit("mailing.personal_files", actor=current_user, association=g.association, target=draft.subject,
          matched=len(matching.matched), unmatched=len(matching.unmatched))  # fmt: skip
    return _page(draft, matching=matching)


@bp.route("/mailings/<int:mailing_id>/personal/remove", methods=["POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_personal_remove(mailing_id: int):
    """Take every personal file off the draft."""
    draft = _draft(mailing_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mailing.remove_personal_files(draft)
    flash(_("The personal files are removed."), "success")
    return redirect(url_for("community.mailing_page", mailing_id=draft.id))


def _personal_pdfs(chosen) -> list[tuple[str, bytes]]:
    """(name, bytes) of each upload: PDFs only, each within the documents' size limit."""
    chosen = [upload for upload in chosen or () if upload is not None and upload.filename]
    if len(chosen) > MAX_PERSONAL_FILES:
        raise FileRefused(_l("Upload at most %(count)s files at a time.", count=MAX_PERSONAL_FILES))
    limit, files = max_bytes(g.association), []
    for upload in chosen:
        name = uploads.display_name(upload.filename)
        data = uploads.read_capped(upload.stream, limit)
        if data is None:
            raise FileRefused(uploads.too_large(name, limit))
        if document_kind(data) != "pdf":
            raise FileRefused(_l("%(name)s is not a PDF.", name=name))
        files.append((_named(name, "pdf"), data))
    return files


# --- test and send --------------------------------------------------------------------------------------


@bp.route("/mailings/<int:mailing_id>/test", methods=["POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_test(mailing_id: int):
    """Send the mailing to the signed-in board member alone, marked as a test and without its files."""
    draft = _draft(mailing_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mailing.send_test(draft, g.association, current_user)
    flash(_("A test is on its way to %(address)s, without the attachments.", address=current_user.email), "success")
    return redirect(url_for("community.mailing_page", mailing_id=draft.id))


@bp.route("/mailings/<int:mailing_id>/send", methods=["GET", "POST"])
@requires(perms.MAIL_SEND_MASS)
def mailing_send(mailing_id: int):
    """Ask "Send to 37 people?", then write every recipient's mail to the outbox."""
    draft = _draft(mailing_id)
    recipients = mailing.recipients_to_send(draft, g.association)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            count = mailing.send_mailing(draft, g.association)
        except mailing.MailingError as error:
            flash(str(error.message), "error")
        else:
            audit("mailing.sent", actor=current_user, association=g.association, target=draft.subject, count=count)
            flash(
                ngettext(
                    "The mail is on its way to %(num)d person.", "The mail is on its way to %(num)d people.", count
                ),
                "success",
            )
            return redirect(url_for("community.mailing_page", mailing_id=draft.id))
    return render(
        "community/mailing_send.html",
        mailing=draft,
        count=len(recipients),
        personal=len(mailing.personal_list(draft)),
        files=_files(draft),
        form=form,
        status=422 if request.method == "POST" else 200,
    )


# --- the mailing's page ---------------------------------------------------------------------------------


@bp.route("/mailings/<int:mailing_id>")
@requires(perms.MAIL_SEND_MASS)
def mailing_page(mailing_id: int):
    """A draft with what to do next, or a sent mailing's recipients with their state (refreshing while queued)."""
    return _page(_mailing(mailing_id))


def _page(found: Mailing, *, status: int = 200, **extra):
    counts = mailing.counts_of([found.id])[found.id]
    mailing.settle(found, counts)
    state = request.args.get("state", "")
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    rows, more = mailing.recipients_page(found, state, page) if found.state != Mailing.DRAFT else ([], False)
    return render(
        "community/mailing.html",
        "community/_mailing_status.html",
        mailing=found,
        counts=counts,
        rows=rows,
        more=more,
        state=state if state in mailing.STATES else "",
        page_number=page,
        next_url=page_url(page + 1) if more else None,
        previous_url=page_url(page - 1) if page > 1 else None,
        files=_files(found),
        personal=mailing.personal_list(found) if found.state == Mailing.DRAFT else [],
        form=ConfirmForm(),
        polling=counts.get(mailing.QUEUED, 0) > 0,
        status=status,
        **extra,
    )


# --- leaving newsletters --------------------------------------------------------------------------------


@bp.route("/newsletters/unsubscribe/<newsletter_token>", methods=["GET", "POST"])
def newsletter_unsubscribe(newsletter_token: str):
    """A newsletter's one-click link: GET asks, POST (the page's button, or the mail programme's
    List-Unsubscribe-Post) switches the member's newsletters off."""
    found = mailing.unsubscribe_reader(newsletter_token)
    if found is None or found[0] != g.association.id or not User.select().where(User.id == found[1]).exists():
        abort(404)  # not ours, or the account is gone
    if request.method == "POST":
        mailing.switch_newsletters_off(*found)
        return render("community/newsletter_unsubscribed.html", done=True)
    return render("community/newsletter_unsubscribed.html", done=False, token=newsletter_token)


# A mail programme posts the one-click link without a CSRF token (RFC 8058); the signed token is the proof.
bp.record_once(lambda state: state.app.extensions["csrf"].exempt(f"{__name__}.{newsletter_unsubscribe.__name__}"))
