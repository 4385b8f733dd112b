from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "qiao.customers"
    verbose_name = _("Customer archive")

    def ready(self):
        # Schema upkeep, not business logic: SQLite drops the search table's triggers whenever
        # a migration rebuilds customers_customer; put them back after every migrate.
        from .search_index import keep_sqlite_search_in_step

        post_migrate.connect(keep_sqlite_search_in_step, sender=self)
