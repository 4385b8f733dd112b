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
    path("calls/", views.call_list, name="call_list"),
    path("calls/incoming/", views.call_incoming, name="call_incoming"),
    path("calls/statistics/", views.call_statistics, name="call_statistics"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/choose/", views.call_choose, name="call_choose"),
    path("calls/<int:pk>/ticket/", views.call_ticket, name="call_ticket"),
]
urlpatterns += [path(f"<int:pk>/{step}/", views.ticket_step, {"step": step}, name=step)
                for step in (*views.STEPS, *views.BUTTONS)]
