"""Hints on demand in practice (issue 15): each "Hint" button shows the next level of one part
(recorded on the variant), with and without JavaScript; level 3 puts in the student's own typed
values and never a reference value they have not seen; only the variant's owner may ask."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

import graders
from exercises.models import Submission, Variant

from tests.exercises.homework_support import ZH
from tests.exercises.practice.test_views import page_url, reference_answers, submit

pytestmark = pytest.mark.django_db

TEMPLATE, SEED = "article-random", "hint-seed"
JSON = {"HTTP_ACCEPT": "application/json"}


def hint_url() -> str:
    return reverse("exercises:practice_hint", args=[TEMPLATE, SEED])


def ask(client: Client, part: str, answers: dict[str, str] | None = None, **extra):
    return client.post(hint_url(), {"hint": part, **(answers or {})}, **extra)


def the_variant() -> Variant:
    return Variant.objects.get(template=TEMPLATE, seed=SEED)


def test_every_part_has_a_hint_button_but_the_error_after_the_update(client):
    html = client.get(page_url(TEMPLATE, SEED)).content.decode()
    parts = [p.key for p in graders.solve(graders.generate(TEMPLATE, SEED)).parts]
    buttons = set(re.findall(r'name="hint" value="([^"]+)"', html))
    assert buttons == set(parts) - {"E_total_new"}
    assert f'formaction="{hint_url()}"' in html and "hints.js" in html


def first_submit_button(html: str) -> str:
    """The answer form's first submit button: the one Enter in an answer box clicks."""
    form = html[html.index('name="form_token"'):]
    return re.search(r'<button type="submit"[^>]*>', form).group(0)


def test_enter_in_an_answer_box_sends_the_answers_not_the_first_parts_hint(client):
    button = first_submit_button(client.get(page_url(TEMPLATE, SEED)).content.decode())
    assert "data-default-submit" in button and "formaction" not in button and "name=" not in button


def test_three_hints_come_one_level_at_a_time_and_are_recorded(client):
    levels = []
    for _ in range(4):
        response = ask(client, "dE_dw5", **JSON)
        assert response.status_code == 200
        levels.append(response.json()["level"])
    assert levels == [1, 2, 3, 3]
    assert the_variant().hints_used == {"dE_dw5": 3}
    panel = response.json()["html"]
    assert panel.count('class="hint"') == 3 and "data-hint-button" not in panel
    assert 'aria-live="polite"' in panel and "<math" in panel


def test_level_one_names_the_chain_rule_factors_in_the_pages_notation(client):
    panel = ask(client, "dE_dw5", **JSON).json()["html"]
    assert "∂E_total/∂out_o1, ∂out_o1/∂net_o1, out_h1" in panel
    assert "Hint 2" in panel and "<math" not in panel


def test_without_javascript_the_hint_redirects_back_with_the_typed_answers_and_the_hint_shown(client):
    response = ask(client, "out_h1", {"net_h1": "0.4"})
    assert response.status_code == 302 and response["Location"].endswith(page_url(TEMPLATE, SEED) + "#hint-out_h1")
    html = client.get(response["Location"]).content.decode()
    assert 'value="0.4"' in html  # what was typed comes back
    assert 'data-hint-level="1"' in html and "net_h1" in html
    ask(client, "out_h1", {"net_h1": "0.4"})
    ask(client, "out_h1", {"net_h1": "0.4"})
    html = client.get(page_url(TEMPLATE, SEED)).content.decode()
    level3 = html.split('data-hint-level="3"', 1)[1]
    assert "<mn>0.4</mn>" in level3.split("</math>")[0]  # the student's own net_h1 put in


def test_level_three_never_shows_a_reference_value_the_student_has_not_seen(client):
    solution = graders.solve(graders.generate(TEMPLATE, SEED))
    for _ in range(3):
        panel = ask(client, "dE_dw5", **JSON).json()["html"]
    for key in ("dE_dout_o1", "dout_dnet_o1", "out_h1"):
        assert f"{solution.values[key]:.6g}" not in panel
    assert "Still to work out first" in panel


def test_level_three_puts_in_the_latest_submitted_answers(client, django_capture_on_commit_callbacks):
    reference = reference_answers(TEMPLATE, SEED)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, {"out_h1": reference["out_h1"]}, page_url(TEMPLATE, SEED))
    for _ in range(3):
        panel = ask(client, "dE_dw5", **JSON).json()["html"]
    assert "Your own values: out_h1" in panel


def test_a_revealed_part_gets_no_more_hints(client, django_capture_on_commit_callbacks):
    reference = reference_answers(TEMPLATE, SEED)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, {"net_h1": reference["net_h1"]}, page_url(TEMPLATE, SEED))
    response = ask(client, "net_h1", **JSON)
    assert response.status_code == 400 and "already shown" in response.json()["detail"]
    html = client.get(page_url(TEMPLATE, SEED)).content.decode()
    assert 'name="hint" value="net_h1"' not in html and 'name="hint" value="out_h1"' in html


def test_unknown_parts_and_the_error_after_the_update_are_refused(client):
    for part in ("nope", "E_total_new", ""):
        response = ask(client, part, **JSON)
        assert response.status_code == 400, part
    assert ask(client, "nope").status_code == 400


def test_a_hint_is_asked_with_post_only(client):
    assert client.get(hint_url()).status_code == 405


def test_hints_are_per_browser_session_and_a_stranger_starts_from_none(client):
    ask(client, "net_h1", **JSON)
    stranger = Client()
    assert ask(stranger, "net_h1", **JSON).json()["level"] == 1
    assert sorted(v.hints_used["net_h1"] for v in Variant.objects.filter(seed=SEED)) == [1, 1]


def test_submissions_keep_the_hints_used_when_they_were_made(client, django_capture_on_commit_callbacks):
    ask(client, "net_h1", **JSON)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, {"net_h1": "0.3"}, page_url(TEMPLATE, SEED))
    ask(client, "net_h1", **JSON)
    assert Submission.objects.get().hints == {"net_h1": 1}
    assert the_variant().hints_used == {"net_h1": 2}


def test_hints_read_in_chinese(client):
    for _ in range(2):
        panel = ask(client, "dE_dw5", **ZH, **JSON).json()["html"]
    assert "提示 1" in panel and "取决于" in panel and "提示 3" in panel


def test_the_hint_endpoint_is_rate_limited(client, settings):
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    settings.BPCOURSE_RATE_LIMITS = {**settings.BPCOURSE_RATE_LIMITS, "hint": {"client": (2, 60), "ip": (2, 60)}}
    from django.core.cache import cache

    cache.clear()
    codes = [ask(client, "net_h1", **JSON).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
