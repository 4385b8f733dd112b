from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PromotionsConfig(AppConfig):
    name = "qiao.promotions"
    verbose_name = pgettext_lazy("marketing", "Promotions")

    def ready(self):
        # How its inbox messages read (composed when read, in the reader's language).
        from qiao.notify import kinds

        from . import services

        kinds.register(services.LIST_CONFIRMED, title=services.list_confirmed_title)
        kinds.register(services.RECOMMENDED, title=services.recommended_title)

        # Its lines on the customer's timeline (a hand-out is a follow-up of the customer).
        from qiao.core.registry import timeline_kinds

        for kind in services.TIMELINE_KINDS:
            timeline_kinds.register(kind)
