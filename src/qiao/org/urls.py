from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    # One page: the list, the form that makes a token (its secret shown once, in the answer)
    # and the revoke buttons (POST revoke=<id>).
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("password/", views.password_change, name="password_change"),
    # The link an administrator hands over (org.services.user_password_reset_link).
    path("reset/<uidb64>/<token>/", views.PasswordResetView.as_view(), name="password_reset"),
]
