"""The customer archive (客户档案): customers, contacts (客户关系卡), grades, tags, attachments
and the timeline of everything that happened to a customer; one module per concern, every model
imported here (Django finds an app's models in `customers.models`)."""

from .archive import (
    Customer,
    CustomerEvent,
    CustomerQuerySet,
    FollowUpChannel,
    Grade,
    Tag,
)
from .attachments import (
    Attachment,
    attachment_path,
)
from .contacts import Contact
from .lifecycle import (
    ChecklistItem,
    CustomerRequest,
    LifecycleRequest,
    RequestState,
    TransferItem,
    TransferRequest,
)
from .pool import (
    PoolMove,
    PoolRule,
)
from .privacy import PersonalDataRequest

__all__ = [
    "Grade",
    "Tag",
    "CustomerQuerySet",
    "Customer",
    "FollowUpChannel",
    "CustomerEvent",
    "Contact",
    "attachment_path",
    "Attachment",
    "PoolRule",
    "PoolMove",
    "ChecklistItem",
    "RequestState",
    "CustomerRequest",
    "LifecycleRequest",
    "TransferRequest",
    "TransferItem",
    "PersonalDataRequest",
]
