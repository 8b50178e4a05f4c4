"""Adaptive practice (pure): which skill to train next, on which network, asking which parts.

`choose_focus` picks a step, first rule that applies:

1. the step of the latest misconception, until a run of `run_length` right attempts on it;
2. the step of the current adaptive exercise, until such a run (then rules 3–6 leave it out:
   the exercise moves on);
3. a mastered step whose spaced review is due (the earliest due first);
4. the weakest step without such a run (lowest mastery; teaching order breaks ties);
5. the weakest step below the mastery threshold;
6. the weakest step.

`focus_parts` asks only the parts of that step and gives the earlier values they read
(e.g. hidden-layer gradients with the forward pass and the output deltas given).
`choose_template` picks, among the networks where the misconception can occur, the one this
student used least recently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graders.graph import STEPS, Graph
from graders.mastery import MasteryConfig, SkillState
from graders.mistakes import MISTAKES_BY_KEY
from graders.variants import Template

# Networks adaptive practice draws from: random numbers, small enough to drill one step.
ADAPTIVE_TEMPLATES = ("article-random", "article-biases", "tanh-2-3-1", "relu-3-3-2", "softmax-2-2-2")
REASONS = ("misconception", "continue", "review", "weakest", "below_threshold", "practise")
# Asked with its step only when the step is the whole exercise: E_total_new redoes the forward pass.
NOT_DRILLED = frozenset({"E_total_new"})


@dataclass(frozen=True)
class Focus:
    """The step to train next and why (a misconception key when rule 1 chose it)."""

    step: str
    reason: str
    misconception: str = ""


def choose_focus(states: Mapping[str, SkillState], *, latest_misconception: tuple[str, str] | None,
                 current: str | None, now: float, config: MasteryConfig = MasteryConfig()) -> Focus:
    """The next focus by the module's rules; `latest_misconception` is (key, step)."""
    steps = [s for s in STEPS if s in states]

    def unfinished(step: str) -> bool:
        return step in states and states[step].run < config.run_length

    def weakest(candidates: Sequence[str]) -> str:
        return min(candidates, key=lambda s: (states[s].mastery, steps.index(s)))

    if latest_misconception is not None and unfinished(latest_misconception[1]):
        return Focus(latest_misconception[1], "misconception", latest_misconception[0])
    if current is not None and unfinished(current):
        return Focus(current, "continue")
    if current in steps and len(steps) > 1:  # its run is done: move on to another step
        steps.remove(current)
    due = [s for s in steps if states[s].is_due(now)]
    if due:
        return Focus(min(due, key=lambda s: (states[s].review_due, steps.index(s))), "review")
    open_steps = [s for s in steps if unfinished(s)]
    if open_steps:
        return Focus(weakest(open_steps), "weakest")
    below = [s for s in steps if not states[s].mastered]
    if below:
        return Focus(weakest(below), "below_threshold")
    return Focus(weakest(steps), "practise")


@dataclass(frozen=True)
class FocusParts:
    """The parts an exercise asks and the earlier quantities it gives (both in teaching order)."""

    asked: tuple[str, ...]
    given: tuple[str, ...]


def focus_parts(graph: Graph, step: str) -> FocusParts:
    """The step's parts, and every computed quantity that one of them reads but is not asked."""
    asked = [p.key for p in graph.parts if p.step == step and p.key not in NOT_DRILLED]
    asked_set = set(asked)
    read = {k for key in asked for k in graph.by_key[key].inputs if k in graph.by_key and k not in asked_set}
    given = [p.key for p in graph.parts if p.key in read]
    return FocusParts(tuple(asked), tuple(given))


def choose_template(templates: Sequence[Template], *, misconception: str = "",
                    last_used: Mapping[str, float] | None = None) -> Template:
    """Among the templates where the misconception can occur (all, if none), the least recently used."""
    mistake = MISTAKES_BY_KEY.get(misconception)
    fitting = [t for t in templates if mistake is None or mistake.applies(t.architecture())] or list(templates)
    used = last_used or {}
    return min(fitting, key=lambda t: (used.get(t.name, float("-inf")), fitting.index(t)))
