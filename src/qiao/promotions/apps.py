from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PromotionsConfig(AppConfig):
    name = "qiao.promotions"
    verbose_name = pgettext_lazy("marketing", "Promotions")

    def ready(self):
        # Its actions and header entry (core.registry.actions, navigation).
        from qiao.core.registry import NavEntry, actions, navigation

        from .actions import ACTIONS, PROMOTION_MANAGE, PROMOTION_RECOMMEND

        for action in ACTIONS:
            actions.register(action)
        navigation.register(NavEntry("promotions:list", pgettext_lazy("marketing", "Promotions"),
                                     "bi-gift", (PROMOTION_MANAGE, PROMOTION_RECOMMEND), order=90,
                                     menu="more"))
        # How its inbox messages read (composed when read, in the reader's language).
        from qiao.notify import kinds

        from . import services

        kinds.register(services.LIST_CONFIRMED, title=services.list_confirmed_title)
        kinds.register(services.RECOMMENDED, title=services.recommended_title)

        # Its lines on the customer's timeline (a hand-out is a follow-up of the customer).
        from qiao.core.registry import timeline_kinds

        for kind in services.TIMELINE_KINDS:
            timeline_kinds.register(kind)
        # Who reads which of its records (core.registry.scopes).
        from qiao.core.registry import scopes

        from .scopes import SCOPES

        for scope in SCOPES:
            scopes.register(scope)
