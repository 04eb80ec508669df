"""Taking an allocation back (issue 13 item 3): the board says why, the invoice owes the amount again and the
money is the payer's credit. Shown in place in the invoice's payments part (templates/billing/_payments.html),
beside "Remove", which stays for a payment recorded by hand for this one invoice.

The payment loads through board_queries.payment_in (the board's own association's, else 404).
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.billing import allocation, bp
from blueprints.billing import board_queries as queries
from blueprints.billing.balance_forms import UndoForm
from blueprints.billing.board_views import _after_change, _invoice_context
from core.access import requires
from core.rendering import render
from models import permissions as perms


@bp.route("/admin/payments/<int:payment_id>/undo", methods=["GET", "POST"])
@requires(perms.INVOICES_MANAGE)
def payment_undo(payment_id: int):
    """Ask why, then take the payment off its invoice; the money goes back to the payer's credit."""
    payment = queries.payment_in(g.membership, payment_id)
    form = UndoForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                allocation.undo(payment, form.reason.data, user=current_user._get_current_object())
            except allocation.AllocationError as refused:
                form.reason.errors = [*form.reason.errors, str(refused.message)]
            else:
                message = _("The payment is taken back. The money is the payer's credit again.")
                return _after_change(payment.invoice_id, message)
        status = 422
    page = queries.invoice_page(g.membership, payment.invoice_id)
    context = _invoice_context(page, undo=payment, undo_form=form)
    return render("billing/board_invoice.html", "billing/_payments.html", status=status, **context)
