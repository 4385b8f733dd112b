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

        # Goods handed out and signed for at the customer's: a follow-up of the customer.
        from qiao.customers.services import FOLLOW_UP_KINDS

        from .services import HANDOUT_EVENT

        FOLLOW_UP_KINDS.add(HANDOUT_EVENT)
