"""Password reset pages at Django's own paths and names (mounted before django.contrib.auth.urls,
so that these win)."""

from django.urls import path

from ..web.ratelimit import rate_limited
from . import passwords

urlpatterns = [
    # Each request may send an email: held to a limit per client and per address.
    path("password_reset/", rate_limited("password_reset")(passwords.PasswordResetView.as_view()),
         name="password_reset"),
    path("password_reset/done/", passwords.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", passwords.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", passwords.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
