"""Class analytics from stored reports: per part, per step, per misconception, score spread."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping

from graders.feedback import LOCAL_FORMULA
from graders.mistakes import MISTAKES_BY_KEY

STATUSES = ("correct", "followthrough", "incorrect", "invalid", "missing")


@dataclass
class Analytics:
    """Counts over one report per student (their counted attempt)."""

    students: int = 0
    parts: dict[str, Counter] = field(default_factory=dict)
    steps: dict[str, Counter] = field(default_factory=dict)
    misconceptions: Counter = field(default_factory=Counter)  # times diagnosed, over every part
    # misconception → student → the parts it was diagnosed on (each student counts once)
    misconception_students: dict[str, dict[Hashable, list[str]]] = field(default_factory=dict)
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

    def students_with(self, key: str) -> int:
        """How many students a misconception was diagnosed in (once each, however many parts)."""
        return len(self.misconception_students.get(key, {}))

    def top_misconceptions_by_students(self, n: int = 10) -> list[tuple[str, int]]:
        """The misconceptions diagnosed in the most students, with those counts (ties: more
        diagnoses first, then by key)."""
        ranked = sorted(self.misconceptions, key=lambda k: (-self.students_with(k), -self.misconceptions[k], k))
        return [(key, self.students_with(key)) for key in ranked[:n]]


def summarize(reports: Iterable[Mapping], steps: Mapping[str, str],
              owners: Iterable[Hashable] | None = None) -> Analytics:
    """Aggregate report dicts (graders Report.to_dict()); `steps` maps part key → step; `owners`
    names each report's student (without it each report is a student of its own)."""
    result = Analytics()
    report_list = list(reports)
    owner_list = list(owners) if owners is not None else list(range(len(report_list)))
    if len(owner_list) != len(report_list):
        raise ValueError("one owner per report")
    for report, owner in zip(report_list, owner_list, strict=True):
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
                parts = result.misconception_students.setdefault(diagnosis["key"], {}).setdefault(owner, [])
                if key not in parts:
                    parts.append(key)
                # a model's general description; a diagnosis's own message may name one part
                known = MISTAKES_BY_KEY.get(diagnosis["key"])
                result.misconception_messages[diagnosis["key"]] = (
                    dict(known.message) if known is not None else diagnosis.get("message", {}))
    return result
