from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qiao.core"
    verbose_name = "Core"
