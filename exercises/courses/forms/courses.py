"""Forms of the course pages: a new course, joining one, the roster, roles, an extension."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ...models import Membership
from .common import datetime_widget

ROLE_CHOICES = Membership.Role.choices
ROSTER_MAX_BYTES = 1024 * 1024


class CourseForm(forms.Form):
    """A new course: its title."""

    title = forms.CharField(label=_("Course title"), max_length=200)


class JoinForm(forms.Form):
    """Joining a course by its code (spaces dropped, upper case)."""

    code = forms.CharField(
        label=_("Course code"),
        max_length=16,
        help_text=_("The 8-character code your instructor gave you."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        return re.sub(r"\s+", "", self.cleaned_data["code"]).upper()


class RosterImportForm(forms.Form):
    """Students to enroll, as an uploaded CSV file or pasted rows (`text` once cleaned)."""

    csv_file = forms.FileField(label=_("CSV file"), required=False)
    csv_text = forms.CharField(
        label=_("… or paste the rows"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "placeholder": "username,email,name"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("csv_file")
        text = data.get("csv_text") or ""
        if upload:
            if upload.size > ROSTER_MAX_BYTES:
                raise ValidationError(_("The file is too large (at most 1 MB)."))
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from exc
        if not text.strip():
            raise ValidationError(_("Choose a CSV file or paste its rows."))
        data["text"] = text
        return data


class RoleForm(forms.Form):
    """A member's new role."""

    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class ExtensionForm(forms.Form):
    """A student's new due date and/or extra attempts."""

    due_at = forms.DateTimeField(label=_("New due date"), widget=datetime_widget(), required=False)
    extra_attempts = forms.IntegerField(label=_("Extra attempts"), min_value=0, max_value=1000, required=False,
                                        initial=0)
