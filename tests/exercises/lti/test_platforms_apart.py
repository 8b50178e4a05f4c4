"""Launches from a second platform or a second deployment stay apart: the same subject on another
issuer is another account, and the same LMS course id in another deployment is another context
that does not join the first one's course. A student never lands in a course through a link an
LMS instructor pointed at someone else's assignment."""

from __future__ import annotations

import pytest
from django.test import Client
from platform_sim import INSTRUCTOR, LEARNER, Browser, Link, Platform, User

from homework_support import make_assignment, make_instructor
from exercises.courses.services import courses as course_services
from exercises.lti.services.registration import platform_register
from exercises.models import LtiContext, LtiIdentity, Membership

pytestmark = pytest.mark.django_db(transaction=True)

SAM = User("sam-9", "Sam", "Student", LEARNER)
INA = User("ina-7", "Ina", "Instructor", INSTRUCTOR)


@pytest.fixture
def linked_assignment(platform: Platform):
    """An assignment of Ina's course, its course linked to the LMS course (as deep linking leaves it)."""
    ina = make_instructor("ina-here")
    LtiIdentity.objects.create(issuer=platform.issuer, subject=INA.sub, user=ina)
    course = course_services.course_create(title="NN 101", instructor=ina)
    assignment = make_assignment(course, ina)
    link = Link("link-1", "HW", platform.tool_base + "/lti/launch/", {"bpcourse_assignment": str(assignment.pk)},
                platform.url + "/lineitems/1", 1.0)
    response = Browser(platform, platform.tool_base).launch(INA, lambda n: platform.resource_claims(INA, n, link))
    assert response.headers["Location"] == f"/assignments/{assignment.pk}/"
    return assignment, link


def test_a_student_lands_on_their_own_homework_and_joins_the_course(platform, linked_assignment) -> None:
    assignment, link = linked_assignment
    browser = Browser(platform, platform.tool_base)
    assert browser.launch(SAM, lambda n: platform.resource_claims(SAM, n, link)).status_code == 302
    sam = LtiIdentity.objects.get(issuer=platform.issuer, subject=SAM.sub).user
    assert Membership.objects.get(course=assignment.course, user=sam).role == "student"
    page = browser.get(f"/assignments/{assignment.pk}/")
    assert page.status_code == 200 and "Submit for grading" in page.text


def test_the_same_subject_from_another_platform_is_another_account(platform, linked_assignment, live_server) -> None:
    other = Platform(client_id="other-client", context_id=platform.context_id)
    other.tool_base = live_server.url
    other.start()
    try:
        platform_register(**other.registration())
        Browser(platform, platform.tool_base).launch(SAM, lambda n: platform.resource_claims(SAM, n, linked_assignment[1]))
        response = Browser(other, other.tool_base).launch(SAM, lambda n: other.resource_claims(SAM, n, linked_assignment[1]))
    finally:
        other.stop()
    accounts = {i.issuer: i.user_id for i in LtiIdentity.objects.filter(subject=SAM.sub)}
    assert set(accounts) == {platform.issuer, other.issuer} and len(set(accounts.values())) == 2
    # the other platform's LMS course is not linked: its student joined nothing and sees no homework
    assert response.status_code == 404 and "lti-not-linked" in response.text
    assert not Membership.objects.filter(user_id=accounts[other.issuer]).exists()


def test_the_same_course_id_in_a_second_deployment_is_another_context(platform, linked_assignment) -> None:
    platform_register(**{**platform.registration(), "deployment_ids": ["deployment-2"]})
    deployment = {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-2"}
    response = Browser(platform, platform.tool_base).launch(
        SAM, lambda n: {**platform.resource_claims(SAM, n, linked_assignment[1]), **deployment})
    assert response.status_code == 404
    contexts = LtiContext.objects.filter(context_id=platform.context_id)
    assert sorted(contexts.values_list("deployment__deployment_id", "course_id")) == [
        ("deployment-1", linked_assignment[0].course_id), ("deployment-2", None)]
    assert not Membership.objects.filter(user__lti_identities__subject=SAM.sub).exists()


def test_a_link_to_another_courses_assignment_opens_nothing(platform, linked_assignment) -> None:
    stranger = make_instructor("stranger")
    elsewhere = make_assignment(course_services.course_create(title="Other", instructor=stranger), stranger)
    forged = Link("link-2", "HW", platform.tool_base + "/lti/launch/", {"bpcourse_assignment": str(elsewhere.pk)},
                  platform.url + "/lineitems/2", 1.0)
    response = Browser(platform, platform.tool_base).launch(SAM, lambda n: platform.resource_claims(SAM, n, forged))
    assert response.status_code == 404
    assert not Membership.objects.filter(course=elsewhere.course, user__lti_identities__subject=SAM.sub).exists()


def test_a_member_removed_in_the_lms_loses_access_but_keeps_the_membership_row(platform, linked_assignment) -> None:
    assignment, link = linked_assignment
    browser = Browser(platform, platform.tool_base)
    browser.launch(SAM, lambda n: platform.resource_claims(SAM, n, link))
    Membership.objects.filter(user__lti_identities__subject=SAM.sub).update(active=False)
    assert browser.get(f"/assignments/{assignment.pk}/").status_code == 404
    assert "NN 101" not in browser.get("/courses/").text
    staff = Client()
    staff.force_login(assignment.course.memberships.get(role="instructor").user)
    roster = staff.get(f"/courses/{assignment.course_id}/").content.decode()
    assert 'data-testid="inactive"' in roster and "removed in the LMS" in roster  # still listed, marked
