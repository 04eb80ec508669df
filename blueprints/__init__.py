"""One package per domain (DESIGN.md), named as in models/, templates/ and tests/:

portal    associations, accounts, roles, settings, registration requests, the outbox (SPEC P)
register  people, buildings, units, ownership, residents, the unit file, the member list (R)
billing   contracts, charges, invoices, payments, invoice PDFs, balances, the yearly settlement (B)
meters    meters, reading windows, readings handed in and imported, their history (M)
listings  vacant homes listed to the public, the seeker's way on to the landlord, the self-check (L)
faults    fault reports and requests (F)
documents folders, documents and their attachments, search, events (D)
community discussions, their moderation, mass mail (C)
votes     polls and per-rollam votes, ballots on paper and online, their ledger and protocol (V)
exchange  what enters and leaves an association: reports, ordered PDFs (I)

A package's __init__ holds its Blueprint and nothing else; its routes live in
views.py and *_views.py, which app.py loads (DOMAINS), so a service module of one
domain can be used by another without pulling in views.
"""

DOMAINS = (
    "portal",
    "register",
    "billing",
    "meters",
    "listings",
    "faults",
    "documents",
    "community",
    "votes",
    "exchange",
)
