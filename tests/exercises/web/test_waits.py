"""Long polls: a status request that asks to wait gets the verdict as soon as it is stored."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

import graders
from exercises.grading import pipeline
from exercises.models import Submission
from exercises.web import waits

pytestmark = pytest.mark.django_db

SEED = "long-poll"


def queued_submission(client: Client) -> Submission:
    """An anonymous practice submission of the client's session, left queued (no worker)."""
    url = reverse("exercises:practice", args=["article", SEED])
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    solution = graders.solve(graders.generate("article", SEED))
    assert client.post(url, {"form_token": token, "net_h1": repr(solution.values["net_h1"])}).status_code == 302
    return Submission.objects.get()


def grading_meanwhile(submission: Submission, calls: list[float]):
    """A stand-in for the Redis wait: the worker stores the verdict while the request waits."""

    def wait(*, submission_id, timeout, changed):
        calls.append(timeout)
        assert str(submission_id) == str(submission.pk) and not changed()
        pipeline.submission_grade(submission_id=submission.pk)
        return changed()

    return mock.patch.object(waits, "verdict_wait", side_effect=wait)


def test_a_page_poll_that_waits_gets_the_verdict_in_the_same_request(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 8
    submission = queued_submission(client)
    calls: list[float] = []
    with grading_meanwhile(submission, calls):
        data = client.get(reverse("exercises:submission_status", args=[submission.pk]),
                          {"known": "queued", "wait": "25"}).json()
    assert calls == [8]  # the server's limit, not the page's wish
    assert data["status"] == "graded" and data["final"] is True and 'data-key="net_h1"' in data["html"]


def test_a_page_poll_whose_wait_ends_without_a_verdict_says_it_waited(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 0.05
    submission = queued_submission(client)
    data = client.get(reverse("exercises:submission_status", args=[submission.pk]),
                      {"known": "queued", "wait": "25"}).json()
    assert data == {"status": "queued", "final": False, "unchanged": True, "waited": True}


@pytest.mark.parametrize("wait", ["", "0", "-3", "nan", "inf", "soon"])
def test_a_page_poll_without_a_usable_wait_answers_at_once(client, settings, wait):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 8
    submission = queued_submission(client)
    with mock.patch.object(waits, "verdict_wait") as verdict_wait:
        data = client.get(reverse("exercises:submission_status", args=[submission.pk]),
                          {"known": "queued", "wait": wait}).json()
    verdict_wait.assert_not_called()
    assert data == {"status": "queued", "final": False, "unchanged": True, "waited": False}


def test_waiting_off_on_the_server_answers_at_once(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 0
    submission = queued_submission(client)
    with mock.patch.object(waits, "verdict_wait") as verdict_wait:
        data = client.get(reverse("exercises:submission_status", args=[submission.pk]),
                          {"known": "queued", "wait": "25"}).json()
    verdict_wait.assert_not_called()
    assert data["waited"] is False


def test_nobody_can_wait_on_another_sessions_submission(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 8
    submission = queued_submission(client)
    with mock.patch.object(waits, "verdict_wait") as verdict_wait:
        response = Client().get(reverse("exercises:submission_status", args=[submission.pk]),
                                {"known": "queued", "wait": "25"})
    verdict_wait.assert_not_called()
    assert response.status_code == 404


def test_an_api_long_poll_returns_the_graded_submission(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 8
    submission = queued_submission(client)
    calls: list[float] = []
    with grading_meanwhile(submission, calls):
        response = client.get(f"/api/submissions/{submission.pk}", {"wait": "2"})
    assert calls == [2]
    assert response.status_code == 200 and response.json()["status"] == "graded" and "ETag" not in response


def test_an_api_long_poll_that_ends_without_a_verdict_keeps_the_etag_answer(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 0.05
    submission = queued_submission(client)
    url = f"/api/submissions/{submission.pk}"
    etag = client.get(url)["ETag"]
    assert client.get(url, {"wait": "5"}, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_without_redis_a_wait_rereads_the_database_until_its_limit(settings):
    settings.BPCOURSE_NOTIFY_URL = ""
    reads = iter(["queued", "queued", "graded"])
    with mock.patch("exercises.grading.notify.time.sleep") as sleep:
        status = waits.wait_for_verdict(submission_id="x", seconds=5, read=lambda: next(reads))
    assert status == "graded" and sleep.call_count == 2


def test_the_answer_sheet_leads_to_a_result_page_that_waits_for_the_verdict(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 8
    settings.BPCOURSE_PAGE_WAIT_SECONDS = 0.5
    submission = queued_submission(client)
    page_url = reverse("exercises:submission", args=[submission.pk])
    calls: list[float] = []
    with grading_meanwhile(submission, calls):
        html = client.get(page_url, {"wait": "0.5"}).content.decode()
    assert calls == [0.5]
    assert 'data-status="graded"' in html and 'data-final="true"' in html


def test_a_result_page_whose_wait_ends_shows_queued_and_leaves_the_rest_to_its_script(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 0.05
    submission = queued_submission(client)
    html = client.get(reverse("exercises:submission", args=[submission.pk]), {"wait": "0.5"}).content.decode()
    assert 'data-status="queued"' in html and 'data-final="false"' in html


def test_a_finished_submissions_page_never_waits(client, settings):
    settings.BPCOURSE_STATUS_WAIT_SECONDS = 8
    submission = queued_submission(client)
    pipeline.submission_grade(submission_id=submission.pk)
    with mock.patch.object(waits, "verdict_wait") as verdict_wait:
        client.get(reverse("exercises:submission", args=[submission.pk]), {"wait": "0.5"})
    verdict_wait.assert_not_called()


def test_without_a_page_wait_the_sheet_leads_to_the_plain_result_page(client, settings):
    settings.BPCOURSE_PAGE_WAIT_SECONDS = 0
    submission = queued_submission(client)
    url = reverse("exercises:practice", args=["article", SEED])
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    response = client.post(url, {"form_token": token, "net_h1": "0.3"})
    assert response["Location"] == reverse("exercises:submission", args=[Submission.objects.exclude(pk=submission.pk).get().pk])
