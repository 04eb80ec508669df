"""The waiting list's public side (L4): signing up, confirming by the mailed link, "send me my link", the
applicant's own page (positions and why they changed, reactivation, download, deletion) and the answer to an
offer. Applicants have no account: every mailed link is single-use and expires; a GET only shows a page with
a button (mail scanners open links), the POST acts. Nothing here shows one applicant to another."""

from __future__ import annotations

import json

from flask import Response, g, make_response, redirect, request, session, url_for
from flask_babel import get_locale

from blueprints.listings import bp
from blueprints.listings import waiting_service as service
from blueprints.listings.waiting_forms import AnswerForm, LinkForm, SignUpForm
from core.forms import ConfirmForm
from core.rendering import render
from core.security import client_ip
from core.text import lazy_gettext as _l
from models.listings import Applicant, ApplicantToken, Offer, Vacancy
from models.register import Building, Unit

# The applicant's words for each step on their own log; and for others' steps that moved them.
OWN_WORDS = {
    "signed_up": _l("You joined the waiting list. Your seniority counts from this day."),
    "offered": _l("You were offered a home."),
    "accepted": _l("You accepted an offer."),
    "declined": _l("You declined an offer."),
    "unanswered": _l("An offer went unanswered by its deadline."),
    "passive": _l("You became passive after three unanswered offers: you keep your seniority but get no offers."),
    "reactivated": _l("You became active again and get offers."),
    "withdrawn": _l("An offer was withdrawn: the home went to someone else."),
    "got_home": _l("You got a home."),
    "renewed": _l("Your yearly renewal was paid."),
    "seniority_lost": _l("Your renewal was not paid in time: your seniority now counts from this day."),
    "internal_on": _l("You are on the internal list (tenants of the association)."),
    "internal_off": _l("You are no longer on the internal list."),
}
OTHERS_WORDS = {
    "got_home": _l("Someone ahead of you got a home: you moved up a place."),
    "deleted": _l("Someone ahead of you left the list: you moved up a place."),
    "seniority_lost": _l("Someone ahead of you lost their seniority: you moved up a place."),
    "passive": _l("Someone ahead of you became passive: you moved up a place."),
    "reactivated": _l("Someone ahead of you became active again: you moved down a place."),
}


def _session_name() -> str:
    return f"waiting_list:{g.association.id}"


def _language() -> str:
    return str(get_locale() or "en").split("_")[0]


def _signed_in() -> tuple[ApplicantToken | None, Applicant | None]:
    """The applicant whose page this browser opened (by a mailed link, for a while), or (None, None)."""
    token = service.valid_token(g.association, ApplicantToken.SESSION, session.get(_session_name()))
    return (token, token.applicant) if token else (None, None)


def _expired() -> Response:
    return render("listings/waiting_expired.html", status=410)


def _departments() -> list[Building]:
    return list(Building.of(g.association).order_by(Building.name, Building.id))


# --- signing up ----------------------------------------------------------------------------------------


@bp.route("/waiting-list", methods=["GET", "POST"])
def waiting_signup():
    """What the waiting list is, its rules, and the sign-up form (name, e-mail, birth date and wishes)."""
    form = SignUpForm(currency=g.association.currency)
    departments = _departments()
    form.departments.choices = [(building.id, building.name) for building in departments]
    rules = service.rules_of(g.association)
    context = {"form": form, "rules": rules, "throttled": False, "too_young": False}
    if not form.validate_on_submit():
        return render("listings/waiting_signup.html", status=422 if form.errors else 200, **context)
    if form.website.data:  # a robot filled the hidden field: it sees success, nothing is kept or sent
        return render("listings/waiting_sent.html", signing_up=True)
    if not service.old_enough(form.birth_date.data, g.association.today()):
        form.birth_date.errors = [_l("You can join the waiting list from the day you turn 15.")]
        return render("listings/waiting_signup.html", status=422, **{**context, "too_young": True})
    if service.throttled(g.association, service.sender_key(client_ip())):
        return render("listings/waiting_signup.html", status=429, **{**context, "throttled": True})
    wishes = service.Wishes(
        housing_types=form.housing_types.data or [],
        departments=[number for number in form.departments.data or [] if number in {b.id for b in departments}],
        rooms_from=form.rooms_from.data,
        max_rent=form.parsed.get("max_rent"),
        accessibility=form.accessibility.data or [],
    )
    service.sign_up(
        g.association, name=form.name.data, email=form.email.data, birth_date=form.birth_date.data, wishes=wishes,
        language=_language(),
    )  # fmt: skip
    return render("listings/waiting_sent.html", signing_up=True)


@bp.route("/waiting-list/confirm/<wait_token>", methods=["GET", "POST"])
def waiting_confirm(wait_token: str):
    """Confirm the sign-up from the mailed link: the GET shows the button, the POST puts you on the list."""
    token = service.valid_token(g.association, ApplicantToken.CONFIRM, wait_token)
    if token is None:
        return _expired()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render("listings/waiting_confirm.html", form=form, applicant=token.applicant, status=200)
    applicant = service.confirm(token)
    if applicant is None:
        return _expired()
    session[_session_name()] = service.issue_token(applicant, ApplicantToken.SESSION)
    return redirect(url_for("listings.waiting_me"))


@bp.route("/waiting-list/link", methods=["GET", "POST"])
def waiting_link():
    """ "Send me my link": the same answer whether the address is on the list or not."""
    form = LinkForm()
    if not form.validate_on_submit():
        return render("listings/waiting_link.html", form=form, throttled=False, status=422 if form.errors else 200)
    if form.website.data:
        return render("listings/waiting_sent.html", signing_up=False)
    if service.throttled(g.association, service.sender_key(client_ip())):
        return render("listings/waiting_link.html", form=form, throttled=True, status=429)
    service.request_link(g.association, form.email.data)
    return render("listings/waiting_sent.html", signing_up=False)


@bp.route("/waiting-list/open/<wait_link_token>", methods=["GET", "POST"])
def waiting_open(wait_link_token: str):
    """Open your page from the mailed link (single-use, an hour): the browser then keeps it for a while."""
    token = service.valid_token(g.association, ApplicantToken.LINK, wait_link_token)
    if token is None:
        return _expired()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render("listings/waiting_open.html", form=form)
    key = service.open_session(token)
    if key is None:
        return _expired()
    session[_session_name()] = key
    return redirect(url_for("listings.waiting_me"))


# --- the applicant's page ------------------------------------------------------------------------------


def _to_link_page() -> Response:
    return redirect(url_for("listings.waiting_link"))


@bp.route("/waiting-list/me")
def waiting_me():
    """The applicant's page: status, seniority, place on each list, offers, and why the places changed."""
    _token, applicant = _signed_in()
    if applicant is None:
        return _to_link_page()
    offers = list(
        Offer.select(Offer, Vacancy, Unit, Building)
        .join(Vacancy)
        .join(Unit)
        .join(Building)
        .where(Offer.applicant == applicant.id)
        .order_by(Offer.sent_at.desc(), Offer.id.desc())
    )
    names = {b.id: b.name for b in _departments()}
    return render(
        "listings/waiting_me.html",
        applicant=applicant,
        positions=service.positions(applicant),
        offers=offers,
        events=service.own_events(applicant),
        own_words=OWN_WORDS,
        others_words=OTHERS_WORDS,
        department_names=[names[number] for number in sorted(applicant.department_ids) if number in names],
        rules=service.rules_of(g.association),
        form=ConfirmForm(),
    )


@bp.route("/waiting-list/me/reactivate", methods=["POST"])
def waiting_reactivate():
    """A passive applicant asks for offers again (seniority kept)."""
    _token, applicant = _signed_in()
    if applicant is None:
        return _to_link_page()
    if ConfirmForm().validate_on_submit() and applicant.status == Applicant.PASSIVE:
        service.reactivate(applicant)
    return redirect(url_for("listings.waiting_me"))


@bp.route("/waiting-list/me/close", methods=["POST"])
def waiting_close():
    """Close the page in this browser (the key it kept stops working)."""
    token, _applicant = _signed_in()
    if token is not None and ConfirmForm().validate_on_submit():
        service.end_session(token)
        session.pop(_session_name(), None)
    return redirect(url_for("listings.waiting_signup"))


@bp.route("/waiting-list/me/data.json")
def waiting_download():
    """Everything the waiting list holds about the applicant, as JSON."""
    _token, applicant = _signed_in()
    if applicant is None:
        return _to_link_page()
    response = make_response(json.dumps(service.export(applicant), ensure_ascii=False, indent=2))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="waiting-list.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/waiting-list/me/delete", methods=["GET", "POST"])
def waiting_delete():
    """Leave the list and erase your data, after you confirm (the log keeps only a pseudonym)."""
    token, applicant = _signed_in()
    if applicant is None:
        return _to_link_page()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render("listings/waiting_delete.html", form=form, applicant=applicant)
    service.delete(applicant)
    session.pop(_session_name(), None)
    return render("listings/waiting_deleted.html")


# --- an offer ------------------------------------------------------------------------------------------


@bp.route("/waiting-list/offer/<wait_offer_token>", methods=["GET", "POST"])
def waiting_offer(wait_offer_token: str):
    """The offered home with two buttons, accept and decline; the link works once, until the deadline."""
    token = service.valid_token(g.association, ApplicantToken.OFFER, wait_offer_token)
    if token is None:
        return _expired()
    offer = (
        Offer.select(Offer, Vacancy, Unit, Building)
        .join(Vacancy)
        .join(Unit)
        .join(Building)
        .where(Offer.id == token.offer_id)
        .get()
    )
    form = AnswerForm()
    if request.method == "POST" and form.validate_on_submit():
        answered = service.answer(token, form.answer.data == "accept")
        if answered is None:
            return _expired()
        return render("listings/waiting_answered.html", offer=answered, accepted=answered.status == Offer.ACCEPTED)
    status = 422 if form.errors else 200
    return render("listings/waiting_offer.html", form=form, offer=offer, vacancy=offer.vacancy, status=status)
