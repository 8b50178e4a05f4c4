"""Error bodies the API sends: `{"detail": …}`, and 422 with a message per unreadable answer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..grading.store import SubmissionFormatError
from ..web.sheets import validation_message


def detail_of(exc: ValidationError | PermissionDenied) -> str:
    """One translated sentence for a service's refusal."""
    if isinstance(exc, ValidationError):
        return validation_message(exc)
    return str(exc) or _("You do not have permission to do this.")


def format_error_body(exc: SubmissionFormatError) -> dict[str, Any]:
    """The 422 body for unreadable answers: nothing stored, one message per part."""
    messages = exc.messages(get_language() or "en")
    return {
        "detail": _("Some answers cannot be read; nothing was stored and no attempt was counted."),
        "errors": {
            key: {"code": code, "params": params, "message": messages[key]}
            for key, (code, params) in exc.errors.items()
        },
    }


def answers_as_text(answers: dict[str, Any]) -> dict[str, str]:
    """JSON numbers are accepted as answers: each becomes its Python repr (full precision)."""
    return {key: value if isinstance(value, str) else repr(value) for key, value in answers.items()}
