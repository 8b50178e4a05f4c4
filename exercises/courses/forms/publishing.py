"""Forms of publishing an assignment and of viewing it as a student."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .common import datetime_widget


class PublishForm(forms.Form):
    """Publish now (no time) or at a time; or make the assignment a draft again."""

    ACTIONS = (("publish", "publish"), ("unpublish", "unpublish"))
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput, initial="publish")
    publish_at = forms.DateTimeField(label=_("Publish at (empty: now)"), widget=datetime_widget(), required=False)


class StudentViewForm(forms.Form):
    """Whose page to show: a student of the course, or a sample seed."""

    student = forms.TypedChoiceField(label=_("Student"), coerce=int, required=False, empty_value=None)
    seed = forms.CharField(label=_("… or a sample seed"), max_length=64, required=False)

    def __init__(self, *args: object, students: list[tuple[int, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [("", _("A sample student")), *(students or [])]
