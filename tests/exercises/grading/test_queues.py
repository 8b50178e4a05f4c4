"""Homework grading has a queue of its own: a practice flood on the default queue cannot delay
it. Submissions (and the sweep's re-sends) go to the queue of their kind."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone

from exercises.courses.services import homework as homework_services
from exercises.grading import sweep, tasks
from exercises.models import Submission
from exercises.practice import services as practice_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support, grading_support
pytest.register_assert_rewrite("homework_support")

from grading_support import reference_answers as practice_answers  # noqa: E402
from homework_support import reference_answers  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db


def sent_queues(publish: mock.MagicMock) -> list[str | None]:
    """The queue named in each publish of the grading task (None: the default queue)."""
    return [call.kwargs.get("queue") for call in publish.call_args_list]


def test_homework_is_enqueued_on_the_homework_queue(settings, assignment, alice, django_capture_on_commit_callbacks):
    settings.BPCOURSE_HOMEWORK_QUEUE = "homework-q"
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    with mock.patch.object(tasks.grade_submission, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            homework_services.homework_submit(assignment=assignment, student=alice,
                                              answers=reference_answers(variant, ["net_h1"]))
    assert sent_queues(publish) == ["homework-q"]


def test_practice_is_enqueued_on_the_default_queue(settings, django_capture_on_commit_callbacks):
    settings.BPCOURSE_HOMEWORK_QUEUE = "homework-q"
    variant = practice_services.variant_create(template="article", seed="q")
    with mock.patch.object(tasks.grade_submission, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            practice_services.submission_create(variant=variant, answers=practice_answers(variant))
    assert sent_queues(publish) == [None]  # Celery's task_default_queue
    assert settings.CELERY_TASK_DEFAULT_QUEUE != "homework-q"


def test_the_sweep_sends_each_submission_to_its_kinds_queue(settings, assignment, alice,
                                                            django_capture_on_commit_callbacks):
    settings.BPCOURSE_HOMEWORK_QUEUE = "homework-q"
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    practice = practice_services.variant_create(template="article", seed="q")
    with mock.patch.object(tasks.grade_submission, "apply_async"):
        with django_capture_on_commit_callbacks(execute=True):
            homework = homework_services.homework_submit(assignment=assignment, student=alice,
                                                         answers=reference_answers(variant, ["net_h1"]))
            other = practice_services.submission_create(variant=practice, answers=practice_answers(practice))
    Submission.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))
    with mock.patch.object(tasks.grade_submission, "apply_async") as publish:
        assert sweep.submission_sweep(older_than_seconds=30) == 2
    by_id = {call.args[0][0]: call.kwargs.get("queue") for call in publish.call_args_list}
    assert by_id == {str(homework.pk): "homework-q", str(other.pk): None}
