"""Configuration of the archive (grades, tags). Customer records themselves are worked on in
Qiao's own pages, where data scope applies; the admin shows no customer data."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Grade, Tag


@admin.register(Grade)
class GradeAdmin(SimpleHistoryAdmin):
    list_display = ("rank", "code", "name", "description")
    ordering = ("rank",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
