"""Grade passback with real Celery workers on Redis and the real database, against the simulated
LTI platform: a worker killed with kill -9 in the middle of sending a score. Its unacknowledged
task comes back to a new worker, which finds the record still pending and posts the same score
with the same timestamp, so the platform ends up with one score, applied once."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from integration_support import wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises" / "lti"))

from homework_support import enroll, make_assignment, make_instructor, make_user, reference_answers  # noqa: E402
from platform_sim import Platform  # noqa: E402

from exercises.courses.services import courses as course_services  # noqa: E402
from exercises.courses.services import homework as homework_services  # noqa: E402
from exercises.lti.keys import jwks  # noqa: E402
from exercises.lti.services.registration import platform_register  # noqa: E402
from exercises.models import LtiContext, LtiDeployment, LtiGradeSync, LtiIdentity, LtiResourceLink  # noqa: E402

pytestmark = pytest.mark.integration
FAST_REDELIVERY = {"BPCOURSE_VISIBILITY_TIMEOUT_SECONDS": "5"}


@pytest.fixture
def sim():
    platform = Platform()
    platform.tool_base = "http://tool.invalid"
    platform.start()
    yield platform
    platform.stop()


def lms_homework(sim: Platform):
    """A linked assignment and an LMS student (committed: the workers see them)."""
    sim.tool_keys = jwks()
    deployment = LtiDeployment.objects.get(platform=platform_register(**sim.registration()))
    instructor = make_instructor("prof")
    course = course_services.course_create(title="NN 101", instructor=instructor)
    assignment = make_assignment(course, instructor, parts=["net_h1", "out_o1"])
    context = LtiContext.objects.create(deployment=deployment, context_id=sim.context_id, course=course)
    link = LtiResourceLink.objects.create(context=context, resource_link_id="link-1", assignment=assignment,
                                          lineitem_url=f"{sim.url}/contexts/{sim.context_id}/lineitems/1")
    student = make_user("lti-sam")
    LtiIdentity.objects.create(issuer=sim.issuer, subject="sam-9", user=student)
    enroll(course, student)
    return assignment, link, student


def submit(assignment, student):
    variant = homework_services.homework_variant(assignment=assignment, student=student)
    return homework_services.homework_submit(assignment=assignment, student=student,
                                             answers=reference_answers(variant, ["net_h1", "out_o1"]))


def test_a_worker_killed_before_the_score_is_posted_leaves_it_to_be_posted_exactly_once(start_worker, sim):
    assignment, link, student = lms_homework(sim)
    sim.hold_tokens = threading.Event()
    first = start_worker(concurrency=1, extra_env=FAST_REDELIVERY)
    submit(assignment, student)
    wait_until(lambda: any("held" in line for line in sim.log), 30, 0.05, what="the token request to be held")
    first.kill9()
    sim.hold_tokens.set()
    assert sim.scores_received == []
    started = time.monotonic()
    start_worker(concurrency=1, extra_env=FAST_REDELIVERY)
    wait_until(lambda: LtiGradeSync.objects.filter(status="sent").exists(), 60, 0.2, what="the score sent")
    time.sleep(6)  # one more visibility timeout: no second copy turns up
    [score] = sim.scores_received
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("sam-9", 2.0, 2.0)
    print(f"\nkilled before the post: the score arrived once, {time.monotonic() - started:.1f}s after the restart")
    print("\n".join(sim.log))


def test_a_worker_killed_mid_post_leaves_one_score_applied_at_the_platform(start_worker, sim):
    assignment, link, student = lms_homework(sim)
    sim.hold_scores = threading.Event()
    first = start_worker(concurrency=1, extra_env=FAST_REDELIVERY)
    submit(assignment, student)
    wait_until(lambda: len(sim.scores_received) == 1, 30, 0.05, what="the score post to arrive")
    first.kill9()
    sim.hold_scores.set()
    start_worker(concurrency=1, extra_env=FAST_REDELIVERY)
    wait_until(lambda: LtiGradeSync.objects.filter(status="sent").exists(), 60, 0.2, what="the score sent")
    time.sleep(6)
    received = sim.scores_received
    assert len(received) == 2  # the post in flight at the kill, and the redelivered task's
    assert len({(s["timestamp"], s["scoreGiven"]) for s in received}) == 1  # the same score, the same timestamp
    assert list(sim.results) == [(link.lineitem_url, "sam-9")]  # one result at the platform
    sync = LtiGradeSync.objects.get()
    assert (sync.sent_score, sync.tries) == (2.0, 1)
    print("\n".join(sim.log))
