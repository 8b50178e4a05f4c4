"""Permissions: every homework selector, service and API endpoint tried as the wrong student,
another course's instructor, a TA doing an instructor's job, and an anonymous visitor — each
expects a refusal (PermissionDenied / None / 401 / 403 / 404) and leaves nothing behind."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from exercises.courses.permissions import can_grade, can_manage, role_in
from exercises.courses.selectors import analytics as analytics_selectors
from exercises.courses.selectors import courses as course_selectors
from exercises.courses.selectors import gradebook as gradebook_selectors
from exercises.courses.selectors import homework as homework_selectors
from exercises.courses.selectors import regrade as regrade_selectors
from exercises.courses.services import assignments as assignment_services
from exercises.courses.services import courses as course_services
from exercises.courses.services import extensions as extension_services
from exercises.courses.services import homework as homework_services
from exercises.courses.services import regrade as regrade_services
from exercises.courses.services import roster as roster_services
from exercises.courses.selectors import invitations as invitation_selectors
from exercises.models import (
    Assignment, Course, Extension, HomeworkDraft, Invitation, Membership, RegradeJob, Submission, Variant,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import make_assignment, make_user, reference_answers, settings_for, submit  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

ANON = AnonymousUser()


@pytest.fixture
def world(course, instructor, ta, alice, bob, assignment, other_course, other_instructor,
          django_capture_on_commit_callbacks):
    """A course with staff, two students (Alice has a graded submission), and another course."""
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    submission = submit(django_capture_on_commit_callbacks, assignment, alice, reference_answers(variant, ["net_h1"]))
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"followthrough": False})
    job.refresh_from_db()
    return {"variant": variant, "submission": submission, "job": job}


# ---------------------------------------------------------------------------------- selectors


def test_selectors_as_anonymous(world, course, assignment, alice):
    assert role_in(course=course, user=ANON) is None
    assert not can_manage(course=course, user=ANON) and not can_grade(course=course, user=ANON)
    assert course_selectors.courses_for_user(user=ANON) == [] and homework_selectors.assignments_for_user(user=ANON) == []
    assert course_selectors.course_get_for_member(course_id=course.pk, user=ANON) is None
    assert course_selectors.assignment_get_for_member(assignment_id=assignment.pk, user=ANON) is None
    assert homework_selectors.homework_submission_get(submission_id=world["submission"].pk, user=ANON) is None
    assert regrade_selectors.regrade_job_get(job_id=world["job"].pk, user=ANON) is None
    for call in (
        lambda: homework_selectors.assignments_for_student(course=course, user=ANON),
        lambda: homework_selectors.homework_state(assignment=assignment, student=alice, viewer=ANON),
        lambda: homework_selectors.homework_state(assignment=assignment, student=ANON),
        lambda: gradebook_selectors.gradebook(course=course, user=ANON),
        lambda: gradebook_selectors.gradebook_csv(course=course, user=ANON),
        lambda: analytics_selectors.assignment_analytics(assignment=assignment, user=ANON),
        lambda: gradebook_selectors.submission_drilldown(assignment=assignment, student=alice, viewer=ANON),
        lambda: course_selectors.course_members(course=course, user=ANON),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_selectors_as_the_wrong_student(world, course, assignment, alice, bob):
    assert homework_selectors.homework_submission_get(submission_id=world["submission"].pk, user=bob) is None
    assert regrade_selectors.regrade_job_get(job_id=world["job"].pk, user=bob) is None
    assert not can_grade(course=course, user=bob)
    for call in (
        lambda: homework_selectors.homework_state(assignment=assignment, student=alice, viewer=bob),
        lambda: gradebook_selectors.gradebook(course=course, user=bob),
        lambda: gradebook_selectors.gradebook_csv(course=course, user=bob),
        lambda: analytics_selectors.assignment_analytics(assignment=assignment, user=bob),
        lambda: gradebook_selectors.submission_drilldown(assignment=assignment, student=alice, viewer=bob),
        lambda: course_selectors.course_members(course=course, user=bob),
    ):
        with pytest.raises(PermissionDenied):
            call()
    # Her own state shows her own things only.
    assert homework_selectors.homework_state(assignment=assignment, student=bob).submissions == []


def test_selectors_as_another_courses_instructor(world, course, assignment, alice, other_instructor):
    assert course_selectors.course_get_for_member(course_id=course.pk, user=other_instructor) is None
    assert course_selectors.assignment_get_for_member(assignment_id=assignment.pk, user=other_instructor) is None
    assert homework_selectors.homework_submission_get(submission_id=world["submission"].pk, user=other_instructor) is None
    assert regrade_selectors.regrade_job_get(job_id=world["job"].pk, user=other_instructor) is None
    assert course not in [c for c, _r in course_selectors.courses_for_user(user=other_instructor)]
    for call in (
        lambda: homework_selectors.assignments_for_student(course=course, user=other_instructor),
        lambda: homework_selectors.homework_state(assignment=assignment, student=alice, viewer=other_instructor),
        lambda: gradebook_selectors.gradebook(course=course, user=other_instructor),
        lambda: gradebook_selectors.gradebook_csv(course=course, user=other_instructor),
        lambda: analytics_selectors.assignment_analytics(assignment=assignment, user=other_instructor),
        lambda: gradebook_selectors.submission_drilldown(assignment=assignment, student=alice, viewer=other_instructor),
        lambda: course_selectors.course_members(course=course, user=other_instructor),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_selectors_allow_the_course_staff(world, course, assignment, alice, instructor, ta):
    for staff in (instructor, ta):
        assert gradebook_selectors.gradebook(course=course, user=staff).rows
        assert analytics_selectors.assignment_analytics(assignment=assignment, user=staff).students == 1
        assert gradebook_selectors.submission_drilldown(assignment=assignment, student=alice, viewer=staff)
        assert homework_selectors.homework_state(assignment=assignment, student=alice, viewer=staff).reveal_expected
        assert homework_selectors.homework_submission_get(submission_id=world["submission"].pk, user=staff) is not None
        assert regrade_selectors.regrade_job_get(job_id=world["job"].pk, user=staff) is not None


def test_a_student_of_another_course_cannot_see_this_one(world, course, assignment, other_course, alice):
    carol = other_course.memberships.get(role="student").user
    assert course_selectors.assignment_get_for_member(assignment_id=assignment.pk, user=carol) is None
    with pytest.raises(PermissionDenied):
        homework_selectors.homework_state(assignment=assignment, student=carol)
    with pytest.raises(PermissionDenied):
        homework_selectors.assignments_for_student(course=course, user=carol)
    assert homework_selectors.assignments_for_user(user=carol) == []


# ----------------------------------------------------------------------------------- services


def test_ta_cannot_delete_or_change_roles(world, course, assignment, ta, alice, instructor):
    refused = (
        lambda: course_services.course_delete(course=course, actor=ta),
        lambda: assignment_services.assignment_delete(assignment=assignment, actor=ta),
        lambda: course_services.membership_set_role(course=course, actor=ta, user=alice, role="ta"),
        lambda: course_services.membership_set_role(course=course, actor=ta, user=ta, role="instructor"),
        lambda: course_services.membership_set_role(course=course, actor=ta, user=instructor, role="student"),
        lambda: course_services.membership_remove(course=course, actor=ta, user=alice),
        lambda: roster_services.roster_import(course=course, actor=ta, csv_text="zed,zed@example.org,Zed\n"),
        lambda: assignment_services.assignment_create(course=course, actor=ta, data=settings_for()),
        lambda: assignment_services.assignment_update(assignment=assignment, actor=ta, data={"title": "pwned"}),
        lambda: extension_services.extension_revoke(assignment=assignment, actor=ta, student=alice),
        lambda: regrade_services.regrade_apply(job=world["job"], actor=ta),
    )
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert Course.objects.filter(pk=course.pk).exists() and Assignment.objects.filter(pk=assignment.pk).exists()
    assert role_in(course=course, user=ta) == "ta" and role_in(course=course, user=alice) == "student"
    assert Assignment.objects.get(pk=assignment.pk).title == assignment.title
    assert RegradeJob.objects.get(pk=world["job"].pk).status == "preview_ready"
    # …but TAs may grade: extensions, re-seeding, regrade previews.
    extension_services.extension_grant(assignment=assignment, actor=ta, student=alice, due_at=assignment.due_at + timedelta(days=1))
    homework_services.homework_reseed(assignment=assignment, student=alice, actor=ta)
    regrade_services.regrade_preview(assignment=assignment, actor=ta, new_settings={"followthrough": False})


def test_services_as_another_courses_instructor(world, course, assignment, alice, other_instructor):
    refused = (
        lambda: course_services.course_delete(course=course, actor=other_instructor),
        lambda: assignment_services.assignment_delete(assignment=assignment, actor=other_instructor),
        lambda: course_services.membership_set_role(course=course, actor=other_instructor, user=alice, role="ta"),
        lambda: course_services.membership_remove(course=course, actor=other_instructor, user=alice),
        lambda: roster_services.roster_import(course=course, actor=other_instructor, csv_text="zed,zed@example.org,Zed\n"),
        lambda: assignment_services.assignment_create(course=course, actor=other_instructor, data=settings_for()),
        lambda: assignment_services.assignment_update(assignment=assignment, actor=other_instructor, data={"title": "x"}),
        lambda: extension_services.extension_grant(assignment=assignment, actor=other_instructor, student=alice,
                                   due_at=assignment.due_at + timedelta(days=1)),
        lambda: extension_services.extension_revoke(assignment=assignment, actor=other_instructor, student=alice),
        lambda: homework_services.homework_reseed(assignment=assignment, student=alice, actor=other_instructor),
        lambda: regrade_services.regrade_preview(assignment=assignment, actor=other_instructor, new_settings={"followthrough": False}),
        lambda: regrade_services.regrade_apply(job=world["job"], actor=other_instructor),
        lambda: homework_services.homework_submit(assignment=assignment, student=other_instructor, answers={"net_h1": "1"}),
        lambda: homework_services.homework_variant(assignment=assignment, student=other_instructor),
    )
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert not Extension.objects.exists() and RegradeJob.objects.count() == 1
    assert Membership.objects.filter(course=course).count() == 4


def test_services_as_a_student(world, course, assignment, alice, bob):
    refused = (
        lambda: course_services.course_delete(course=course, actor=alice),
        lambda: course_services.membership_set_role(course=course, actor=alice, user=alice, role="instructor"),
        lambda: roster_services.roster_import(course=course, actor=alice, csv_text="zed,zed@example.org,Zed\n"),
        lambda: assignment_services.assignment_create(course=course, actor=alice, data=settings_for()),
        lambda: assignment_services.assignment_update(assignment=assignment, actor=alice, data={"attempts_allowed": 0}),
        lambda: extension_services.extension_grant(assignment=assignment, actor=alice, student=alice,
                                   due_at=assignment.due_at + timedelta(days=9)),
        lambda: homework_services.homework_reseed(assignment=assignment, student=alice, actor=alice),
        lambda: homework_services.homework_reseed(assignment=assignment, student=bob, actor=alice),
        lambda: regrade_services.regrade_preview(assignment=assignment, actor=alice, new_settings={"followthrough": False}),
        lambda: regrade_services.regrade_apply(job=world["job"], actor=alice),
    )
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert role_in(course=course, user=alice) == "student" and not Extension.objects.exists()


def test_services_as_anonymous(world, course, assignment):
    refused = (
        lambda: course_services.course_create(title="x", instructor=ANON),
        lambda: course_services.course_join(code=course.code, user=ANON),
        lambda: course_services.course_delete(course=course, actor=ANON),
        lambda: roster_services.roster_import(course=course, actor=ANON, csv_text="zed,zed@example.org,Zed\n"),
        lambda: assignment_services.assignment_create(course=course, actor=ANON, data=settings_for()),
        lambda: homework_services.homework_variant(assignment=assignment, student=ANON),
        lambda: homework_services.homework_submit(assignment=assignment, student=ANON, answers={"net_h1": "1"}),
        lambda: regrade_services.regrade_preview(assignment=assignment, actor=ANON, new_settings={"followthrough": False}),
    )
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert Course.objects.count() == 2 and Submission.objects.count() == 1


def test_staff_cannot_submit_homework(world, assignment, instructor, ta):
    for staff in (instructor, ta):
        with pytest.raises(PermissionDenied):
            homework_services.homework_submit(assignment=assignment, student=staff, answers={"net_h1": "1"})


# -------------------------------------------------------------------------------------- API


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def endpoints(world, course, assignment):
    sid = world["submission"].pk
    return [
        ("get", "/api/courses", None),
        ("post", "/api/courses/join", {"code": course.code}),
        ("get", f"/api/courses/{course.pk}/gradebook", None),
        ("get", "/api/assignments", None),
        ("get", f"/api/assignments/{assignment.pk}", None),
        ("get", f"/api/assignments/{assignment.pk}/variant", None),
        ("post", f"/api/assignments/{assignment.pk}/submissions", {"answers": {"net_h1": "0.3"}}),
        ("get", f"/api/assignments/{assignment.pk}/submissions", None),
        ("get", f"/api/assignments/{assignment.pk}/submissions/{sid}", None),
        ("get", f"/api/assignments/{assignment.pk}/analytics", None),
        ("get", f"/api/regrade-jobs/{world['job'].pk}", None),
    ]


def call(client, method, url, body):
    if method == "post":
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.get(url)


def test_every_api_endpoint_refuses_anonymous(world, course, assignment):
    client = client_for(None)
    for method, url, body in endpoints(world, course, assignment):
        response = call(client, method, url, body)
        assert response.status_code == 401, (url, response.content)
        assert response.json()["detail"]
    assert Submission.objects.count() == 1 and Membership.objects.count() == 6


def test_api_refuses_a_bad_token(world, course, assignment):
    for method, url, body in endpoints(world, course, assignment):
        client = Client(HTTP_AUTHORIZATION="Bearer nope")
        assert call(client, method, url, body).status_code == 401, url


def test_api_as_the_wrong_student(world, course, assignment, alice, bob):
    client = client_for(bob)
    sid = world["submission"].pk
    refused = {
        f"/api/courses/{course.pk}/gradebook": 403,
        f"/api/assignments/{assignment.pk}/analytics": 403,
        f"/api/assignments/{assignment.pk}/submissions/{sid}": 404,  # Alice's
        f"/api/regrade-jobs/{world['job'].pk}": 404,
    }
    for url, status in refused.items():
        assert client.get(url).status_code == status, url
    mine = client.get(f"/api/assignments/{assignment.pk}/submissions")
    assert mine.status_code == 200 and mine.json() == []
    # Alice's submission id under Bob's own assignment URL is not found either.
    assert client.get(f"/api/submissions/{sid}").status_code == 404  # the practice endpoint


def test_api_as_another_courses_instructor(world, course, assignment, other_instructor):
    client = client_for(other_instructor)
    for method, url, body in endpoints(world, course, assignment):
        if url in ("/api/courses", "/api/assignments", "/api/courses/join"):
            continue
        response = call(client, method, url, body)
        assert response.status_code == 404, (url, response.content)
    assert course.pk not in [c["id"] for c in client.get("/api/courses").json()]
    assert client.get("/api/assignments").json() == []
    assert Submission.objects.count() == 1


def test_api_as_a_student_of_another_course(world, course, assignment, other_course):
    carol = other_course.memberships.get(role="student").user
    client = client_for(carol)
    for method, url, body in endpoints(world, course, assignment):
        if url in ("/api/courses", "/api/assignments", "/api/courses/join"):
            continue
        assert call(client, method, url, body).status_code == 404, url


def test_api_staff_cannot_submit_or_get_variants(world, assignment, instructor, ta):
    for staff in (instructor, ta):
        client = client_for(staff)
        assert client.get(f"/api/assignments/{assignment.pk}/variant").status_code == 403
        response = call(client, "post", f"/api/assignments/{assignment.pk}/submissions", {"answers": {"net_h1": "1"}})
        assert response.status_code == 403
        assert client.get(f"/api/assignments/{assignment.pk}/analytics").status_code == 200
    assert not Variant.objects.filter(owner__in=[instructor, ta]).exists()


def test_practice_api_cannot_submit_to_a_homework_variant(world, alice):
    client = client_for(alice)
    url = f"/api/variants/{world['variant'].pk}/submissions"
    response = call(client, "post", url, {"answers": {"net_h1": "0.3"}})
    assert response.status_code == 404
    assert Submission.objects.count() == 1


def test_api_session_writes_need_csrf(world, assignment, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(f"/api/assignments/{assignment.pk}/submissions",
                           json.dumps({"answers": {"net_h1": "0.3"}}), content_type="application/json")
    assert response.status_code == 403
    assert Submission.objects.count() == 1


def test_new_user_sees_nothing(world):
    stranger = make_user("stranger")
    client = client_for(stranger)
    assert client.get("/api/courses").json() == [] and client.get("/api/assignments").json() == []


# ------------------------------------------------ issue 9: rate limits (finding 6), authoring (5)


def test_rate_limits_hold_anonymous_visitors_students_and_staff_each_to_their_own(world, settings, course, alice,
                                                                                  instructor):
    """Finding 6: one budget per client (anonymous address, student, instructor), 429 beyond it."""
    cache.clear()
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    settings.BPCOURSE_RATE_LIMITS = {**settings.BPCOURSE_RATE_LIMITS, "practice_variant": {"client": (1, 60), "ip": (1, 60)},
                                     "join": {"client": (1, 60), "ip": (1, 60)},
                                     "authoring_preview": {"client": (1, 60), "ip": (1, 60)}}
    rows = [  # (who, request) — the first is served, the second refused
        (Client(), lambda c: call(c, "post", "/api/practice", {"template": "article"})),
        (client_for(alice), lambda c: call(c, "post", "/api/courses/join", {"code": "AAAA1111"})),
        (client_for(instructor), lambda c: c.post(f"/courses/{course.pk}/assignments/preview/",
                                                  {"network": "builtin", "builtin": "article-random"})),
    ]
    for client, request in rows:
        assert request(client).status_code != 429
        refused = request(client)
        assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    cache.clear()


def test_authoring_preview_refuses_the_wrong_people_and_too_large_networks(world, course, instructor, ta, alice,
                                                                           other_instructor):
    """Finding 5: only the course's instructor previews; a network over the size cap is refused
    (400) before anything is drawn."""
    url = f"/courses/{course.pk}/assignments/preview/"
    deep = {"network": "custom", "layers": "8-8-8-8-8-8", "activations": "tanh, tanh, tanh, tanh, tanh",
            "loss": "half_sse", "bias": "per_neuron", "train_biases": "on", "learning_rate": "0.5001"}
    assert client_for(alice).post(url, deep).status_code == 403
    assert client_for(ta).post(url, deep).status_code == 403
    assert client_for(other_instructor).post(url, deep).status_code == 404
    assert Client().post(url, deep).status_code == 302  # to the sign-in page
    response = client_for(instructor).post(url, deep)
    assert response.status_code == 400 and "too large" in response.content.decode()


# ------------------------------------------------------- issue 9: teaching, invitations, leaving


def test_a_signed_up_user_who_is_not_approved_cannot_create_a_course(world, alice, outsider):
    """POST /courses/new/ as a non-approved user → 403 (the service: PermissionDenied)."""
    for user in (alice, outsider):
        with pytest.raises(PermissionDenied):
            course_services.course_create(title="Mine", instructor=user)
        client = client_for(user)
        assert client.get(reverse("exercises:course_create")).status_code == 403
        response = client.post(reverse("exercises:course_create"), {"title": "Mine"})
        assert response.status_code == 403 and "approved" in response.content.decode()
    assert not Course.objects.filter(title="Mine").exists()


def test_teach_is_offered_to_instructors_and_tas_only(world, instructor, ta, alice, outsider):
    nav = 'href="/teach/"'
    for user, shown in ((instructor, True), (ta, True), (alice, False), (outsider, False)):
        html = client_for(user).get(reverse("exercises:courses")).content.decode()
        assert (nav in html) is shown, user.username
    # A TA teaches but is not approved: no "Create a course" form on /teach/.
    assert 'action="/courses/new/"' not in client_for(ta).get(reverse("exercises:teach")).content.decode()


def test_invitations_are_answered_by_their_invitee_only(world, course, instructor, alice, bob, outsider):
    """POST /invitations/<id>/accept/ (or decline) as anyone but the invitee → 404, nothing changes."""
    roster_services.roster_import(course=course, actor=instructor, csv_text="mallory,,\n")
    invitation = Invitation.objects.get(course=course, user=outsider)
    for user in (alice, instructor):
        with pytest.raises(PermissionDenied):
            roster_services.invitation_accept(invitation=invitation, user=user)
        with pytest.raises(PermissionDenied):
            roster_services.invitation_decline(invitation=invitation, user=user)
        for action in ("exercises:invitation_accept", "exercises:invitation_decline"):
            assert client_for(user).post(reverse(action, args=[invitation.pk])).status_code == 404
    assert client_for(None).post(reverse("exercises:invitation_accept", args=[invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "pending" and role_in(course=course, user=outsider) is None


def test_invitation_lists_and_links_are_for_the_right_staff(world, course, instructor, ta, alice, other_instructor):
    """GET /courses/<id>/invitations.csv as a TA or student → 403, as another course's instructor → 404."""
    roster_services.roster_import(course=course, actor=instructor, csv_text="newbie,newbie@example.org,New Bie\n")
    url = reverse("exercises:invitation_links_csv", args=[course.pk])
    assert client_for(ta).get(url).status_code == 403
    assert client_for(alice).get(url).status_code == 403
    assert client_for(other_instructor).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert "newbie" in client_for(instructor).get(url).content.decode()
    for user in (alice, other_instructor, ANON):
        with pytest.raises(PermissionDenied):
            invitation_selectors.invitation_links_csv(course=course, user=user, base_url="http://x")
        with pytest.raises(PermissionDenied):
            invitation_selectors.course_invitations(course=course, user=user)
    assert invitation_selectors.course_invitations(course=course, user=ta) == [("newbie", "pending")]


def test_leaving_a_course(world, course, instructor, alice, other_course):
    """POST /courses/<id>/leave/ by a student → 302 and out; of a course one is not in → 404."""
    client = client_for(alice)
    assert client.post(reverse("exercises:course_leave", args=[other_course.pk])).status_code == 404
    assert client.post(reverse("exercises:course_leave", args=[course.pk])).status_code == 302
    assert role_in(course=course, user=alice) is None
    # The last instructor may not leave.
    client_for(instructor).post(reverse("exercises:course_leave", args=[course.pk]))
    assert role_in(course=course, user=instructor) == "instructor"
    with pytest.raises(PermissionDenied):
        course_services.membership_leave(course=course, user=ANON)


def test_api_invitations_are_answered_by_their_invitee_only(world, course, instructor, alice, outsider):
    """POST /api/invitations/<id>/accept as anyone but the invitee → 404; anonymous → 401."""
    roster_services.roster_import(course=course, actor=instructor, csv_text="mallory,,\n")
    invitation = Invitation.objects.get(course=course, user=outsider)
    for user, status in ((alice, 404), (instructor, 404), (None, 401)):
        for action in ("accept", "decline"):
            response = call(client_for(user), "post", f"/api/invitations/{invitation.pk}/{action}", {})
            assert response.status_code == status, (user, action)
    invitation.refresh_from_db()
    assert invitation.status == "pending" and role_in(course=course, user=outsider) is None


# ------------------------------------------------------------- issue 9: the attacker's findings


def test_finding_4_an_extension_to_the_end_of_time_breaks_no_page(world, course, assignment, alice, instructor):
    # Saved before dates were bounded: an extension to 9999-12-30 on an assignment with a late window.
    Assignment.objects.filter(pk=assignment.pk).update(
        late_policy="penalty", late_until=assignment.due_at + timedelta(days=2)
    )
    Extension.objects.create(assignment=assignment, student=alice, due_at="9999-12-30T00:00:00+00:00")
    student = client_for(alice)
    for url in ("/courses/", f"/courses/{course.pk}/", f"/assignments/{assignment.pk}/", "/api/assignments",
                f"/api/assignments/{assignment.pk}"):
        assert student.get(url).status_code == 200, url
    staff = client_for(instructor)
    assert staff.get(f"/assignments/{assignment.pk}/students/{alice.pk}/").status_code == 200
    assert staff.get(f"/courses/{course.pk}/gradebook/").status_code == 200
    # Granting such an extension now is refused with a message, and the stored one is replaced by nothing.
    response = staff.post(f"/assignments/{assignment.pk}/students/{alice.pk}/extension/",
                          {"due_at": "9999-12-30 00:00"}, follow=True)
    assert response.status_code == 200
    assert "Enter a date from the year 1970 to 2999." in response.content.decode()
    assert Extension.objects.get(assignment=assignment, student=alice).due_at.year == 9999


def test_finding_7_practice_never_serves_homework_or_its_numbers(world, assignment, alice):
    variant = world["variant"]
    client = client_for(alice)
    # The student's own homework variant is not a practice variant: 404, seed and all.
    assert client.get(f"/api/variants/{variant.pk}").status_code == 404
    assert call(client, "post", f"/api/variants/{variant.pk}/submissions", {"answers": {"net_h1": "1"}}).status_code == 404
    # A homework seed typed into practice does not reproduce the homework numbers.
    assert variant.seed.startswith("hw:")
    assert client.get(f"/practice/{variant.template}/{variant.seed}/").status_code == 400
    assert call(client, "post", "/api/practice", {"template": variant.template, "seed": variant.seed}).status_code == 422
    # Seeds drawn before homework had its own seed space (16 hex digits), current or kept on a
    # submission from before a re-seed, are refused by practice too.
    legacy, older = "0123456789abcdef", "fedcba9876543210"
    Variant.objects.filter(pk=variant.pk).update(seed=legacy)
    Submission.objects.filter(pk=world["submission"].pk).update(seed=older)
    for seed in (legacy, older):
        page = client.get(f"/practice/{variant.template}/{seed}/")
        assert page.status_code == 400 and "cannot be used for practice" in page.content.decode()
        made = call(client, "post", "/api/practice", {"template": variant.template, "seed": seed})
        assert made.status_code == 422 and "cannot be used for practice" in made.json()["detail"]
    assert not Variant.objects.filter(kind=Variant.Kind.PRACTICE).exists()
    # Other seeds of the same shape are still fine for practice.
    assert client.get(f"/practice/{variant.template}/{'1' * 16}/").status_code == 200


def test_finding_10_after_the_last_attempt_attempt_1_reveals_nothing(course, instructor, alice,
                                                                       django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, reveal="after_last", attempts_allowed=2)
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    client = client_for(alice)
    first = submit(django_capture_on_commit_callbacks, assignment, alice, {"net_h1": "12345"})
    api_first = client.get(f"/api/assignments/{assignment.pk}/submissions/{first.pk}").json()
    listing = client.get(f"/api/assignments/{assignment.pk}/submissions").json()
    assert [p["expected"] for p in api_first["parts"]] == [None] * len(api_first["parts"])
    assert all(p["expected"] is None for s in listing for p in s["parts"])
    page = client.get(f"/homework/submissions/{first.pk}/").content.decode()
    assert "worked-title" not in page and 'data-testid="answers-hidden"' in page
    expected = reference_answers(variant)
    assert not any(value[:8] in page for value in expected.values())
    # The last attempt is graded: now the answers are shown.
    second = submit(django_capture_on_commit_callbacks, assignment, alice, {"net_h1": "12346"})
    api_second = client.get(f"/api/assignments/{assignment.pk}/submissions/{second.pk}").json()
    assert float(api_second["parts"][0]["expected"]) == pytest.approx(float(expected[api_second["parts"][0]["key"]]))
    assert "worked-title" in client.get(f"/homework/submissions/{second.pk}/").content.decode()


def test_issue_11_save_a_homework_draft_only_as_its_student(world, assignment, alice, bob, instructor, ta, outsider):
    url = reverse("exercises:assignment", args=[assignment.pk])
    html = client_for(alice).get(url).content.decode()
    token = html.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    # Staff see the assignment's staff page (GET only), others have no page; anonymous visitors log in first.
    for user, status in ((instructor, 405), (ta, 405), (outsider, 404), (None, 302)):
        response = client_for(user).post(url, {"form_token": token, "action": "save", "net_h1": "1"})
        assert response.status_code == status, (user, response.status_code)
    for user in (instructor, ta, outsider, ANON):
        with pytest.raises(PermissionDenied):
            homework_services.homework_draft_save(assignment=assignment, student=user, answers={"net_h1": "1"})
    assert not HomeworkDraft.objects.exists()
    before = Submission.objects.count()
    assert client_for(alice).post(url, {"form_token": token, "action": "save", "net_h1": "1"}).status_code == 302
    assert HomeworkDraft.objects.get().variant == world["variant"] and Submission.objects.count() == before


def test_issue_11_show_answer_only_on_ones_own_practice_and_never_homework(world, alice, bob,
                                                                           django_capture_on_commit_callbacks):
    owner = client_for(bob)
    owner.get("/practice/article-random/perm-seed/")
    page = owner.get("/practice/article-random/perm-seed/").content.decode()
    token = page.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        sent = owner.post("/practice/article-random/perm-seed/", {"form_token": token, "net_h1": "5"})
    practice = Submission.objects.get(pk=sent["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    reveal = reverse("exercises:submission_reveal", args=[practice.pk])
    for user in (alice, None):
        assert client_for(user).post(reveal, {"part": "net_h1"}).status_code == 404
    homework = reverse("exercises:submission_reveal", args=[world["submission"].pk])
    assert client_for(alice).post(homework, {"part": "net_h1"}).status_code == 404
    api_reveal = f"/api/variants/{world['variant'].pk}/reveal"
    assert call(client_for(alice), "post", api_reveal, {"part": "net_h1"}).status_code == 404
    assert Variant.objects.get(pk=practice.variant_id).revealed_parts == []
    assert Variant.objects.get(pk=world["variant"].pk).revealed_parts == []
    assert owner.post(reveal, {"part": "net_h1"}).status_code == 302
    assert Variant.objects.get(pk=practice.variant_id).revealed_parts == ["net_h1"]


def test_issue_13_the_cheap_status_poll_never_answers_for_homework_or_a_stranger(world, alice, bob):
    """The status polls' shortcuts (the page's ?known=…, the API's If-None-Match: one small query)
    keep their endpoints' rules: a homework submission, even the student's own, is 404 to both, and
    the page shows anyone's practice but one's own as 404."""
    homework = world["submission"]
    Submission.objects.filter(pk=homework.pk).update(status=Submission.Status.QUEUED)
    url = reverse("exercises:submission_status", args=[homework.pk])
    for who in (alice, bob):
        for known in ("queued", "grading"):
            assert client_for(who).get(url, {"known": known}).status_code == 404
    assert Client().get(url, {"known": "queued"}).status_code == 404
    # nor does the practice API's conditional poll (If-None-Match, one small query)
    for client in (client_for(alice), Client()):
        for etag in ('W/"queued-en"', 'W/"grading-en"'):
            assert client.get(f"/api/submissions/{homework.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 404
    practice = Submission.objects.create(
        variant=Variant.objects.create(template="article", seed="issue-13", owner=alice), user=alice,
        answers={"net_h1": "1"}, status=Submission.Status.QUEUED,
    )
    url = reverse("exercises:submission_status", args=[practice.pk])
    assert client_for(alice).get(url, {"known": "queued"}).json()["unchanged"] is True
    assert client_for(bob).get(url, {"known": "queued"}).status_code == 404
    assert Client().get(url, {"known": "queued"}).status_code == 404
