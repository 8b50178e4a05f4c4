"""Item analysis (Moodle's quiz statistics) checked against a small example computed by hand."""

from __future__ import annotations

import math

import pytest

from graders.itemstats import item_analysis

# Four students, three items: A and B worth 1 mark, C worth 2.
#            A  B  C    total T
# student 1  1  1  2    4
# student 2  1  0  1    2
# student 3  0  1  0    1
# student 4  0  0  1    1
KEYS = ["A", "B", "C"]
SCORES = [[1, 1, 2], [1, 0, 1], [0, 1, 0], [0, 0, 1]]
MAX = [1, 1, 2]


def test_facility_is_the_mean_score_over_the_maximum_in_percent():
    stats = {item.key: item for item in item_analysis(KEYS, SCORES, MAX).items}
    # A: mean (1+1+0+0)/4 = 0.5 of 1 → 50 %; B: (1+0+1+0)/4 = 0.5 → 50 %; C: (2+1+0+1)/4 = 1 of 2 → 50 %
    assert [stats[k].mean for k in KEYS] == [0.5, 0.5, 1.0]
    assert [stats[k].facility for k in KEYS] == [50.0, 50.0, 50.0]


def test_discrimination_is_the_correlation_with_the_rest_of_the_test_in_percent():
    stats = {item.key: item for item in item_analysis(KEYS, SCORES, MAX).items}
    # A: x = (1,1,0,0), rest X = T − x = (3,1,1,1); deviations (.5,.5,−.5,−.5) and (1.5,−.5,−.5,−.5):
    #    Σdx·dX = .75 − .25 + .25 + .25 = 1, Σdx² = 1, ΣdX² = 2.25 + 3·.25 = 3 → r = 1/√3 → 57.735 %
    assert stats["A"].discrimination == pytest.approx(100 / math.sqrt(3))
    # B: x = (1,0,1,0), X = (3,2,0,1); deviations (.5,−.5,.5,−.5) and (1.5,.5,−1.5,−.5):
    #    Σdx·dX = .75 − .25 − .75 + .25 = 0 → r = 0 → 0 %
    assert stats["B"].discrimination == pytest.approx(0.0)
    # C: x = (2,1,0,1), X = (2,1,1,0); deviations (1,0,−1,0) and (1,0,0,−1):
    #    Σdx·dX = 1, Σdx² = 2, ΣdX² = 2 → r = 1/2 → 50 %
    assert stats["C"].discrimination == pytest.approx(50.0)


def test_standard_deviation_and_discriminative_efficiency_in_percent_of_the_maximum():
    stats = {item.key: item for item in item_analysis(KEYS, SCORES, MAX).items}
    # sample variances (n − 1 = 3): A Σdx²/3 = 1/3, C 2/3 → SD_A = √(1/3) of 1, SD_C = √(2/3) of 2
    assert stats["A"].sd == pytest.approx(100 * math.sqrt(1 / 3))  # 57.735 %
    assert stats["C"].sd == pytest.approx(100 * math.sqrt(2 / 3) / 2)  # 40.825 %
    # A sorted: x (0,0,1,1), X (1,1,1,3): Σ = .25 + .25 − .25 + .75 = 1 = Σdx·dX → 100 %
    assert stats["A"].efficiency == pytest.approx(100.0)
    # C sorted: x (0,1,1,2), X (0,1,1,2): Σ = 1 + 0 + 0 + 1 = 2; Σdx·dX = 1 → 50 %
    assert stats["C"].efficiency == pytest.approx(50.0)
    assert stats["B"].efficiency == pytest.approx(0.0)


def test_the_test_total_has_facility_spread_median_and_internal_consistency():
    test = item_analysis(KEYS, SCORES, MAX).test
    # T = (4,2,1,1): mean 2 of 4 → 50 %; median (1+2)/2 = 1.5; deviations (2,0,−1,−1): Σ² = 6, V(T) = 2
    assert (test.n, test.items, test.max_mark, test.mean, test.median) == (4, 3, 4.0, 2.0, 1.5)
    assert test.facility == 50.0
    assert test.sd == pytest.approx(100 * math.sqrt(2) / 4)  # 35.355 %
    # CIC = 100 · k/(k−1) · (1 − ΣV(x_i)/V(T)) = 100 · 3/2 · (1 − (1/3 + 1/3 + 2/3)/2) = 100 · 1.5 · 1/3 = 50 %
    assert test.cic == pytest.approx(50.0)


def test_agrees_with_numpy_correlation_on_random_scores():
    """An independent check of the discrimination index: numpy's Pearson r of item and rest."""
    import numpy as np

    rng = np.random.default_rng(7)
    scores = rng.integers(0, 3, size=(30, 5)).astype(float)
    analysis = item_analysis(list("abcde"), scores.tolist(), [2] * 5)
    for index, item in enumerate(analysis.items):
        rest = scores.sum(axis=1) - scores[:, index]
        assert item.discrimination == pytest.approx(100 * np.corrcoef(scores[:, index], rest)[0, 1])
        assert item.facility == pytest.approx(100 * scores[:, index].mean() / 2)


def test_one_student_or_none_leaves_what_needs_a_variance_undefined():
    one = item_analysis(KEYS, [[1, 0, 2]], MAX)
    assert one.items[0].facility == 100.0 and one.items[1].facility == 0.0
    assert all(item.sd is None and item.discrimination is None and item.efficiency is None for item in one.items)
    assert one.test.cic is None and one.test.sd is None and one.test.mean == 3.0
    none = item_analysis(KEYS, [], MAX)
    assert none.test.n == 0 and none.test.mean is None
    assert all(item.n == 0 and item.facility is None for item in none.items)


def test_an_item_everyone_scored_the_same_on_has_no_discrimination():
    analysis = item_analysis(["same", "varies"], [[1, 0], [1, 1], [1, 2]], [1, 2])
    same, varies = analysis.items
    assert same.facility == 100.0 and same.sd == 0.0
    assert same.discrimination is None and same.efficiency is None
    # the rest of "varies" is "same" (constant): its correlation is undefined too
    assert varies.discrimination is None
    # a one-item test has no internal consistency; a zero-mark item no facility
    single = item_analysis(["only"], [[0.0], [0.0]], [0.0])
    assert single.test.cic is None and single.items[0].facility is None


def test_rows_of_the_wrong_length_or_non_finite_scores_are_refused():
    with pytest.raises(ValueError):
        item_analysis(KEYS, [[1, 0], [1, 1, 1]], MAX)
    with pytest.raises(ValueError):
        item_analysis(KEYS, [[1, float("nan"), 0]], MAX)
    with pytest.raises(ValueError):
        item_analysis(KEYS, [[1, 0, 0]], [1, 1])
