"""What the course forms share: the date-time widget, and putting a service's ValidationError
back on a form (forms shape what was typed; the rules live in the services)."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_widget() -> forms.DateTimeInput:
    """A browser date-time picker."""
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def attach_errors(form: forms.Form, error: ValidationError, aliases: Mapping[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names if the form has one
    (directly or through `aliases`, e.g. template_config → network), else on the whole form."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = aliases.get(name, name)
            messages = [message for item in errors for message in item.messages]
            if target in form.fields:
                form.add_error(target, messages)
            else:
                form.add_error(None, messages)
    else:
        form.add_error(None, error.messages)
