"""grade(spec, answers, policy): per-part verdicts with follow-through and diagnosis."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from graders.feedback import FollowthroughNote, followthrough_notes, followthrough_roots, local_formula
from graders.followthrough import followthrough_value, plausible, student_world
from graders.graph import Rules, build_graph
from graders.mistakes import MISTAKES, MISTAKES_BY_KEY, Diagnosis, Mistake, MistakeContext
from graders.parsing import AnswerError, parse_answer
from graders.solve import Solution, _solve_cached, spec_key
from graders.spec import Spec
from graders.tolerance import DEFAULT_TOLERANCE, Tolerance, within

MAX_ANSWER_CHARS = 1000  # longer texts are rejected by the parser; keep only this much


@dataclass(frozen=True)
class Policy:
    """How an exercise is graded: tolerance, points, follow-through and feedback."""

    tolerance: Tolerance = DEFAULT_TOLERANCE
    part_tolerances: Mapping[str, Tolerance] = field(default_factory=dict)
    points: Mapping[str, float] = field(default_factory=dict)
    default_points: float = 1.0
    parts: tuple[str, ...] | None = None  # None: every quantity of the network
    followthrough: bool = True
    followthrough_credit: float = 1.0
    diagnose: bool = True

    def tolerance_for(self, key: str) -> Tolerance:
        """The tolerance of one part."""
        return self.part_tolerances.get(key, self.tolerance)

    def points_for(self, key: str) -> float:
        """The points one part is worth."""
        return float(self.points.get(key, self.default_points))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "tolerance": self.tolerance.to_dict(),
            "part_tolerances": {k: t.to_dict() for k, t in self.part_tolerances.items()},
            "points": dict(self.points),
            "default_points": self.default_points,
            "parts": list(self.parts) if self.parts is not None else None,
            "followthrough": self.followthrough,
            "followthrough_credit": self.followthrough_credit,
            "diagnose": self.diagnose,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build from to_dict()'s form; missing fields take their defaults."""
        parts = data.get("parts")
        return cls(
            tolerance=Tolerance.from_dict(data.get("tolerance") or DEFAULT_TOLERANCE.to_dict()),
            part_tolerances={
                k: Tolerance.from_dict(t) for k, t in (data.get("part_tolerances") or {}).items()
            },
            points={k: float(v) for k, v in (data.get("points") or {}).items()},
            default_points=float(data.get("default_points", 1.0)),
            parts=tuple(parts) if parts is not None else None,
            followthrough=bool(data.get("followthrough", True)),
            followthrough_credit=float(data.get("followthrough_credit", 1.0)),
            diagnose=bool(data.get("diagnose", True)),
        )


@dataclass(slots=True)
class PartResult:
    """The verdict on one part."""

    key: str
    status: str  # correct | followthrough | incorrect | invalid | missing
    points: float
    max_points: float
    answer: str | None
    value: float | None
    expected: float
    followthrough_expected: float | None = None
    error: dict | None = None
    diagnoses: list[Diagnosis] = field(default_factory=list)
    followthrough_roots: list[str] = field(default_factory=list)  # the wrong answers it follows from

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "answer": self.answer,
            "value": self.value,
            "expected": self.expected,
            "followthrough_expected": self.followthrough_expected,
            "error": self.error,
            "diagnoses": [d.to_dict() for d in self.diagnoses],
            "followthrough_roots": list(self.followthrough_roots),
        }


@dataclass
class Report:
    """The verdict on a submission: parts in teaching order and the total score."""

    parts: dict[str, PartResult]
    points: float
    max_points: float
    followthrough_notes: list[FollowthroughNote] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Earned over possible points, 0…1."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def invalid_parts(self) -> list[str]:
        """Parts with a format error (a submission with any should not count as an attempt)."""
        return [k for k, p in self.parts.items() if p.status == "invalid"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "score": self.score,
            "points": self.points,
            "max_points": self.max_points,
            "parts": {k: p.to_dict() for k, p in self.parts.items()},
            "followthrough_notes": [n.to_dict() for n in self.followthrough_notes],
        }


class _VariantCache:
    """What depends only on the variant: reference values and each misconception's values."""

    def __init__(self, solution: Solution) -> None:
        self.solution = solution
        self.forbidden = frozenset(p.key for p in solution.parts)
        self._full: dict[int, dict[str, float]] = {}
        self._static: dict[tuple[str, Tolerance], list] = {}

    def full_values(self, rules: Rules) -> dict[str, float]:
        """Every quantity as a student holding these (mistaken) rules would compute it."""
        values = self._full.get(id(rules))
        if values is None:
            graph = build_graph(self.solution.spec.arch, rules)
            values = self._full[id(rules)] = graph.evaluate(self.solution.givens)
        return values

    def static_table(self, ctx: MistakeContext, key: str,
                     tolerance: Tolerance) -> list[tuple[Mistake, tuple[float, ...]]]:
        """Each applicable misconception with its variant-only values that are wrong answers."""
        cache_key = (key, tolerance)
        table = self._static.get(cache_key)
        if table is None:
            expected, arch = self.solution.values[key], self.solution.spec.arch
            table = self._static[cache_key] = [
                (m, tuple({c for c in m.static_candidates(ctx, key)
                           if _distinct(c, expected, tolerance)}) if m.uses_static else ())
                for m in MISTAKES if m.applies(arch)
            ]
        return table


def _distinct(candidate: float, expected: float, tolerance: Tolerance) -> bool:
    """A misconception's value can name a mistake only if it is not itself a right answer."""
    return math.isfinite(candidate) and not within(candidate, expected, tolerance)


@lru_cache(maxsize=2048)
def _variant(key: str) -> _VariantCache:
    return _VariantCache(_solve_cached(key))


@lru_cache(maxsize=2048)
def _variant_of_spec(spec: Spec) -> _VariantCache:
    return _variant(spec_key(spec))


def variant_context(spec: Any) -> _VariantCache:
    """The cached per-variant data; a Spec (frozen, hashable) skips re-serialising a dict."""
    if isinstance(spec, Spec):
        return _variant_of_spec(spec)
    return _variant(spec_key(spec))


def _parse_with(cache: _VariantCache, answers: Mapping[str, Any]) -> tuple[dict, dict]:
    values: dict[str, float] = {}
    errors: dict[str, AnswerError] = {}
    for key, text in answers.items():
        if key not in cache.forbidden or text is None:
            continue
        text = str(text)[:MAX_ANSWER_CHARS] if not isinstance(text, str) else text
        if not text.strip():
            continue
        try:
            values[key] = parse_answer(text, cache.solution.givens, cache.forbidden)
        except AnswerError as err:
            errors[key] = err
    return values, errors


def _diagnose(cache: _VariantCache, ctx: MistakeContext, key: str, value: float,
              tolerance: Tolerance) -> list[Diagnosis]:
    """Misconceptions whose value for `key` matches the answer but not the reference."""
    found: list[Diagnosis] = []
    node = ctx.graph.by_key[key]
    # the student's own upstream numbers matter only where they are wrong, not merely rounded
    own_inputs = any(not within(ctx.student_world[k], ctx.reference[k], tolerance)
                     for k in node.inputs)
    for mistake, static in cache.static_table(ctx, key, tolerance):
        if found and not mistake.in_degeneracy_check:
            continue  # the fallbacks (rounding…) explain a value only when nothing else does
        diagnosis = mistake.match(ctx, key, value, tolerance, static, own_inputs)
        if diagnosis is not None:
            found.append(diagnosis)
    if not found:
        found.append(local_formula(node, ctx.graph, ctx.answers, ctx.reference, ctx.student_world,
                                   tolerance, ctx.typed))
    return found


def grade(spec: Any, answers: Mapping[str, Any], policy: Policy | None = None) -> Report:
    """Grade typed answers against the spec's reference; never raises on any answer text."""
    policy = policy or Policy()
    cache = variant_context(spec)
    solution = cache.solution
    graph, reference = solution.graph, solution.values
    values, errors = _parse_with(cache, answers)
    world = student_world(graph, solution.givens, values)
    adopted = {k: v for k, v in values.items() if plausible(graph.by_key[k], v)}
    ctx = MistakeContext(graph, solution.givens, reference, world, cache.full_values, adopted, values)
    keys = policy.parts if policy.parts is not None else [p.key for p in solution.parts]
    parts: dict[str, PartResult] = {}
    for key in keys:
        node = graph.by_key.get(key)
        if node is None:
            continue
        parts[key] = _grade_part(node, answers.get(key), values.get(key), errors.get(key),
                                 reference[key], world, ctx, policy, cache)
    earned = math.fsum(p.points for p in parts.values())
    possible = math.fsum(p.max_points for p in parts.values())
    return Report(parts, earned, possible, _group_followthrough(parts, graph, adopted, reference, world,
                                                                policy))


def _group_followthrough(parts: dict[str, PartResult], graph, adopted, reference, world,
                         policy: Policy) -> list[FollowthroughNote]:
    """Name each follow-through part's root wrong answers; one note per set of roots."""
    if not any(p.status == "followthrough" for p in parts.values()):
        return []
    roots = followthrough_roots(graph, adopted, reference, world, policy.tolerance_for)
    groups: dict[tuple[str, ...], list[str]] = {}
    for key, part in parts.items():
        if part.status == "followthrough":
            part.followthrough_roots = list(roots.get(key, ()))
            groups.setdefault(roots.get(key, ()), []).append(key)
    labels = {}
    for root in {r for group in groups for r in group}:
        named = [d for d in (parts[root].diagnoses if root in parts else [])
                 if d.key in MISTAKES_BY_KEY]
        labels[root] = (named[0].key, MISTAKES_BY_KEY[named[0].key].label) if named else None
    return followthrough_notes(groups, labels, policy.followthrough_credit)


def _grade_part(node, text, value, error, expected, world, ctx, policy: Policy,
                cache: _VariantCache) -> PartResult:
    """The verdict on one part."""
    key, tol, worth = node.key, policy.tolerance_for(node.key), policy.points_for(node.key)
    answer = text if text is None or (isinstance(text, str) and len(text) <= MAX_ANSWER_CHARS) \
        else str(text)[:MAX_ANSWER_CHARS]
    result = PartResult(key, "missing", 0.0, worth, answer, value, expected)
    if error is not None:
        result.status, result.error = "invalid", error.to_dict()
        return result
    if value is None:
        return result
    if within(value, expected, tol):
        result.status, result.points = "correct", worth
        return result
    if policy.followthrough and plausible(node, value):
        carried = followthrough_value(node, world)
        if math.isfinite(carried) and within(value, carried, tol):
            result.status, result.followthrough_expected = "followthrough", carried
            result.points = worth * policy.followthrough_credit
            return result
    result.status = "incorrect"
    if policy.diagnose:
        result.diagnoses = _diagnose(cache, ctx, key, value, tol)
    return result
