from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PromotionsConfig(AppConfig):
    name = "qiao.promotions"
    verbose_name = pgettext_lazy("marketing", "Promotions")
