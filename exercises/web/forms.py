"""The answer sheet: one box per part, practice and homework alike."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

FORM_TOKEN_FIELD = "form_token"


class AnswerSheetForm(forms.Form):
    """One optional text box per part key (named by the key), plus a one-time form token.

    The boxes are not validated here: the answer parser in `grading.store.answers_clean` decides
    what is readable, and its per-key errors are attached with `add_format_errors`. What the
    student typed is kept exactly (no stripping) so that a re-rendered form shows it unchanged.
    """

    form_token = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": _("This form is incomplete. Reload the page and try again.")},
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        part_keys: Iterable[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.part_keys = list(part_keys)
        if not self.is_bound:
            # A blank sheet is shown, never validated: its boxes are built from `initial` by
            # `sheets.answer_boxes`, so the 40–340 box fields are made only for a sent sheet.
            self.initial.setdefault(FORM_TOKEN_FIELD, secrets.token_urlsafe(16))
            return
        for key in self.part_keys:
            self.fields[key] = forms.CharField(required=False, strip=False, label=key)

    def answers(self) -> dict[str, str]:
        """The typed text of every box (call after is_valid())."""
        return {key: self.cleaned_data.get(key) or "" for key in self.part_keys}

    def add_format_errors(self, messages: Mapping[str, str]) -> None:
        """Attach the parser's message to each box it could not read."""
        for key, message in messages.items():
            if key in self.fields:
                self.add_error(key, message)
