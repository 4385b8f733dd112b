from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    # One page: the list, the form that makes a token (its secret shown once, in the answer)
    # and the revoke buttons (POST revoke=<id>).
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("password/", views.password_change, name="password_change"),
    path("second-factor/", views.second_factor_page, name="second_factor"),
    path("second-factor/setup/", views.second_factor_setup, name="second_factor_setup"),
    path("second-factor/verify/", views.second_factor_verify, name="second_factor_verify"),
    path("second-factor/recovery-codes/", views.second_factor_recovery_codes,
         name="second_factor_recovery_codes"),
    # The link an administrator hands over (org.services.user_password_reset_link).
    path("reset/<uidb64>/<token>/", views.PasswordResetView.as_view(), name="password_reset"),
]
