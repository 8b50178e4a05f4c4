"""Item analysis as Moodle's quiz statistics define it (classical test theory), for any list of
items — parts, steps or questions — scored per student.

With ``x_i`` the scores of item ``i`` (one per student, ``n`` students), ``T`` the students' test
totals (the sum over items) and ``X_i = T − x_i`` the rest of the test:

* facility index ``F_i = 100 · mean(x_i) / max_i`` (the share of the item's marks the class earned);
* standard deviation ``SD_i = 100 · s(x_i) / max_i`` with the sample variance
  ``V(x) = Σ (x − mean x)² / (n − 1)``;
* discrimination index ``D_i = 100 · C(x_i, X_i) / √(V(x_i) · V(X_i))`` — the correlation of the
  item's score with the rest of the test, ``C(x, y) = Σ (x − mean x)(y − mean y) / (n − 1)``;
* discriminative efficiency ``DE_i = 100 · C(x_i, X_i) / C_max``, where ``C_max`` pairs both
  score lists sorted (the largest covariance those scores allow);
* for the test: ``F = 100 · mean(T) / max T``, ``SD`` likewise, and the coefficient of internal
  consistency (Cronbach's α) ``CIC = 100 · k / (k − 1) · (1 − Σ V(x_i) / V(T))`` over ``k`` items.

Whatever needs a variance is undefined (None) with fewer than two students, and a ratio is
undefined when its denominator is zero (an item everyone scored the same on); callers show "—".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ItemStats:
    """One item's statistics; percentages (0–100, D and DE −100–100), None where undefined."""

    key: str
    n: int
    max_mark: float
    mean: float | None
    facility: float | None
    sd: float | None
    discrimination: float | None
    efficiency: float | None


@dataclass(frozen=True)
class TestStats:
    """The whole test's statistics (percentages of its maximum), None where undefined."""

    n: int
    items: int
    max_mark: float
    mean: float | None
    median: float | None
    facility: float | None
    sd: float | None
    cic: float | None


@dataclass(frozen=True)
class ItemAnalysis:
    """Every item's statistics and the test's."""

    items: list[ItemStats]
    test: TestStats


def _ratio(numerator: float, denominator: float) -> float | None:
    """100 · numerator / denominator, or None when the denominator is (numerically) zero."""
    if not np.isfinite(denominator) or abs(denominator) <= 1e-12:
        return None
    return float(100.0 * numerator / denominator)


def _item(key: str, x: np.ndarray, rest: np.ndarray, max_mark: float) -> ItemStats:
    n = len(x)
    if n == 0:
        return ItemStats(key, 0, max_mark, None, None, None, None, None)
    mean = float(x.mean())
    facility = _ratio(mean, max_mark)
    if n < 2:
        return ItemStats(key, n, max_mark, mean, facility, None, None, None)
    dx, drest = x - mean, rest - rest.mean()
    variance = float(dx @ dx) / (n - 1)
    rest_variance = float(drest @ drest) / (n - 1)
    covariance = float(dx @ drest) / (n - 1)
    sorted_dx, sorted_drest = np.sort(x) - mean, np.sort(rest) - rest.mean()
    covariance_max = float(sorted_dx @ sorted_drest) / (n - 1)
    return ItemStats(
        key=key,
        n=n,
        max_mark=max_mark,
        mean=mean,
        facility=facility,
        sd=_ratio(float(np.sqrt(variance)), max_mark),
        discrimination=_ratio(covariance, float(np.sqrt(variance * rest_variance))),
        efficiency=_ratio(covariance, covariance_max),
    )


def item_analysis(keys: Sequence[str], scores: Sequence[Sequence[float]], max_marks: Sequence[float]) -> ItemAnalysis:
    """Statistics of `keys` from `scores` (one row per student, one column per item, in the
    order of `keys`) and each item's maximum `max_marks`; the test total is the row sum."""
    k = len(keys)
    if len(max_marks) != k:
        raise ValueError("one maximum per item")
    rows = [list(row) for row in scores]
    if any(len(row) != k for row in rows):
        raise ValueError("one score per item in every row")
    matrix = np.array(rows, dtype=float).reshape(len(rows), k)
    if not np.all(np.isfinite(matrix)):
        raise ValueError("scores must be finite")
    n = matrix.shape[0]
    totals = matrix.sum(axis=1)
    items = [_item(key, matrix[:, i], totals - matrix[:, i], float(max_marks[i])) for i, key in enumerate(keys)]
    return ItemAnalysis(items=items, test=_test(matrix, totals, float(sum(max_marks)), n, k))


def _test(matrix: np.ndarray, totals: np.ndarray, max_mark: float, n: int, k: int) -> TestStats:
    if n == 0:
        return TestStats(0, k, max_mark, None, None, None, None, None)
    mean = float(totals.mean())
    median = float(np.median(totals))
    facility = _ratio(mean, max_mark)
    if n < 2:
        return TestStats(n, k, max_mark, mean, median, facility, None, None)
    total_variance = float(totals.var(ddof=1))
    sd = _ratio(float(np.sqrt(total_variance)), max_mark)
    cic = None
    if k >= 2:
        item_variances = float(matrix.var(axis=0, ddof=1).sum())
        share = _ratio(item_variances, total_variance)
        if share is not None:
            cic = 100.0 * k / (k - 1) * (1.0 - share / 100.0)
    return TestStats(n, k, max_mark, mean, median, facility, sd, cic)
