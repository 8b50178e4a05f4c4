"""Copying signal: answers that match another student's numbers rather than one's own.

Every student has different numbers, so an answer that is wrong for its own variant but right
for a classmate's variant (or equal to a classmate's own wrong answer) suggests copying.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from graders.tolerance import DEFAULT_TOLERANCE, Tolerance, allowed_error

MIN_MATCHES = 2  # one coincidence is noise
MIN_SHARE = 0.3  # of the parts the student answered


@dataclass(frozen=True)
class Sheet:
    """One student's numbers: `expected` of their variant and their own `answers`."""

    owner: str
    expected: Mapping[str, float]
    answers: Mapping[str, float]


@dataclass(frozen=True)
class CopySignal:
    """`suspect`'s answers match `source`'s numbers on `parts` (`kind`: expected | answers)."""

    suspect: str
    source: str
    kind: str
    parts: tuple[str, ...]


def _matrix(rows: Sequence[Mapping[str, float]], keys: list[str]) -> np.ndarray:
    return np.array([[row.get(k, math.nan) for k in keys] for row in rows], dtype=float)


def copy_signals(sheets: Sequence[Sheet], tolerance: Tolerance = DEFAULT_TOLERANCE) -> list[CopySignal]:
    """Pairs where one student's wrong answers match another's expected values or answers."""
    keys = sorted({k for s in sheets for k in s.expected})
    if len(sheets) < 2 or not keys:
        return []
    expected, answers = _matrix([s.expected for s in sheets], keys), _matrix(
        [s.answers for s in sheets], keys)
    allow = np.vectorize(lambda e: allowed_error(e, tolerance) if math.isfinite(e) else np.nan)
    expected_allow, answers_allow = allow(expected), allow(answers)
    with np.errstate(invalid="ignore"):
        wrong = ~(np.abs(answers - expected) <= expected_allow)  # nan (unanswered) stays "wrong"
        wrong &= ~np.isnan(answers)
        signals = []
        for kind, theirs, their_allow in (("expected", expected, expected_allow),
                                          ("answers", answers, answers_allow)):
            # matches[i, j, p]: i's wrong answer to p equals j's number for p
            matches = np.abs(answers[:, None, :] - theirs[None, :, :]) <= their_allow[None, :, :]
            matches &= wrong[:, None, :]
            if kind == "answers":
                matches &= wrong[None, :, :]  # sharing a right answer proves nothing
            signals += _flag(sheets, keys, matches, kind)
    return signals


def _flag(sheets: Sequence[Sheet], keys: list[str], matches: np.ndarray, kind: str) -> list:
    """Turn the match tensor into signals above the thresholds."""
    answered = (~np.isnan(_matrix([s.answers for s in sheets], keys))).sum(axis=1)
    counts = matches.sum(axis=2)
    np.fill_diagonal(counts, 0)
    found = []
    for i, j in zip(*np.nonzero(counts >= MIN_MATCHES)):
        if counts[i, j] >= MIN_SHARE * max(answered[i], 1):
            parts = tuple(k for k, hit in zip(keys, matches[i, j]) if hit)
            found.append(CopySignal(sheets[i].owner, sheets[j].owner, kind, parts))
    return found
