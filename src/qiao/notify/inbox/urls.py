from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),  # GET the list; POST marks all read
    path("<int:pk>/", views.notification_open, name="open"),
]
