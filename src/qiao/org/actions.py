"""org's own actions (操作权限). Every app declares its actions in its `actions.py` as here, code
constants for its checks and `ACTIONS` with their labels and default roles, registered in
`core.registry.actions` by its AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef

from .roles import ACCOUNT_MANAGERS_AND_UP

ORG_ADMIN = "org.admin"
FIELD_REVEAL = "field.reveal"
API_USE = "api.use"

ACTIONS = (
    ActionDef(ORG_ADMIN, _("Administer organisation, users and roles"), ("admin",)),
    ActionDef(FIELD_REVEAL, _("Reveal masked phone, ID and bank numbers"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(API_USE, _("Use the REST API with personal tokens"), (*ACCOUNT_MANAGERS_AND_UP, "admin")),
)
