from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PromotionsConfig(AppConfig):
    name = "qiao.promotions"
    verbose_name = pgettext_lazy("marketing", "Promotions")

    def ready(self):
        # Goods handed out and signed for at the customer's: a follow-up of the customer.
        from qiao.customers.services import FOLLOW_UP_KINDS

        from .services import HANDOUT_EVENT

        FOLLOW_UP_KINDS.add(HANDOUT_EVENT)
