"""The products and their prices, and the bonus rules (奖金规则), in the admin; the ledger
itself moves only through the pages and the API (services)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from qiao.core.admin import CleanInputAdminMixin

from .bonus import tiers_problems
from .models import BonusRule, BonusTier, Product


@admin.register(Product)
class ProductAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "category", "unit", "price", "marginal_cost", "active")
    list_filter = ("active", "category")
    search_fields = ("code", "name")


class TierFormSet(BaseInlineFormSet):
    """The rule's tiers together: none overlapping, each rate 0–100 (bonus.tiers_problems)."""

    def clean(self):
        super().clean()
        tiers = [(form.cleaned_data["completion_from"], form.cleaned_data.get("completion_to"),
                  form.cleaned_data.get("rate"))
                 for form in self.forms
                 if form.cleaned_data and not form.cleaned_data.get("DELETE")
                 and form.cleaned_data.get("completion_from") is not None]
        problems = tiers_problems(tiers)
        if problems:
            raise ValidationError(problems)


class BonusTierInline(CleanInputAdminMixin, admin.TabularInline):
    model = BonusTier
    formset = TierFormSet
    extra = 1


@admin.register(BonusRule)
class BonusRuleAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    list_display = ("effective_from", "monthly_first", "monthly_second", "monthly_third",
                    "annual_first", "annual_second", "annual_third")
    inlines = [BonusTierInline]
