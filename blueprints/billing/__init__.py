"""Contracts, invoices, payments, invoice PDFs and reports (SPEC B1–B4, B8, I2)."""

from core.access import association_blueprint

bp = association_blueprint("billing", __name__)

from blueprints.billing import (  # noqa: E402,F401
    board_views,
    contract_views,
    pdf_views,
    report_views,
    resident_views,
    run_views,
)
