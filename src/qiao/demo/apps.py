from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qiao.demo"
    verbose_name = "Demo data"
