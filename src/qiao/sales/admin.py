"""The products and their prices in the admin; the ledger itself moves only through the pages
and the API (services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qiao.core.admin import CleanInputAdminMixin

from .models import Product


@admin.register(Product)
class ProductAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "category", "unit", "price", "marginal_cost", "active")
    list_filter = ("active", "category")
    search_fields = ("code", "name")
