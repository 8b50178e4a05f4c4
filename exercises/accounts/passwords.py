"""Password reset in the site's own pages (Django's views with our templates; the admin app's
templates would otherwise win). Accounts that a roster import created have no usable password:
Django's form skips those, ours includes them until they are first used, so an invited student
whose link expired can ask for a new one. The reply never says whether an address exists."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm

from ..models import Invitation


def _same_email(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


class InvitedPasswordResetForm(PasswordResetForm):
    """PasswordResetForm that also reaches invited accounts that have never been used."""

    def get_users(self, email: str) -> Iterator[Any]:
        User = get_user_model()
        field = User.get_email_field_name()
        users = list(User._default_manager.filter(**{f"{field}__iexact": email, "is_active": True}))
        invited = set(
            Invitation.objects.filter(user__in=users, created_account=True).values_list("user_id", flat=True)
        )
        for user in users:
            if not _same_email(email, getattr(user, field) or ""):
                continue
            if user.has_usable_password() or (user.pk in invited and user.last_login is None):
                yield user


class PasswordResetView(auth_views.PasswordResetView):
    form_class = InvitedPasswordResetForm
    template_name = "exercises/accounts/password_reset_form.html"
    email_template_name = "exercises/accounts/password_reset_email.txt"
    subject_template_name = "exercises/accounts/password_reset_subject.txt"


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "exercises/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "exercises/accounts/password_reset_confirm.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "exercises/accounts/password_reset_complete.html"
