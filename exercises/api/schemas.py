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


class DiagnosisOut(Schema):
    key: str = Field(..., description="the diagnosis: a misconception (sign_flipped, delta_for_weight_gradient…), "
                     "too_few_digits, rounded_too_early, other_quantity, or local_formula (no misconception matched: "
                     "the part's formula with your own values)")
    message: str = Field(..., description="the feedback in the caller's language")


class FollowthroughNoteOut(Schema):
    roots: list[str] = Field(..., description="the earlier wrong answers (part keys) the credited values follow from")
    diagnoses: list[str] = Field(..., description="the roots' diagnosis keys")
    parts: list[str] = Field(..., description="the follow-through parts")
    message: str


class PartResultOut(Schema):
    key: str
    step: str
    status: str
    answer: str | None
    value: float | None
    points: float
    max_points: float
    feedback: list[str]
    diagnoses: list[DiagnosisOut] = Field(default_factory=list, description="feedback with each diagnosis's key")
    followthrough_expected: float | None = Field(
        None, description="a follow-through part: the value your own earlier answers give")
    followthrough_roots: list[str] = Field(default_factory=list, description="a follow-through part: the wrong "
                                           "earlier answers it follows from")
    expected: float | None
