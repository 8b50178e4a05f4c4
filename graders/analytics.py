"""Class analytics from stored reports: per part, per step, per misconception, score spread."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from graders.feedback import LOCAL_FORMULA
from graders.mistakes import MISTAKES_BY_KEY

STATUSES = ("correct", "followthrough", "incorrect", "invalid", "missing")


@dataclass
class Analytics:
    """Counts over one report per student (their counted attempt)."""

    students: int = 0
    parts: dict[str, Counter] = field(default_factory=dict)
    steps: dict[str, Counter] = field(default_factory=dict)
    misconceptions: Counter = field(default_factory=Counter)
    misconception_messages: dict[str, dict[str, str]] = field(default_factory=dict)
    histogram: list[int] = field(default_factory=lambda: [0] * 10)

    def share(self, key: str, status: str, by: str = "parts") -> float:
        """Fraction of answers to a part (or step) with this status."""
        counts = getattr(self, by).get(key, Counter())
        total = sum(counts.values())
        return counts[status] / total if total else 0.0

    def top_misconceptions(self, n: int = 10) -> list[tuple[str, int]]:
        """The most frequent diagnosed misconceptions, with counts."""
        return self.misconceptions.most_common(n)


def summarize(reports: Iterable[Mapping], steps: Mapping[str, str]) -> Analytics:
    """Aggregate report dicts (graders Report.to_dict()); `steps` maps part key → step."""
    result = Analytics()
    for report in reports:
        result.students += 1
        score = float(report.get("score") or 0.0)
        result.histogram[min(9, max(0, int(score * 10)))] += 1
        for key, part in (report.get("parts") or {}).items():
            status = part.get("status", "missing")
            result.parts.setdefault(key, Counter())[status] += 1
            result.steps.setdefault(steps.get(key, "other"), Counter())[status] += 1
            for diagnosis in part.get("diagnoses") or ():
                if diagnosis.get("key") == LOCAL_FORMULA:
                    continue  # feedback, not a misconception
                result.misconceptions[diagnosis["key"]] += 1
                # a model's general description; a diagnosis's own message may name one part
                known = MISTAKES_BY_KEY.get(diagnosis["key"])
                result.misconception_messages[diagnosis["key"]] = (
                    dict(known.message) if known is not None else diagnosis.get("message", {}))
    return result
