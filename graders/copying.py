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

MIN_MATCHES = 2  # independent matches: one coincidence is noise
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


def _allowed(values: np.ndarray, tolerance: Tolerance) -> np.ndarray:
    """allowed_error for every entry (nan where the entry is nan): the one tolerance rule."""
    flat = [allowed_error(v, tolerance) if math.isfinite(v) else math.nan for v in values.ravel().tolist()]
    return np.array(flat, dtype=float).reshape(values.shape)


def copy_signals(sheets: Sequence[Sheet], tolerance: Tolerance = DEFAULT_TOLERANCE,
                 inputs: Mapping[str, Sequence[str]] | None = None) -> list[CopySignal]:
    """Pairs where one student's wrong answers match another's expected values or answers.

    With `inputs` (each quantity's direct inputs), a match whose input also matched is not new
    evidence (a coincidence in net_h1 brings out_h1 along), so only independent matches count
    towards MIN_MATCHES.
    """
    keys = sorted({k for s in sheets for k in s.expected})
    if len(sheets) < 2 or not keys:
        return []
    expected = _matrix([s.expected for s in sheets], keys)
    answers = _matrix([s.answers for s in sheets], keys)
    expected_allow, answers_allow = _allowed(expected, tolerance), _allowed(answers, tolerance)
    with np.errstate(invalid="ignore"):
        # unanswered (nan) is not wrong; a right answer is not wrong
        wrong = ~np.isnan(answers) & ~(np.abs(answers - expected) <= expected_allow)
    answered = (~np.isnan(answers)).sum(axis=1)
    signals = []
    for kind, theirs, allow in (("expected", expected, expected_allow), ("answers", answers, answers_allow)):
        # sharing a right answer proves nothing: only others' wrong answers count
        eligible = np.ones_like(wrong) if kind == "expected" else wrong
        hits = _matches(answers, wrong, theirs, allow, eligible)
        signals += _flag(sheets, keys, hits, answered, kind, inputs or {})
    return signals


def _matches(answers: np.ndarray, wrong: np.ndarray, theirs: np.ndarray, allow: np.ndarray,
             eligible: np.ndarray) -> dict[tuple[int, int], list[int]]:
    """(suspect, source) → parts where the suspect's wrong answer is within the source's number."""
    hits: dict[tuple[int, int], list[int]] = {}
    for p in range(answers.shape[1]):
        rows = np.nonzero(eligible[:, p] & ~np.isnan(theirs[:, p]))[0]
        if rows.size == 0:
            continue
        order = rows[np.argsort(theirs[rows, p])]
        column = theirs[order, p]
        widest = float(np.nanmax(allow[order, p]))  # a safe window; each hit is checked exactly
        for i in np.nonzero(wrong[:, p])[0]:
            a = answers[i, p]
            lo, hi = np.searchsorted(column, [a - widest, a + widest], side="left")
            for j in order[lo : hi + 1]:
                if j != i and abs(a - theirs[j, p]) <= allow[j, p]:
                    hits.setdefault((int(i), int(j)), []).append(p)
    return hits


def _flag(sheets: Sequence[Sheet], keys: list[str], hits: dict, answered: np.ndarray, kind: str,
          inputs: Mapping[str, Sequence[str]]) -> list:
    """Pairs whose matches pass both thresholds, as signals."""
    found = []
    quantities = set(keys)
    for (i, j), parts in sorted(hits.items()):
        matched = {keys[p] for p in parts}
        independent = [k for k in matched if not _follows(k, matched, inputs, quantities)]
        if len(independent) >= MIN_MATCHES and len(parts) >= MIN_SHARE * max(int(answered[i]), 1):
            found.append(CopySignal(sheets[i].owner, sheets[j].owner, kind, tuple(keys[p] for p in parts)))
    return found


def _follows(key: str, matched: set[str], inputs: Mapping[str, Sequence[str]], quantities: set[str]) -> bool:
    """A match is no new evidence when every quantity it is computed from matched too (out_h1 from
    net_h1). One input that did not match (the suspect's own numbers, or a coincidence) makes it new."""
    computed_from = quantities.intersection(inputs.get(key, ()))
    return bool(computed_from) and computed_from <= matched
