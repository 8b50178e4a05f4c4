"""Feedback that is not a misconception: the local formula of a wrong part with the student's own
numbers, and follow-through grouped by the earlier wrong answer it follows from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from graders.graph import Graph, Node, run_node
from graders.mistake_base import Diagnosis
from graders.nearmiss import number
from graders.notation import formula, name, right_side
from graders.tolerance import Tolerance, within

LOCAL_FORMULA = "local_formula"  # a feedback key, not a misconception (analytics skip it)


def local_formula(node: Node, graph: Graph, answers: Mapping[str, float],
                  reference: Mapping[str, float], world: Mapping[str, float],
                  tolerance: Tolerance, typed: Mapping[str, float] | None = None) -> Diagnosis:
    """The part's local formula and what it takes, with the student's own earlier values.

    Only the student's answers and the givens are quoted (parts never tried stay hidden); the
    result is stated only when the student's own values make it differ from the reference, so
    it is the value their earlier answers imply, never the expected answer."""
    rule, right = formula(node, graph), right_side(node, graph)
    # the computed quantities the formula names (σ′ = out·(1 − out) reads net_o1 but does not say it)
    computed = [k for k in dict.fromkeys(node.inputs)
                if k in graph.by_key and re.search(rf"(?<![\w,]){re.escape(name(k))}(?![\w,])", right)]
    yours = [k for k in computed if k in answers]
    missing = [k for k in computed if k not in answers]
    en, zh = [rule + "."], [rule + "。"]
    typed = typed or {}
    for k in [k for k in missing if k in typed][:3]:  # typed, but impossible for the quantity
        en.append(f"Your {name(k)} = {number(typed[k])} cannot be right (no such value is possible for it).")
        zh.append(f"你的 {name(k)} = {number(typed[k])} 不可能正确（这个量取不到这样的值）。")
    if yours:
        listed = ", ".join(f"{name(k)} = {number(answers[k])}" for k in yours[:6])
        listed_zh = "、".join(f"{name(k)} = {number(answers[k])}" for k in yours[:6])
        more = "…" if len(yours) > 6 else ""
        if missing:
            en.append(f"Your {listed}{more}; work out {', '.join(name(k) for k in missing[:6])} too.")
            zh.append(f"你的 {listed_zh}{more}；还要先算出 {'、'.join(name(k) for k in missing[:6])}。")
        else:
            result = run_node(node, [world[k] for k in node.inputs])
            if not within(result, reference[node.key], tolerance):
                en.append(f"With your {listed}{more} this gives {number(result)}.")
                zh.append(f"代入你的 {listed_zh}{more}，得到 {number(result)}。")
            else:
                en.append(f"With your {listed}{more}, recompute it: your answer does not follow from them.")
                zh.append(f"代入你的 {listed_zh}{more} 重新计算：你的答案不是由它们算出的。")
    elif missing:
        en.append(f"Work out {', '.join(name(k) for k in missing[:6])} first, then apply it.")
        zh.append(f"先算出 {'、'.join(name(k) for k in missing[:6])}，再代入计算。")
    else:
        en.append("Substitute the given values and recompute it.")
        zh.append("代入题目给出的值重新计算。")
    return Diagnosis(LOCAL_FORMULA, {"en": " ".join(en), "zh": "".join(zh)})


def followthrough_roots(graph: Graph, answers: Mapping[str, float], reference: Mapping[str, float],
                        world: Mapping[str, float], tolerance_for: Any) -> dict[str, tuple[str, ...]]:
    """For every quantity, the student's wrong answers (not themselves follow-through) its
    value in the student's world comes from, in teaching order."""
    order = {node.key: i for i, node in enumerate(graph.nodes)}
    roots: dict[str, tuple[str, ...]] = {}
    for node in graph.nodes:
        # only inputs whose value in the student's world is off carry their roots on
        upstream = sorted({r for k in node.inputs if roots.get(k) for r in roots[k]
                           if not within(world[k], reference[k], tolerance_for(k))}, key=order.__getitem__)
        value, tol = answers.get(node.key), tolerance_for(node.key)
        if value is None:
            roots[node.key] = tuple(upstream) if not within(world[node.key], reference[node.key], tol) else ()
        elif within(value, reference[node.key], tol):
            roots[node.key] = ()
        elif within(value, run_node(node, [world[k] for k in node.inputs]), tol):
            roots[node.key] = tuple(upstream)
        else:
            roots[node.key] = (node.key,)
    return roots


@dataclass
class FollowthroughNote:
    """One note per root cause: the earlier wrong answers, their diagnoses, the parts credited.
    `plain_message` says the same without the diagnoses (for exercises that hide them)."""

    roots: list[str]
    diagnoses: list[str]
    parts: list[str] = field(default_factory=list)
    message: dict[str, str] = field(default_factory=dict)
    plain_message: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"roots": list(self.roots), "diagnoses": list(self.diagnoses), "parts": list(self.parts),
                "message": dict(self.message), "plain_message": dict(self.plain_message)}


def _note_message(count: int, roots: tuple[str, ...], labels: Mapping[str, dict[str, str]],
                  credit: float) -> dict[str, str]:
    words_en = [f"{name(r)} ({labels[r]['en']})" if r in labels else name(r) for r in roots]
    words_zh = [f"{name(r)}（{labels[r]['zh']}）" if r in labels else name(r) for r in roots]
    credited_en = "credited" if credit >= 1 else f"credited at {credit:.0%}"
    credited_zh = "已给分" if credit >= 1 else f"按 {credit:.0%} 给分"
    source_en = " and ".join(words_en) or "own earlier values"
    return {
        "en": f"{count} later value{'s' if count != 1 else ''} follow{'s' if count == 1 else ''} "
              f"from your {source_en}: {credited_en}.",
        "zh": f"后面 {count} 个值由你的 {'和'.join(words_zh) or '前面的答案'} 推出：{credited_zh}。",
    }


def followthrough_notes(groups: Mapping[tuple[str, ...], list[str]],
                        labels: Mapping[str, tuple[str, dict[str, str]] | None],
                        credit: float) -> list[FollowthroughNote]:
    """The grouped notes; `labels` gives each root's first diagnosis (key, short label)."""
    notes = []
    for roots, parts in groups.items():
        named = {r: labels[r][1] for r in roots if labels.get(r)}  # type: ignore[index]
        notes.append(FollowthroughNote(
            list(roots), [labels[r][0] for r in roots if labels.get(r)], list(parts),  # type: ignore[index]
            _note_message(len(parts), roots, named, credit), _note_message(len(parts), roots, {}, credit),
        ))
    return notes
