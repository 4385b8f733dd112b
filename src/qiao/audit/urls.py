from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.operation_log, name="log"),
]
