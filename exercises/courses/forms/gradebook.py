"""Forms of the gradebook's drill-down: a manual score (override) with its comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OverrideForm(forms.Form):
    """The score that counts, typed as a percentage of the question's points, and a comment."""

    percent = forms.DecimalField(label=_("Score (%)"), min_value=0, max_value=100, decimal_places=2, max_digits=5,
                                 widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}))
    comment = forms.CharField(label=_("Comment to the student"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def score(self) -> float:
        """The typed percentage as a fraction 0…1."""
        return float(self.cleaned_data["percent"]) / 100.0
