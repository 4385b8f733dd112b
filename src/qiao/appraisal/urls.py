from django.urls import path

from . import views

app_name = "appraisal"

urlpatterns = [
    path("", views.appraisal_list, name="list"),
    path("export/xlsx/", views.appraisal_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export/csv/", views.appraisal_export, {"fmt": "csv"}, name="export_csv"),
    path("new/", views.appraisal_new, name="new"),
    path("<int:pk>/", views.appraisal_detail, name="detail"),
    path("<int:pk>/lines/", views.line_add, name="line_add"),
    path("<int:pk>/lines/remove/", views.line_remove, name="line_remove"),
    path("<int:pk>/submit/", views.appraisal_submit, name="submit"),
    path("<int:pk>/review/", views.appraisal_review, name="review"),
    path("schemes/", views.scorecards, name="scorecards"),
    path("schemes/new/", views.scorecard_edit, name="scorecard_new"),
    path("schemes/<int:pk>/", views.scorecard_edit, name="scorecard_edit"),
    path("ranking/", views.ranking, name="ranking"),
]
