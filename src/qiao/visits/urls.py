from django.urls import path

from . import views

app_name = "visits"

# Mounted under approvals/hospitality/ (qiao/urls.py), where the form has always been.
urlpatterns = [
    path("new/", views.hospitality_new, name="hospitality_new"),
]
