"""Variants: a template plus a seed string gives a spec, the same on any machine.

Values are drawn on the template's grid from a numpy Generator seeded by SHA-256 of
(template, seed, attempt); degenerate draws are rejected and redrawn with the next attempt.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graders.grading import variant_context
from graders.graph import build_graph
from graders.mistakes import MISTAKES, MistakeContext
from graders.solve import solve
from graders.spec import Architecture, SpecError, parse_shape, parse_spec
from graders.tolerance import DEFAULT_TOLERANCE, Tolerance, within

MAX_ATTEMPTS = 400
SEED_VERSION = "bpcourse-variant-v1"
# Bump whenever a change can alter what `generate` draws for a seed (templates, their ranges, the
# vetting, the misconception registry it consults): the site stores each variant's numbers with
# the version that drew them, so stored variants never change, and a seed is reproducible only
# within one version.
GENERATOR_VERSION = "2"  # 2: near-miss misconceptions joined the registry that vets draws


class UnknownTemplate(ValueError):
    """No template has this name."""


class NoUsableVariant(ValueError):
    """Every draw of the template was degenerate (saturated, zero gradients, confusable)."""


class BudgetExhausted(NoUsableVariant):
    """A DrawBudget ran out (`reason`: "draws" or "time") before a usable draw was found."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the budget of {reason} ran out before a usable variant was found")
        self.reason = reason


class Confusion(str):
    """A draw's rejection by the misconception check: two mistakes' answers too close to tell
    apart. Unlike the other reasons it depends on the learning rate and the tolerance too."""


@dataclass
class DrawBudget:
    """One budget of draws and CPU seconds (this thread's) shared by several `generate` calls.

    A budget never changes what `generate` returns for a seed; it only gives up sooner. It
    counts the draws rejected as confusions (the only rejections a learning rate can change)."""

    draws: int
    seconds: float
    used: int = 0
    confusions: int = 0
    started: float = field(default_factory=time.thread_time)

    def spend(self) -> None:
        """Take one draw; BudgetExhausted when none or no time is left."""
        if self.used >= self.draws:
            raise BudgetExhausted("draws")
        if time.thread_time() - self.started > self.seconds:
            raise BudgetExhausted("time")
        self.used += 1


@dataclass(frozen=True)
class Grid:
    """Values low, low+step, …, high."""

    low: float
    high: float
    step: float = 0.05

    def points(self) -> list[float]:
        """Every value on the grid, rounded so 0.1 + 0.05 prints as 0.15."""
        count = int(round((self.high - self.low) / self.step)) + 1
        return [round(self.low + i * self.step, 10) for i in range(count)]


@dataclass(frozen=True)
class Template:
    """A network shape, its value ranges and how to vet a draw."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    layers: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "half_sse"
    bias: str = "shared"
    train_biases: bool = False
    learning_rate: float = 0.5
    inputs: Grid = Grid(0.05, 0.95)
    weights: Grid = Grid(0.05, 0.95)
    biases: Grid = Grid(0.05, 0.6)
    targets: Grid = Grid(0.05, 0.95)
    targets_sum_to_one: bool = False
    fixed: dict[str, Any] | None = None
    min_gradient: float = 1e-4  # |∂E/∂w| below this rounds to zero at 4 decimals
    tolerance: Tolerance = DEFAULT_TOLERANCE
    check_mistakes: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    steps: int = 1  # training steps asked, each from the previous step's updated weights

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, accepted by template_from_dict."""
        grids = {k: [g.low, g.high, g.step] for k, g in
                 (("inputs", self.inputs), ("weights", self.weights), ("biases", self.biases),
                  ("targets", self.targets))}
        return {
            "name": self.name, "title": dict(self.title), "description": dict(self.description),
            **self.base(), **grids, "targets_sum_to_one": self.targets_sum_to_one,
            "fixed": self.fixed, "min_gradient": self.min_gradient,
            "tolerance": self.tolerance.to_dict(), "check_mistakes": self.check_mistakes,
        }

    def architecture(self) -> Architecture:
        """The template's network shape (what the quantity graph depends on)."""
        return Architecture(self.layers, self.activations, self.loss, self.bias,
                            self.train_biases and self.bias != "none", self.steps)

    def quantity_inputs(self) -> dict[str, tuple[str, ...]]:
        """Each quantity's direct inputs, e.g. out_h1 → (net_h1,)."""
        return {n.key: n.inputs for n in build_graph(self.architecture()).nodes}

    def base(self) -> dict[str, Any]:
        """The spec fields that do not depend on the seed."""
        return {
            "layers": list(self.layers),
            "activations": list(self.activations),
            "loss": self.loss,
            "bias": self.bias,
            "train_biases": self.train_biases,
            "learning_rate": self.learning_rate,
            **({"steps": self.steps} if self.steps != 1 else {}),  # absent for one step: old draws stay
        }


ARTICLE_SPEC: dict[str, Any] = {
    "layers": [2, 2, 2],
    "activations": ["sigmoid", "sigmoid"],
    "loss": "half_sse",
    "bias": "shared",
    "train_biases": False,
    "learning_rate": 0.5,
    "inputs": [0.1, 0.2],
    "targets": [0.8, 0.9],
    "weights": [[[0.05, 0.10], [0.15, 0.20]], [[0.25, 0.30], [0.35, 0.40]]],
    "biases": [[0.3], [0.3]],
}


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "article",
            _t("The article's network", "文章中的网络"),
            _t("The tutorial's 2-2-2 sigmoid network with its own numbers.",
               "教程中的 2-2-2 sigmoid 网络，使用文中的原始数值。"),
            (2, 2, 2), ("sigmoid", "sigmoid"), fixed=ARTICLE_SPEC,
        ),
        Template(
            "article-random",
            _t("2-2-2 sigmoid, new numbers", "2-2-2 sigmoid，新的数值"),
            _t("The article's network (shared biases b1, b2, ½ squared error) with fresh values.",
               "文章中的网络（共享偏置 b1、b2，½ 平方误差），换上新的数值。"),
            (2, 2, 2), ("sigmoid", "sigmoid"),
        ),
        Template(
            "article-biases",
            _t("2-2-2 sigmoid, biases trained too", "2-2-2 sigmoid，偏置也参与训练"),
            _t("As the article, but b1 and b2 get gradients and updates as well.",
               "与文章相同，但 b1、b2 也要计算梯度并更新。"),
            (2, 2, 2), ("sigmoid", "sigmoid"), train_biases=True,
        ),
        Template(
            "article-2step",
            _t("2-2-2 sigmoid, two training steps", "2-2-2 sigmoid，连续训练两步"),
            _t("The article's network trained twice: step 2 runs forward and backward again from "
               "step 1's updated weights w⁺ (its quantities are marked ⁽²⁾; w⁺⁺ is updated twice).",
               "文章中的网络连续训练两步：第 2 步用第 1 步更新后的权重 w⁺ 重新做前向和反向传播"
               "（第 2 步的量标为 ⁽²⁾；w⁺⁺ 是更新两次后的权重）。"),
            (2, 2, 2), ("sigmoid", "sigmoid"), steps=2,
        ),
        Template(
            "tanh-2-3-1",
            _t("2-3-1 tanh", "2-3-1 tanh"),
            _t("Three tanh hidden neurons, one tanh output, a bias per neuron.",
               "三个 tanh 隐藏神经元、一个 tanh 输出，每个神经元一个偏置。"),
            (2, 3, 1), ("tanh", "tanh"), bias="per_neuron",
            inputs=Grid(-0.9, 0.9), weights=Grid(-0.9, 0.9), biases=Grid(-0.5, 0.5),
            targets=Grid(-0.8, 0.8),
        ),
        Template(
            "relu-3-3-2",
            _t("3-3-2 ReLU hidden, sigmoid out", "3-3-2 ReLU 隐藏层，sigmoid 输出"),
            _t("Three inputs, a ReLU hidden layer, two sigmoid outputs.",
               "三个输入，ReLU 隐藏层，两个 sigmoid 输出。"),
            (3, 3, 2), ("relu", "sigmoid"),
            weights=Grid(-0.5, 0.9), biases=Grid(0.05, 0.3),
        ),
        Template(
            "softmax-2-2-2",
            _t("2-2-2 softmax with cross-entropy", "2-2-2 softmax + 交叉熵"),
            _t("Sigmoid hidden layer, softmax outputs, cross-entropy loss; targets sum to 1.",
               "sigmoid 隐藏层，softmax 输出，交叉熵损失；目标值之和为 1。"),
            (2, 2, 2), ("sigmoid", "softmax"), loss="ce",
            weights=Grid(-0.9, 0.9), targets=Grid(0.1, 0.9, 0.1), targets_sum_to_one=True,
        ),
        Template(
            "deep-4-8-8-3",
            _t("4-8-8-3 deep network", "4-8-8-3 深层网络"),
            _t("Two tanh hidden layers of eight, three sigmoid outputs, biases per neuron.",
               "两个各含 8 个 tanh 神经元的隐藏层，三个 sigmoid 输出，每个神经元一个偏置。"),
            (4, 8, 8, 3), ("tanh", "tanh", "sigmoid"), bias="per_neuron",
            inputs=Grid(-0.9, 0.9), weights=Grid(-0.6, 0.6), biases=Grid(-0.3, 0.3),
            min_gradient=1e-6, check_mistakes=False,
        ),
    )
}


def rng_for(template: str, seed: str, attempt: int) -> np.random.Generator:
    """A Generator seeded from SHA-256 of the strings (never Python's salted hash())."""
    material = f"{SEED_VERSION}|{template}|{seed}|{attempt}".encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(material).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "big")))


def _draw(grid: Grid, count: int, rng: np.random.Generator, distinct: bool = False) -> list:
    """`count` grid values; distinct when the grid has room."""
    points = [p for p in grid.points() if p != 0.0]
    replace = not distinct or count > len(points)
    picks = rng.choice(len(points), size=count, replace=replace)
    return [points[int(i)] for i in picks]


def draw(template: Template, rng: np.random.Generator) -> dict[str, Any]:
    """One candidate spec on the template's grids."""
    layers = template.layers
    sizes = [layers[m + 1] * layers[m] for m in range(len(layers) - 1)]
    flat = _draw(template.weights, sum(sizes), rng, distinct=True)
    weights, start = [], 0
    for m, size in enumerate(sizes):
        cols = layers[m]
        chunk = flat[start : start + size]
        weights.append([chunk[j * cols : (j + 1) * cols] for j in range(layers[m + 1])])
        start += size
    arch = template.architecture()
    biases = [_draw(template.biases, arch.bias_count(m), rng) for m in range(arch.depth)]
    if template.targets_sum_to_one:
        raw = _draw(template.targets, layers[-1], rng)
        targets = [round(t / sum(raw), 2) for t in raw]
        targets[-1] = round(1.0 - sum(targets[:-1]), 2)
    else:
        targets = _draw(template.targets, layers[-1], rng)
    return {**template.base(), "inputs": _draw(template.inputs, layers[0], rng),
            "targets": targets, "weights": weights, "biases": biases}


def degeneracy(template: Template, spec: dict[str, Any]) -> str | None:
    """Why a drawn spec makes a poor exercise, or None when it is fine."""
    try:
        solution = solve(spec)
    except SpecError as err:
        return str(err)
    values, graph = solution.values, solution.graph
    for node in graph.nodes:
        value = values[node.key]
        act = node.meta.get("activation")
        if node.kind == "out" and act in ("sigmoid", "softmax") and not 0.02 <= value <= 0.98:
            return f"saturated {node.key}"
        if node.kind == "out" and act == "tanh" and abs(value) > 0.96:
            return f"saturated {node.key}"
        if node.kind == "net" and node.meta.get("layer") and abs(value) < 0.02:
            return f"{node.key} sits on an activation's kink"
        if node.kind in ("dE_dw", "dE_db") and abs(value) < template.min_gradient:
            return f"{node.key} rounds to zero"
    arch = solution.spec.arch
    for j, t in enumerate(solution.spec.targets):
        if abs(values[f"out_{arch.neuron(arch.depth, j)}"] - t) < 0.05:
            return "an output is already at its target"
    if template.check_mistakes:
        return _confusable_mistakes(solution, template.tolerance)
    return None


def _confusable_mistakes(solution, tolerance: Tolerance) -> str | None:
    """Two different misconceptions whose answers differ yet agree within tolerance."""
    cache = variant_context(solution.spec)
    graph = build_graph(solution.spec.arch)
    ctx = MistakeContext(graph, solution.givens, solution.values, solution.values,
                         cache.full_values)
    mistakes = [m for m in MISTAKES if m.in_degeneracy_check and m.applies(graph.arch)]
    for part in graph.parts:
        expected = solution.values[part.key]
        found = sorted(
            (value, mistake.key)
            for mistake in mistakes
            for value in mistake.full_candidates(ctx, part.key)
            if value != expected and math.isfinite(value) and not within(value, expected, tolerance)
        )
        # sorted, a value's nearest rivals are its neighbours: comparing those suffices
        for (low, first), (high, second) in zip(found, found[1:]):
            close = within(low, high, tolerance) or within(high, low, tolerance)
            same = high - low <= 1e-9 * max(abs(low), abs(high), 1e-12)
            if first != second and close and not same:
                return Confusion(f"{first} and {second} agree on {part.key}")
    return None


def generate(template: str | Template, seed: str, budget: DrawBudget | None = None) -> dict[str, Any]:
    """The spec for a template and seed: deterministic, vetted, JSON-safe. With a budget, each
    draw spends from it (BudgetExhausted when it runs out; the result is the same otherwise)."""
    if isinstance(template, str):
        if template not in TEMPLATES:
            raise UnknownTemplate(template)
        template = TEMPLATES[template]
    if template.fixed is not None:
        return parse_spec(template.fixed).to_dict()
    for attempt in range(MAX_ATTEMPTS):
        if budget is not None:
            budget.spend()
        spec = draw(template, rng_for(template.name, str(seed), attempt))
        reason = degeneracy(template, spec)
        if reason is None:
            return parse_spec(spec).to_dict()
        if budget is not None and isinstance(reason, Confusion):
            budget.confusions += 1
    raise NoUsableVariant(f"no usable variant of {template.name} for seed {seed!r}: the value "
                          "ranges give saturated neurons or vanishing gradients")


def _grid(value: Any, field: str) -> Grid:
    """[low, high, step] with low ≤ high, step > 0 and at most 1000 points."""
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise SpecError(field, "must be [low, high, step]", "range_shape")
    low, high, step = (_finite(v, f"{field}[{i}]") for i, v in enumerate(value))
    if step <= 0 or low > high or (high - low) / step > 1000:
        raise SpecError(field, "needs low ≤ high, a positive step and at most 1000 values", "range_invalid")
    grid = Grid(low, high, step)
    if not any(point != 0.0 for point in grid.points()):  # zero is never drawn
        raise SpecError(field, "needs a value other than 0 (zero is never drawn)", "range_only_zero")
    return grid


def _finite(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpecError(field, "must be a finite number", "not_finite")
    return float(value)


def template_from_dict(data: Any) -> Template:
    """An instructor's template (shape, grids, or fixed values), validated field by field."""
    if not isinstance(data, dict):
        raise SpecError("template", "must be a JSON object", "not_an_object")
    arch, learning_rate = parse_shape(data)
    fixed = parse_spec(data["fixed"]).to_dict() if data.get("fixed") else None
    defaults = Template("custom", {}, {}, (1, 1), ("linear",))
    grids = {k: _grid(data[k], k) if k in data else getattr(defaults, k)
             for k in ("inputs", "weights", "biases", "targets")}
    text = lambda k: {lang: str(v)[:200] for lang, v in (data.get(k) or {}).items()}  # noqa: E731
    return Template(
        name=str(data.get("name", "custom"))[:64], title=text("title"),
        description=text("description"), layers=arch.layers, activations=arch.activations,
        loss=arch.loss, bias=arch.bias, train_biases=arch.train_biases,
        learning_rate=learning_rate,
        targets_sum_to_one=bool(data.get("targets_sum_to_one", arch.loss == "ce")),
        fixed=fixed, min_gradient=_finite(data.get("min_gradient", 1e-4), "min_gradient"),
        tolerance=Tolerance.from_dict(data.get("tolerance") or DEFAULT_TOLERANCE.to_dict()),
        check_mistakes=bool(data.get("check_mistakes", True)), steps=arch.steps, **grids,
    )

