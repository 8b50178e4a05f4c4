"""Schemas shared by the practice API (exercises.api) and the homework router
(exercises.homework_api). A module of its own so that importing the homework router does not
import exercises.api, which mounts that router at its end."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field, StrictFloat, StrictInt, StrictStr


class ErrorOut(Schema):
    detail: str


class PartError(Schema):
    code: str
    params: dict[str, Any]
    message: str


class FormatErrorOut(Schema):
    detail: str
    errors: dict[str, PartError]


class SubmissionIn(Schema):
    answers: dict[StrictStr, StrictStr | StrictFloat | StrictInt] = Field(
        ..., description="part key → the answer as text (numbers are accepted and converted)"
    )


class SubmissionCreatedOut(Schema):
    id: str
    status: str
    url: str


class PartResultOut(Schema):
    key: str
    step: str
    status: str
    answer: str | None
    value: float | None
    points: float
    max_points: float
    feedback: list[str]
    expected: float | None
