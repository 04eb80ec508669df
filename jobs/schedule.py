"""Periodic work for RQ's cron scheduler: `rq cron jobs/schedule.py`.

Installs without Redis run the same sweep from cron with `flask jobs tick`.
"""

import os

from rq import cron

from jobs import community, events, invoices, listing_checks, mail_bounces, meter_reminders, votes, waiting_list
from jobs.email import sweep
from jobs.maintenance import prune
from jobs.saved_searches import mail_new_homes

QUEUE = os.environ.get("RQ_QUEUE", "porch")

cron.register(sweep, QUEUE, interval=60, name="outbox-sweep")
cron.register(invoices.sweep, QUEUE, interval=300, name="invoice-delivery-sweep")
cron.register(prune, QUEUE, interval=3600, name="prune")
cron.register(events.remind, QUEUE, interval=300, name="event-reminders")
cron.register(community.sweep, QUEUE, interval=60, name="post-mail-sweep")
cron.register(mail_bounces.read_imap, QUEUE, interval=300, name="mail-bounces")  # a no-op without MAIL_BOUNCE_IMAP_URL
cron.register(votes.sweep, QUEUE, interval=60, name="votes-sweep")  # closes votes whose end passed; reminders
cron.register(meter_reminders.remind, QUEUE, interval=3600, name="meter-reminders")  # a day's reminders, once each
cron.register(mail_new_homes, QUEUE, interval=3600, name="saved-searches")  # homes new to a saved search, once each
cron.register(
    listing_checks.check_routes, QUEUE, interval=86400, name="listing-route-checks"
)  # daily: seekers' website routes
cron.register(waiting_list.sweep, QUEUE, interval=3600, name="waiting-list")  # offer deadlines, renewals
