"""Deep linking's rules: only an LMS instructor links or creates a course, only a course they
instruct here, and only that course's assignments; a launch id from another browser is refused."""

from __future__ import annotations

import pytest
from platform_sim import INSTRUCTOR, LEARNER, Browser, Platform, User

from homework_support import make_assignment, make_instructor
from exercises.courses.services import courses as course_services
from exercises.models import Course, LtiContext, LtiIdentity

pytestmark = pytest.mark.django_db(transaction=True)

INA = User("ina-7", "Ina", "Instructor", INSTRUCTOR)
SAM = User("sam-9", "Sam", "Student", LEARNER)


def deep_link_page(platform: Platform, browser: Browser, user: User) -> str:
    response = browser.launch(user, lambda nonce: platform.deep_link_claims(user, nonce))
    assert response.status_code == 302
    return response.headers["Location"].removeprefix(browser.tool)


def test_an_lms_learner_cannot_create_or_link_a_course(platform: Platform) -> None:
    browser = Browser(platform, platform.tool_base)
    path = deep_link_page(platform, browser, SAM)
    browser.get(path)
    response = browser.post(path, {"action": "create_course"})
    assert response.status_code == 400 and "Only an instructor of the LMS course" in response.text
    assert not Course.objects.exists() and LtiContext.objects.get().course is None


def test_an_instructor_links_only_a_course_they_teach_and_picks_only_its_assignments(platform: Platform) -> None:
    stranger = make_instructor("stranger")
    theirs = course_services.course_create(title="Not yours", instructor=stranger)
    foreign = make_assignment(theirs, stranger)
    browser = Browser(platform, platform.tool_base)
    path = deep_link_page(platform, browser, INA)
    browser.get(path)
    refused = browser.post(path, {"action": "link_course", "course": str(theirs.pk)})
    assert refused.status_code == 400 and LtiContext.objects.get().course is None
    # an LMS instructor needs no approval here: the course is made through deep linking
    assert not LtiIdentity.objects.get(subject=INA.sub).user.has_perm("exercises.teach")
    browser.post(path, {"action": "create_course"})
    own = Course.objects.get(lti_contexts__isnull=False)
    assert LtiContext.objects.get().course == own
    picked = browser.post(path, {"assignment": str(foreign.pk)})
    assert picked.status_code == 400 and "JWT" not in picked.text
    assert platform.links == []


def test_a_launch_id_from_another_browser_is_refused(platform: Platform) -> None:
    path = deep_link_page(platform, Browser(platform, platform.tool_base), INA)
    thief = Browser(platform, platform.tool_base)
    thief.launch(SAM, lambda nonce: platform.deep_link_claims(SAM, nonce))  # signed in, another launch
    response = thief.get(path)
    assert response.status_code == 403 and 'data-reason="expired"' in response.text
