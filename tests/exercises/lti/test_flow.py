"""The whole LTI 1.3 Advantage flow over HTTP against the simulated platform: login initiation →
launch → deep linking (a new course, an assignment picked, a line item for its points) → roster
sync through names and roles → a student's graded submission → the score received by the platform."""

from __future__ import annotations

import json

import pytest
from platform_sim import INSTRUCTOR, LEARNER, TA, Browser, Platform, User, form_fields

from homework_support import make_assignment, reference_answers
from exercises.models import (
    Assignment, Course, LtiContext, LtiGradeSync, LtiIdentity, LtiResourceLink, Membership, Submission, Variant,
)

pytestmark = pytest.mark.django_db(transaction=True)

INA = User("ina-7", "Ina", "Instructor", INSTRUCTOR, "ina@example.edu")
TOM = User("tom-8", "Tom", "Assistant", TA, "tom@example.edu")
SAM = User("sam-9", "Sam", "Student", LEARNER, "sam@example.edu")
LEE = User("lee-10", "Lee", "Learner", LEARNER, "lee@example.edu")


def deep_link_assignment(platform: Platform, browser: Browser) -> Assignment:
    """The instructor adds bpcourse to the LMS course: a new course, an assignment, the link placed."""
    response = browser.launch(INA, lambda nonce: platform.deep_link_claims(INA, nonce))
    assert response.status_code == 302 and "/lti/deep-link/" in response.headers["Location"]
    page = browser.get(response.headers["Location"].removeprefix(browser.tool))
    assert "lti-create-course" in page.text
    created = browser.post(page.url.removeprefix(browser.tool), {"action": "create_course"})
    assert created.status_code == 200
    course = Course.objects.get(lti_contexts__context_id=platform.context_id)
    assert course.title == platform.context_title
    instructor = LtiIdentity.objects.get(subject=INA.sub).user
    assignment = make_assignment(course, instructor, title="Backprop homework",
                                 parts=["out_o1", "dE_dw5", "dE_dw1"], points={"dE_dw1": 2})
    chosen = browser.post(created.url.removeprefix(browser.tool), {"assignment": str(assignment.pk)})
    assert chosen.status_code == 200
    assert "form-action 'self' " + platform.url in chosen.headers["Content-Security-Policy"]
    form = form_fields(chosen.text, "JWT")
    assert form["action"] == platform.url + "/deep-link-return"
    returned = browser.session.post(form["action"], data={"JWT": form["JWT"]})  # what lti.js submits
    browser.trace.append(f"POST {platform.url}/deep-link-return (the signed deep linking response) → "
                         f"{returned.status_code}")
    assert returned.status_code == 200
    return assignment


def test_the_whole_flow_from_deep_linking_to_the_score_in_the_lms(platform: Platform, capsys) -> None:
    platform.members = [INA, TOM, SAM, LEE]
    instructor_browser = Browser(platform, platform.tool_base)
    assignment = deep_link_assignment(platform, instructor_browser)
    [link] = platform.links
    assert link.custom == {"bpcourse_assignment": str(assignment.pk)}
    assert link.score_maximum == 4.0  # three parts, one worth 2 points

    # The instructor opens the placed link: the staff page, and the roster arrives from the LMS.
    opened = instructor_browser.launch(INA, lambda nonce: platform.resource_claims(INA, nonce, link))
    assert opened.headers["Location"] == f"/assignments/{assignment.pk}/"
    roles = dict(Membership.objects.filter(course=assignment.course).values_list("user__lti_identities__subject", "role"))
    assert roles == {INA.sub: "instructor", TOM.sub: "ta", SAM.sub: "student", LEE.sub: "student"}
    ina = LtiIdentity.objects.get(subject=INA.sub).user
    assert (ina.first_name, ina.email) == ("Ina", "ina@example.edu")

    # The TA lands on the same staff page with the TA role.
    ta_browser = Browser(platform, platform.tool_base)
    ta_browser.launch(TOM, lambda nonce: platform.resource_claims(TOM, nonce, link))
    staff_page = ta_browser.get(f"/assignments/{assignment.pk}/")
    assert staff_page.status_code == 200 and "preview-parts" in staff_page.text  # the staff overview
    assert "Delete this assignment" not in staff_page.text  # an instructor's action
    assert "Delete this assignment" in instructor_browser.get(f"/assignments/{assignment.pk}/").text

    # The student lands on their own homework, submits, and the score reaches the LMS.
    student = Browser(platform, platform.tool_base)
    landed = student.launch(SAM, lambda nonce: platform.resource_claims(SAM, nonce, link))
    assert landed.headers["Location"] == f"/assignments/{assignment.pk}/"
    homework = student.get(f"/assignments/{assignment.pk}/")
    assert homework.status_code == 200 and "Submit for grading" in homework.text
    sam = LtiIdentity.objects.get(subject=SAM.sub).user
    variant = Variant.objects.get(assignment=assignment, owner=sam)
    answers = reference_answers(variant, ["out_o1", "dE_dw5", "dE_dw1"])
    submitted = student.session.post(
        f"{student.tool}/api/assignments/{assignment.pk}/submissions", data=json.dumps({"answers": answers}),
        headers={"Content-Type": "application/json", "X-CSRFToken": student.session.cookies["csrftoken"]},
    )
    student.trace.append(f"POST /api/assignments/{assignment.pk}/submissions → {submitted.status_code}")
    assert submitted.status_code == 202, submitted.text
    assert Submission.objects.get(pk=submitted.json()["id"]).status == Submission.Status.GRADED
    result = platform.results[(link.lineitem_id, SAM.sub)]
    assert (result["scoreGiven"], result["scoreMaximum"]) == (4.0, 4.0)
    assert (result["activityProgress"], result["gradingProgress"]) == ("Completed", "FullyGraded")
    assert [s["userId"] for s in platform.scores_received] == [SAM.sub]
    sync = LtiGradeSync.objects.get(user=sam)
    assert (sync.status, sync.sent_score, sync.tries) == ("sent", 4.0, 1)

    # Lee leaves the LMS course: on demand, the roster marks him inactive; his work stays.
    platform.members = [INA, TOM, SAM]
    synced = instructor_browser.post(f"/courses/{assignment.course_id}/lti/", {"action": "sync"})
    assert synced.status_code == 200 and "1 marked inactive" in synced.text
    lee = Membership.objects.get(course=assignment.course, user__lti_identities__subject=LEE.sub)
    assert lee.active is False
    assert LtiContext.objects.get().synced_at is not None

    transcript = [*instructor_browser.trace, *ta_browser.trace, *student.trace]
    with capsys.disabled():
        print("\n--- tool requests (instructor, TA, student) ---")
        print("\n".join(transcript))
        print("--- platform requests ---")
        print("\n".join(platform.log))
        print("--- score received by the platform ---")
        print(json.dumps(result, indent=1))
    assert LtiResourceLink.objects.get().lineitem_url == link.lineitem_id
