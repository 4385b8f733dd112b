from django.urls import path

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.org.decorators import stored_file_view

from . import selectors, views

app_name = "workorders"

urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("new/", views.work_order_new, name="new"),
    path("<int:pk>/", views.work_order_detail, name="detail"),
    path("<int:pk>/edit/", views.work_order_edit, name="edit"),
    path("<int:pk>/submit/", views.work_order_submit, name="submit"),
    path("<int:pk>/stage/", views.stage_record, name="stage_record"),
    path("attachments/<int:pk>/", stored_file_view(APPROVAL_REQUEST),
         {"get": selectors.attachment_get},
         name="attachment"),
]
