"""Roster sync through names and roles, in process against the simulated platform: LMS members
join with their roles, members gone from the LMS turn inactive (kept), members who joined with the
code are untouched, the last instructor is never made inactive, and a failing service is recorded."""

from __future__ import annotations

import pytest
from platform_sim import LEARNER, TA, Platform, User

from homework_support import enroll, make_user
from exercises.lti.keys import jwks
from exercises.lti.services.registration import platform_register
from exercises.lti.services.roster import RosterSyncError, roster_sync
from exercises.models import LtiContext, LtiDeployment, LtiIdentity, Membership

pytest_plugins = ["homework_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def sim():
    platform = Platform()
    platform.tool_base = "http://tool.invalid"
    platform.start()
    platform.tool_keys = jwks()
    yield platform
    platform.stop()


@pytest.fixture
def context(sim, course, instructor):
    LtiIdentity.objects.create(issuer=sim.issuer, subject="prof-1", user=instructor)
    deployment = LtiDeployment.objects.get(platform=platform_register(**sim.registration()))
    return LtiContext.objects.create(deployment=deployment, context_id=sim.context_id, course=course,
                                     memberships_url=f"{sim.url}/contexts/{sim.context_id}/memberships")


def test_a_sync_imports_members_marks_the_departed_inactive_and_keeps_others(sim, context, course, instructor) -> None:
    lee = make_user("lee")
    LtiIdentity.objects.create(issuer=sim.issuer, subject="lee-10", user=lee)
    enroll(course, lee)
    plain = make_user("plain")  # joined with the course code
    enroll(course, plain)
    sim.members = [User("sam-9", "Sam", "Student", LEARNER), User("tom-8", "Tom", "Assistant", TA)]
    result = roster_sync(context_id=context.pk)
    assert (result.active, result.deactivated) == (2, 1)
    state = {m.user.username: (m.role, m.active) for m in Membership.objects.filter(course=course).select_related("user")}
    # the instructor (prof-1) is not in the LMS list either, but stays: the course's last instructor
    sam = LtiIdentity.objects.get(subject="sam-9").user.username
    tom = LtiIdentity.objects.get(subject="tom-8").user.username
    assert state == {sam: ("student", True), tom: ("ta", True), "lee": ("student", False),
                     "plain": ("student", True), instructor.username: ("instructor", True)}
    context.refresh_from_db()
    assert context.synced_at is not None and context.sync_error == ""

    sim.members.append(User("lee-10", "Lee", "Learner", LEARNER))
    roster_sync(context_id=context.pk)
    assert Membership.objects.get(course=course, user=lee).active is True  # back in the LMS, back here


def test_a_failing_names_and_roles_service_is_recorded(sim, context) -> None:
    sim.tool_keys = {"keys": []}  # the platform cannot verify the tool: no token, no roster
    with pytest.raises(RosterSyncError):
        roster_sync(context_id=context.pk)
    context.refresh_from_db()
    assert "401" in context.sync_error and Membership.objects.filter(active=False).count() == 0
