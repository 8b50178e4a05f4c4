"""HTML pages: both languages, practice flow, format errors, permissions, bad input → 4xx."""

from __future__ import annotations

import re
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

import graders
from exercises.models import Submission, Variant

from tests.exercises.homework_support import EN, ZH, assert_labelled_and_local, inspect

pytestmark = pytest.mark.django_db

SEED = "view-test"


# ------------------------------------------------------------------------------------ helpers


def page_url(template: str = "article", seed: str = SEED) -> str:
    return reverse("exercises:practice", args=[template, seed])


def reference_answers(template: str = "article", seed: str = SEED) -> dict[str, str]:
    solution = graders.solve(graders.generate(template, seed))
    return {part.key: f"{solution.values[part.key]:.6g}" for part in solution.parts}


def form_token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "the answer sheet carries a one-time form token"
    return match.group(1)


def submit(client: Client, answers: dict[str, str], url: str | None = None, **extra: Any):
    url = url or page_url()
    data = {"form_token": form_token(client, url), **answers}
    return client.post(url, data, **extra)


@pytest.fixture
def graded_submission(client, django_capture_on_commit_callbacks) -> Submission:
    """An anonymous submission of the client's session, graded (tasks run eagerly in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, reference_answers())
    assert response.status_code == 302
    return Submission.objects.get()


# ------------------------------------------------------------------------- pages in languages


def page_urls(submission: Submission) -> list[str]:
    return [
        reverse("exercises:home"),
        reverse("exercises:walkthrough"),
        reverse("exercises:practice_list"),
        *[page_url(name) for name in graders.TEMPLATES],
        reverse("exercises:submission", args=[submission.pk]),
        reverse("login"),
        reverse("exercises:signup"),
    ]


@pytest.mark.parametrize(
    ("headers", "lang", "word"),
    [(EN, "en", "Practice"), (ZH, "zh-hans", "练习")],
    ids=["en", "zh-hans"],
)
def test_every_page_renders_in_both_languages(client, graded_submission, headers, lang, word):
    for url in page_urls(graded_submission):
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert inspect(html).html_lang == lang, url
        assert word in html, url


def test_history_renders_in_both_languages(client, user):
    client.force_login(user)
    assert "Your practice history" in client.get(reverse("exercises:history"), **EN).content.decode()
    assert "你的练习记录" in client.get(reverse("exercises:history"), **ZH).content.decode()


def test_chinese_pages_have_no_untranslated_site_text(client):
    html = client.get(reverse("exercises:walkthrough"), **ZH).content.decode()
    for english in ("Forward pass", "Walkthrough", "Hidden layer: the gradient of w2", "Log in", "inputs"):
        assert english not in html
    assert "前向传播" in html and "隐藏层：w2 的梯度" in html


def test_language_switch_uses_set_language(client):
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/practice/"})
    assert response.status_code == 302 and response["Location"] == "/practice/"
    html = client.get("/practice/").content.decode()
    assert '<html lang="zh-hans">' in html and "选择一种网络" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/practice/").content.decode()


def test_every_input_has_a_label_and_assets_are_local(client, graded_submission):
    for url in page_urls(graded_submission):
        assert_labelled_and_local(url, client.get(url).content.decode())


def test_walkthrough_shows_mathml_and_the_network(client):
    html = client.get(reverse("exercises:walkthrough")).content.decode()
    assert html.count("<math") > 40
    assert "<svg" in html and "w6 = 0.3" in html
    for key in ("dE_dw6", "dE_dw2", "w6_new", "w2_new", "E_total", "net_h1"):
        assert f'data-key="{key}"' in html
    assert "<mn>0.0361141</mn>" in html and "<mn>0.0199706</mn>" in html  # E_total, |∂E_total/∂w6|


# ---------------------------------------------------------------------------------- practice


def test_practice_start_redirects_to_a_fresh_seed(client):
    first = client.get(reverse("exercises:practice_start", args=["article-random"]))
    second = client.get(reverse("exercises:practice_start", args=["article-random"]))
    assert first.status_code == second.status_code == 302
    assert first["Location"] != second["Location"]
    assert re.fullmatch(r"/practice/article-random/[0-9a-f]{8}/", first["Location"])


def test_practice_page_is_reproducible_and_grouped_by_step(client):
    first = client.get(page_url("article-random", "abc")).content.decode()
    second = client.get(page_url("article-random", "abc")).content.decode()
    spec = graders.generate("article-random", "abc")
    w1 = f"w1 = {spec['weights'][0][0][0]:.4g}"
    assert w1 in first and w1 in second
    for step in ("step-forward", "step-error", "step-output_gradients", "step-hidden_gradients", "step-updates"):
        assert f'id="{step}"' in first
    assert 'for="id_dE_dw6"' in first and "∂E<sub>total</sub>/∂w6" in first
    assert Variant.objects.count() == 0  # looking stores nothing


def test_submit_reference_answers_grades_everything_correct(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, reference_answers())
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exercises:submission", args=[submission.pk]) + "?wait=0.5"
    submission.refresh_from_db()
    assert submission.status == "graded" and submission.score == pytest.approx(1.0)
    html = client.get(response["Location"]).content.decode()
    assert html.count('data-status="correct"') == len(graders.solve(graders.generate("article", SEED)).parts)
    assert "Worked solution for this variant" in html and "<math" in html


def test_a_sign_flip_is_diagnosed(client, django_capture_on_commit_callbacks):
    answers = reference_answers()
    answers["dE_dout_o1"] = f"{-float(answers['dE_dout_o1']):.6g}"
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, answers)
    html = client.get(response["Location"]).content.decode()
    row = re.search(r'<tr class="row-incorrect" data-key="dE_dout_o1".*?</tr>', html, re.DOTALL)
    assert row, "the flipped part is marked incorrect"
    assert 'class="diagnosis"' in row.group(0)
    zh = client.get(response["Location"], **ZH).content.decode()
    assert "错误" in zh


def test_format_error_keeps_input_and_stores_nothing(client):
    answers = {"net_h1": "  0.3.25 ", "out_h1": "0.580542", "net_h2": "w3*i1 + w4*i2 + b1"}
    response = submit(client, answers)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="  0.3.25 "' in html  # exactly what was typed
    assert 'value="w3*i1 + w4*i2 + b1"' in html
    assert 'id="id_net_h1-error"' in html and 'aria-invalid="true"' in html
    assert graders.messages.answer_error_message("syntax", {}, "en") in html
    assert Submission.objects.count() == 0 and Variant.objects.count() == 0


def test_format_error_message_is_translated(client):
    response = submit(client, {"net_h1": "0.3.25"}, **ZH)
    assert response.status_code == 400
    assert graders.messages.answer_error_message("syntax", {}, "zh") in response.content.decode()


def test_hostile_and_oversized_answers_are_rejected_and_escaped(client):
    hostile = '<script>alert("x")</script>'
    response = submit(client, {"net_h1": hostile, "out_h1": "9" * 5000})
    assert response.status_code == 400
    html = response.content.decode()
    assert hostile not in html and "&lt;script&gt;" in html
    assert 'id="id_out_h1-error"' in html
    assert Submission.objects.count() == 0


def test_empty_sheet_asks_for_an_answer(client):
    response = submit(client, {"net_h1": "   "})
    assert response.status_code == 400
    assert "Answer at least one part" in response.content.decode()
    assert Submission.objects.count() == 0


def test_missing_form_token_or_fields_is_a_400(client):
    response = client.post(page_url(), {"net_h1": "0.325"})
    assert response.status_code == 400
    assert "Reload the page" in response.content.decode()
    assert client.post(page_url(), {}).status_code == 400
    assert Submission.objects.count() == 0


def test_unknown_answer_keys_are_ignored(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, {"net_h1": "0.325", "evil": "1", "w1": "2"})
    assert response.status_code == 302
    assert Submission.objects.get().answers == {"net_h1": "0.325"}


def test_repeated_submit_of_the_same_form_is_a_409(client, django_capture_on_commit_callbacks):
    token = form_token(client, page_url())
    data = {"form_token": token, "net_h1": "0.325"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(page_url(), data)
        again = client.post(page_url(), data)
    assert first.status_code == 302 and again.status_code == 409
    assert first["Location"].split("?")[0] in again.content.decode()
    assert Submission.objects.count() == 1


def test_submissions_of_one_page_share_a_variant(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, {"net_h1": "0.3"})
        submit(client, {"net_h1": "0.325"})
    assert Variant.objects.count() == 1
    assert sorted(Submission.objects.values_list("attempt_number", flat=True)) == [1, 2]


def test_try_again_prefills_the_previous_answers(client, graded_submission):
    html = client.get(page_url() + f"?from={graded_submission.pk}").content.decode()
    assert f'value="{graded_submission.answers["net_h1"]}"' in html


# ------------------------------------------------------------------------ submission status


def test_status_endpoint_reports_queued_then_graded(client):
    response = submit(client, {"net_h1": "0.325"})  # on_commit not run: stays queued
    submission = Submission.objects.get()
    status_url = reverse("exercises:submission_status", args=[submission.pk])
    page = client.get(response["Location"]).content.decode()
    assert f'data-status-url="{status_url}"' in page and 'data-final="false"' in page
    data = client.get(status_url).json()
    assert data["status"] == "queued" and data["final"] is False and "Queued" in data["html"]

    from exercises.grading import pipeline

    pipeline.submission_grade(submission_id=submission.pk)
    data = client.get(status_url).json()
    assert data["status"] == "graded" and data["final"] is True
    assert 'data-key="net_h1"' in data["html"] and "<math" in data["html"]


def test_a_poll_that_knows_the_status_gets_a_few_bytes_until_it_changes(client, django_assert_num_queries):
    response = submit(client, {"net_h1": "0.325"})  # on_commit not run: stays queued
    submission = Submission.objects.get()
    status_url = reverse("exercises:submission_status", args=[submission.pk])
    client.get(response["Location"])
    with django_assert_num_queries(2):  # the session, then the status
        unchanged = client.get(status_url, {"known": "queued"})
    assert unchanged.status_code == 200
    assert unchanged.json() == {"status": "queued", "final": False, "unchanged": True, "waited": False}
    # the status moved on: the poll gets the whole fragment
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.GRADING)
    data = client.get(status_url, {"known": "queued"}).json()
    assert data["status"] == "grading" and data["final"] is False and "html" in data
    assert client.get(status_url, {"known": "grading"}).json()["unchanged"] is True

    from exercises.grading import pipeline

    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.QUEUED)
    pipeline.submission_grade(submission_id=submission.pk)
    data = client.get(status_url, {"known": "grading"}).json()
    assert data["status"] == "graded" and data["final"] is True and 'data-key="net_h1"' in data["html"]
    # a final status is never answered as unchanged, whatever the page says it shows
    assert client.get(status_url, {"known": "graded"}).json()["html"] == data["html"]


def test_a_poll_that_knows_the_status_still_shows_nothing_to_a_stranger(client):
    submit(client, {"net_h1": "0.325"})
    submission = Submission.objects.get()
    status_url = reverse("exercises:submission_status", args=[submission.pk])
    assert client.get(status_url, {"known": "queued"}).json()["unchanged"] is True
    for known in ("queued", "grading", "graded", "nonsense", ""):
        assert Client().get(status_url, {"known": known}).status_code == 404
    assert client.get(reverse("exercises:submission_status", args=["not-a-uuid"]), {"known": "queued"}).status_code == 404


# ------------------------------------------------------------------------------ permissions


def test_only_the_anonymous_session_that_submitted_sees_it(client, graded_submission):
    detail = reverse("exercises:submission", args=[graded_submission.pk])
    status = reverse("exercises:submission_status", args=[graded_submission.pk])
    assert client.get(detail).status_code == 200
    stranger = Client()
    assert stranger.get(detail).status_code == 404
    assert stranger.get(status).status_code == 404
    assert "There is nothing here" in stranger.get(detail).content.decode()


def test_another_user_gets_404(client, user, other_user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, {"net_h1": "0.325"})
    submission = Submission.objects.get()
    assert submission.user == user
    assert client.get(response["Location"]).status_code == 200
    other = Client()
    other.force_login(other_user)
    assert other.get(response["Location"]).status_code == 404
    assert Client().get(response["Location"]).status_code == 404


def test_history_lists_only_own_attempts(client, user, other_user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, {"net_h1": "0.325"})
    mine = Submission.objects.get()
    html = client.get(reverse("exercises:history")).content.decode()
    assert str(mine.pk) in html
    other = Client()
    other.force_login(other_user)
    assert str(mine.pk) not in other.get(reverse("exercises:history")).content.decode()


def test_history_needs_login(client):
    response = client.get(reverse("exercises:history"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "url",
    ["/practice/nope/", "/practice/nope/abc/", "/practice/..%2Farticle/abc/", "/submissions/not-a-uuid/",
     "/submissions/5f0c8c3e-3a43-4c5e-9d1e-6f8e2f6d1a27/", "/submissions/5f0c8c3e-3a43-4c5e-9d1e-6f8e2f6d1a27/status", "/no/such/page/"],
)
def test_unknown_things_are_404_pages(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("seed", ["a%20b", "x" * 65, "%3Cscript%3E", "%E2%80%AE", "a;b"])
def test_tampered_seeds_are_400(client, seed):
    response = client.get(f"/practice/article/{seed}/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "A seed is 1 to 64 characters" in html and "<script>" not in html


def test_unknown_template_post_is_404_and_stores_nothing(client):
    response = client.post("/practice/nope/abc/", {"form_token": "x", "net_h1": "1"})
    assert response.status_code == 404
    assert Variant.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/"), ("post", "/walkthrough/"), ("post", "/practice/"), ("put", page_url()),
     ("delete", page_url()), ("post", "/practice/article/")],
)
def test_wrong_methods_are_405_pages(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert "Allow" in response
    assert "This page cannot be used that way" in response.content.decode()


def test_post_to_a_submission_is_405(client, graded_submission):
    response = client.post(reverse("exercises:submission", args=[graded_submission.pk]))
    assert response.status_code == 405


def test_oversized_body_is_a_400_page(client):
    response = client.post(page_url(), {"form_token": "t", "net_h1": "1" * 40_000})
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


def test_too_many_fields_is_a_400_page(client):
    response = client.post(page_url(), {f"field{n}": "1" for n in range(1200)})
    assert response.status_code == 400


def test_the_largest_network_can_be_submitted_whole(client, django_capture_on_commit_callbacks):
    url = page_url("deep-4-8-8-3")
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, reference_answers("deep-4-8-8-3"), url)
    assert response.status_code == 302
    assert Submission.objects.get().score == pytest.approx(1.0)


def test_missing_csrf_token_is_a_403_page():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(page_url(), {"net_h1": "0.325"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


# ------------------------------------------------------------------------------------ signup


def test_signup_creates_and_logs_in_a_user(client, django_user_model):
    response = client.post(
        reverse("exercises:signup"),
        {"username": "carol", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"},
    )
    assert response.status_code == 302
    assert django_user_model.objects.filter(username="carol").exists()
    assert "carol" in client.get("/").content.decode()


def test_signup_errors_are_shown_with_400(client):
    response = client.post(reverse("exercises:signup"), {"username": "", "password1": "x", "password2": "y"})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_signup_ignores_offsite_next(client):
    response = client.post(
        reverse("exercises:signup"),
        {"username": "dave", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42",
         "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_submission_of_a_removed_network_type_still_shows(client):
    session = client.session
    session.save()
    variant = Variant.objects.create(template="removed-type", seed="x", session_key=session.session_key)
    report = {"parts": {"net_h1": {"status": "correct", "answer": "0.3", "expected": 0.3, "diagnoses": []}}}
    submission = Submission.objects.create(
        variant=variant, session_key=session.session_key, answers={"net_h1": "0.3"}, status="graded",
        score=1.0, report=report,
    )
    response = client.get(reverse("exercises:submission", args=[submission.pk]))
    assert response.status_code == 200
    assert 'data-key="net_h1" data-status="correct"' in response.content.decode()
    assert client.get(page_url("removed-type", "x")).status_code == 404


def test_the_chinese_catalogue_translates_every_string():
    catalogue = polib.pofile(str(settings.BASE_DIR / "exercises/locale/zh_Hans/LC_MESSAGES/django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    for entry in catalogue.translated_entries():  # placeholders survive translation (each plural form too)
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            assert sorted(re.findall(r"%\(\w+\)s", entry.msgid)) == sorted(re.findall(r"%\(\w+\)s", translation))


@pytest.mark.parametrize("name", ["400.html", "403_csrf.html", "500.html"])
def test_error_pages_render_without_a_request(name):
    """Django renders these with no request (bad_request, csrf_failure, server_error)."""
    from django.template import loader

    html = loader.get_template(name).render()
    assert "<html" in html and "/static/exercises/site.css" in html
