"""The model graph, read for privacy: which rows belong to an association, and what each link to a person or
an account means (SPEC I3).

Two questions every export and the erasure ask of every model, answered here once, from the models
themselves, so a model added later is never forgotten:

- Which of its rows are an association's? `association_rows(model, association_id)` follows the model's
  foreign keys to one with an `association` column (an invoice line through its invoice). Models with no
  such way are account-level (a login's sessions, second factors): ACCOUNT_ONLY lists them with why.
- What does each foreign key to Person or User mean? LINKS says, for every one: ROW (the row is about or
  by them: it is theirs, exported whole), REFERENCE (they did something to a row about something or
  someone else: only the row's table and id are exported), a tuple of the only columns that are theirs, or
  Skip(reason). tests/blueprints/exchange/test_privacy_graph.py fails for a link missing here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import peewee as pw

import models
from models import Association, Membership, Person, User

ROW, REFERENCE = "row", "reference"


@dataclass(frozen=True)
class Skip:
    """A link to a person or an account that holds nothing personal, and why."""

    reason: str


# (model, field) -> what the link means; every ForeignKeyField to Person or User must be here.
LINKS: dict[tuple[str, str], object] = {
    ("Person", "user"): ROW,
    ("Membership", "user"): ROW,
    ("Membership", "person"): ROW,
    ("UserSession", "user"): ROW,
    ("Token", "user"): ROW,
    ("Consent", "user"): ROW,
    # The board's audit entries name other people in their detail: only what they did, when, from where.
    ("AuditLog", "actor"): ("id", "action", "created_at", "ip"),
    ("OutboundEmail", "recipient_user"): ROW,
    ("Ownership", "person"): ROW,
    ("VotingProxy", "person"): ROW,
    ("Residency", "person"): ROW,
    ("UnitFileEntry", "author"): REFERENCE,
    ("RegistrationRequest", "decided_by"): REFERENCE,
    ("RegistrationRequest", "person"): ROW,
    ("FaultReport", "reporter"): ROW,
    ("FaultReport", "reporter_person"): ROW,
    ("FaultReport", "assignee"): REFERENCE,
    ("FaultEvent", "actor"): ("id", "report_id", "kind", "text", "created_at"),
    ("FaultEvent", "assignee"): REFERENCE,
    ("FaultAttachment", "uploaded_by"): ROW,
    ("ContractParty", "person"): ROW,
    ("InvoiceRun", "created_by"): REFERENCE,
    ("InstalmentPlan", "person"): ROW,
    ("InstalmentPlan", "created_by"): REFERENCE,
    ("Invoice", "recipient"): ROW,
    ("Invoice", "created_by"): REFERENCE,
    ("ReferenceRate", "created_by"): REFERENCE,
    ("BankFile", "created_by"): REFERENCE,
    ("Receipt", "person"): ROW,
    ("Receipt", "recorded_by"): REFERENCE,
    ("BankTransaction", "person"): ROW,
    ("BankTransaction", "handled_by"): REFERENCE,
    ("Payment", "recorded_by"): REFERENCE,
    ("AllocationUndo", "undone_by"): REFERENCE,
    ("InterestRun", "created_by"): REFERENCE,
    ("InterestCharge", "person"): ROW,
    ("DebtReminder", "person"): ROW,
    ("DebtReminder", "sent_by"): REFERENCE,
    ("Settlement", "run_by"): REFERENCE,
    ("Settlement", "created_by"): REFERENCE,
    ("SettlementUnit", "person"): ROW,
    ("PdfOrder", "user"): ROW,
    ("PrintBatch", "created_by"): REFERENCE,
    ("Document", "author"): REFERENCE,
    ("Document", "edited_by"): REFERENCE,
    ("DocumentEdit", "editor"): REFERENCE,
    ("DocumentAttachment", "uploaded_by"): REFERENCE,
    ("EventReminder", "user"): ROW,
    ("CalendarFeed", "user"): ROW,
    ("NotificationChoice", "user"): ROW,
    ("Vote", "author"): REFERENCE,
    ("Ballot", "cast_by"): ROW,
    ("Ballot", "recorded_by"): REFERENCE,
    ("LedgerEntry", "person"): ROW,
    ("Thread", "author"): ROW,
    ("Post", "author"): ROW,
    ("Post", "hidden_by"): REFERENCE,
    ("Post", "deleted_by"): REFERENCE,
    ("PostRevision", "editor"): REFERENCE,  # their own posts' revisions come with the posts (CHILDREN)
    ("PostMention", "user"): ROW,
    ("Subscription", "user"): ROW,
    ("PostFlag", "user"): ROW,
    ("PostFlag", "resolved_by"): REFERENCE,
    ("PostingPause", "user"): ROW,
    ("PostingPause", "created_by"): REFERENCE,
    ("ModerationLog", "moderator"): REFERENCE,
    ("ModerationLog", "member"): ROW,
    ("Mailing", "author"): REFERENCE,
    ("MailingRecipient", "person"): ROW,
    ("MailingRecipient", "user"): ROW,
    ("SecondFactor", "user"): ROW,
    ("RecoveryCode", "user"): ROW,
    ("SecondFactorAttempt", "user"): ROW,
    ("ReadingWindow", "locked_by"): REFERENCE,
    ("ReadingWindow", "created_by"): REFERENCE,
    ("Reading", "entered_by"): REFERENCE,  # the unit's consumption: the board enters everyone's
    ("ReadingChange", "changed_by"): REFERENCE,
    ("ReadingReminder", "user"): ROW,
    ("Vacancy", "created_by"): REFERENCE,
    ("DataExport", "user"): Skip("the export job itself: who asked for a file, not data about them"),
    ("DataExport", "person"): Skip("the export job itself"),
    ("Erasure", "person"): Skip("the record of an erasure points at the pseudonym"),
    ("Erasure", "erased_by"): REFERENCE,
    ("ApiToken", "created_by"): REFERENCE,
    ("ApiToken", "revoked_by"): REFERENCE,
    ("ImportRun", "created_by"): REFERENCE,
}

# Rows that come with rows already exported: (model, field to the exported row's model).
CHILDREN = [
    ("InvoiceLine", "invoice"),
    ("Payment", "invoice"),
    ("PlanDebt", "plan"),
    ("FaultEvent", "report"),
    ("FaultAttachment", "report"),
    ("PostRevision", "post"),
    ("PostAttachment", "post"),
]
# Rows an exported row points at that describe their home or their contract: (model, field, target model).
PARENTS = [
    ("Ownership", "unit", "Unit"),
    ("Residency", "unit", "Unit"),
    ("VotingProxy", "unit", "Unit"),
    ("ContractParty", "contract", "Contract"),
]
# Rows that hold their e-mail address without a link to their account: (model, column).
BY_ADDRESS = [
    ("OutboundEmail", "to_address"),
    ("RegistrationRequest", "email"),
    ("ContactMessage", "email"),
    ("SavedSearch", "email"),
    ("Applicant", "email"),
    ("LoginAttempt", "email"),
]

# Models with no way to an association: a login's own security rows, or rows about no one yet.
ACCOUNT_ONLY = {
    "User": "a login; the association's members are exported through their memberships",
    "UserSession": "a browser's sign-in: security data of the login, not the association's",
    "LoginAttempt": "failed sign-ins, kept an hour to slow guessing",
    "SecondFactor": "a login's second-factor secret",
    "RecoveryCode": "a login's recovery codes (hashed)",
    "SecondFactorAttempt": "wrong second-factor codes, kept an hour to slow guessing",
    "PeriodicRun": "when each periodic job last ran: the install's bookkeeping, about no one",
}

# Columns never written to any export: secrets (hashed or not) and the database's own index data.
SECRET_COLUMNS = frozenset(
    {"password_hash", "key_hash", "token_hash", "code_hash", "secret", "salt", "sort_key", "vector"}
)

# Uploaded files a row names: model -> (column, folder under UPLOAD_DIR/<association id>/).
FILE_COLUMNS = {
    "FaultAttachment": ("stored_name", "faults"),
    "PostAttachment": ("stored_name", "discussions"),
    "Ballot": ("scan_name", "votes"),
    "Reading": ("photo", "meters"),
}


def model_named(name: str) -> type[pw.Model]:
    return getattr(models, name)


def personal_links() -> list[pw.ForeignKeyField]:
    """Every foreign key of every model to Person or User."""
    return [
        field
        for model in models.ALL_MODELS
        for field in model._meta.sorted_fields
        if isinstance(field, pw.ForeignKeyField) and field.rel_model in (Person, User)
    ]


def exported_columns(model: type[pw.Model]) -> list[pw.Field]:
    """The model's fields an export writes: all but SECRET_COLUMNS."""
    return [
        f for f in model._meta.sorted_fields if f.column_name not in SECRET_COLUMNS and f.name not in SECRET_COLUMNS
    ]


# --- which rows are an association's ---------------------------------------------------------------------


@functools.cache
def association_path(model: type[pw.Model]) -> tuple[pw.ForeignKeyField, ...] | None:
    """The foreign keys from `model` to an `association` column ((): the model is Association), or None."""
    return _path(model, frozenset())


def _path(model, seen: frozenset) -> tuple | None:
    if model is Association:
        return ()
    field = model._meta.fields.get("association")
    if isinstance(field, pw.ForeignKeyField) and field.rel_model is Association:
        return (field,)
    # A row belongs where its required parent belongs (an invoice line to its invoice's association); links
    # to an account never decide it: one login is a member of many associations.
    candidates = [
        f
        for f in model._meta.sorted_fields
        if isinstance(f, pw.ForeignKeyField) and f.rel_model not in (User, model) and f.rel_model not in seen
    ]
    for fk in sorted(candidates, key=lambda f: f.null):
        parent = _path(fk.rel_model, seen | {model})
        if parent is not None:
            return (fk, *parent)
    return None


def belongs_to(model: type[pw.Model], association_id: int) -> pw.Expression | None:
    """The condition for `model`'s rows of this association (members, for User); None: no way to tell."""
    if model is User:
        return User.id.in_(Membership.select(Membership.user).where(Membership.association == association_id))
    path = association_path(model)
    if path is None:
        return None
    if not path:
        return model.id == association_id
    return _condition(path, association_id)


def _condition(path: tuple, association_id: int) -> pw.Expression:
    first, rest = path[0], path[1:]
    if not rest:
        return first == association_id
    parent = first.rel_model
    return first.in_(parent.select(first.rel_field).where(_condition(rest, association_id)))


def association_rows(model: type[pw.Model], association_id: int) -> pw.ModelSelect:
    """`model`'s rows of this association (ValueError for an account-only model)."""
    condition = belongs_to(model, association_id)
    if condition is None:
        raise ValueError(f"{model.__name__} has no way to an association")
    return model.select().where(condition)
