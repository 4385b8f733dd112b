"""The promotions' actions (操作权限), registered in `core.registry.actions` by
PromotionsConfig.ready() with the roles that hold them by default."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP, HEADS

PROMOTION_MANAGE = "promotion.manage"
PROMOTION_RECOMMEND = "promotion.recommend"

ACTIONS = (
    ActionDef(PROMOTION_MANAGE, _("Run promotion campaigns and confirm their lists"),
              (*HEADS, "brand_manager")),
    ActionDef(PROMOTION_RECOMMEND, _("Recommend customers for promotions"), ACCOUNT_MANAGERS_AND_UP),
)
