"""The board's side of the waiting list (L4): the applicants in order, one applicant's log with the internal
flag and the yearly payment, the list's rules, and a vacancy's offers: the matching applicants in order, the
next round of offers, and who got the home."""

from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.listings import bp, keeps_listings
from blueprints.listings import waiting_service as service
from blueprints.listings.board_forms import amount_text
from blueprints.listings.waiting_forms import InternalForm, LetForm, RulesForm
from core import nav
from core.access import requires
from core.audit import audit
from core.forms import ConfirmForm
from core.rendering import render
from core.text import lazy_gettext as _l
from models import permissions as perms
from models.db import first_or_404, transaction
from models.listings import Applicant, ApplicantEvent, Letting, Offer, Vacancy, WaitingListRules
from models.register import Building, Unit

PAGE = 50
SHOWN_CANDIDATES = 20  # the head of the queue the offers page shows
STATUS_WORDS = {
    Applicant.PENDING: _l("Not confirmed"),
    Applicant.ACTIVE: _l("Active"),
    Applicant.PASSIVE: _l("Passive"),
    Applicant.HOUSED: _l("Got a home"),
}
OFFER_WORDS = {
    Offer.OPEN: _l("Waiting for an answer"),
    Offer.ACCEPTED: _l("Accepted"),
    Offer.DECLINED: _l("Declined"),
    Offer.UNANSWERED: _l("No answer"),
    Offer.WITHDRAWN: _l("Withdrawn"),
    Offer.LET: _l("Got the home"),
}
EVENT_WORDS = {
    "signed_up": _l("Joined the list (seniority from this day)"),
    "offered": _l("Offered a home"),
    "accepted": _l("Accepted the offer"),
    "declined": _l("Declined the offer"),
    "unanswered": _l("Did not answer by the deadline"),
    "passive": _l("Became passive (three offers unanswered)"),
    "reactivated": _l("Became active again"),
    "withdrawn": _l("Offer withdrawn: the home went to someone else"),
    "got_home": _l("Got the home"),
    "renewed": _l("Renewal paid"),
    "reminder": _l("Renewal reminder mailed"),
    "seniority_lost": _l("Lost seniority: renewal not paid in time"),
    "internal_on": _l("Put on the internal list"),
    "internal_off": _l("Taken off the internal list"),
    "deleted": _l("Deleted their data"),
}

nav.board_place(
    "listings.waiting_board", _l("Waiting list"), "people", order=33, shown=keeps_listings, group="register"
)


@bp.context_processor
def _waiting_words() -> dict:
    return {"waiting_status_words": STATUS_WORDS, "offer_words": OFFER_WORDS, "event_words": EVENT_WORDS}


# --- the applicants --------------------------------------------------------------------------------------


@bp.route("/board/waiting-list")
@requires(perms.LISTINGS_MANAGE)
def waiting_board():
    """The applicants by seniority (active and passive, then those not confirmed and those housed)."""
    show = request.args.get("show", "waiting")
    show = show if show in ("waiting", "housed", "pending") else "waiting"
    statuses = {
        "waiting": (Applicant.ACTIVE, Applicant.PASSIVE),
        "housed": (Applicant.HOUSED,),
        "pending": (Applicant.PENDING,),
    }[show]
    query = Applicant.of(g.association).where(Applicant.status.in_(statuses))
    total = query.count()
    pages = max(1, -(-total // PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    applicants = list(query.order_by(Applicant.seniority_on, Applicant.id).paginate(page, PAGE))
    return render(
        "listings/waiting_board.html",
        applicants=applicants,
        show=show,
        total=total,
        page_number=page,
        pages=pages,
        first_number=(page - 1) * PAGE + 1,
        rules=service.rules_of(g.association),
        today=g.association.today(),
    )


def _own_applicant(applicant_id: int) -> Applicant:
    return first_or_404(Applicant.of(g.association).where(Applicant.id == applicant_id))


@bp.route("/board/waiting-list/<int:wait_applicant_id>")
@requires(perms.LISTINGS_MANAGE)
def waiting_applicant(wait_applicant_id: int):
    """One applicant: wishes, seniority, renewal, places, offers and every step logged."""
    applicant = _own_applicant(wait_applicant_id)
    events = list(
        ApplicantEvent.select()
        .where(ApplicantEvent.applicant == applicant.id)
        .order_by(ApplicantEvent.created_at.desc(), ApplicantEvent.id.desc())
    )
    offers = list(
        Offer.select(Offer, Vacancy, Unit)
        .join(Vacancy)
        .join(Unit)
        .where(Offer.applicant == applicant.id)
        .order_by(Offer.sent_at.desc())
    )
    names = {b.id: b.name for b in Building.of(g.association)}
    return render(
        "listings/waiting_applicant.html",
        applicant=applicant,
        events=events,
        offers=offers,
        positions=service.positions(applicant),
        department_names=[names[number] for number in sorted(applicant.department_ids) if number in names],
        rules=service.rules_of(g.association),
        internal_form=InternalForm(data={"internal": applicant.internal}),
        form=ConfirmForm(),
    )


@bp.route("/board/waiting-list/<int:wait_applicant_id>/internal", methods=["POST"])
@requires(perms.LISTINGS_MANAGE)
def waiting_internal(wait_applicant_id: int):
    """Put the applicant on the internal list (a tenant of the association) or take them off it."""
    applicant = _own_applicant(wait_applicant_id)
    form = InternalForm()
    if form.validate_on_submit() and form.internal.data != applicant.internal:
        with transaction():
            service.set_internal(applicant, form.internal.data)
            audit(
                "listings.waiting_internal", actor=current_user, association=g.association,
                target=f"applicant:{applicant.id}", internal=form.internal.data,
            )  # fmt: skip
        flash(_("Saved."), "success")
    return redirect(url_for("listings.waiting_applicant", wait_applicant_id=applicant.id))


@bp.route("/board/waiting-list/<int:wait_applicant_id>/paid", methods=["POST"])
@requires(perms.LISTINGS_MANAGE)
def waiting_paid(wait_applicant_id: int):
    """Record that the applicant paid the yearly fee: the renewal is due a year later."""
    applicant = _own_applicant(wait_applicant_id)
    fee = service.rules_of(g.association).fee
    if fee is None or applicant.status not in (Applicant.ACTIVE, Applicant.PASSIVE):
        flash(_("This waiting list has no yearly fee to record."), "info")
    elif ConfirmForm().validate_on_submit():
        with transaction():
            service.record_payment(applicant, fee)
            audit(
                "listings.waiting_paid", actor=current_user, association=g.association,
                target=f"applicant:{applicant.id}", paid_until=applicant.paid_until,
            )  # fmt: skip
        flash(_("The payment is recorded."), "success")
    return redirect(url_for("listings.waiting_applicant", wait_applicant_id=applicant.id))


@bp.route("/board/waiting-list/rules", methods=["GET", "POST"])
@requires(perms.LISTINGS_MANAGE)
def waiting_rules():
    """The list's rules: the yearly fee (or none), the grace period, the internal share, offers and replies."""
    rules = service.rules_of(g.association)
    data = {
        "fee": amount_text(rules.fee, g.association.currency), "grace_days": rules.grace_days, "internal_share": rules.internal_share,
        "offer_batch": rules.offer_batch, "reply_days": rules.reply_days,
    }  # fmt: skip
    form = RulesForm(currency=g.association.currency, data=None if request.method == "POST" else data)
    if form.validate_on_submit():
        with transaction():
            values = dict(
                fee=form.parsed["fee"], grace_days=form.grace_days.data, internal_share=form.internal_share.data,
                offer_batch=form.offer_batch.data, reply_days=form.reply_days.data,
            )  # fmt: skip
            if rules.id is None:
                WaitingListRules.create(association=g.association, **values)
            else:
                WaitingListRules.update(values).where(WaitingListRules.id == rules.id).execute()
            if rules.fee is None and values["fee"] is not None:  # a fee where there was none: renewals start
                service.start_renewals(g.association)
            audit("listings.waiting_rules", actor=current_user, association=g.association, target="rules", **values)
        flash(_("The waiting list's rules are saved."), "success")
        return redirect(url_for("listings.waiting_board"))
    return render("listings/waiting_rules.html", form=form, status=422 if form.errors else 200)


# --- a vacancy's offers ----------------------------------------------------------------------------------


def _own_vacancy(vacancy_id: int) -> Vacancy:
    return first_or_404(
        Vacancy.of(g.association).select(Vacancy, Unit, Building).join(Unit).join(Building)
        .where(Vacancy.id == vacancy_id)
    )  # fmt: skip


@bp.route("/board/vacancies/<int:wait_vacancy_id>/offers")
@requires(perms.LISTINGS_MANAGE)
def waiting_offers(wait_vacancy_id: int):
    """The home's offers and the matching applicants in order, with why this order (the internal turn)."""
    return _offers_page(_own_vacancy(wait_vacancy_id))


def _offers_page(vacancy: Vacancy, status: int = 200):
    the_turn = service.turn(g.association)
    offers = list(
        Offer.select(Offer, Applicant)
        .join(Applicant)
        .where(Offer.vacancy == vacancy.id)
        .order_by(Offer.sent_at, Offer.id)
    )
    let = service.is_let(vacancy)  # the letting decides: the housed applicant's offer goes if they erase their data
    closed = not let and service.is_closed(g.association, vacancy)
    queue = [] if let or closed else service.candidates(g.association, vacancy, the_turn)
    return render(
        "listings/waiting_offers.html",
        vacancy=vacancy,
        offers=offers,
        let=let,
        closed=closed,
        queue=queue[:SHOWN_CANDIDATES],
        queue_length=len(queue),
        turn=the_turn,
        rules=service.rules_of(g.association),
        form=ConfirmForm(),
        status=status,
    )


@bp.route("/board/vacancies/<int:wait_vacancy_id>/offers/send", methods=["POST"])
@requires(perms.LISTINGS_MANAGE)
def waiting_send(wait_vacancy_id: int):
    """Offer the home to the next applicants in order, each by mail with the reply deadline."""
    vacancy = _own_vacancy(wait_vacancy_id)
    if not ConfirmForm().validate_on_submit() or service.is_let(vacancy):  # the letting decides, not an offer
        pass
    elif service.is_closed(g.association, vacancy):  # ended or archived: nobody is mailed about it
        flash(_("This home is no longer listed: no offers can be sent for it."), "error")
    else:
        sent = service.send_offers(g.association, vacancy)
        audit(
            "listings.waiting_offers_sent", actor=current_user, association=g.association,
            target=f"vacancy:{vacancy.id}", applicants=[offer.applicant_id for offer in sent],
        )  # fmt: skip
        if sent:
            flash(ngettext("%(num)d offer sent.", "%(num)d offers sent.", len(sent)), "success")
        else:
            flash(_("No applicant on the list fits this home."), "info")
    return redirect(url_for("listings.waiting_offers", wait_vacancy_id=vacancy.id))


@bp.route("/board/vacancies/<int:wait_vacancy_id>/offers/let", methods=["POST"])
@requires(perms.LISTINGS_MANAGE)
def waiting_let(wait_vacancy_id: int):
    """Record who got the home: the vacancy ends today, the others' offers are withdrawn and they are told."""
    vacancy = _own_vacancy(wait_vacancy_id)
    form = LetForm()
    offer = None
    if form.validate_on_submit():
        offer = (
            Offer.select(Offer, Applicant)
            .join(Applicant)
            .where(
                (Offer.vacancy == vacancy.id)
                & (Offer.id == form.offer.data)
                & Offer.status.in_((Offer.OPEN, Offer.ACCEPTED))
                & ~pw.fn.EXISTS(Letting.select().where(Letting.vacancy == vacancy.id))
            )
            .first()
        )
    if offer is None:
        flash(_("Choose an open or accepted offer of this home."), "error")
        return _offers_page(vacancy, status=422)
    with transaction():
        service.let(g.association, vacancy, offer)
        audit(
            "listings.waiting_let", actor=current_user, association=g.association, target=f"vacancy:{vacancy.id}",
            applicant=offer.applicant_id, unit=vacancy.unit.number,
        )  # fmt: skip
    flash(_("The home is let to %(name)s. The other applicants are told.", name=offer.applicant.name), "success")
    return redirect(url_for("listings.waiting_offers", wait_vacancy_id=vacancy.id))
