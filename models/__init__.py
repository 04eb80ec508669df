"""peewee models, one module per domain; db.py holds the database itself."""

from models.billing import (
    BillingSettings,
    Charge,
    Contract,
    ContractParty,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    Payment,
    PdfOrder,
)
from models.db import db
from models.faults import FaultAttachment, FaultDeadline, FaultEvent, FaultReport
from models.mail import OutboundEmail
from models.portal import (
    Association,
    AuditLog,
    Consent,
    LoginAttempt,
    Membership,
    Person,
    Role,
    Token,
    User,
    UserSession,
)
from models.register import (
    Building,
    Ownership,
    RegistrationRequest,
    Residency,
    SlugAlias,
    Unit,
    UnitFileEntry,
    VotingProxy,
)

# In dependency order: creating them in this order satisfies every foreign key.
ALL_MODELS = [
    Association,
    User,
    Role,
    Person,
    Membership,
    UserSession,
    Token,
    Consent,
    LoginAttempt,
    AuditLog,
    OutboundEmail,
    Building,
    Unit,
    Ownership,
    VotingProxy,
    Residency,
    UnitFileEntry,
    RegistrationRequest,
    SlugAlias,
    FaultReport,
    FaultEvent,
    FaultAttachment,
    FaultDeadline,
    BillingSettings,
    Contract,
    ContractParty,
    Charge,
    InvoiceRun,
    Invoice,
    InvoiceLine,
    Payment,
    PdfOrder,
]

__all__ = ["db", "ALL_MODELS", *[m.__name__ for m in ALL_MODELS]]
