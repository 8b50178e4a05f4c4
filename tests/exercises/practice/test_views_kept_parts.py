"""The practice page's kept parts (exercises/practice/views.py, practice.html): the introduction
with the diagram and given values, the blank answer sheet and the footer are rendered once per
process and kept by template, seed, digest of the numbers and language; tokens, typed answers,
errors and a variant's own frozen numbers are never shared."""

from __future__ import annotations

import copy
import re

import pytest
from django.test import Client
from django.urls import reverse

import graders
from exercises.grading.numbers import numbers_freeze
from exercises.models import Variant
from exercises.templatetags import page_cache

from tests.exercises.homework_support import EN, ZH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    page_cache.process_cache_clear()
    yield
    page_cache.process_cache_clear()


def page_url(seed: str, template: str = "article-random") -> str:
    return reverse("exercises:practice", args=[template, seed])


def w1_text(spec: dict) -> str:
    return f"w1 = {spec['weights'][0][0][0]:.4g}"


def form_tokens(html: str) -> list[str]:
    return re.findall(r'name="(?:form_token|csrfmiddlewaretoken)" value="([^"]+)"', html)


def test_each_seed_shows_its_own_numbers_and_address(client):
    first = client.get(page_url("kept-a")).content.decode()
    second = client.get(page_url("kept-b")).content.decode()
    a, b = graders.generate("article-random", "kept-a"), graders.generate("article-random", "kept-b")
    assert w1_text(a) != w1_text(b)
    assert w1_text(a) in first and w1_text(b) in second and w1_text(a) not in second
    assert "<code>kept-b</code>" in second and "kept-a" not in second
    assert f'action="{page_url("kept-b")}"' in second and 'data-draft-key="practice:article-random/kept-b"' in second


def test_the_kept_page_is_the_same_as_the_first_rendering_apart_from_tokens(client):
    first = client.get(page_url("kept-same")).content.decode()
    again = Client().get(page_url("kept-same")).content.decode()
    assert len(set(form_tokens(first)) | set(form_tokens(again))) == 4  # two fresh tokens a page
    for token in form_tokens(first):
        first = first.replace(token, "TOKEN")
    for token in form_tokens(again):
        again = again.replace(token, "TOKEN")
    assert again == first


def test_each_language_keeps_its_own_page(client):
    english = client.get(page_url("kept-lang"), **EN).content.decode()
    chinese = client.get(page_url("kept-lang"), **ZH).content.decode()
    assert "Your answers" in english and "Submit answers" in english
    assert "Your answers" not in chinese and "Submit answers" not in chinese and "提交" in chinese
    assert client.get(page_url("kept-lang"), **EN).content.decode().count("Submit answers") == english.count(
        "Submit answers"
    )


def test_typed_answers_and_errors_are_shown_once_and_never_kept(client):
    url = page_url("kept-typed")
    blank = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', blank).group(1)
    refused = client.post(url, {"form_token": token, "net_h1": "0.3.25", "out_h1": "secret-typed-0.58"})
    assert refused.status_code == 400
    assert 'value="secret-typed-0.58"' in refused.content.decode() and 'aria-invalid="true"' in refused.content.decode()
    assert 'aria-describedby="form-message"' in refused.content.decode()
    for viewer in (client, Client()):
        html = viewer.get(url).content.decode()
        assert "secret-typed" not in html and 'aria-invalid="true"' not in html
        assert 'aria-describedby="form-message"' not in html
        assert 'name="out_h1" id="id_out_h1"' in html


def test_a_variant_with_its_own_frozen_numbers_never_shares_the_current_draw(client, django_capture_on_commit_callbacks):
    url = page_url("kept-frozen")
    current = graders.generate("article-random", "kept-frozen")
    with django_capture_on_commit_callbacks(execute=True):
        token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(1)
        assert client.post(url, {"form_token": token, "net_h1": "0.3"}).status_code == 302
    frozen = copy.deepcopy(current)
    frozen["weights"][0][0][0] = 0.123
    Variant.objects.update(numbers=numbers_freeze(spec=frozen))
    mine = client.get(url).content.decode()
    theirs = Client().get(url).content.decode()
    assert w1_text(frozen) in mine and w1_text(current) not in mine
    assert w1_text(current) in theirs and w1_text(frozen) not in theirs
    assert w1_text(frozen) in client.get(url).content.decode()
