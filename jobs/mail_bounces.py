"""The periodic job that reads bounce messages from an IMAP mailbox (MAIL_BOUNCE_IMAP_URL), when one is
configured: it marks the mail and the person whose address bounced (blueprints/community/bounces.py)."""

from __future__ import annotations

import imaplib
import logging

from blueprints.community import bounces
from jobs import job_context

log = logging.getLogger(__name__)


def read_imap() -> int:
    """Read and put away the bounces waiting in the mailbox; how many were recorded (0 without a mailbox)."""
    with job_context() as app:
        url = app.config.get("MAIL_BOUNCE_IMAP_URL")
        if not url:
            return 0
        try:
            tally = bounces.process_imap(url, app.config.get("MAIL_BOUNCE_ADDRESS"))
        except (OSError, imaplib.IMAP4.error):  # the mailbox is away: the next run reads what waits
            log.exception("could not read the bounce mailbox")
            return 0
        log.info("bounces: %s read, %s recorded, %s not ours", tally.read, tally.recorded, tally.ignored)
        return tally.recorded
