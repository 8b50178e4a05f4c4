"""The authoring form: fixed values in a grid per layer labelled as the diagram, validation
messages that are the site's own and translated (never numpy's or Python's), and an error summary
at the top whose links lead to the fields."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from exercises.courses.grader_messages import SPEC_MESSAGES, TOLERANCE_MESSAGES, grader_error_message
from exercises.models import Assignment
from graders.spec import SpecError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
sys.path.insert(0, str(Path(__file__).resolve().parent))  # test_views' form data
pytest.register_assert_rewrite("homework_support")

from homework_support import EN, ZH, make_assignment, question_of  # noqa: E402
from test_views import assignment_form_data  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
ARTICLE_BOXES = {"fixed_in_0": "0.05", "fixed_in_1": "0.1", "fixed_t_0": "0.01", "fixed_t_1": "0.99",
                 "fixed_w_0_0_0": "0.15", "fixed_w_0_0_1": "0.2", "fixed_w_0_1_0": "0.25", "fixed_w_0_1_1": "0.3",
                 "fixed_w_1_0_0": "0.4", "fixed_w_1_0_1": "0.45", "fixed_w_1_1_0": "0.5", "fixed_w_1_1_1": "0.55",
                 "fixed_b_0_0": "0.35", "fixed_b_1_0": "0.6"}


def box(html: str, name: str) -> tuple[str, str]:
    """(label, value) of a box of the grid."""
    label = re.search(rf'<label for="id_{name}"><span class="notation">(.*?)</span>', html)
    value = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)
    assert label and value, name
    typed = re.search(r'value="([^"]*)"', value.group(0))
    return label.group(1), typed.group(1) if typed else ""


@pytest.fixture
def create_url(client, instructor, course) -> str:
    client.force_login(instructor)
    return reverse("exercises:assignment_create", args=[course.pk])


# ------------------------------------------------------------------------------------ the grid


def test_the_grid_names_every_box_as_the_article_diagram_does(client, create_url):
    html = client.get(create_url, **EN).content.decode()
    assert 'name="fixed_values"' not in html  # no raw JSON any more
    # w5 leads from h1 to o1: layer 1, row "to o1", column "from h1"; prefilled with the article's 0.25
    assert box(html, "fixed_w_1_0_0") == ("w5", "0.25")
    assert box(html, "fixed_w_0_1_0") == ("w3", "0.15")  # i1 → h2
    assert box(html, "fixed_b_0_0") == ("b1", "0.3") and box(html, "fixed_b_1_0") == ("b2", "0.3")
    assert box(html, "fixed_in_1") == ("i2", "0.2") and box(html, "fixed_t_0") == ("target<sub>o1</sub>", "0.8")
    assert "(h1 → o1)" in html  # what w5 connects, read after its name
    grid = html.split('id="values-grid"')[1]
    assert "Weights from the inputs to the hidden layer" in grid and "Weights from the hidden layer to the outputs" in grid
    assert re.search(r"<th scope=\"col\">from h1</th><th scope=\"col\">from h2</th></tr></thead>\s*<tbody>\s*"
                     r"<tr><th scope=\"row\">to o1</th>", grid)
    zh = client.get(create_url, **ZH).content.decode()
    assert "从输入层到隐藏层的权重" in zh


def test_a_fixed_network_typed_in_the_grid_is_saved_as_the_grader_reads_it(client, create_url, course):
    data = assignment_form_data(title="Article", network="fixed", layers="2-2-2", activations="sigmoid, sigmoid",
                                **{**ARTICLE_BOXES, "fixed_w_1_0_1": "0.47"})  # w6 changed
    response = client.post(create_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fixed = question_of(Assignment.objects.get(title="Article")).template_config["fixed"]
    assert fixed["weights"] == [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.47], [0.5, 0.55]]]
    assert fixed["biases"] == [[0.35], [0.6]] and fixed["inputs"] == [0.05, 0.1] and fixed["targets"] == [0.01, 0.99]
    # the edit form shows the same numbers in the same boxes
    saved = Assignment.objects.get(title="Article")
    edit = client.get(reverse("exercises:assignment_edit", args=[saved.pk])).content.decode()
    assert box(edit, "fixed_w_1_0_1") == ("w6", "0.47")
    assert 'value="fixed" checked' in edit.replace('checked value="fixed"', 'value="fixed" checked') or re.search(
        r'<input[^>]*value="fixed"[^>]*checked', edit)


def test_another_shape_brings_its_own_boxes_and_numbering(client, create_url):
    """2-3-1 with an intercept per neuron: w1…w9 (six into h1…h3, three into o1), b1…b4."""
    data = assignment_form_data(network="fixed", layers="2-3-1", activations="tanh, sigmoid", bias="per_neuron")
    response = client.post(create_url, data)
    html = response.content.decode()
    assert response.status_code == 400  # the new boxes are empty
    assert box(html, "fixed_w_0_2_1") == ("w6", "")  # i2 → h3
    assert box(html, "fixed_w_1_0_2") == ("w9", "")  # h3 → o1
    assert box(html, "fixed_b_0_2")[0] == "b3" and box(html, "fixed_b_1_0")[0] == "b4"
    assert 'name="fixed_w_1_1_0"' not in html  # one output: no second row
    assert 'name="fixed_t_1"' not in html
    form = response.context["form"]
    assert form.errors["fixed_w_0_2_1"] == ["Enter a number."]
    # the parts to tick are the new shape's already (they depend on the shape alone)
    assert 'id="id_part_dE_dw9"' in html and 'id="id_part_out_h3"' in html and 'id="id_part_out_o2"' not in html
    # a value typed in a box keeps its place (layer, destination, source) when the shape changes
    response = client.post(create_url, {**data, "fixed_w_0_0_0": "0.7"})
    assert box(response.content.decode(), "fixed_w_0_0_0") == ("w1", "0.7")


def test_unreadable_layer_sizes_are_named_on_their_field_and_the_grid_waits(client, create_url):
    response = client.post(create_url, assignment_form_data(network="fixed", layers="2-9-1"), **EN)
    assert response.status_code == 400
    assert response.context["form"].errors["layers"] == ["Layer sizes [1]: must be a whole number from 1 to 8."]
    assert 'data-testid="grid-waits"' in response.content.decode()


# --------------------------------------------------------------------- translated messages only


def test_a_weight_range_of_zero_to_zero_is_explained_in_the_sites_words(client, create_url):
    data = assignment_form_data(network="custom", weights_low="0", weights_high="0", weights_step="0.05")
    for headers, expected in ((EN, "Weights: needs a value other than 0: zero is never drawn, so widen the range."),
                              (ZH, "权重：需要至少一个不为 0 的取值：0 从不会被抽到，请放宽范围。")):
        response = client.post(create_url, data, **headers)
        html = response.content.decode()
        assert response.status_code == 400
        assert response.context["form"].errors["weights_low"] == [expected]
        assert "positive integer" not in html and "samples are taken" not in html
    assert not Assignment.objects.exists()


def test_the_service_says_it_in_the_readers_language_too(course, instructor):
    """The API and the form share the service; it never passes numpy's text on."""
    from django.core.exceptions import ValidationError

    config = {"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "inputs": [0, 0, 0.1]}
    for language, expected in (("en", "Inputs: needs a value other than 0"), ("zh-hans", "输入：需要至少一个不为 0")):
        with translation.override(language), pytest.raises(ValidationError) as caught:
            make_assignment(course, instructor, template_config=config)
        message = caught.value.message_dict["template_config"][0]
        assert expected in message and "positive integer" not in message


def test_an_error_without_a_known_code_gets_a_general_translated_sentence():
    with translation.override("en"):
        assert grader_error_message(ValueError("a must be a positive integer")) == (
            "The values do not describe a network this site can grade.")
        assert grader_error_message(SpecError("weights[0]", "x", "no_such_code")) == (
            "The values do not describe a network this site can grade.")
    with translation.override("zh-hans"):
        assert grader_error_message(SpecError("learning_rate", "must be positive", "not_positive")) == "学习率 η：必须大于 0。"


def _codes_raised(exception: str) -> set[str]:
    """The code (third argument) of every `raise <exception>(…)` in the grading core."""
    codes = set()
    for path in (ROOT / "graders").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                    getattr(node.exc.func, "id", "") == exception:
                assert len(node.exc.args) >= 3 and isinstance(node.exc.args[2], ast.Constant), (path.name, node.lineno)
                codes.add(node.exc.args[2].value)
    return codes


def test_every_grader_validation_error_has_a_message_in_both_languages():
    assert _codes_raised("SpecError") <= set(SPEC_MESSAGES)
    assert _codes_raised("ToleranceError") <= set(TOLERANCE_MESSAGES)
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "exercises/locale/zh_Hans/LC_MESSAGES/django.po"))
    translated = {entry.msgid: entry.msgstr for entry in catalogue if entry.msgstr}
    for message in (*SPEC_MESSAGES.values(), *TOLERANCE_MESSAGES.values()):
        with translation.override("en"):
            msgid = str(message)
        assert translated.get(msgid), msgid
        assert "。" in translated[msgid] and not translated[msgid].endswith("."), msgid


# ------------------------------------------------------------------------------ error summary


def test_a_failed_save_opens_with_an_error_summary_linking_to_each_field_in_page_order(client, create_url):
    data = assignment_form_data(title="", network="fixed", fixed_w_1_0_0="", tolerance_value="2.5",
                                attempts_allowed="-1", **{k: v for k, v in ARTICLE_BOXES.items() if k != "fixed_w_1_0_0"})
    response = client.post(create_url, data, **EN)
    html = response.content.decode()
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary" role="alert" id="form-errors" tabindex="-1" data-error-summary'
                        r'.*?</div>', html, re.S).group(0)
    assert html.index('id="form-errors"') < html.index('name="title"')  # at the top of the form
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)
    targets = [href for href, _text in links]
    assert targets[:2] == ["id_title", "id_fixed_w_1_0_0"]
    assert "id_tolerance_value" in targets and "id_attempts_allowed" in targets
    assert targets.index("id_tolerance_value") < targets.index("id_attempts_allowed")  # page order
    for href in targets:  # every link leads to an element of the page
        assert f'id="{href}"' in html, href
    texts = dict(links)
    assert re.sub(r"<[^>]+>", "", texts["id_fixed_w_1_0_0"]) == "Fixed values w5: Enter a number."
    # the box itself is marked and points at its message
    assert re.search(r'<input [^>]*aria-invalid="true"[^>]*id="id_fixed_w_1_0_0"', html) or re.search(
        r'<input [^>]*id="id_fixed_w_1_0_0"[^>]*aria-invalid="true"', html)
    assert 'id="id_fixed_w_1_0_0_error"' in html


def test_a_fresh_form_and_a_saved_one_show_no_summary(client, create_url):
    assert "data-error-summary" not in client.get(create_url).content.decode()
    response = client.post(create_url, assignment_form_data())
    assert response.status_code == 302


def test_the_live_preview_brings_the_grid_of_a_new_shape_without_error_marks(client, instructor, course):
    client.force_login(instructor)
    url = reverse("exercises:assignment_preview", args=[course.pk])
    response = client.post(url, assignment_form_data(network="fixed", layers="3-1", activations="sigmoid"))
    html = response.content.decode()
    grid = re.search(r'<template data-values-grid data-signature="(\w+)">(.*?)</template>', html, re.S)
    assert grid, html[-3000:]
    assert 'name="fixed_w_0_0_2"' in grid.group(2) and "has-error" not in grid.group(2)
    assert "aria-invalid" not in grid.group(2)


def test_a_fixed_network_too_large_to_ask_gets_no_boxes_and_says_why(client, create_url):
    data = assignment_form_data(network="fixed", layers="8-8-8-8-8-8", activations="tanh, tanh, tanh, tanh, tanh")
    response = client.post(create_url, data, **EN)
    assert response.status_code == 400
    assert response.context["form"].errors["layers"] == [
        "This network is too large: it asks 850 quantities, at most 400 are allowed. Use fewer layers or neurons."]
    assert 'name="fixed_w_0_0_0"' not in response.content.decode()


def test_a_posted_form_of_another_network_builds_no_boxes(client, create_url):
    response = client.post(create_url, assignment_form_data(network="custom", title=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="fixed_w_0_0_0"' not in html and 'data-testid="grid-waits"' in html
