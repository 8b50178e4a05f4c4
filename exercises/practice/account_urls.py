"""Password reset pages at Django's own paths and names (mounted before django.contrib.auth.urls,
so that these win)."""

from django.urls import path

from . import accounts

urlpatterns = [
    path("password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
