"""What the practice pages give a screen reader, a keyboard and a phone (issue 12): equations as
one <math> each with alttext in the page's language, answer boxes named as read aloud, an error
summary linking to the boxes, weight tables beside the diagram, numbers without e-notation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from exercises.models import Submission

from tests.exercises.homework_support import EN, ZH

pytestmark = pytest.mark.django_db

SEED = "a11y-test"


def page_url(template: str = "article") -> str:
    return reverse("exercises:practice", args=[template, SEED])


def submit(client: Client, answers: dict[str, str], **extra: Any):
    html = client.get(page_url(), **extra).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    return client.post(page_url(), {"form_token": token, **answers}, **extra)


def test_answer_boxes_are_named_as_a_person_reads_them(client):
    html = client.get(page_url(), **EN).content.decode()
    label = re.search(r'<label for="id_dE_dout_o1">(.*?)</label>', html).group(1)
    assert '<span class="notation" aria-hidden="true">' in label
    assert '<span class="visually-hidden">partial E total over partial out o1</span>' in label
    zh = client.get(page_url(), **ZH).content.decode()
    assert '<span class="visually-hidden">E total 对 out o1 的偏导数</span>' in zh


def test_each_worked_equation_is_one_math_element_with_alttext_in_the_page_language(client):
    html = client.get(reverse("exercises:walkthrough"), **EN).content.decode()
    line = re.search(r'<div class="derivation" data-key="net_h1"[^>]*>(.*?)</div>', html, re.DOTALL).group(1)
    assert line.count("<math") == 1 and "<mtable>" in line
    assert 'alttext="net h1 equals w1 times i1 plus w2 times i2 plus b1 equals' in line
    assert "<mi>net</mi>" in line and '<mi mathvariant="normal">n</mi>' not in line
    zh = client.get(reverse("exercises:walkthrough"), **ZH).content.decode()
    assert 'alttext="net h1 等于 w1 乘 i1 加 w2 乘 i2 加 b1 等于' in zh


def test_a_format_error_opens_with_a_summary_linking_to_each_unreadable_box(client):
    response = submit(client, {"net_h1": "0.3.25", "out_h1": "½", "net_h2": "0.4"}, **EN)
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.DOTALL)
    assert summary and 'tabindex="-1"' in summary.group(0) and "data-error-summary" in summary.group(0)
    links = re.findall(r'<a href="#(id_\w+)">', summary.group(1))
    assert links == ["id_net_h1", "id_out_h1"]
    assert "“½” U+00BD" in summary.group(1)  # named as typed, not as NFKC's U+2044
    assert Submission.objects.count() == 0


def test_the_diagram_comes_with_a_weight_table_per_layer(client):
    html = client.get(page_url("deep-4-8-8-3"), **EN).content.decode()
    tables = re.search(r'<details class="weight-tables" id="practice-network-weights" open="">(.*?)</details>',
                       html, re.DOTALL)
    assert tables and tables.group(1).count("<table") == 3
    assert '<th scope="row">h<sub>1,1</sub></th><td data-edge="w1">' in tables.group(1)


def test_the_walkthrough_training_table_never_uses_e_notation(client):
    html = client.get(reverse("exercises:walkthrough"), **EN).content.decode()
    table = re.search(r"Total error after a number of updates.*?</table>", html, re.DOTALL).group(0)
    errors = re.findall(r"<td>([^<]*)</td></tr>", table)
    assert len(errors) > 3 and not any("e" in error for error in errors)
    assert any(error.startswith("0.00000") for error in errors)  # 2.89192e-06 written out


def test_chinese_pages_say_log_out_as_tui_chu_deng_lu(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="reader", password="pw-reader-123456"))
    html = client.get(reverse("exercises:home"), **ZH).content.decode()
    assert "退出登录" in html and "注销" not in html
    assert '<button type="button" class="menu-toggle" aria-expanded="false" aria-controls="site-menu">菜单</button>' in html
