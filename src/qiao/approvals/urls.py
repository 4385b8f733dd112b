from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("waiting/", views.waiting, name="waiting"),
    path("mine/", views.mine, name="mine"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
]
