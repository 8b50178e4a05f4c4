"""The practice result page leads with what to fix (issue 11): a summary of the wrong parts with
links, progress per step over the parts answered (no percentage counting blanks), folded
correct steps, a "show only problems" switch; and the history shows the same progress."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

import graders

from tests.exercises.homework_support import ZH
from tests.exercises.practice.test_reveal import FORWARD, SEED, TEMPLATE, answers, graded, url
from tests.exercises.practice.test_views import page_url

pytestmark = pytest.mark.django_db


def test_a_perfect_forward_pass_shows_8_of_8_and_no_percentage(client, django_capture_on_commit_callbacks):
    submission = graded(client, django_capture_on_commit_callbacks, answers(FORWARD))
    assert submission.score == pytest.approx(0.2)  # the stored score still counts blanks
    html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    assert "20%" not in html and 'data-testid="score"' not in html
    progress = dict(re.findall(r'<li data-step="(\w+)"><span class="step-progress-name">[^<]+</span>\s*'
                               r'<span class="step-progress-value">([^<]+)</span>', html))
    assert progress == {"forward": "8/8", "error": "—", "output_gradients": "—",
                        "hidden_gradients": "—", "updates": "—"}
    assert 'data-testid="nothing-to-fix"' in html


def test_the_summary_comes_first_and_links_each_wrong_part(client, django_capture_on_commit_callbacks):
    sheet = answers(FORWARD)
    sheet["out_h1"] = "0.1"
    sheet["net_o2"] = "oops"  # unreadable: refused whole, nothing stored
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url(), {"form_token": "t1", **sheet})
    assert refused.status_code == 400
    sheet["net_o2"] = "7"
    submission = graded(client, django_capture_on_commit_callbacks, sheet)
    html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    summary, results = html.index('data-testid="results-summary"'), html.index('id="results-title"')
    assert summary < results
    problems = re.search(r'<ul class="problem-list".*?</ul>', html, re.DOTALL).group(0)
    assert re.findall(r'<li data-key="(\w+)">', problems) == ["out_h1", "net_o2"]
    assert 'href="#part-out_h1"' in problems and 'id="part-out_h1"' in html
    # The forward step is unfolded (it has problems); the untried steps are folded.
    assert re.search(r'<details class="card result-step has-problems" id="results-forward" open>', html)
    assert re.search(r'<details class="card result-step" id="results-updates">', html)
    assert 'id="only-problems"' in html and 'for="only-problems"' in html
    progress = re.search(r'data-step="forward">.*?step-progress-value">([^<]+)<', html, re.DOTALL).group(1)
    assert progress == "6/8"


def test_a_revealed_wrong_part_links_to_its_worked_lines(client, settings, django_capture_on_commit_callbacks):
    settings.BPCOURSE_REVEAL_AFTER_WRONG = 1
    # E_o1's line prints out_o1: shown once out_o1 is revealed too (here: answered correctly).
    submission = graded(client, django_capture_on_commit_callbacks, {"E_o1": "0.5"})
    html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    assert 'href="#part-E_o1"' in html and 'worked-E_o1' not in html
    submission = graded(client, django_capture_on_commit_callbacks, {"E_o1": "0.5", **answers(["out_o1"])})
    html = client.get(reverse("exercises:submission", args=[submission.pk])).content.decode()
    assert 'href="#worked-E_o1"' in html and 'id="worked-E_o1"' in html


def test_the_summary_is_translated(client, django_capture_on_commit_callbacks):
    submission = graded(client, django_capture_on_commit_callbacks, {"net_h1": "3"})
    html = client.get(reverse("exercises:submission", args=[submission.pk]), **ZH).content.decode()
    assert "概览" in html and "需要改正的部分：1 个" in html and "只显示有问题的部分" in html and "显示答案" in html


def test_history_shows_progress_per_step_not_a_percentage(client, django_user_model,
                                                          django_capture_on_commit_callbacks):
    client.force_login(django_user_model.objects.create_user("hist", password="pw-hist-123456"))
    graded(client, django_capture_on_commit_callbacks, answers(FORWARD))
    html = client.get(reverse("exercises:history")).content.decode()
    assert "20%" not in html
    assert re.search(r'data-step="forward">.*?step-progress-value">8/8<', html, re.DOTALL)
    assert re.search(r'data-step="error">.*?step-progress-value">—<', html, re.DOTALL)


def test_history_counts_answers_shown_on_request(client, django_user_model, django_capture_on_commit_callbacks):
    client.force_login(django_user_model.objects.create_user("shown", password="pw-shown-123456"))
    submission = graded(client, django_capture_on_commit_callbacks, {"net_h1": "3"})
    client.post(reverse("exercises:submission_reveal", args=[submission.pk]), {"part": "net_h1"})
    html = client.get(reverse("exercises:history")).content.decode()
    assert "Answers shown on request: 1" in html


def test_the_softmax_network_hints_at_cross_entropy_not_squared_error(client):
    html = client.get(page_url("softmax-2-2-2", "hint-seed")).content.decode()
    assert "E_o = −target_o · ln(out_o)" in html and "½(target − out)²" not in html
    assert "out_o − target_o" in html
    zh = client.get(page_url("softmax-2-2-2", "hint-seed"), **ZH).content.decode()
    assert "交叉熵误差" in zh
    squared = client.get(page_url("article-random", "hint-seed")).content.decode()
    assert "½(target − out)²" in squared and "ln(out_o)" not in squared


def test_the_article_network_offers_new_numbers_instead_of_the_same_variant(client):
    html = client.get(page_url("article", "any")).content.decode()
    start_random = reverse("exercises:practice_start", args=["article-random"])
    assert f'href="{start_random}"' in html and "Try a network like this with new numbers" in html
    assert f'href="{reverse("exercises:practice_start", args=["article"])}"' not in html
    other = client.get(page_url(TEMPLATE, SEED)).content.decode()
    assert f'href="{reverse("exercises:practice_start", args=[TEMPLATE])}"' in other
    assert graders.TEMPLATES["article"].fixed is not None  # why: the article's numbers never change


def test_the_practice_sheet_keeps_drafts_and_asks_before_leaving(client):
    html = client.get(page_url(TEMPLATE, SEED)).content.decode()
    assert f'data-draft-key="practice:{TEMPLATE}/{SEED}"' in html
    assert re.search(r'<a class="button button-quiet" href="[^"]+" data-testid="new-variant" data-confirm="[^"]+">', html)
    assert '/static/exercises/drafts.js' in html
