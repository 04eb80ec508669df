"""The status of one's own ordered PDF, an invoice's or a report's (core/orders.py): a component that polls
until the mail is sent or something failed, and "Try again" for a failed one. Orders load only through
PdfOrder.visible_to (the orderer's own): anything else is a 404, whoever guesses the id."""

from __future__ import annotations

from flask import g, redirect, url_for

from blueprints.exchange import bp
from core import orders
from core.access import requires
from core.rendering import htmx, render
from models.mail import PdfOrder


@bp.route("/pdf-orders/<int:order_id>")
@requires()
def pdf_order(order_id: int):
    """The status of one's own ordered PDF: a component that polls until finished, or a page with a Refresh link."""
    order = PdfOrder.get_visible(g.membership, order_id)
    return render("exchange/pdf_order.html", "exchange/_pdf_order_status.html", order=order)


@bp.route("/pdf-orders/<int:order_id>/retry", methods=["POST"])
@requires()
def pdf_order_retry(order_id: int):
    """Try a failed PDF order again (its render, or only its mail if that is what failed)."""
    order = PdfOrder.get_visible(g.membership, order_id)
    orders.retry(order)
    if not htmx:
        return redirect(url_for("exchange.pdf_order", order_id=order.id))
    return render("exchange/_pdf_order_status.html", order=PdfOrder.get_by_id(order.id))
