"""Homework pages: both languages, every page as the right and the wrong user, the authoring form
and its live preview, the homework flow, gradebook and CSV, drill-down, extension, re-seeding,
regrade, analytics — and nothing of the answer key in a student's HTML before it is released."""

from __future__ import annotations

import csv
import io
import re
import sys
import zoneinfo
from datetime import timedelta
from datetime import timezone as dt_timezone
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import graders
from exercises.courses.config import assignment_part_infos
from exercises.courses.permissions import role_in
from exercises.courses.window import extension_due
from exercises.courses.selectors import gradebook as gradebook_selectors
from exercises.courses.services import homework as homework_services
from exercises.courses.services import regrade as regrade_services
from exercises.courses.services.instructors import instructor_grant
from exercises.grading.variants import variant_spec
from exercises.models import Assignment, Course, Invitation, Membership, RegradeJob, Submission, Variant

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import (  # noqa: E402
    question_of,
    EN,
    ZH,
    assert_labelled_and_local,
    enroll,
    fake_graded,
    frozen,
    inspect,
    make_assignment,
    make_user,
    reference_answers,
    submit,
)

pytest_plugins = ["homework_support"]  # fixtures: instructor, course, ta, alice, bob, assignment, other_course, …

pytestmark = pytest.mark.django_db



# ------------------------------------------------------------------------------------ helpers


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "the answer sheet carries a one-time form token"
    return match.group(1)


def wrong_answers(variant: Variant) -> dict[str, str]:
    """Every part answered wrongly, by a factor no tolerance or misconception explains."""
    solution = graders.solve(variant_spec(variant=variant))
    return {p.key: f"{solution.values[p.key] * 1.37 + 0.011:.6g}" for p in solution.parts}


def expected_texts(variant: Variant) -> list[str]:
    """The expected values as a page would print them (6 significant figures)."""
    solution = graders.solve(variant_spec(variant=variant))
    texts = []
    for part in solution.parts:
        text = f"{solution.values[part.key]:.6g}"
        if len(text.lstrip("-")) >= 6:  # short numbers ("0.5") could appear anywhere
            texts.append(text)
    return texts


def homework_post(client: Any, assignment: Assignment, answers: dict[str, str], capture: Any, **extra: Any):
    url = reverse("exercises:assignment", args=[assignment.pk])
    token = form_token(client.get(url).content.decode())
    with capture(execute=True):
        return client.post(url, {"form_token": token, **answers}, **extra)


def assignment_form_data(**overrides: Any) -> dict[str, Any]:
    """What the authoring form posts for the article's network, every part asked."""
    now = timezone.now()
    keys = [p.key for p in graders.solve(graders.generate("article-random", "x")).parts]
    data: dict[str, Any] = {
        "title": "Backprop 1",
        "instructions": "Compute every quantity.",
        "network": "builtin",
        "builtin": "article-random",
        "layers": "2-2-2",
        "activations": "sigmoid, sigmoid",
        "loss": "half_sse",
        "bias": "shared",
        "learning_rate": "0.5",
        "parts": keys,
        "default_points": "1",
        "points_overrides": "",
        "tolerance_kind": "sigfigs",
        "tolerance_value": "4",
        "followthrough": "on",
        "followthrough_credit": "100",
        "show_diagnosis": "on",
        "attempts_allowed": "3",
        "attempt_penalty": "10",
        "scoring": "best",
        "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "late_policy": "none",
        "late_penalty_per_day": "10",
        "late_until": "",
        "reveal": "after_due",
    }
    for grid in ("inputs", "weights", "biases", "targets"):
        for end, value in (("low", "0.05"), ("high", "0.95"), ("step", "0.05")):
            data[f"{grid}_{end}"] = value
    data.update(overrides)
    return data


@pytest.fixture
def graded(client, assignment, alice, bob, django_capture_on_commit_callbacks) -> dict[str, Submission]:
    """alice all right, bob all wrong (both graded)."""
    result = {}
    for student, answers in ((alice, reference_answers), (bob, wrong_answers)):
        variant = homework_services.homework_variant(assignment=assignment, student=student)
        result[student.username] = submit(django_capture_on_commit_callbacks, assignment, student, answers(variant))
    return result


def staff_urls(assignment: Assignment, student: Any, job: RegradeJob | None = None) -> list[str]:
    course = assignment.course
    urls = [
        reverse("exercises:course", args=[course.pk]),
        reverse("exercises:gradebook", args=[course.pk]),
        reverse("exercises:gradebook_csv", args=[course.pk]),
        reverse("exercises:assignment", args=[assignment.pk]),
        reverse("exercises:analytics", args=[assignment.pk]),
        reverse("exercises:regrade", args=[assignment.pk]),
        reverse("exercises:student", args=[assignment.pk, student.pk]),
    ]
    if job is not None:
        urls += [reverse("exercises:regrade_job", args=[job.pk]), reverse("exercises:regrade_job_status", args=[job.pk])]
    return urls


def instructor_only_urls(assignment: Assignment) -> list[str]:
    return [
        reverse("exercises:assignment_create", args=[assignment.course.pk]),
        reverse("exercises:assignment_edit", args=[assignment.pk]),
    ]


# ------------------------------------------------------------------------------ both languages


@pytest.mark.parametrize(("headers", "lang", "words", "absent"), [
    (EN, "en", ("My courses", "Gradebook"), ()),
    (ZH, "zh-hans", ("我的课程", "成绩册"), ("Gradebook", "Analytics", "Regrade", "Save assignment", "Roster")),
], ids=["en", "zh-hans"])
def test_staff_pages_render_in_both_languages(client, instructor, assignment, alice, graded, headers, lang, words,
                                              absent):
    client.force_login(instructor)
    job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"tolerance": {"kind": "sigfigs",
                                                                                                    "value": 2}})
    urls = [
        reverse("exercises:courses"),
        reverse("exercises:teach"),
        reverse("exercises:course_create"),
        *[u for u in staff_urls(assignment, alice, job) if not u.endswith(("status", ".csv"))],
        *instructor_only_urls(assignment),
        reverse("exercises:homework_submission", args=[graded["alice_s"].pk]),
    ]
    for url in urls:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert inspect(html).html_lang == lang, url
        assert any(word in html for word in words), url
        for english in absent:
            assert f">{english}<" not in html, (url, english)


@pytest.mark.parametrize(("headers", "lang", "words"), [
    (EN, "en", ("Your answers", "Your homework", "Join a course", "Your results")),
    (ZH, "zh-hans", ("你的答案", "你的作业", "加入课程", "你的结果")),
], ids=["en", "zh-hans"])
def test_student_pages_render_in_both_languages(client, alice, assignment, graded, headers, lang, words):
    client.force_login(alice)
    for url in (
        reverse("exercises:courses"),
        reverse("exercises:course_join"),
        reverse("exercises:course", args=[assignment.course.pk]),
        reverse("exercises:assignment", args=[assignment.pk]),
        reverse("exercises:homework_submission", args=[graded["alice_s"].pk]),
    ):
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert inspect(html).html_lang == lang, url
        assert any(word in html for word in words), url


def test_chinese_homework_page_is_translated(client, alice, assignment):
    client.force_login(alice)
    html = client.get(reverse("exercises:assignment", args=[assignment.pk]), **ZH).content.decode()
    for english in ("Attempts left", "Your score", "Submit for grading", "Given values", "Due (UTC)"):
        assert english not in html
    assert "剩余次数" in html and "提交评分" in html and "保存" in html


def test_every_input_has_a_label_and_assets_are_local(client, instructor, alice, assignment, graded):
    client.force_login(instructor)
    urls = [
        reverse("exercises:assignment_create", args=[assignment.course.pk]),
        reverse("exercises:assignment_edit", args=[assignment.pk]),
        reverse("exercises:course", args=[assignment.course.pk]),
        reverse("exercises:regrade", args=[assignment.pk]),
        reverse("exercises:student", args=[assignment.pk, alice.pk]),
        reverse("exercises:teach"),
    ]
    pages = [(url, client.get(url).content.decode()) for url in urls]
    client.force_login(alice)
    pages += [(url, client.get(url).content.decode()) for url in (
        reverse("exercises:assignment", args=[assignment.pk]), reverse("exercises:courses"))]
    for url, html in pages:
        assert_labelled_and_local(url, html)
        assert "/static/exercises/homework.js" in html and "/static/exercises/homework.css" in html


# ------------------------------------------------------------------------------- permissions


def every_url(assignment: Assignment, student: Any, submission: Submission, job: RegradeJob) -> list[tuple[str, str]]:
    """(method, url) of every homework page."""
    course = assignment.course
    gets = [
        reverse("exercises:courses"), reverse("exercises:teach"), reverse("exercises:course_create"),
        reverse("exercises:course_join"),
        *staff_urls(assignment, student, job), *instructor_only_urls(assignment),
        reverse("exercises:homework_submission", args=[submission.pk]),
        reverse("exercises:homework_submission_status", args=[submission.pk]),
    ]
    posts = [
        reverse("exercises:course_create"), reverse("exercises:course_join"),
        reverse("exercises:roster_import", args=[course.pk]),
        reverse("exercises:membership_role", args=[course.pk, student.pk]),
        reverse("exercises:member_remove", args=[course.pk, student.pk]),
        reverse("exercises:course_delete", args=[course.pk]),
        reverse("exercises:assignment_create", args=[course.pk]),
        reverse("exercises:assignment_preview", args=[course.pk]),
        reverse("exercises:assignment_edit", args=[assignment.pk]),
        reverse("exercises:assignment_delete", args=[assignment.pk]),
        reverse("exercises:assignment", args=[assignment.pk]),
        reverse("exercises:extension", args=[assignment.pk, student.pk]),
        reverse("exercises:reseed", args=[assignment.pk, student.pk]),
        reverse("exercises:regrade", args=[assignment.pk]),
        reverse("exercises:regrade_job", args=[job.pk]),
    ]
    return [("get", url) for url in gets] + [("post", url) for url in posts]


def test_anonymous_visitors_are_sent_to_log_in(client, instructor, assignment, alice, graded):
    job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"scoring": "last"})
    for method, url in every_url(assignment, alice, graded["alice_s"], job):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login")), (method, url)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_another_courses_instructor_and_outsiders_get_404(client, instructor, assignment, alice, graded,
                                                          other_instructor, outsider):
    job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"scoring": "last"})
    personal = {reverse(name) for name in ("exercises:courses", "exercises:teach", "exercises:course_create",
                                           "exercises:course_join")}
    for user in (other_instructor, outsider):
        client.force_login(user)
        for method, url in every_url(assignment, alice, graded["alice_s"], job):
            if url in personal:
                continue
            response = getattr(client, method)(url)
            assert response.status_code == 404, (user.username, method, url)
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert Membership.objects.filter(course=assignment.course).count() == 3


def test_a_student_cannot_reach_staff_pages_or_other_students_work(client, instructor, assignment, alice, bob,
                                                                   graded):
    job = regrade_services.regrade_preview(assignment=assignment, actor=instructor, new_settings={"scoring": "last"})
    client.force_login(bob)
    for url in staff_urls(assignment, alice, None)[1:]:
        if url == reverse("exercises:assignment", args=[assignment.pk]):
            continue  # bob's own homework page
        assert client.get(url).status_code == 403, url
    for url in instructor_only_urls(assignment):
        assert client.get(url).status_code == 403, url
    # Another student's submission and a regrade job: as if they did not exist.
    assert client.get(reverse("exercises:homework_submission", args=[graded["alice_s"].pk])).status_code == 404
    assert client.get(reverse("exercises:homework_submission_status", args=[graded["alice_s"].pk])).status_code == 404
    assert client.get(reverse("exercises:regrade_job", args=[job.pk])).status_code == 404
    for name, args in (("reseed", [assignment.pk, alice.pk]), ("extension", [assignment.pk, alice.pk]),
                       ("membership_role", [assignment.course.pk, alice.pk]),
                       ("member_remove", [assignment.course.pk, alice.pk]),
                       ("course_delete", [assignment.course.pk]), ("assignment_delete", [assignment.pk]),
                       ("assignment_preview", [assignment.course.pk]), ("regrade", [assignment.pk])):
        assert client.post(reverse(f"exercises:{name}", args=args), {"due_at": "2099-01-01T00:00"}).status_code == 403
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    # The course page shows bob his homework, not the roster or the join code.
    html = client.get(reverse("exercises:course", args=[assignment.course.pk])).content.decode()
    assert "alice_s" not in html and assignment.course.code not in html


def test_a_teaching_assistant_grades_but_cannot_delete_or_change_roles(client, instructor, ta, assignment, alice,
                                                                       graded):
    client.force_login(ta)
    job = regrade_services.regrade_preview(assignment=assignment, actor=ta, new_settings={"scoring": "last"})
    for url in staff_urls(assignment, alice, job):
        assert client.get(url).status_code == 200, url
    for url in instructor_only_urls(assignment):
        assert client.get(url).status_code == 403, url
    course = assignment.course
    assert client.post(reverse("exercises:membership_role", args=[course.pk, alice.pk]),
                       {f"m{alice.pk}-role": "instructor"}).status_code == 403
    assert client.post(reverse("exercises:member_remove", args=[course.pk, alice.pk])).status_code == 403
    assert client.post(reverse("exercises:course_delete", args=[course.pk])).status_code == 403
    assert client.post(reverse("exercises:assignment_delete", args=[assignment.pk])).status_code == 403
    assert client.post(reverse("exercises:roster_import", args=[course.pk]),
                       {"csv_text": "zed,zed@example.org,Zed"}).status_code == 403
    assert client.post(reverse("exercises:regrade_job", args=[job.pk])).status_code == 403
    assert Membership.objects.get(course=course, user=alice).role == "student"
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    # The course page shows the roster without role controls; the job page no Apply button.
    html = client.get(reverse("exercises:course", args=[course.pk])).content.decode()
    assert "alice_s" in html and f'name="m{alice.pk}-role"' not in html
    assert 'id="regrade-apply"' not in client.get(reverse("exercises:regrade_job", args=[job.pk])).content.decode()


# --------------------------------------------------------------------- what a student may see


def test_the_reveal_notice_names_the_late_window_when_answers_wait_for_it(client, course, instructor, alice):
    assignment = make_assignment(course, instructor, late_policy="penalty", late_penalty_per_day=0.1,
                                 late_until=timezone.now() + timedelta(days=3))
    client.force_login(alice)
    with frozen(assignment.due_at + timedelta(hours=1)):  # past the due date, inside the late window
        html = client.get(reverse("exercises:assignment", args=[assignment.pk])).content.decode()
    assert "shown once the late window closes (" in html
    assert "after the due date" not in html and "after your due date" not in html


def test_no_answer_key_in_a_students_html_before_the_due_date(client, assignment, alice,
                                                             django_capture_on_commit_callbacks):
    client.force_login(alice)
    page = client.get(reverse("exercises:assignment", args=[assignment.pk])).content.decode()
    variant = Variant.objects.get(assignment=assignment, owner=alice)
    secrets = expected_texts(variant)
    assert len(secrets) > 20
    response = homework_post(client, assignment, wrong_answers(variant), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    submission = Submission.objects.get(variant=variant)
    assert submission.status == "graded"
    pages = [
        page,
        client.get(reverse("exercises:assignment", args=[assignment.pk])).content.decode(),
        client.get(response["Location"]).content.decode(),
        client.get(reverse("exercises:homework_submission_status", args=[submission.pk])).content.decode(),
    ]
    for html in pages:
        for secret in secrets:
            assert secret not in html
        assert "worked-title" not in html and "<math" not in html
    assert "Expected answers and a worked solution are shown after your due date (" in pages[2]
    # After the due date the same page shows them.
    with frozen(assignment.due_at + timedelta(minutes=1)):
        html = client.get(response["Location"]).content.decode()
    assert sum(secret in html for secret in secrets) > len(secrets) // 2
    assert "worked-title" in html


def test_reveal_after_each_submission_and_diagnosis_switch(client, course, instructor, alice,
                                                           django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, reveal="after_submission", show_diagnosis=False)
    client.force_login(alice)
    client.get(reverse("exercises:assignment", args=[assignment.pk]))
    variant = Variant.objects.get(assignment=assignment, owner=alice)
    answers = reference_answers(variant)
    flipped = f"{-float(answers['dE_dout_o1']):.6g}"
    response = homework_post(client, assignment, {**answers, "dE_dout_o1": flipped}, django_capture_on_commit_callbacks)
    html = client.get(response["Location"]).content.decode()
    assert "worked-title" in html
    assert 'data-status="incorrect"' in html
    assert "data-diagnosis" not in html  # diagnosis switched off


def test_never_reveal_even_after_the_due_date(client, course, instructor, alice, django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, reveal="never")
    client.force_login(alice)
    client.get(reverse("exercises:assignment", args=[assignment.pk]))
    variant = Variant.objects.get(assignment=assignment, owner=alice)
    response = homework_post(client, assignment, wrong_answers(variant), django_capture_on_commit_callbacks)
    with frozen(assignment.due_at + timedelta(days=30)):
        html = client.get(response["Location"]).content.decode()
    for secret in expected_texts(variant):
        assert secret not in html
    assert "worked-title" not in html


def test_practice_submission_pages_do_not_show_homework(client, assignment, alice, bob,
                                                        django_capture_on_commit_callbacks):
    """The practice pages must not become a back door to a homework answer key."""
    variant = homework_services.homework_variant(assignment=assignment, student=bob)
    submission = submit(django_capture_on_commit_callbacks, assignment, bob, wrong_answers(variant))
    client.force_login(bob)
    secrets = expected_texts(variant)
    for url in (reverse("exercises:submission", args=[submission.pk]),
                reverse("exercises:submission_status", args=[submission.pk])):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code in (302, 404) or not any(secret in html for secret in secrets), url


# ---------------------------------------------------------------------------- homework flow


def test_homework_flow_variant_submit_status_and_attempts(client, assignment, alice, bob,
                                                          django_capture_on_commit_callbacks):
    client.force_login(alice)
    url = reverse("exercises:assignment", args=[assignment.pk])
    first = client.get(url).content.decode()
    variant = Variant.objects.get(assignment=assignment, owner=alice)
    assert client.get(url).content.decode().count("homework-network") == first.count("homework-network")
    # Stable numbers across visits, different from bob's.
    assert re.findall(r"w\d = [-\d.]+", first) == re.findall(r"w\d = [-\d.]+", client.get(url).content.decode())
    client.force_login(bob)
    bobs = client.get(url).content.decode()
    assert re.findall(r"w\d = [-\d.]+", first) != re.findall(r"w\d = [-\d.]+", bobs)
    client.force_login(alice)
    # Every asked part has a labelled box, grouped by step.
    for part in graders.solve(variant_spec(variant=variant)).parts:
        assert f'id="id_{part.key}"' in first
    assert 'id="step-forward"' in first and 'id="step-updates"' in first

    response = homework_post(client, assignment, reference_answers(variant), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    submission = Submission.objects.get(variant=variant)
    assert response["Location"] == reverse("exercises:homework_submission", args=[submission.pk])
    status = client.get(reverse("exercises:homework_submission_status", args=[submission.pk])).json()
    assert status["status"] == "graded" and status["final"] is True and "100.0\u00a0%" in status["html"]
    page = client.get(url).content.decode()
    assert re.search(r'data-testid="counted-score">100.0\u00a0%<', page)
    left = re.search(r'data-testid="attempts-left">([^<]+)<', page).group(1)
    assert left == (str(assignment.attempts_allowed - 1) if assignment.attempts_allowed else "no limit")


def test_format_error_is_a_400_with_messages_and_stores_nothing(client, assignment, alice):
    client.force_login(alice)
    url = reverse("exercises:assignment", args=[assignment.pk])
    token = form_token(client.get(url).content.decode())
    response = client.post(url, {"form_token": token, "net_h1": "0.3.4", "out_h1": "<script>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "<script>" not in html and "&lt;script&gt;" in html
    assert Submission.objects.count() == 0
    # In Chinese too.
    response = client.post(url, {"form_token": token, "net_h1": "0.3.4"}, **ZH)
    assert "无法识别" in response.content.decode()


def test_closed_and_not_open_assignments_say_so(client, course, instructor, alice):
    client.force_login(alice)
    later = make_assignment(course, instructor, title="Later", opens_at=timezone.now() + timedelta(days=1),
                            due_at=timezone.now() + timedelta(days=2))
    html = client.get(reverse("exercises:assignment", args=[later.pk])).content.decode()
    assert "This assignment is not open yet." in html and 'name="net_h1"' not in html
    assert not Variant.objects.filter(assignment=later).exists()  # no numbers before it opens
    past = make_assignment(course, instructor, title="Past", opens_at=timezone.now() - timedelta(days=3),
                           due_at=timezone.now() - timedelta(days=1))
    url = reverse("exercises:assignment", args=[past.pk])
    html = client.get(url).content.decode()
    assert "This assignment is closed" in html and "submit-answers" not in html
    response = client.post(url, {"form_token": form_token(html), "net_h1": "0.3"})
    assert response.status_code == 400
    assert "The deadline has passed" in response.content.decode()
    assert Submission.objects.count() == 0


def test_attempts_run_out_and_rate_limit_is_a_429(client, course, instructor, alice, settings,
                                                  django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, attempts_allowed=1)
    client.force_login(alice)
    url = reverse("exercises:assignment", args=[assignment.pk])
    client.get(url)
    variant = Variant.objects.get(assignment=assignment, owner=alice)
    assert homework_post(client, assignment, reference_answers(variant), django_capture_on_commit_callbacks
                         ).status_code == 302
    html = client.get(url).content.decode()
    assert "You have used all your attempts." in html and "submit-answers" not in html

    unlimited = make_assignment(course, instructor, title="Unlimited")
    settings.BPCOURSE_HOMEWORK_SUBMISSIONS_PER_WINDOW = 1
    url = reverse("exercises:assignment", args=[unlimited.pk])
    client.get(url)
    variant = Variant.objects.get(assignment=unlimited, owner=alice)
    response = homework_post(client, unlimited, {"net_h1": "0.3"}, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Too many submissions" in response.content.decode()


def test_the_same_form_twice_is_a_409(client, assignment, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    url = reverse("exercises:assignment", args=[assignment.pk])
    token = form_token(client.get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"form_token": token, "net_h1": "0.3"}).status_code == 302
        assert client.post(url, {"form_token": token, "net_h1": "0.3"}).status_code == 409
    assert Submission.objects.count() == 1


def test_my_courses_lists_homework_and_joining_works(client, course, instructor, assignment, outsider):
    client.force_login(outsider)
    response = client.post(reverse("exercises:course_join"), {"code": course.code.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("exercises:course", args=[course.pk])
    html = client.get(reverse("exercises:courses")).content.decode()
    assert assignment.title in html and course.title in html and 'data-status="open"' in html
    response = client.post(reverse("exercises:course_join"), {"code": "ZZZZZZZZ"})
    assert response.status_code == 400 and "No course has this join code." in response.content.decode()


def test_create_a_course_and_become_its_instructor(client, outsider):
    instructor_grant(user=outsider)
    client.force_login(outsider)
    response = client.post(reverse("exercises:course_create"), {"title": "Deep learning"})
    assert response.status_code == 302
    course_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert role_in(course=Course.objects.get(pk=course_id), user=outsider) == "instructor"
    assert client.post(reverse("exercises:course_create"), {"title": ""}).status_code == 400
    html = client.get(reverse("exercises:teach")).content.decode()
    assert "Deep learning" in html


# ----------------------------------------------------------------------------- roster, roles


def test_roster_import_from_text_and_file_and_role_change(client, course, instructor, alice):
    client.force_login(instructor)
    url = reverse("exercises:roster_import", args=[course.pk])
    response = client.post(url, {"csv_text": "username,email,name\nzoe,zoe@example.org,Zoe Z\nbad name,x,y"},
                           follow=True)
    html = response.content.decode()
    assert "Invitations sent: 1." in html and "bad name" in html
    upload = SimpleUploadedFile("roster.csv", "yan,yan@example.org,Yan Y\n".encode("utf-8-sig"), "text/csv")
    client.post(url, {"csv_file": upload})
    # Invited, not enrolled: they join by accepting.
    assert not Membership.objects.filter(course=course, user__username__in=["zoe", "yan"]).exists()
    assert set(Invitation.objects.filter(course=course).values_list("user__username", flat=True)) == {"zoe", "yan"}
    assert client.post(url, {"csv_text": ""}, follow=True).status_code == 200
    # Make alice a teaching assistant, then remove her.
    response = client.post(reverse("exercises:membership_role", args=[course.pk, alice.pk]),
                           {f"m{alice.pk}-role": "ta"})
    assert response.status_code == 302
    assert Membership.objects.get(course=course, user=alice).role == "ta"
    # The last instructor cannot step down: a message, no change.
    client.post(reverse("exercises:membership_role", args=[course.pk, instructor.pk]),
                {f"m{instructor.pk}-role": "student"})
    assert Membership.objects.get(course=course, user=instructor).role == "instructor"
    client.post(reverse("exercises:member_remove", args=[course.pk, alice.pk]))
    assert not Membership.objects.filter(course=course, user=alice).exists()


def test_course_page_for_staff_shows_code_roster_and_assignments(client, instructor, course, assignment, alice):
    client.force_login(instructor)
    html = client.get(reverse("exercises:course", args=[course.pk])).content.decode()
    assert course.code in html and "alice_s" in html and assignment.title in html
    assert f'name="m{alice.pk}-role"' in html


# ------------------------------------------------------------------------------- authoring


def test_authoring_form_creates_an_assignment(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    html = client.get(url).content.decode()
    assert 'data-preview-url="' in html and "preview-network" in html and 'name="parts"' in html
    data = assignment_form_data(parts=["net_h1", "out_h1", "dE_dw6"], points_overrides="dE_dw6 = 3",
                                tolerance_kind="relative", tolerance_value="0.01", attempt_penalty="10")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = Assignment.objects.get(course=course)
    assert question_of(assignment).parts == ["net_h1", "out_h1", "dE_dw6"]
    assert question_of(assignment).points.get("dE_dw6") == 3
    assert question_of(assignment).tolerance == {"kind": "relative", "value": 0.01}
    assert assignment.attempt_penalty == pytest.approx(0.1)
    assert assignment.attempts_allowed == 3 and assignment.reveal == "after_due"
    # The staff page shows the sample and its expected answers.
    html = client.get(response["Location"]).content.decode()
    assert "sample-network" in html and "Backprop 1" in html


def test_the_form_warns_when_answers_shown_after_each_of_several_attempts(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    warning = "the answers shown after a submission can be typed into the next attempt"
    html = client.get(url).content.decode()
    assert warning in html and 'data-reveal-warning hidden' in html  # the default (after the due date): hidden
    assert 'value="after_last"' in html
    # Saving is allowed, with the warning shown after saving and on the edit form, visible.
    response = client.post(url, assignment_form_data(reveal="after_submission", attempts_allowed="3"), follow=True)
    assert response.status_code == 200 and warning in response.content.decode()
    assignment = Assignment.objects.get(course=course)
    assert assignment.reveal == "after_submission" and assignment.attempts_allowed == 3
    html = client.get(reverse("exercises:assignment_edit", args=[assignment.pk])).content.decode()
    assert 'data-reveal-warning>' in html
    # One attempt, or revealing after the last attempt: no warning.
    for overrides in ({"reveal": "after_submission", "attempts_allowed": "1"},
                      {"reveal": "after_last", "attempts_allowed": "3"}):
        response = client.post(url, assignment_form_data(title=str(overrides), **overrides), follow=True)
        assert response.status_code == 200
        assert 'data-reveal-warning hidden' in response.content.decode() or warning not in response.content.decode()
    assert Assignment.objects.filter(course=course, reveal="after_last").exists()
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert warning not in zh


def test_the_form_refuses_dates_past_the_bounds_with_a_translated_message(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    far = assignment_form_data(late_policy="penalty", late_until="9999-12-30T00:00")
    response = client.post(url, far)
    assert response.status_code == 400 and "Enter a date from the year 1970 to 2999." in response.content.decode()
    opens = timezone.now()
    long_late = assignment_form_data(
        opens_at=opens.strftime("%Y-%m-%dT%H:%M"), due_at=(opens + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        late_policy="penalty", late_until=(opens + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post(url, long_late, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 400 and "迟交期限最多只能比截止时间晚一年。" in response.content.decode()
    assert not Assignment.objects.filter(course=course).exists()


def test_authoring_every_part_custom_and_fixed_networks(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    custom = assignment_form_data(
        title="Custom", network="custom", layers="2-3-1", activations="tanh, tanh", bias="per_neuron",
        inputs_low="-0.9", targets_low="-0.8", targets_high="0.8", weights_low="-0.9", parts=[],
    )
    # No part ticked: the form asks for one.
    response = client.post(url, custom)
    assert response.status_code == 400 and "Ask at least one part." in response.content.decode()
    keys = [p.key for p in assignment_part_infos(config={"layers": [2, 3, 1], "activations": ["tanh", "tanh"],
                                                            "bias": "per_neuron"})]
    response = client.post(url, {**custom, "parts": keys})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Assignment.objects.get(title="Custom")
    assert question_of(saved).parts == [] and question_of(saved).template_config["layers"] == [2, 3, 1]
    assert question_of(saved).template_config["inputs"] == [-0.9, 0.95, 0.05]

    # the article's numbers, one box each: inputs i1 i2, w1…w8 by layer, destination, source, b1 b2, targets
    boxes = {"fixed_in_0": "0.05", "fixed_in_1": "0.1", "fixed_t_0": "0.01", "fixed_t_1": "0.99",
             "fixed_w_0_0_0": "0.15", "fixed_w_0_0_1": "0.2", "fixed_w_0_1_0": "0.25", "fixed_w_0_1_1": "0.3",
             "fixed_w_1_0_0": "0.4", "fixed_w_1_0_1": "0.45", "fixed_w_1_1_0": "0.5", "fixed_w_1_1_1": "0.55",
             "fixed_b_0_0": "0.35", "fixed_b_1_0": "0.6"}
    fixed = assignment_form_data(title="Fixed", network="fixed", layers="2-2-2", activations="sigmoid, sigmoid",
                                 **boxes)
    assert client.post(url, fixed).status_code == 302
    saved = Assignment.objects.get(title="Fixed")
    assert question_of(saved).template_config["fixed"]["inputs"] == [0.05, 0.1]


def test_authoring_errors_are_shown_on_the_fields(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    response = client.post(url, assignment_form_data(network="custom", layers="2-9-1", activations="sigmoid"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the marked fields." in html and "errorlist" in html
    response = client.post(url, assignment_form_data(network="fixed", fixed_w_0_0_0="", fixed_in_0="x"))
    assert response.status_code == 400 and response.context["form"].errors["fixed_w_0_0_0"] == ["Enter a number."]
    response = client.post(url, assignment_form_data(due_at="2000-01-01T00:00"))
    assert response.status_code == 400 and "The due date must come after the opening date." in response.content.decode()
    response = client.post(url, assignment_form_data(tolerance_kind="sigfigs", tolerance_value="2.5"))
    assert response.status_code == 400 and "whole number from 1 to 15" in response.content.decode()
    response = client.post(url, assignment_form_data(late_policy="penalty"), **ZH)
    assert response.status_code == 400 and 'lang="zh-hans"' in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_late_window_rule_is_the_services_and_shown_on_its_field(client, instructor, course):
    """Late submissions must end strictly after the due date: equal is refused, one minute later is fine."""
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    base = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    due = base.strftime("%Y-%m-%dT%H:%M")
    for late_until in (due, (base - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")):
        response = client.post(url, assignment_form_data(due_at=due, late_policy="penalty", late_until=late_until))
        assert response.status_code == 400
        assert response.context["form"].errors["late_until"] == ["Late submissions must end after the due date."]
    assert not Assignment.objects.exists()
    later = (base + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, assignment_form_data(due_at=due, late_policy="penalty", late_until=later))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Assignment.objects.get(course=course)
    assert saved.late_until - saved.due_at == timedelta(minutes=1)


def test_live_preview_fragment(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_preview", args=[course.pk])
    response = client.post(url, assignment_form_data(parts=["net_h1", "dE_dw6"], points_overrides="dE_dw6=2"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="preview-network"' in html
    assert "Parts asked: 2" in html and "3 points" in html
    assert "<template data-checklist" in html
    # Another network: another checklist (its signature changes) and another drawing.
    other = client.post(url, assignment_form_data(network="builtin", builtin="tanh-2-3-1")).content.decode()
    signature = re.compile(r'data-signature="([0-9a-f]+)"')
    assert signature.search(html).group(1) != signature.search(other).group(1)
    assert 'name="parts" value="net_h3"' in other
    # Unusable settings: the reasons, translated, and a 400.
    bad = client.post(url, assignment_form_data(network="custom", layers="2-9-1", activations="sigmoid, sigmoid"), **ZH)
    assert bad.status_code == 400 and "preview-errors" in bad.content.decode()
    assert "<template data-checklist" not in bad.content.decode()  # the checklist stays as it is


def test_edit_form_is_prefilled_and_saves(client, instructor, assignment):
    client.force_login(instructor)
    url = reverse("exercises:assignment_edit", args=[assignment.pk])
    html = client.get(url).content.decode()
    assert f'value="{assignment.title}"' in html and 'value="article-random" selected' in html
    data = assignment_form_data(title="Renamed", attempts_allowed="5")
    assert client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.title == "Renamed" and assignment.attempts_allowed == 5


def test_editing_scores_after_grading_points_to_regrade(client, instructor, assignment, graded):
    client.force_login(instructor)
    response = client.post(reverse("exercises:assignment_edit", args=[assignment.pk]),
                           assignment_form_data(title=assignment.title, tolerance_value="2", attempts_allowed="0",
                                                attempt_penalty="0", reveal="after_due"))
    assert response.status_code == 400
    assert "Regrade" in response.content.decode()


# ------------------------------------------------------------------ gradebook, CSV, drill-down


def test_gradebook_csv_and_drilldown(client, instructor, assignment, alice, bob, graded):
    client.force_login(instructor)
    html = client.get(reverse("exercises:gradebook", args=[assignment.course.pk])).content.decode()
    assert 'data-student="alice_s"' in html and 'data-student="bob_s"' in html
    max_points = gradebook_selectors.assignment_max_points(assignment=assignment)
    assert f'data-testid="points">{max_points:g}<' in html
    response = client.get(reverse("exercises:gradebook_csv", args=[assignment.course.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Username", "Email", "Name"] and rows[0][3] == f"{assignment.title} ({max_points:g})"
    by_user = {row[0]: row for row in rows[1:]}
    assert float(by_user["alice_s"][3]) == pytest.approx(max_points)
    assert float(by_user["bob_s"][3]) < max_points

    drill = client.get(reverse("exercises:student", args=[assignment.pk, bob.pk])).content.decode()
    variant = Variant.objects.get(assignment=assignment, owner=bob)
    assert drill.count('data-status="incorrect"') >= len(graders.solve(variant_spec(variant=variant)).parts) - 2
    assert f'data-submission="{graded["bob_s"].pk}"' in drill
    # Staff see bob's submission page with the expected values.
    page = client.get(reverse("exercises:homework_submission", args=[graded["bob_s"].pk])).content.decode()
    assert sum(text in page for text in expected_texts(variant)) > 10


def test_extension_and_reseed(client, instructor, assignment, alice, graded):
    client.force_login(instructor)
    url = reverse("exercises:extension", args=[assignment.pk, alice.pk])
    later = timezone.localtime(assignment.due_at + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"due_at": later}, follow=True)
    assert "extended" in response.content.decode()
    assert extension_due(assignment=assignment, student=alice) > assignment.due_at
    earlier = timezone.localtime(assignment.due_at - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"due_at": earlier}, follow=True)
    assert "An extension must end after the assignment" in response.content.decode()
    assert client.post(url, {"due_at": "soon"}).status_code == 400

    variant = Variant.objects.get(assignment=assignment, owner=alice)
    old_seed = variant.seed
    response = client.post(reverse("exercises:reseed", args=[assignment.pk, alice.pk]), follow=True)
    assert "has new numbers now" in response.content.decode()
    variant.refresh_from_db()
    assert variant.seed != old_seed
    assert Submission.objects.get(pk=graded["alice_s"].pk).seed == old_seed
    # Unknown student ids are 404s.
    assert client.get(reverse("exercises:student", args=[assignment.pk, instructor.pk])).status_code == 404


def test_gradebook_and_analytics_query_counts_do_not_grow_with_the_class(client, instructor, course, assignment):
    client.force_login(instructor)

    def counts() -> tuple[int, int]:
        result = []
        for url in (reverse("exercises:gradebook", args=[course.pk]), reverse("exercises:analytics",
                                                                               args=[assignment.pk])):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result[0], result[1]

    def add_students(names: list[str]) -> None:
        for name in names:
            student = make_user(name)
            enroll(course, student)
            variant = homework_services.homework_variant(assignment=assignment, student=student)
            fake_graded(variant, student, 3, score=0.6)

    add_students(["s1", "s2"])
    small = counts()
    add_students([f"t{i}" for i in range(12)])
    assert counts() == small


# ---------------------------------------------------------------------------------- regrade


def test_regrade_preview_then_apply(client, instructor, course, alice, django_capture_on_commit_callbacks):
    assignment = make_assignment(course, instructor, tolerance={"kind": "sigfigs", "value": 4})
    variant = homework_services.homework_variant(assignment=assignment, student=alice)
    solution = graders.solve(variant_spec(variant=variant))
    answers = {p.key: f"{solution.values[p.key]:.3g}" for p in solution.parts}  # 3 significant figures
    before = submit(django_capture_on_commit_callbacks, assignment, alice, answers)
    client.force_login(instructor)
    html = client.get(reverse("exercises:regrade", args=[assignment.pk])).content.decode()
    assert 'value="4"' in html
    data = {"tolerance_kind": "sigfigs", "tolerance_value": "2", "default_points": "1", "followthrough": "on",
            "followthrough_credit": "100", "attempt_penalty": "0", "late_penalty_per_day": "0", "scoring": "best",
            "points_overrides": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exercises:regrade", args=[assignment.pk]), data)
    assert response.status_code == 302
    job = RegradeJob.objects.get(assignment=assignment)
    page = client.get(response["Location"]).content.decode()
    assert job.status == "preview_ready"
    assert 'data-student="alice_s"' in page and "regrade-apply" in page
    old = re.search(r'data-testid="old-score">([^<]+)<', page).group(1)
    new = re.search(r'data-testid="new-score">([^<]+)<', page).group(1)
    assert old != new and new == "100.0\u00a0%"
    # Each student's counted score, before and after, in percentage points.
    counted_before = re.search(r'data-testid="counted-before">([^<]+)<', page).group(1)
    change = re.search(r'data-testid="counted-change">([^<]+)<', page).group(1)
    gained = (1.0 - before.final_score) * 100
    assert counted_before == old and change == f"+{gained:.1f}\u00a0pp"
    status = client.get(reverse("exercises:regrade_job_status", args=[job.pk])).json()
    assert status["final"] is True and "alice_s" in status["html"]
    # Applying needs a reason, which the students whose score changes are told.
    response = client.post(reverse("exercises:regrade_job", args=[job.pk]), {"reason": ""})
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == "preview_ready"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exercises:regrade_job", args=[job.pk]), {"reason": "Tolerance was too strict"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "applied" and job.reason == "Tolerance was too strict"
    before.refresh_from_db()
    assert before.final_score == pytest.approx(1.0)
    applied = client.get(reverse("exercises:regrade_job", args=[job.pk])).content.decode()
    assert "Applied" in applied and f"+{gained:.1f}\u00a0pp" in applied
    # Invalid settings: errors on the form.
    response = client.post(reverse("exercises:regrade", args=[assignment.pk]), {**data, "tolerance_value": "-1"})
    assert response.status_code == 400


# -------------------------------------------------------------------------------- analytics


def test_analytics_shows_charts_misconceptions_and_copying(client, instructor, course, assignment, alice, bob,
                                                           django_capture_on_commit_callbacks):
    alice_variant = homework_services.homework_variant(assignment=assignment, student=alice)
    bob_variant = homework_services.homework_variant(assignment=assignment, student=bob)
    answers = reference_answers(alice_variant)
    flipped = f"{-float(answers['dE_dout_o1']):.6g}"
    submit(django_capture_on_commit_callbacks, assignment, alice, {**answers, "dE_dout_o1": flipped})
    # bob hands in alice's numbers.
    submit(django_capture_on_commit_callbacks, assignment, bob, reference_answers(alice_variant))
    assert bob_variant.seed != alice_variant.seed
    client.force_login(instructor)
    for headers, message_lang in ((EN, "en"), (ZH, "zh")):
        html = client.get(reverse("exercises:analytics", args=[assignment.pk]), **headers).content.decode()
        for chart in ("steps-chart", "parts-chart", "misconceptions-chart", "histogram-chart"):
            assert f'id="{chart}"' in html
        report = Submission.objects.get(user=alice).report
        message = report["parts"]["dE_dout_o1"]["diagnoses"][0]["message"][message_lang]
        assert message in html.replace("&#x27;", "'")
        assert 'data-testid="students-graded">2<' in html
        assert 'id="copy-signals"' in html and "bob_s" in html
    assert html.count('class="bar-row" data-key=') >= len(graders.solve(variant_spec(variant=alice_variant)).parts) + 5


def test_due_dates_are_typed_and_shown_in_each_viewers_zone(client, instructor, course, alice, bob):
    """A teacher in Beijing types 23:59: stored as 15:59 UTC, shown as 23:59 in Beijing and as
    10:59 to a student in New York."""
    from exercises.accounts.services import profile_zone_set

    profile_zone_set(user=instructor, zone="Asia/Shanghai")
    profile_zone_set(user=alice, zone="Asia/Shanghai")
    profile_zone_set(user=bob, zone="America/New_York")
    client.force_login(instructor)
    url = reverse("exercises:assignment_create", args=[course.pk])
    assert "Dates and times are in your time zone, Asia/Shanghai." in client.get(url).content.decode()
    now_in_beijing = timezone.localtime(timezone.now(), timezone=zoneinfo.ZoneInfo("Asia/Shanghai"))
    due_day = (now_in_beijing + timedelta(days=3)).date()
    data = assignment_form_data(opens_at=(now_in_beijing - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                                due_at=f"{due_day:%Y-%m-%d}T23:59")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = Assignment.objects.get(course=course)
    utc_due = assignment.due_at.astimezone(dt_timezone.utc)
    assert (utc_due.date(), utc_due.hour, utc_due.minute) == (due_day, 15, 59)
    # the edit form shows what the teacher typed
    edit = client.get(reverse("exercises:assignment_edit", args=[assignment.pk])).content.decode()
    assert f'value="{due_day:%Y-%m-%d}T23:59"' in edit
    client.post(reverse("exercises:assignment_publish", args=[assignment.pk]), {"action": "publish"})
    client.force_login(alice)
    html = client.get(reverse("exercises:assignment", args=[assignment.pk])).content.decode()
    assert f"{due_day:%Y-%m-%d} 23:59 <span class=\"zone\">Asia/Shanghai</span>" in html
    client.force_login(bob)
    html = client.get(reverse("exercises:assignment", args=[assignment.pk])).content.decode()
    assert f"{due_day:%Y-%m-%d} 10:59 <span class=\"zone\">America/New York</span>" in html


def test_the_roster_counts_are_plural_only_when_they_should_be(client, course, instructor, alice):
    client.force_login(instructor)
    html = client.get(reverse("exercises:course", args=[course.pk]), **EN).content.decode()
    assert "1 instructor · 0 teaching assistants · 1 student" in " ".join(html.split())
    zh = client.get(reverse("exercises:course", args=[course.pk]), **ZH).content.decode()
    assert "教师 1 位 · 助教 0 位 · 学生 1 名" in " ".join(zh.split())


def test_a_gradebook_score_link_is_named_by_its_visible_number_first(client, course, instructor, alice, assignment):
    client.force_login(instructor)
    html = client.get(reverse("exercises:gradebook", args=[course.pk]), **EN).content.decode()
    link = re.search(r'<a href="/assignments/\d+/students/\d+/">(.*?)</a>', html, re.DOTALL).group(1)
    assert "aria-label" not in link and link.startswith("—")
    assert '<span class="visually-hidden"> · Attempts of alice_s on Homework 1</span>' in link


def test_the_gradebook_csv_keeps_chinese_names_for_excel(client, instructor, course):
    """UTF-8 with a byte-order mark: Excel on Chinese Windows shows 王伟, not mojibake."""
    wang = make_user("wangwei", first_name="伟", last_name="王")
    enroll(course, wang)
    client.force_login(instructor)
    body = client.get(reverse("exercises:gradebook_csv", args=[course.pk])).content
    assert body[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Username" and any("伟" in cell for row in rows[1:] for cell in row)


def test_removing_a_student_asks_first_and_the_message_stays_in_view(client, instructor, course, alice):
    client.force_login(instructor)
    roster = client.get(reverse("exercises:course", args=[course.pk])).content.decode()
    url = reverse("exercises:member_remove", args=[course.pk, alice.pk])
    assert f'href="{url}"' in roster  # a link to a confirmation, not a one-click form
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "要把 alice_s 移出" in page and 'id="confirm-remove"' in page
    assert Membership.objects.filter(course=course, user=alice).exists()  # asking changes nothing
    response = client.post(url)
    assert response.status_code == 302 and "#" not in response["Location"]  # the top, where messages show
    assert not Membership.objects.filter(course=course, user=alice).exists()
    assert "alice_s is no longer in the course." in client.get(response["Location"]).content.decode()


def test_only_instructors_see_the_removal_question(client, ta, course, alice, outsider):
    url = reverse("exercises:member_remove", args=[course.pk, alice.pk])
    client.force_login(ta)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_assignment_overview_shows_every_grading_and_late_policy(client, instructor, course):
    assignment = make_assignment(course, instructor, tolerance={"kind": "relative", "value": 0.01},
                                 attempt_penalty=0.1, followthrough_credit=0.5, late_policy="penalty",
                                 late_penalty_per_day=0.2,
                                 late_until=timezone.now() + timedelta(days=3))
    client.force_login(instructor)
    html = client.get(reverse("exercises:assignment", args=[assignment.pk])).content.decode()
    facts = dict(re.findall(r'data-testid="policy-fact"><span class="fact-label">([^<]+)</span>'
                            r'<span class="fact-value">([^<]+)</span>', html))
    assert facts["Tolerance"] == "Relative error: 0.01"
    assert facts["Follow-through credit (%)"] == "50 %"
    assert facts["Penalty per extra attempt (%)"] == "10 %"
    assert facts["Late submissions"].endswith("20 % per day")
    assert "Late submissions accepted until" in html


def test_the_gradebook_page_shows_average_and_median_rows(client, instructor, course, alice):
    make_assignment(course, instructor, parts=["net_h1"])
    client.force_login(instructor)
    html = client.get(reverse("exercises:gradebook", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="average-row"><th scope="row">平均值</th>' in html
    assert 'data-testid="median-row"><th scope="row">中位数</th>' in html
