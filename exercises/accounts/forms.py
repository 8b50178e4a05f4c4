"""The account settings form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..zones import zone_label, zone_names


class TimeZoneForm(forms.Form):
    """A time zone from the IANA list."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Every time on the site is shown in this zone, and times you type are read in it."),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, zone_label(name)) for name in zone_names()]
