"""Homework "Save" (issue 11): the typed answers are kept on the server without using an attempt,
come back on return with the time they were saved (in the viewer's zone), and are separate
from "Submit for grading"."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exercises.courses.services import homework as homework_services
from exercises.models import Assignment, HomeworkDraft, Profile, Submission

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import ZH, make_assignment, reference_answers, submit  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db


def page(client: Client, assignment: Assignment, **headers) -> str:
    return client.get(reverse("exercises:assignment", args=[assignment.pk]), **headers).content.decode()


def token_of(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def test_save_uses_no_attempt_and_the_answers_come_back(client, alice, assignment):
    client.force_login(alice)
    html = page(client, assignment)
    assert 'name="action" value="save"' in html and "Submit for grading" in html
    response = client.post(
        reverse("exercises:assignment", args=[assignment.pk]),
        {"form_token": token_of(html), "action": "save", "net_h1": "0.3775", "out_h1": "1/(1+exp(-0.3775))",
         "net_h2": "not read yet"},
    )
    assert response.status_code == 302
    assert Submission.objects.count() == 0
    draft = HomeworkDraft.objects.get()
    assert draft.answers == {"net_h1": "0.3775", "out_h1": "1/(1+exp(-0.3775))", "net_h2": "not read yet"}
    back = client.get(response["Location"]).content.decode()
    assert 'value="0.3775"' in back and 'value="not read yet"' in back
    assert 'data-testid="draft-saved"' in back and "No attempt was used" in back
    attempts = re.search(r'data-testid="attempts-left">([^<]+)<', back).group(1)
    assert attempts == re.search(r'data-testid="attempts-left">([^<]+)<', html).group(1)
    saved = re.search(r'data-testid="draft-saved">.*?<time datetime="([^"]+)">', back, re.DOTALL).group(1)
    assert saved == draft.saved_at.astimezone(dt_timezone.utc).isoformat()


def test_the_saved_time_is_shown_in_the_viewers_zone_and_language(client, alice, assignment):
    Profile.objects.update_or_create(user=alice, defaults={"time_zone": "Asia/Shanghai", "time_zone_chosen": True})
    client.force_login(alice)
    html = page(client, assignment)
    client.post(reverse("exercises:assignment", args=[assignment.pk]),
                {"form_token": token_of(html), "action": "save", "net_h1": "1"})
    zh = page(client, assignment, **ZH)
    assert "答案已于" in zh and "Asia/Shanghai" in re.search(r'data-testid="draft-saved">.*?</p>', zh, re.DOTALL).group(0)
    assert "提交评分" in zh and "保存" in zh


def test_a_later_submission_takes_over_from_an_older_draft(client, alice, assignment,
                                                          django_capture_on_commit_callbacks):
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    homework_services.homework_draft_save(assignment=assignment, student=alice, answers={"net_h1": "9"})
    HomeworkDraft.objects.update(saved_at=timezone.now() - timedelta(minutes=5))
    submit(django_capture_on_commit_callbacks, assignment, alice, reference_answers(variant, ["out_h1"]))
    client.force_login(alice)
    html = page(client, assignment)
    assert 'value="9"' not in html and re.search(r'id="id_out_h1" [^>]*value="[0-9.]+"', html)


def test_save_keeps_only_the_assignments_parts_and_cuts_long_text(alice, course, instructor, settings):
    settings.BPCOURSE_MAX_ANSWER_CHARS = 10
    assignment = make_assignment(course, instructor, parts=["net_h1", "out_h1"])
    draft = homework_services.homework_draft_save(
        assignment=assignment, student=alice, answers={"net_h1": "1" * 50, "w1_new": "2", "out_h1": ""}
    )
    assert draft.answers == {"net_h1": "1" * 10}


def test_save_is_refused_after_the_deadline_and_to_non_students(client, alice, instructor, course):
    closed = make_assignment(course, instructor, opens_at=timezone.now() - timedelta(days=3),
                             due_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        homework_services.homework_draft_save(assignment=closed, student=alice, answers={"net_h1": "1"})
    assert refused.value.code == "closed"
    open_one = make_assignment(course, instructor)
    with pytest.raises(PermissionDenied):
        homework_services.homework_draft_save(assignment=open_one, student=instructor, answers={"net_h1": "1"})
    assert not HomeworkDraft.objects.exists()
