from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("export/xlsx/", views.ticket_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export/csv/", views.ticket_export, {"fmt": "csv"}, name="export_csv"),
    path("new/", views.ticket_new, name="new"),
    path("cases/", views.case_search, name="cases"),
    path("analysis/", views.analysis, name="analysis"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
]
urlpatterns += [path(f"<int:pk>/{step}/", views.ticket_step, {"step": step}, name=step)
                for step in (*views.STEPS, *views.BUTTONS)]
