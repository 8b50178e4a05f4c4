"""Forms of the practice site's own pages: sign-up."""

from __future__ import annotations

from django.contrib.auth.forms import UserCreationForm


class SignupForm(UserCreationForm):
    """Django's user creation form: a user name and a password typed twice."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)
