from django.urls import path

from qiao.org.decorators import stored_file_view

from . import selectors, views
from .actions import CUSTOMER_VIEW

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/xlsx/", views.customer_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export/csv/", views.customer_export, {"fmt": "csv"}, name="export_csv"),
    path("new/", views.customer_create, name="create"),
    path("duplicates/", views.duplicate_check, name="duplicate_check"),
    path("recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("pool/", views.pool_list, name="pool"),
    path("pool/<int:pk>/claim/", views.pool_claim, name="pool_claim"),
    path("handover/", views.handover_list, name="handover"),
    path("handover/<int:user_id>/", views.handover, name="handover_user"),
    path("personal-data/", views.personal_data_list, name="personal_data"),
    path("personal-data/<int:pk>/download/", views.personal_data_download,
         name="personal_data_download"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/tab/<slug:tab>/", views.customer_tab, name="detail_tab"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/history/", views.customer_history, name="history"),
    path("<int:pk>/grade/", views.customer_grade, name="grade"),
    path("<int:pk>/status/", views.customer_transition, name="transition"),
    path("<int:pk>/follow-up/", views.customer_follow_up, name="follow_up"),
    path("<int:pk>/delete/", views.customer_delete, name="delete"),
    path("<int:pk>/restore/", views.customer_restore, name="restore"),
    path("<int:pk>/release/", views.pool_release, name="pool_release"),
    path("<int:pk>/personal-data/", views.personal_data_new, name="personal_data_new"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/restore/", views.contact_restore, name="contact_restore"),
    path("attachments/<int:pk>/", stored_file_view(CUSTOMER_VIEW),
         {"get": selectors.attachment_get},
         name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("reveal/<slug:model>/<int:pk>/<slug:field>/", views.field_reveal, name="reveal"),
]
