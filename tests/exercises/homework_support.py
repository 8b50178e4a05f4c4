"""Shared factories for the course tests (tests/exercises/courses/, api/test_courses_api.py), and
the page helpers (language headers, HTML inspector) also used by test_views.py."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

import graders
from exercises.courses.services import assignments as assignment_services
from exercises.courses.services import courses as course_services
from exercises.courses.services import homework as homework_services
from exercises.courses.services.instructors import instructor_grant
from exercises.grading.variants import variant_solution
from exercises.models import Assignment, Course, Membership, Question, Submission, Variant

User = get_user_model()

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


class Inspector(HTMLParser):
    """Inputs, label targets and every src/href/action of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.label_targets: set[str] = set()
        self.links: list[str] = []
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        if tag in ("input", "select", "textarea"):
            self.inputs.append({"tag": tag, **attributes})
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        for name in ("src", "href", "action"):
            if name in attributes:
                self.links.append(attributes[name])


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    return inspector


def assert_labelled_and_local(url: str, html: str) -> None:
    """Every visible input of the page has a label; no src/href/action leaves the site."""
    page = inspect(html)
    for field in page.inputs:
        if field.get("type") in ("hidden", "submit"):
            continue
        assert field.get("id") in page.label_targets, (url, field)
    for link in page.links:
        assert not link.startswith(("http:", "https:", "//")), (url, link)


def make_user(username: str, **extra: Any) -> Any:
    """A user with a password."""
    return User.objects.create_user(username=username, password=f"pw-{username}-123456", email=f"{username}@example.org",
                                    **extra)


def make_instructor(username: str, **extra: Any) -> Any:
    """A user approved to create courses (the exercises.teach permission)."""
    user = make_user(username, **extra)
    instructor_grant(user=user)
    return user


def enroll(course: Course, user: Any, role: str = Membership.Role.STUDENT) -> Membership:
    """Put a user in a course with a role."""
    membership, _created = Membership.objects.update_or_create(course=course, user=user, defaults={"role": role})
    return membership


def settings_for(**overrides: Any) -> dict[str, Any]:
    """Assignment settings: open since an hour, due in a day, the article's network with new numbers."""
    now = timezone.now()
    data: dict[str, Any] = {
        "title": "Homework 1",
        "template_config": {"builtin": "article-random"},
        "opens_at": now - timedelta(hours=1),
        "due_at": now + timedelta(days=1),
    }
    data.update(overrides)
    return data


# Published "since ever" (as every assignment was before drafts), so frozen clocks see it too.
ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)


def make_assignment(course: Course, instructor: Any, *, published: bool = True, **overrides: Any) -> Assignment:
    """An assignment created through the service; published unless `published=False` (a draft)."""
    assignment = assignment_services.assignment_create(course=course, actor=instructor, data=settings_for(**overrides))
    if published:
        Assignment.objects.filter(pk=assignment.pk).update(published_at=ALWAYS)
        assignment.published_at = ALWAYS
    return assignment


def question_of(assignment: Assignment, position: int = 1, member: int = 1) -> Question:
    """An assignment's question (fresh from the database; the first by default)."""
    return Question.objects.get(assignment=assignment, position=position, member=member)


def solution_of(variant: Variant) -> graders.Solution:
    """The reference solution of a variant."""
    return variant_solution(variant=variant)


def reference_answers(variant: Variant, keys: list[str] | None = None) -> dict[str, str]:
    """Every (or the given) part answered with the reference value."""
    solution = solution_of(variant)
    keys = keys or [p.key for p in solution.parts]
    return {key: repr(solution.values[key]) for key in keys}


def off_by_answers(variant: Variant, keys: list[str], factor: float = 1.004) -> dict[str, str]:
    """Reference values × factor: 0.4 % off is wrong at 4 significant figures, right at 1 % relative."""
    solution = solution_of(variant)
    return {key: repr(solution.values[key] * factor) for key in keys}


@contextlib.contextmanager
def frozen(when: datetime) -> Iterator[None]:
    """Freeze the server clock (django.utils.timezone.now) at `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def submit(capture: Any, assignment: Assignment, student: Any, answers: Mapping[str, str]) -> Submission:
    """Submit through the service; the eager Celery task grades it at commit."""
    with capture(execute=True):
        submission = homework_services.homework_submit(assignment=assignment, student=student, answers=answers)
    submission.refresh_from_db()
    return submission


def fake_graded(variant: Variant, student: Any, count: int, *, score: float = 0.5,
                report: dict[str, Any] | None = None, start: datetime | None = None) -> list[Submission]:
    """`count` graded submissions stored directly (bulk_create), for size and query-count tests."""
    start = start or timezone.now() - timedelta(hours=1)
    rows = [
        Submission(
            id=uuid.uuid4(), variant=variant, user=student, answers={"net_h1": "0.3"}, status=Submission.Status.GRADED,
            score=score, final_score=score * (1 - 0.0), penalty=0.0, attempt_number=i + 1, seed=variant.seed,
            report=report or {"score": score, "points": score, "max_points": 1.0, "parts": {}},
            created_at=start + timedelta(seconds=i), graded_at=start + timedelta(seconds=i),
        )
        for i in range(count)
    ]
    Submission.objects.bulk_create(rows)
    Variant.objects.filter(pk=variant.pk).update(attempt_count=count)
    return rows


@pytest.fixture
def instructor() -> Any:
    return make_instructor("prof")


@pytest.fixture
def course(instructor: Any) -> Course:
    return course_services.course_create(title="Neural networks 101", instructor=instructor)


@pytest.fixture
def ta(course: Course) -> Any:
    user = make_user("ta")
    enroll(course, user, Membership.Role.TA)
    return user


@pytest.fixture
def alice(course: Course) -> Any:
    user = make_user("alice_s", first_name="Alice", last_name="Liddell")
    enroll(course, user)
    return user


@pytest.fixture
def bob(course: Course) -> Any:
    user = make_user("bob_s", first_name="Bob", last_name="Builder")
    enroll(course, user)
    return user


@pytest.fixture
def assignment(course: Course, instructor: Any) -> Assignment:
    return make_assignment(course, instructor)


@pytest.fixture
def other_course() -> Course:
    """Another instructor's course with its own student."""
    other = make_instructor("other_prof")
    other_course = course_services.course_create(title="Other course", instructor=other)
    enroll(other_course, make_user("carol_s"))
    return other_course


@pytest.fixture
def other_instructor(other_course: Course) -> Any:
    return other_course.memberships.get(role=Membership.Role.INSTRUCTOR).user


@pytest.fixture
def outsider() -> Any:
    """A signed-in user in no course."""
    return make_user("mallory")
