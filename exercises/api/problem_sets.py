"""The API's view of problem sets: an assignment's questions and a student's result on each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ninja import Schema
from pydantic import Field

from ..courses.config import question_parts
from ..courses.selectors.questions import QuestionSlot
from ..courses.selectors.scores import QuestionResult, SetResult
from ..models import Question


class QuestionOut(Schema):
    position: int = Field(..., description="1, 2, … in the order students answer them")
    max_points: float = Field(..., description="what the question is worth (a pool: its first network's points)")
    pool: bool = Field(..., description="each student is given one of several networks")
    attempts_used: int = Field(0, description="your attempts on this question (attempts are allowed per question)")
    score: float | None = Field(None, description="your counted score on this question, 0–1")
    points: float | None = Field(None, description="score × max_points")
    variant_url: str


class GradebookQuestionOut(Schema):
    position: int
    score: float | None
    points: float | None
    max_points: float
    attempts: int


def questions_out(slots: Iterable[QuestionSlot], result: SetResult | None, base: str) -> list[dict[str, Any]]:
    """Each question of the set with the caller's attempts and counted score on it."""
    results = {q.position: q for q in (result.questions if result else ())}
    out = []
    for slot in slots:
        mine = results.get(slot.position)
        out.append({
            "position": slot.position, "max_points": slot.max_points, "pool": slot.is_pool,
            "attempts_used": mine.attempts if mine else 0, "score": mine.score if mine else None,
            "points": mine.points if mine else None, "variant_url": f"{base}/variant?question={slot.position}",
        })
    return out


def question_results_out(results: Iterable[QuestionResult]) -> list[dict[str, Any]]:
    """A gradebook cell's questions: position, counted score and points, attempts."""
    return [{"position": q.position, "score": q.score, "points": q.points, "max_points": q.max_points,
             "attempts": q.attempts} for q in results]


def parts_out(question: Question) -> list[dict[str, Any]]:
    """The parts a question asks, with their steps and points."""
    points = question.points or {}
    return [{"key": p.key, "step": p.step, "points": float(points.get(p.key, 1.0))}
            for p in question_parts(question=question)]
