from django.urls import path

from qiao.org.decorators import stored_file_view

from . import selectors, views
from .actions import VISIT_RECORD

app_name = "visits"

# Mounted at the root (qiao/urls.py): the hospitality form stays under approvals/hospitality/,
# where it has always been.
urlpatterns = [
    path("approvals/hospitality/new/", views.hospitality_new, name="hospitality_new"),
    path("visits/", views.visit_list, name="list"),
    path("visits/export/xlsx/", views.visit_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("visits/export/csv/", views.visit_export, {"fmt": "csv"}, name="export_csv"),
    path("visits/new/", views.visit_new, name="new"),
    path("visits/<int:pk>/", views.visit_detail, name="detail"),
    # The customer's signature of a visit the user sees; never a public media URL.
    path("visits/<int:pk>/signature.png", stored_file_view(VISIT_RECORD),
         {"get": selectors.visit_get}, name="signature"),
    path("visits/commitments/", views.commitment_list, name="commitments"),
    path("visits/commitments/<int:pk>/fulfil/", views.commitment_fulfil, name="fulfil"),
    path("visits/commitments/<int:pk>/cancel/", views.commitment_cancel, name="cancel"),
]
