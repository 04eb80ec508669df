"""Permission constants, what each one allows, and the built-in roles (seed 004 §4.1).

A role is a named set of these strings. Views declare what they need with
@requires(...); later issues add their permissions here.
"""

from core.text import lazy_gettext as _l

DOCUMENTS_READ = "documents.read"
DOCUMENTS_READ_BOARD = "documents.read_board"
DOCUMENTS_WRITE = "documents.write"
DISCUSSIONS_POST = "discussions.post"
DISCUSSIONS_MODERATE = "discussions.moderate"
SEARCH_USE = "search.use"
FAULTS_REPORT = "faults.report"
FAULTS_RESOLVE = "faults.resolve"
VOTES_CAST = "votes.cast"
VOTES_MANAGE = "votes.manage"
VOTES_CAST_PER_ROLLAM = "votes.cast_per_rollam"
VOTES_MANAGE_PER_ROLLAM = "votes.manage_per_rollam"
MEMBERS_VIEW = "members.view"
MEMBERS_VIEW_CONTACTS = "members.view_contacts"
UNITS_VIEW = "units.view"
OWNERSHIP_VIEW = "ownership.view"
RESIDENTS_EDIT_OWN = "residents.edit_own"
REGISTER_MANAGE = "register.manage"
INVOICES_VIEW_ALL = "invoices.view_all"
INVOICES_MANAGE = "invoices.manage"
METERS_SUBMIT = "meters.submit"
METERS_MANAGE = "meters.manage"
LISTINGS_MANAGE = "listings.manage"
MAIL_SEND_MASS = "mail.send_mass"
MAIL_VIEW_OUTBOX = "mail.view_outbox"
AUDIT_VIEW = "audit.view"
SETTINGS_MANAGE = "settings.manage"
ACCOUNTS_MANAGE = "accounts.manage"
ROLES_MANAGE = "roles.manage"

# Shown to the administrator next to each permission when editing roles.
DESCRIPTIONS = {
    DOCUMENTS_READ: _l("Read documents, except the board's closed section."),
    DOCUMENTS_READ_BOARD: _l("Read documents in the board's closed section."),
    DOCUMENTS_WRITE: _l("Create, edit and delete documents and events."),
    DISCUSSIONS_POST: _l("Read discussions and write posts."),
    DISCUSSIONS_MODERATE: _l("Moderate discussions: hide and delete posts, lock threads, pause members."),
    SEARCH_USE: _l("Use the quick search."),
    FAULTS_REPORT: _l("Report faults and send requests to the administration."),
    FAULTS_RESOLVE: _l("Be assigned fault reports, and resolve or reject them."),
    VOTES_CAST: _l("Vote for the units one owns or holds a proxy for."),
    VOTES_MANAGE: _l("Create, run and close votes."),
    VOTES_CAST_PER_ROLLAM: _l("Vote per rollam (in writing) for the units one owns or holds a proxy for."),
    VOTES_MANAGE_PER_ROLLAM: _l("Create and run per-rollam votes and record paper ballots."),
    MEMBERS_VIEW: _l("See the member list without contact details."),
    MEMBERS_VIEW_CONTACTS: _l("See every member's contact details."),
    UNITS_VIEW: _l("See the unit list and each unit's share."),
    OWNERSHIP_VIEW: _l("See who owns which unit."),
    RESIDENTS_EDIT_OWN: _l("Change the residents of one's own unit and invite them."),
    REGISTER_MANAGE: _l("Create, edit and delete buildings, units and people."),
    INVOICES_VIEW_ALL: _l("See every resident's contracts, invoices and payments."),
    INVOICES_MANAGE: _l("Keep contracts and charges, create invoices and credit notes, record payments."),
    METERS_SUBMIT: _l("Hand in meter readings for the units one owns or lives in, while a window is open."),
    METERS_MANAGE: _l("Keep meters, open and lock reading windows, correct and import readings."),
    LISTINGS_MANAGE: _l("List vacant homes publicly, set how seekers reach the landlord, and check the listings."),
    MAIL_SEND_MASS: _l("Send mail to many residents at once."),
    MAIL_VIEW_OUTBOX: _l("See every mail the portal sends and whether it went out."),
    AUDIT_VIEW: _l("Read the audit log of board and account actions."),
    SETTINGS_MANAGE: _l("Change the portal's name, texts, look and address."),
    ACCOUNTS_MANAGE: _l("Create, disable and invite user accounts."),
    ROLES_MANAGE: _l("Create and edit roles and assign them to members."),
}

ALL = frozenset(DESCRIPTIONS)

TENANT = frozenset({DOCUMENTS_READ, DISCUSSIONS_POST, SEARCH_USE, FAULTS_REPORT, METERS_SUBMIT})
MEMBER = TENANT | {VOTES_CAST, VOTES_CAST_PER_ROLLAM, MEMBERS_VIEW, UNITS_VIEW, OWNERSHIP_VIEW, RESIDENTS_EDIT_OWN}
BOARD = MEMBER | {
    DOCUMENTS_READ_BOARD,
    DOCUMENTS_WRITE,
    DISCUSSIONS_MODERATE,
    FAULTS_RESOLVE,
    VOTES_MANAGE,
    VOTES_MANAGE_PER_ROLLAM,
    MEMBERS_VIEW_CONTACTS,
    REGISTER_MANAGE,
    INVOICES_VIEW_ALL,
    INVOICES_MANAGE,
    METERS_MANAGE,
    LISTINGS_MANAGE,
    MAIL_SEND_MASS,
    MAIL_VIEW_OUTBOX,
    AUDIT_VIEW,
    SETTINGS_MANAGE,
}
ADMINISTRATOR = BOARD | {ACCOUNTS_MANAGE, ROLES_MANAGE}

# key -> (display name, permissions). The key never changes; the name is translated.
BUILTIN_ROLES = {
    "tenant": (_l("Tenant"), TENANT),
    "member": (_l("Member"), MEMBER),
    "board": (_l("Board"), BOARD),
    "administrator": (_l("Administrator"), ADMINISTRATOR),
}
