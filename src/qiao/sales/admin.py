from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Product


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "category", "unit", "price", "marginal_cost", "active")
    list_filter = ("active", "category")
    search_fields = ("code", "name")
