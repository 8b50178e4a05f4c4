"""{% process_cache %}: a page part rendered once per process and key, the walkthrough's body with it."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from exercises.templatetags import page_cache

from tests.exercises.homework_support import EN, ZH


@pytest.fixture(autouse=True)
def empty_cache():
    page_cache.process_cache_clear()
    yield
    page_cache.process_cache_clear()


PART = Template("{% load page_cache %}{% process_cache part key %}<b>{{ body }}</b>{% endprocess_cache %}")


def test_a_part_is_rendered_once_per_key_and_copied_after():
    assert PART.render(Context({"key": "a", "body": "first"})) == "<b>first</b>"
    assert PART.render(Context({"key": "a", "body": "second"})) == "<b>first</b>"  # the copy
    assert PART.render(Context({"key": "b", "body": "second"})) == "<b>second</b>"


def test_the_body_is_escaped_once_and_kept_safe():
    html = PART.render(Context({"key": "x", "body": "<i>&"}))
    assert html == "<b>&lt;i&gt;&amp;</b>"
    assert PART.render(Context({"key": "x", "body": "other"})) == html


def test_at_most_the_configured_number_of_parts_are_kept(monkeypatch):
    monkeypatch.setattr(page_cache, "PROCESS_CACHE_ENTRIES", 2)
    for key in ("a", "b", "c"):
        PART.render(Context({"key": key, "body": key}))
    assert PART.render(Context({"key": "a", "body": "again"})) == "<b>again</b>"  # "a" was dropped
    assert PART.render(Context({"key": "c", "body": "again"})) == "<b>c</b>"


def test_a_part_without_a_name_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load page_cache %}{% process_cache %}x{% endprocess_cache %}")


def test_a_part_cannot_hold_a_block():
    with pytest.raises(TemplateSyntaxError, match="block"):
        Template("{% load page_cache %}{% process_cache part %}{% block title %}x{% endblock %}{% endprocess_cache %}")


def test_a_changed_setting_forgets_every_part(settings):
    assert PART.render(Context({"key": "a", "body": "before"})) == "<b>before</b>"
    settings.STATIC_URL = "/elsewhere/"
    assert PART.render(Context({"key": "a", "body": "after"})) == "<b>after</b>"


@pytest.mark.django_db
def test_the_walkthrough_body_is_kept_per_language(client, monkeypatch):
    english = client.get(reverse("exercises:walkthrough"), **EN).content.decode()
    chinese = client.get(reverse("exercises:walkthrough"), **ZH).content.decode()
    assert "Forward pass" in english and "前向传播" in chinese and "Forward pass" not in chinese

    def no_second_rendering(*args, **kwargs):
        raise AssertionError("the walkthrough body was rendered again")

    monkeypatch.setattr("exercises.templatetags.bpcourse_tags.network_svg", no_second_rendering)
    again = client.get(reverse("exercises:walkthrough"), **EN).content.decode()
    assert main(again) == main(english) and "<svg" in main(again) and main(again).count("<math") > 40
    assert main(client.get(reverse("exercises:walkthrough"), **ZH).content.decode()) == main(chinese)


def main(html: str) -> str:
    """The page's <main> (the layout around it carries a fresh CSRF token each time)."""
    return html[html.index('<main id="main"'):html.index("</main>")]
