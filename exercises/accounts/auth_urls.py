"""Password reset pages at Django's own paths and names (mounted before django.contrib.auth.urls,
so that these win)."""

from django.urls import path

from . import passwords

urlpatterns = [
    path("password_reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", passwords.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", passwords.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", passwords.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
