from django.urls import path

from qiao.org.decorators import stored_file_view

from . import selectors, views
from .actions import PROMOTION_MANAGE, PROMOTION_RECOMMEND

app_name = "promotions"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/open/", views.campaign_open, name="open"),
    path("<int:pk>/confirm/", views.campaign_confirm_list, name="confirm_list"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/recommend/", views.recommend, name="recommend"),
    path("recommendations/<int:pk>/decide/", views.decide, name="decide"),
    path("recommendations/<int:pk>/handout/", views.handout, name="handout"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    # The signature image of a receipt the user sees; never a public media URL.
    path("receipts/<int:pk>/signature.png",
         stored_file_view(PROMOTION_MANAGE, PROMOTION_RECOMMEND),
         {"get": selectors.handout_get},
         name="signature"),
]
