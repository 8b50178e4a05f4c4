"""Schemas shared by the practice router (exercises.api.practice) and the course router
(exercises.api.courses)."""

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
