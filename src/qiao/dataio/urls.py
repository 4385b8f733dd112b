from django.urls import path

from . import views

app_name = "dataio"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/errors.xlsx", views.errors_xlsx, name="errors_xlsx"),
    path("backups/", views.backups, name="backups"),
    path("exports/", views.exports_mine, name="exports"),
    path("exports/<int:pk>/download", views.export_download, name="export_download"),
]
