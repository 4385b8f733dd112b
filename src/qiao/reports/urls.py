from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("grades/", views.grades, name="grades"),
    path("grades/export/", views.grades_export, name="grades_export"),
    path("regions/", views.regions, name="regions"),
    path("regions/export/", views.regions_export, name="regions_export"),
    path("classification/", views.classification, name="classification"),
    path("classification/export/", views.classification_export, name="classification_export"),
    path("key-customers/", views.key_customers, name="key_customers"),
    path("key-customers/export/", views.key_customers_export, name="key_customers_export"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("registration/", views.registration_pick, name="registration_pick"),
    path("registration/<int:customer_id>/", views.registration, name="registration"),
    path("registration/<int:customer_id>/export/", views.registration_export,
         name="registration_export"),
]
