"""Mastery per skill and adaptive practice through the site (issue 15): a student who keeps flipping
the sign of ∂E/∂out is served output-gradient exercises, moves on after a run of right ones, and
sees the skill rise on "My progress"; what counts as given away; who sees what."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import graders
from graders.adaptive import focus_parts
from exercises.courses.services.courses import course_create
from exercises.courses.services.homework import homework_variant
from exercises.grading.variants import variant_solution
from exercises.models import Submission, Variant
from exercises.practice import mastery as mastery_selectors
from exercises.practice import services as practice_services
from exercises.practice.mastery import mastery_events, progress_for_user

from tests.exercises.homework_support import ZH, enroll, make_assignment, make_instructor, make_user, submit
from tests.exercises.practice.test_views import form_token

pytestmark = pytest.mark.django_db

OUTPUT = ("dE_dout_o1", "dout_dnet_o1", "delta_o1", "dE_dout_o2", "dout_dnet_o2", "delta_o2",
          "dE_dw5", "dE_dw6", "dE_dw7", "dE_dw8")


def answers_for(variant: Variant, keys, *, flip: bool = False) -> dict[str, str]:
    """Reference answers to `keys`; with flip, ∂E/∂out of every output with the wrong sign."""
    values = variant_solution(variant=variant).values
    return {k: f"{(-values[k] if flip and k.startswith('dE_dout_o') else values[k]):.6g}" for k in keys}


def practise_full(capture, user, seed: str, *, flip: bool) -> Submission:
    """A whole article-random variant answered (signs of ∂E/∂out flipped or not), graded at commit."""
    variant = practice_services.variant_create(template="article-random", seed=seed, owner=user)
    keys = [p.key for p in variant_solution(variant=variant).parts]
    with capture(execute=True):
        submission = practice_services.submission_create(variant=variant, answers=answers_for(variant, keys, flip=flip),
                                                         user=user)
    submission.refresh_from_db()
    return submission


def next_exercise(client: Client) -> Variant:
    response = client.post(reverse("exercises:adaptive_start"))
    assert response.status_code == 302, response.content[:300]
    variant_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Variant.objects.get(pk=variant_id)


def answer_exercise(client: Client, capture, variant: Variant, *, flip: bool) -> Submission:
    url = reverse("exercises:adaptive_exercise", args=[variant.pk])
    data = {"form_token": form_token(client, url), **answers_for(variant, variant.focus["parts"], flip=flip)}
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    submission = Submission.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert submission.status == Submission.Status.GRADED
    return submission


def page_mastery(client: Client, skill: str) -> float:
    html = client.get(reverse("exercises:progress")).content.decode()
    match = re.search(rf'data-testid="skill-{skill}" data-mastery="([0-9.]+)"', html)
    assert match, f"no card for {skill}"
    return float(match.group(1))


@pytest.fixture
def student():
    return make_user("flipper")


@pytest.fixture
def signed_in(client, student) -> Client:
    client.force_login(student)
    return client


def test_a_sign_flipper_is_served_output_gradients_moves_on_after_a_run_and_sees_the_skill_rise(
        signed_in, student, django_capture_on_commit_callbacks, settings):
    settings.BPCOURSE_ADAPTIVE_RUN = 3
    capture = django_capture_on_commit_callbacks
    for i in range(3):
        report = practise_full(capture, student, f"flip-{i}", flip=True).report
        assert [d["key"] for d in report["parts"]["dE_dout_o1"]["diagnoses"]] == ["sign_flipped"]
    progress = progress_for_user(user=student)
    assert (progress.focus.step, progress.focus.reason, progress.focus.misconception) == (
        "output_gradients", "misconception", "sign_flipped")
    assert progress.recent[0].key == "sign_flipped"

    masteries = [page_mastery(signed_in, "output_gradients")]
    exercise = next_exercise(signed_in)
    assert exercise.focus["step"] == "output_gradients" and exercise.focus["misconception"] == "sign_flipped"
    assert exercise.template == "article-biases"  # the network least recently used (article-random was)
    steps = {p.key: p.step for p in variant_solution(variant=exercise).parts}
    assert set(OUTPUT) < set(exercise.focus["parts"]) and {steps[k] for k in exercise.focus["parts"]} == {
        "output_gradients"}
    # the same sign flip again: still output gradients, on a new exercise
    answer_exercise(signed_in, capture, exercise, flip=True)
    masteries.append(page_mastery(signed_in, "output_gradients"))
    served = []
    for _ in range(3):  # a run of three right ones
        exercise = next_exercise(signed_in)
        served.append(exercise.focus["step"])
        submission = answer_exercise(signed_in, capture, exercise, flip=False)
        assert set(submission.report["parts"]) == set(exercise.focus["parts"]) and submission.score == 1.0
        masteries.append(page_mastery(signed_in, "output_gradients"))
    assert served == ["output_gradients"] * 3
    moved = next_exercise(signed_in)
    assert moved.focus["step"] != "output_gradients"
    # the skill rises with every right attempt (the flip again held it down)
    assert masteries[2] < masteries[3] < masteries[4] and masteries[4] > masteries[0]
    html = signed_in.get(reverse("exercises:progress")).content.decode()
    chart = re.search(r'<svg[^>]*id="mastery-output_gradients".*?</svg>', html, re.S).group(0)
    values = [float(v) for v in re.findall(r'data-value="([0-9.]+)"', chart)]
    assert len(values) == 7 and values[-1] == max(values) and values[-3:] == sorted(values[-3:])


def test_an_adaptive_exercise_asks_only_its_parts_and_gives_the_earlier_values(signed_in, student, settings):
    exercise = next_exercise(signed_in)  # nothing practised: the forward pass first
    assert exercise.focus["step"] == "forward" and exercise.focus["given"] == []
    Variant.objects.filter(pk=exercise.pk).update(focus={})  # not an adaptive exercise any more
    settings.BPCOURSE_ADAPTIVE_RUN = 1
    variant = practice_services.variant_create(template="article-random", seed="h", owner=student)
    parts = focus_parts(variant_solution(variant=variant).graph, "hidden_gradients")
    variant.focus = {"step": "hidden_gradients", "reason": "weakest", "misconception": "",
                     "parts": list(parts.asked), "given": list(parts.given)}
    variant.save()
    html = signed_in.get(reverse("exercises:adaptive_exercise", args=[variant.pk])).content.decode()
    boxes = set(re.findall(r'<input[^>]*name="([a-zA-Z0-9_]+)"', html)) - {"csrfmiddlewaretoken", "form_token", "next"}
    assert boxes == set(parts.asked)
    values = variant_solution(variant=variant).values
    assert "Earlier results (given)" in html
    for key in ("delta_o1", "delta_o2", "out_h1"):
        assert f"{values[key]:.6g}"[:6] in html, key


def test_an_unanswered_exercise_is_served_again_rather_than_a_new_one(signed_in):
    first = next_exercise(signed_in)
    assert next_exercise(signed_in).pk == first.pk
    assert Variant.objects.filter(focus__has_key="step").count() == 1


def test_shown_answers_and_full_hints_count_as_not_mastered(student, django_capture_on_commit_callbacks):
    submission = practise_full(django_capture_on_commit_callbacks, student, "shown", flip=False)
    Variant.objects.filter(pk=submission.variant_id).update(revealed_parts=["net_h1"], hints_used={"out_h1": 3,
                                                                                                  "net_h2": 2})
    events = {e.part: e for e in mastery_events(user=student)}
    assert events["net_h1"].revealed and not events["net_h1"].credited
    assert events["out_h1"].hint_level == 3 and not events["out_h1"].credited
    assert events["net_h2"].credited
    forward = progress_for_user(user=student).steps[0]
    assert forward.skill == "forward" and forward.observations[0].score == pytest.approx(6 / 8)


def test_answers_after_the_wrong_answers_that_reveal_them_are_given_away(student, django_capture_on_commit_callbacks,
                                                                        settings):
    settings.BPCOURSE_REVEAL_AFTER_WRONG = 2
    variant = practice_services.variant_create(template="article-random", seed="again", owner=student)
    right = answers_for(variant, ["net_h1"])
    for text in ("0.1", "0.2", right["net_h1"]):
        with django_capture_on_commit_callbacks(execute=True):
            practice_services.submission_create(variant=variant, answers={"net_h1": text}, user=student)
    events = [e for e in mastery_events(user=student) if e.part == "net_h1"]
    assert [(e.status, e.revealed) for e in events] == [("incorrect", False), ("incorrect", False), ("correct", True)]


def test_homework_counts_and_its_hidden_diagnoses_stay_hidden(django_capture_on_commit_callbacks):
    teacher = make_instructor("teacher")
    course = course_create(title="NN", instructor=teacher)
    alice = make_user("alice")
    enroll(course, alice)
    assignment = make_assignment(course, teacher, show_diagnosis=False, attempts_allowed=0)
    variant = homework_variant(assignment=assignment, student=alice)
    submission = submit(django_capture_on_commit_callbacks, assignment, alice, answers_for(variant, OUTPUT, flip=True))
    assert submission.status == Submission.Status.GRADED
    events = mastery_events(user=alice)
    assert {e.part for e in events} >= set(OUTPUT)
    assert all(e.diagnoses == () for e in events)  # the assignment hides diagnoses from the student
    assert progress_for_user(user=alice).recent == []


def test_progress_pages_need_a_sign_in_and_show_only_the_viewers_own_work(client, student,
                                                                         django_capture_on_commit_callbacks):
    for url in (reverse("exercises:progress"), reverse("exercises:adaptive_start")):
        response = client.post(url) if "adaptive" in url else client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    practise_full(django_capture_on_commit_callbacks, student, "mine", flip=True)
    client.force_login(student)
    exercise = next_exercise(client)
    other = make_user("other")
    client.force_login(other)
    html = client.get(reverse("exercises:progress")).content.decode()
    assert 'data-key="sign_flipped"' not in html and "Nothing graded yet" in html
    assert client.get(reverse("exercises:adaptive_exercise", args=[exercise.pk])).status_code == 404
    assert client.get(reverse("exercises:adaptive_exercise", args=["not-a-uuid"])).status_code == 404


def test_the_progress_page_speaks_chinese_and_has_a_table_for_every_chart(signed_in, student,
                                                                         django_capture_on_commit_callbacks):
    practise_full(django_capture_on_commit_callbacks, student, "zh", flip=True)
    html = signed_in.get(reverse("exercises:progress"), **ZH).content.decode()
    assert "我的进度" in html and "符号反了" in html and "练习我常错的内容" in html
    assert html.count('class="chart chart-mastery"') == html.count('<details class="chart-table">') == 6
    assert "<script>" not in html and "style=" not in html


def test_the_result_of_an_adaptive_exercise_offers_the_next_one_and_retries_on_its_own_page(
        signed_in, django_capture_on_commit_callbacks):
    exercise = next_exercise(signed_in)
    submission = answer_exercise(signed_in, django_capture_on_commit_callbacks, exercise, flip=False)
    html = signed_in.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    assert 'id="adaptive-next"' in html
    steps = set(re.findall(r'<li data-step="([a-z_]+)"', html)) | set(re.findall(r'id="results-([a-z_]+)"', html)) - {"summary", "title"}
    assert steps == {"forward"}  # the asked step only (nothing practised yet: the forward pass first)
    assert reverse("exercises:adaptive_exercise", args=[exercise.pk]) + f"?from={submission.pk}" in html


def test_a_mastered_step_comes_back_for_review_after_its_interval(student, django_capture_on_commit_callbacks,
                                                                  settings):
    settings.BPCOURSE_REVIEW_INTERVALS_DAYS = (2.0, 6.0)
    for i in range(5):
        practise_full(django_capture_on_commit_callbacks, student, f"good-{i}", flip=False)
    Submission.objects.filter(user=student).update(created_at=timezone.now() - timedelta(days=3))
    today = progress_for_user(user=student)
    assert all(state.mastered for state in today.steps)
    assert today.focus.reason == "review" and today.focus.step == "forward"
    assert [state.skill for state in today.due] == list(graders.STEPS)
    yesterday = progress_for_user(user=student, now=(timezone.now() - timedelta(days=2)).timestamp())
    assert yesterday.focus.reason == "practise" and yesterday.due == []


def test_making_adaptive_exercises_and_submitting_them_are_rate_limited(signed_in, settings):
    cache.clear()
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    settings.BPCOURSE_RATE_LIMITS = {scope: {"client": (2, 60), "ip": (2, 60)}
                                     for scope in ("practice_variant", "practice_submit")}
    try:
        for _ in range(2):
            assert signed_in.post(reverse("exercises:adaptive_start")).status_code == 302
        assert signed_in.post(reverse("exercises:adaptive_start")).status_code == 429
        url = reverse("exercises:adaptive_exercise", args=[Variant.objects.get(focus__has_key="step").pk])
        assert signed_in.get(url).status_code == 200  # reading is not counted
        for _ in range(2):
            assert signed_in.post(url, {"net_h1": "0.3"}).status_code == 400  # no form token
        assert signed_in.post(url, {"net_h1": "0.3"}).status_code == 429
    finally:
        cache.clear()


def test_the_api_lists_only_the_parts_an_adaptive_exercise_asks(signed_in):
    exercise = next_exercise(signed_in)
    body = signed_in.get(f"/api/variants/{exercise.pk}").json()
    assert body["part_keys"] == exercise.focus["parts"]
    assert {p["step"] for p in body["parts"]} == {exercise.focus["step"]}


@pytest.fixture
def parse_spy():
    """Counts the reports parsed (each graded submission's network placed) by mastery reads."""
    cache.clear()
    with mock.patch.object(mastery_selectors, "_part_infos", wraps=mastery_selectors._part_infos) as spy:
        yield spy
    cache.clear()


def test_a_second_view_with_nothing_new_graded_parses_no_report(signed_in, student, parse_spy,
                                                                django_capture_on_commit_callbacks):
    for i in range(2):
        practise_full(django_capture_on_commit_callbacks, student, f"cached-{i}", flip=bool(i))
    def view() -> str:
        html = signed_in.get(reverse("exercises:progress")).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)

    first = view()
    assert parse_spy.call_count == 2 and 'data-key="sign_flipped"' in first
    assert view() == first and parse_spy.call_count == 2


def test_a_newly_graded_submission_changes_the_page(signed_in, student, parse_spy, django_capture_on_commit_callbacks):
    practise_full(django_capture_on_commit_callbacks, student, "right", flip=False)
    before = signed_in.get(reverse("exercises:progress")).content.decode()
    assert 'data-key="sign_flipped"' not in before
    practise_full(django_capture_on_commit_callbacks, student, "flipped", flip=True)
    after = signed_in.get(reverse("exercises:progress")).content.decode()
    assert 'data-key="sign_flipped"' in after
    assert parse_spy.call_count == 2  # only the new one parsed: the first is kept from the cache


def test_an_answer_shown_after_a_view_counts_at_the_next_without_parsing_again(student, parse_spy,
                                                                               django_capture_on_commit_callbacks):
    submission = practise_full(django_capture_on_commit_callbacks, student, "shown-later", flip=False)
    assert not any(e.revealed for e in mastery_events(user=student))
    Variant.objects.filter(pk=submission.variant_id).update(revealed_parts=["net_h1"], hints_used={"out_h1": 3})
    events = {e.part: e for e in mastery_events(user=student)}
    assert events["net_h1"].revealed and events["out_h1"].hint_level == 3 and parse_spy.call_count == 1


def test_the_progress_page_is_served_with_the_cache_down(signed_in, student, parse_spy,
                                                         django_capture_on_commit_callbacks):
    practise_full(django_capture_on_commit_callbacks, student, "no-cache", flip=True)
    down = ConnectionError("cache unreachable")
    with mock.patch.object(mastery_selectors.cache, "get", side_effect=down), \
            mock.patch.object(mastery_selectors.cache, "set", side_effect=down), \
            mock.patch.object(mastery_selectors.cache, "delete_many", side_effect=down):
        html = signed_in.get(reverse("exercises:progress")).content.decode()
        mastery_selectors.mastery_forget(user_ids=[student.pk])  # a regrade's forgetting does not fail either
    assert 'data-key="sign_flipped"' in html and parse_spy.call_count == 1
