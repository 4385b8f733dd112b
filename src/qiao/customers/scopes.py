"""Who reads what of the customer archive (core.registry.scopes, registered in apps.ready)."""

from qiao.core.registry import Scope, ScopeMode

from .models import Attachment, Contact, Customer, CustomerEvent, PersonalDataRequest

SCOPES = (
    # The account manager's scope over the owner or the owner's unit (denormalised onto the
    # customer), the customer's secret level, live customers (the recycle bin apart).
    Scope(Customer, ScopeMode.OWNER_UNIT, owner_field="owner_id", unit_field="owner_unit_id",
          clearance_field="secret_level", deleted_field="is_deleted"),
    Scope(Contact, ScopeMode.VIA_CUSTOMER, customer_field="customer", deleted_field="is_deleted"),
    # A file is as classified as its level says, whoever sees its customer.
    Scope(Attachment, ScopeMode.VIA_CUSTOMER, customer_field="customer",
          clearance_field="secret_level", deleted_field="is_deleted"),
    # A timeline event about a classified record is shown only to those cleared for it.
    Scope(CustomerEvent, ScopeMode.VIA_CUSTOMER, customer_field="customer",
          clearance_field="secret_level"),
    # A request about a person's data: whoever sees the customer (its approver reads it on the
    # approval's page).
    Scope(PersonalDataRequest, ScopeMode.VIA_CUSTOMER, customer_field="customer"),
)
