"""The customer archive's actions (操作权限), registered in `core.registry.actions` by
CustomersConfig.ready() with the roles that hold them by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP, SUPERVISORS_AND_UP

CUSTOMER_VIEW = "customer.view"
CUSTOMER_CREATE = "customer.create"
CUSTOMER_EDIT = "customer.edit"
CUSTOMER_DELETE = "customer.delete"
CUSTOMER_RESTORE = "customer.restore"
CUSTOMER_REASSIGN = "customer.reassign"
CUSTOMER_GRADE = "customer.grade"
CUSTOMER_LIFECYCLE = "customer.lifecycle"
CUSTOMER_HISTORY = "customer.history"
CUSTOMER_EXPORT = "customer.export"
CONTACT_EDIT = "contact.edit"
ATTACHMENT_UPLOAD = "attachment.upload"
CUSTOMER_SECRET_LEVEL = "customer.secret_level"  # noqa: S105 (an action, not a password)
POOL_CLAIM = "pool.claim"
PERSONAL_DATA = "customer.personal_data"

ACTIONS = (
    ActionDef(CUSTOMER_VIEW, _("View customers"),
              (*ACCOUNT_MANAGERS_AND_UP, "specialist", "agent", "qa_inspector")),
    ActionDef(CUSTOMER_CREATE, _("Create customers"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(CUSTOMER_EDIT, _("Edit customers"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(CUSTOMER_DELETE, _("Delete customers"), SUPERVISORS_AND_UP),
    ActionDef(CUSTOMER_RESTORE, _("Restore deleted customers"), SUPERVISORS_AND_UP),
    ActionDef(CUSTOMER_REASSIGN, _("Reassign customers to another manager"), SUPERVISORS_AND_UP),
    ActionDef(CUSTOMER_GRADE, _("Change grade and classification"), SUPERVISORS_AND_UP),
    ActionDef(CUSTOMER_LIFECYCLE, _("Change lifecycle status"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(CUSTOMER_HISTORY, _("View change history"), (*ACCOUNT_MANAGERS_AND_UP, "specialist")),
    ActionDef(CUSTOMER_EXPORT, _("Export customer tables"), SUPERVISORS_AND_UP),
    ActionDef(CONTACT_EDIT, _("Create and edit contacts"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(ATTACHMENT_UPLOAD, _("Upload attachments"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(CUSTOMER_SECRET_LEVEL, _("Set secret levels of customers"), SUPERVISORS_AND_UP),
    ActionDef(POOL_CLAIM, _("Claim customers from the public pool"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(PERSONAL_DATA, _("Take a person's request for a copy or erasure of their data"),
              (*ACCOUNT_MANAGERS_AND_UP, "agent")),
)
