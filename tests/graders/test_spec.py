"""Malformed specs are rejected with an error naming the field."""

from __future__ import annotations

import copy
import math

import pytest

from graders import SpecError, parse_spec
from graders.variants import ARTICLE_SPEC


def broken(**changes):
    spec = copy.deepcopy(ARTICLE_SPEC)
    spec.update(changes)
    return spec


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (broken(layers=[2]), "layers"),
        (broken(layers=[2, 2, 2, 2, 2, 2, 2]), "layers"),
        (broken(layers=[2, 9, 2]), "layers[1]"),
        (broken(activations=["sigmoid", "swish"]), "activations[1]"),
        (broken(activations=["softmax", "sigmoid"]), "activations[0]"),
        (broken(loss="hinge"), "loss"),
        (broken(loss="ce"), "loss"),
        (broken(bias="both"), "bias"),
        (broken(inputs=[0.1]), "inputs"),
        (broken(inputs=[0.1, math.nan]), "inputs[1]"),
        (broken(targets=[0.8, math.inf]), "targets[1]"),
        (broken(weights=[[[0.1, 0.2]]]), "weights"),
        (broken(weights=[[[0.1, 0.2], [0.1]], [[0.1, 0.2], [0.1, 0.2]]]), "weights[0][1]"),
        (broken(biases=[[0.3, 0.3], [0.3]]), "biases[0]"),
        (broken(learning_rate=-1), "learning_rate"),
        (broken(learning_rate="0.5"), "learning_rate"),
        (broken(train_biases="yes"), "train_biases"),
        ([1, 2], "spec"),
    ],
)
def test_a_malformed_spec_names_the_field_at_fault(spec, field):
    with pytest.raises(SpecError) as error:
        parse_spec(spec)
    assert error.value.field == field


def test_a_valid_spec_round_trips():
    assert parse_spec(ARTICLE_SPEC).to_dict() == ARTICLE_SPEC


def test_givens_use_the_articles_names():
    givens = parse_spec(ARTICLE_SPEC).givens()
    assert givens["w6"] == 0.30 and givens["b2"] == 0.3 and givens["target_o2"] == 0.9
    assert givens["i2"] == 0.2 and givens["eta"] == 0.5
