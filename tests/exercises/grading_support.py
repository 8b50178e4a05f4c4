"""Helpers shared by the grading-pipeline and practice tests: reference answers, queued submissions."""

from __future__ import annotations

from unittest import mock

import graders
from exercises.grading.variants import variant_spec
from exercises.models import Submission, Variant
from exercises.practice import services as practice_services


def reference_answers(variant: Variant) -> dict[str, str]:
    """Every part answered with the reference value."""
    solution = graders.solve(variant_spec(variant=variant))
    return {part.key: repr(solution.values[part.key]) for part in solution.parts}


def no_enqueue():
    return mock.patch("exercises.grading.enqueue.enqueue_grading", return_value=True)


def make_queued(variant: Variant | None = None, answers: dict[str, str] | None = None, **kw) -> Submission:
    variant = variant or practice_services.variant_create(template="article", seed="s")
    with no_enqueue():
        return practice_services.submission_create(variant=variant, answers=answers or reference_answers(variant), **kw)


def redis_url_or_skip() -> str:
    """The test broker's Redis URL, when it answers; else the test is skipped."""
    import pytest
    import redis
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        pytest.skip("no Redis reachable at the test broker URL")
    return url
