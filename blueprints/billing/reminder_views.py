"""Debt reminder pages (SPEC B10, issue 13 item 6): the association's reminder text, and sending reminders
to the debtors the board ticked (or everyone listed) after a page that names who gets one and who cannot
be reached. invoices.manage for all of it; the work is reminders.py's and the mail job's."""

from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from blueprints.billing import bp, overview, reminders
from core import clock
from core.access import requires
from core.forms import ConfirmForm
from core.rendering import render
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import permissions as perms


def _user():
    return current_user._get_current_object()


def _placeholders_only(form, field) -> None:
    unknown = reminders.unknown_placeholders(field.data or "")
    if unknown:
        raise ValidationError(
            _l(
                "%(found)s is not a placeholder: use {name}, {amount} or {overdue_since}.",
                found=", ".join(dict.fromkeys(unknown)),
            )
        )


class TemplateForm(FlaskForm):
    """The association's reminder text; empty fields use the built-in text in each debtor's language."""

    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=reminders.SUBJECT_MAX), _placeholders_only])
    body = TextAreaField(
        _lp("reminder mail", "Text"),
        validators=[Optional(), Length(max=reminders.BODY_MAX), _placeholders_only],
        render_kw={"rows": 12},
    )


@bp.route("/admin/debtors/reminder-template", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def reminder_template():
    """Edit the reminder text; a preview shows it filled in for an example debtor."""
    association = g.association
    template = reminders.template_of(association)
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        reminders.save_template(association, form.subject.data, form.body.data, _user())
        flash(_("The reminder text is saved."), "success")
        return redirect(url_for("billing.reminder_template"))
    example = reminders.compose(
        association,
        template,
        str(get_locale()),
        name=_("Anna Example"),
        amount=123450,
        since=association.today() - dt.timedelta(days=45),
    )
    return render(
        "billing/reminder_template.html",
        form=form,
        example=example,
        default_subject=reminders.default_subject(),
        default_body=reminders.default_body(),
        status=422 if form.errors else 200,
    )


def _chosen_ids() -> list[int]:
    """The people the board ticked, or (all=1) every debtor the list's filter keeps."""
    if request.form.get("all") == "1":
        bucket = request.form.get("bucket", "")
        listing = overview.debtor_list(
            g.association, g.association.today(), order=overview.BY_AMOUNT, bucket=bucket, page=1, whole=True
        )
        return [debtor.person_id for debtor in listing.filtered]
    ids = []
    for value in request.form.getlist("person"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return sorted(set(ids))


def _since() -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(request.form.get("since", ""))
    except ValueError:
        return None


@bp.route("/admin/debtors/reminders", methods=["POST"])
@requires(perms.INVOICES_MANAGE)
def debtor_reminders():
    """Confirm whom the reminders go to (and who cannot be reached); on confirmation, send them."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render("billing/reminder_confirm.html", form=form, chosen=[], reachable=[], unreachable=[],
                      problem=_("The page had expired. Go back and try again."), status=400)  # fmt: skip
    ids = _chosen_ids()
    single = request.form.get("back") == "debtor" and len(ids) == 1
    if request.form.get("confirm") == "1" and ids:
        outcome = reminders.send_reminders(g.association, ids, user=_user(), since=_since())
        _report(outcome)
        return redirect(url_for("billing.debtor", person_id=ids[0]) if single else url_for("billing.debtors"))
    everyone = {d.person_id: d for d in overview.all_debtors(g.association, g.association.today())}
    chosen = [everyone[i] for i in ids if i in everyone]
    problem = None if chosen else _("Tick at least one debtor with something overdue.")
    example = None
    if chosen:
        first = chosen[0]
        example = reminders.compose(
            g.association, reminders.template_of(g.association), str(get_locale()),
            name=first.name, amount=first.overdue, since=first.since,
        )  # fmt: skip
    return render(
        "billing/reminder_confirm.html",
        form=form,
        chosen=chosen,
        reachable=[d for d in chosen if not d.unreachable],
        unreachable=[d for d in chosen if d.unreachable],
        example=example,
        since=clock.utcnow_naive().isoformat(),
        single=single,
        problem=problem,
        currency=g.association.currency,
        status=422 if problem else 200,
    )


def _report(outcome: reminders.Outcome) -> None:
    """What the click did, in words: how many are on their way, who could not be reached and why."""
    if outcome.queued:
        count = len(outcome.queued)
        flash(
            ngettext(
                "%(num)d reminder is on its way, with the statement attached.",
                "%(num)d reminders are on their way, each with the statement attached.",
                count,
            ),
            "success",
        )
    if outcome.unreachable:
        names = "; ".join(f"{d.name} ({d.unreachable_label})" for d in outcome.unreachable)
        flash(_("Not reachable, no reminder sent: %(names)s.", names=names), "error")
    if outcome.already:
        names = ", ".join(d.name for d in outcome.already)
        flash(_("Already reminded a moment ago, not sent again: %(names)s.", names=names), "success")
    if outcome.nothing_overdue and not (outcome.queued or outcome.unreachable or outcome.already):
        flash(_("Nothing is overdue any more: no reminder was sent."), "success")
