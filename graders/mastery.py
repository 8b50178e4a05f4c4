"""Mastery per skill from graded parts: events in, per-skill state out (pure, no Django).

A skill is a step of backpropagation (`graph.STEPS`) or a misconception (a diagnosis key of
`mistakes.MISTAKES`). Every graded attempt (one submission) that answered parts of a skill is
one *observation* of it, scored 0…1:

* a step: the share of the attempt's answered parts of that step that earn credit (correct or
  follow-through); a part whose answer had been shown ("show answer", or after the wrong answers
  that reveal it) or that was answered with a level-3 hint earns none, answered or not;
* a misconception m: over the attempt's answered parts of the kinds where m was ever diagnosed
  for this student (the same step and kind of quantity), the share that do not show m (shown or
  level-3-hinted parts count as showing it).

Mastery weighs recent observations more, with exponential decay by recency: with the scores
s_0 (newest), s_1, …, s_{n−1} (oldest), decay λ and prior weight c,

    mastery = Σ_r λ^r · s_r / (c + Σ_r λ^r),

so nothing observed is 0, one right attempt is 1 / (1 + c), and a long run of right attempts
approaches 1 / (1 + c·(1 − λ)). A skill is *mastered* at mastery ≥ the threshold. Its *run* is
the number of newest observations in a row with score 1.

Spaced review (Leitner-like): once the run reaches `run_length`, the skill enters review level 0
and is due `review_days[0]` days after its last observation. A perfect observation made when the
review was due raises the level (the next interval is longer); one made earlier only moves the
due date; an imperfect one ends the run and the review schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graders.graph import STEPS

CREDITED = frozenset({"correct", "followthrough"})
ANSWERED = frozenset({"correct", "followthrough", "incorrect"})
NOT_MISCONCEPTIONS = frozenset({"local_formula"})  # feedback, not a misconception
FULL_HINT = 3
DAY = 86400.0


@dataclass(frozen=True)
class MasteryConfig:
    """The tunable numbers of the mastery model and of adaptive practice."""

    decay: float = 0.7
    prior: float = 0.5
    threshold: float = 0.8
    run_length: int = 3
    review_days: tuple[float, ...] = (1.0, 3.0, 7.0, 14.0, 30.0)

    def __post_init__(self) -> None:
        if not 0.0 < self.decay <= 1.0 or self.prior < 0 or self.run_length < 1 or not self.review_days:
            raise ValueError("decay in (0, 1], prior ≥ 0, run_length ≥ 1 and at least one review interval")


@dataclass(frozen=True)
class PartEvent:
    """One graded part of one attempt, as the mastery model sees it."""

    attempt: str
    when: float  # POSIX seconds of the attempt
    part: str
    step: str
    kind: str
    status: str  # correct | followthrough | incorrect | invalid | missing
    diagnoses: tuple[str, ...] = ()
    revealed: bool = False  # its answer had been shown before (or could have been)
    hint_level: int = 0  # the highest hint level used on it (3: the full formula with numbers)
    template: str = ""

    @property
    def given_away(self) -> bool:
        """Shown, or solved with the last hint: never counts as mastered."""
        return self.revealed or self.hint_level >= FULL_HINT

    @property
    def counts(self) -> bool:
        """Evidence about the student: answered, or its answer was given away."""
        return self.status in ANSWERED or self.given_away

    @property
    def credited(self) -> bool:
        """Right by the student's own work."""
        return self.status in CREDITED and not self.given_away

    def misconceptions(self) -> tuple[str, ...]:
        """The misconceptions diagnosed on this part."""
        return tuple(k for k in self.diagnoses if k not in NOT_MISCONCEPTIONS)


@dataclass(frozen=True)
class Observation:
    """One attempt's evidence about one skill."""

    attempt: str
    when: float
    score: float
    parts: int


@dataclass(frozen=True)
class SkillState:
    """A skill's mastery now, how it got there and when it should come back."""

    skill: str
    kind: str  # "step" or "misconception"
    mastery: float
    observations: tuple[Observation, ...]
    trajectory: tuple[float, ...]  # mastery after each observation, oldest first
    run: int
    mastered: bool
    review_level: int | None
    review_due: float | None  # POSIX seconds; None while not mastered or not in review
    step: str = ""  # a misconception's step where it was last seen

    @property
    def last_practised(self) -> float | None:
        """When the skill was last observed."""
        return self.observations[-1].when if self.observations else None

    def is_due(self, now: float) -> bool:
        """A mastered skill whose review date has come."""
        return self.review_due is not None and now >= self.review_due


def mastery_value(scores_newest_first: Sequence[float], config: MasteryConfig = MasteryConfig()) -> float:
    """Σ λ^r·s_r / (c + Σ λ^r) over the scores, newest (r = 0) first."""
    weights = [config.decay**r for r in range(len(scores_newest_first))]
    total = config.prior + sum(weights)
    return sum(w * s for w, s in zip(weights, scores_newest_first)) / total if total else 0.0


def review_schedule(observations: Sequence[Observation], config: MasteryConfig) -> tuple[int | None, float | None]:
    """(review level, due time) after the observations, oldest first; (None, None) outside a run."""
    run, level, anchor = 0, None, 0.0
    for obs in observations:
        if obs.score < 1.0:
            run, level = 0, None
            continue
        run += 1
        if level is None:
            if run >= config.run_length:
                level, anchor = 0, obs.when
            continue
        if obs.when >= anchor + config.review_days[level] * DAY:
            level = min(level + 1, len(config.review_days) - 1)
        anchor = obs.when
    if level is None:
        return None, None
    return level, anchor + config.review_days[level] * DAY


def skill_state(skill: str, kind: str, observations: Sequence[Observation], config: MasteryConfig,
                step: str = "") -> SkillState:
    """Mastery, trajectory, run and review of one skill from its observations (oldest first)."""
    ordered = tuple(sorted(observations, key=lambda o: o.when))
    scores = [o.score for o in ordered]
    # mastery_value after each observation, in one pass: each new score weighs 1, the others λ× more
    weighted = weights = 0.0
    steps: list[float] = []
    for score in scores:
        weighted, weights = score + config.decay * weighted, 1.0 + config.decay * weights
        steps.append(weighted / (config.prior + weights) if config.prior + weights else 0.0)
    trajectory = tuple(steps)
    mastery = trajectory[-1] if trajectory else 0.0
    run = 0
    for score in reversed(scores):
        if score < 1.0:
            break
        run += 1
    mastered = mastery >= config.threshold
    level, due = review_schedule(ordered, config)
    return SkillState(skill, kind, mastery, ordered, trajectory, run, mastered,
                      level if mastered else None, due if mastered else None, step)


def _attempts(events: Iterable[PartEvent]) -> list[list[PartEvent]]:
    """Events grouped by attempt, attempts oldest first (stable for equal times)."""
    grouped: dict[str, list[PartEvent]] = {}
    for event in events:
        grouped.setdefault(event.attempt, []).append(event)
    return sorted(grouped.values(), key=lambda evs: evs[0].when)


def step_observations(events: Iterable[PartEvent]) -> dict[str, list[Observation]]:
    """Per step, one observation per attempt that answered (or was given) parts of it."""
    out: dict[str, list[Observation]] = {}
    for attempt in _attempts(events):
        by_step: dict[str, list[PartEvent]] = {}
        for event in attempt:
            if event.counts:
                by_step.setdefault(event.step, []).append(event)
        for step, evs in by_step.items():
            credited = sum(1 for e in evs if e.credited)
            out.setdefault(step, []).append(Observation(evs[0].attempt, evs[0].when, credited / len(evs), len(evs)))
    return out


def misconception_observations(events: Sequence[PartEvent]) -> dict[str, tuple[list[Observation], str]]:
    """Per misconception ever diagnosed: its observations and the step where it was last seen."""
    families: dict[str, set[tuple[str, str]]] = {}
    last_step: dict[str, tuple[float, str]] = {}
    for event in events:
        for key in event.misconceptions():
            families.setdefault(key, set()).add((event.step, event.kind))
            if key not in last_step or event.when >= last_step[key][0]:
                last_step[key] = (event.when, event.step)
    out: dict[str, tuple[list[Observation], str]] = {key: ([], last_step[key][1]) for key in families}
    attempts = _attempts(events)
    for key, family in families.items():
        for attempt in attempts:
            evs = [e for e in attempt if e.counts and (e.step, e.kind) in family]
            if evs:
                free = sum(1 for e in evs if key not in e.misconceptions() and not e.given_away)
                out[key][0].append(Observation(evs[0].attempt, evs[0].when, free / len(evs), len(evs)))
    return out


def skill_states(events: Sequence[PartEvent], config: MasteryConfig = MasteryConfig()) -> dict[str, SkillState]:
    """Every step (observed or not, in teaching order), then every misconception seen."""
    steps = step_observations(events)
    states = {step: skill_state(step, "step", steps.get(step, []), config, step) for step in STEPS}
    for step in steps:  # steps of other networks (none today), after the known ones
        states.setdefault(step, skill_state(step, "step", steps[step], config, step))
    for key, (observations, step) in sorted(misconception_observations(events).items()):
        states[key] = skill_state(key, "misconception", observations, config, step)
    return states


@dataclass(frozen=True)
class SeenMisconception:
    """A misconception as it was last seen: when, on which part and step, how often in all."""

    key: str
    when: float
    part: str
    step: str
    template: str
    count: int = field(default=1)


def recent_misconceptions(events: Iterable[PartEvent], limit: int = 5) -> list[SeenMisconception]:
    """The misconceptions diagnosed, most recently seen first (the first part of an attempt wins a tie)."""
    seen: dict[str, SeenMisconception] = {}
    counts: dict[str, int] = {}
    for event in events:
        for key in event.misconceptions():
            counts[key] = counts.get(key, 0) + 1
            if key not in seen or event.when > seen[key].when:
                seen[key] = SeenMisconception(key, event.when, event.part, event.step, event.template)
    ordered = sorted(seen.values(), key=lambda s: -s.when)
    return [SeenMisconception(s.key, s.when, s.part, s.step, s.template, counts[s.key]) for s in ordered[:limit]]
