"""peewee models, one module per domain (portal, register, billing, faults, documents, exchange) and mail.py for what
leaves by mail (the outbox, ordered PDFs); notifications.py holds what each member chose to be mailed about;
db.py holds the database itself."""

from models.billing import (
    BillingSettings,
    Charge,
    Contract,
    ContractParty,
    Invoice,
    InvoiceDelivery,
    InvoiceLine,
    InvoiceRun,
    Payment,
    PrintBatch,
)
from models.db import db
from models.documents import (
    CalendarFeed,
    Document,
    DocumentAttachment,
    DocumentEdit,
    EventReminder,
    Folder,
    FolderAccess,
)
from models.exchange import ReportSettings
from models.faults import FaultAttachment, FaultDeadline, FaultEvent, FaultReport
from models.mail import OutboundEmail, PdfOrder
from models.notifications import NotificationChoice
from models.portal import (
    Association,
    AuditLog,
    Consent,
    LoginAttempt,
    Membership,
    RegistrationRequest,
    Role,
    SlugAlias,
    Token,
    User,
    UserSession,
)
from models.register import Building, Ownership, Person, Residency, Unit, UnitFileEntry, VotingProxy
from models.search import SearchEntry, SearchText

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
    ReportSettings,
    PrintBatch,
    InvoiceDelivery,
    Folder,
    FolderAccess,
    Document,
    DocumentEdit,
    DocumentAttachment,
    EventReminder,
    CalendarFeed,
    NotificationChoice,
    SearchEntry,
    SearchText,
]

__all__ = ["db", "ALL_MODELS", *[m.__name__ for m in ALL_MODELS]]
