"""Misconception models: each computes the answer a student holding it would give.

Adding a misconception is one entry in MISTAKES. Most are a `Rules` subclass that overrides
the one local rule the student gets wrong; the graph built with those rules then yields the
student's value for every quantity downstream of the mistake.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from graders.activations import Activation
from graders.graph import Rules, key_at, run_node, training_step_of
from graders.losses import Loss
from graders.mistake_base import Diagnosis, Mistake, MistakeContext
from graders.notation import name
from graders.nearmiss import (
    DeltaForWeightGradient, MissingChainFactor, NetEnteredForOut, OtherQuantity, RoundedTooEarly,
    TargetEnteredForOut, TooFewDigits,
)
from graders.spec import Architecture

__all__ = ["Diagnosis", "Mistake", "MistakeContext", "MISTAKES", "MISTAKES_BY_KEY"]


class RulesMistake(Mistake):
    """A misconception that replaces local rules; each rule set is one way of holding it."""

    rule_sets: tuple[Rules, ...] = ()

    def __init__(self) -> None:
        self._relevant: dict[Architecture, tuple[Rules, ...]] = {}

    def rules_for(self, arch: Architecture) -> tuple[Rules, ...]:
        """The rule sets that make a difference in this architecture."""
        found = self._relevant.get(arch)
        if found is None:
            found = self._relevant[arch] = tuple(r for r in self.rule_sets if r.relevant(arch))
        return found

    def full_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        for rules in self.rules_for(ctx.graph.arch):
            yield ctx.full_values(rules).get(key, math.nan)

    def _local(self, ctx: MistakeContext, key: str, world: dict) -> Iterable[float]:
        """The mistaken rule applied at this node only, to the world's inputs."""
        for rules in self.rules_for(ctx.graph.arch):
            node = ctx.graph.under(rules).by_key.get(key)
            if node is not None:
                yield run_node(node, [world[k] for k in node.inputs])

    def static_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        yield from self.full_candidates(ctx, key)
        yield from self._local(ctx, key, ctx.reference)

    def student_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        return self._local(ctx, key, ctx.student_world)


def _rules_mistake(key: str, label: tuple[str, str], en: str, zh: str, *rule_sets: Rules,
                   applies: Callable[[Architecture], bool] = lambda a: True) -> Mistake:
    """Declare a rules-based misconception in one statement (label: a few words, en and zh)."""
    mistake = RulesMistake()
    mistake.key, mistake.message, mistake.rule_sets = key, {"en": en, "zh": zh}, rule_sets
    mistake.label = {"en": label[0], "zh": label[1]}
    mistake.applies = applies  # type: ignore[method-assign]
    return mistake


class _NoActivationDerivative(Rules):
    def delta(self, de_dout: float, dout_dnet: float) -> float:
        return de_dout

    def softmax_delta(self, de_douts: list[float], outs: list[float], k: int) -> float:
        return de_douts[k]


class _NetForOut(Rules):
    def source_key(self, out_key: str, net_key: str) -> str:
        return net_key


class _SignFlipped(Rules):
    def loss_grad(self, loss: Loss, t: float, o: float, k: int) -> float:
        return -loss.grad(t, o, k)


class _ForgotHalf(Rules):
    def loss_term(self, loss: Loss, t: float, o: float, k: int) -> float:
        return 2.0 * loss.term(t, o, k)

    def loss_grad(self, loss: Loss, t: float, o: float, k: int) -> float:
        return 2.0 * loss.grad(t, o, k)


class _AddedGradient(Rules):
    def update(self, value: float, grad: float, eta: float) -> float:
        return value + eta * grad


class _NoLearningRate(Rules):
    def update(self, value: float, grad: float, eta: float) -> float:
        return value - grad


class _UpdatedWeights(Rules):
    def hidden_paths(self, paths: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(delta, f"{w}_new") for delta, w in paths]


@dataclass(frozen=True, eq=False)
class _OnePath(Rules):
    path: int

    def hidden_paths(self, paths: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return paths[self.path : self.path + 1] or paths

    def relevant(self, arch: Architecture) -> bool:
        return self.path < max(arch.layers[2:], default=0)


class _SigmaForSigmaPrime(Rules):
    def dout_dnet(self, act: Activation, net: float, out: float) -> float:
        return out if act.name in ("sigmoid", "tanh") else act.derivative(net, out)


class _NoBias(Rules):
    def net(self, weighted: list[tuple[float, float]], bias: float) -> float:
        return math.fsum(w * x for w, x in weighted)


_WEIGHT_PART = re.compile(r"^(dE_d)?w(\d+)(_new)?$")


class SwappedWeightNumbering(Mistake):
    """Weights numbered source-first (w6 read as h1→o2) instead of destination-first."""

    key = "swapped_weight_numbering"
    label = {"en": "weights numbered the other way", "zh": "权重编号顺序错了"}
    message = {
        "en": "Check the weight numbering: weights are numbered layer by layer, then by "
              "destination neuron, then by source neuron (in the article w6 is h2→o1 and w7 is "
              "h1→o2).",
        "zh": "请检查权重编号：先按层，再按目标神经元，最后按来源神经元编号（文章中 w6 是 h2→o1，w7 是 h1→o2）。",
    }

    @staticmethod
    def swapped(arch: Architecture, index: int) -> int:
        """The 0-based weight index a source-first numbering gives the same position."""
        for layer in range(arch.depth):
            dest, src = arch.layers[layer + 1], arch.layers[layer]
            start = arch.weight_index(layer, 0, 0)
            if index < start + dest * src:
                j, k = divmod(index - start, src)
                return start + k * dest + j
        return index

    def full_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        match = _WEIGHT_PART.match(key)
        if not match:
            return
        n = int(match.group(2)) - 1
        other = self.swapped(ctx.graph.arch, n) + 1
        if other == n + 1:
            return
        yield ctx.reference.get(key.replace(f"w{n + 1}", f"w{other}", 1), math.nan)
        if match.group(3):
            g = ctx.reference[f"dE_dw{other}"]
            yield ctx.givens[f"w{n + 1}"] - ctx.givens["eta"] * g



class PreviousStepWeights(Mistake):
    """A later training step computed from the weights the previous step started with (w, not w⁺)."""

    key = "previous_step_weights"
    label = {"en": "the previous step's old weights used", "zh": "用了上一步更新前的旧权重"}
    message = {
        "en": "A training step starts from the previous step's updated weights w⁺ = w − η·∂E/∂w, "
              "not from the weights that step started with.",
        "zh": "每个训练步都要从上一步更新后的权重 w⁺ = w − η·∂E/∂w 出发，而不是上一步开始时的权重。",
    }
    in_degeneracy_check = False  # tried only when no other misconception explains the value

    def applies(self, arch: Architecture) -> bool:
        return arch.steps > 1

    @staticmethod
    def _stale(ctx: MistakeContext, key: str) -> dict[str, str]:
        """The node's parameter inputs (read at its training step) → the previous step's values."""
        node = ctx.graph.by_key[key]
        t, arch = node.meta.get("iteration", 1), ctx.graph.arch
        if t < 2:
            return {}
        params = arch.weight_names() + (arch.bias_names() if arch.train_biases else [])
        current = {key_at(arch, t, p): key_at(arch, t - 1, p) for p in params}
        return {k: current[k] for k in node.inputs if k in current}

    def _local(self, ctx: MistakeContext, key: str, world: dict) -> Iterable[float]:
        stale = self._stale(ctx, key)
        if stale:
            node = ctx.graph.by_key[key]
            yield run_node(node, [world[stale.get(k, k)] for k in node.inputs])

    def full_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        t, base = training_step_of(key)
        # the whole step redone from the previous step's weights: that step's own value (not for an
        # update, whose previous value is this step's starting weight: other_quantity names that)
        if t >= 2 and ctx.graph.by_key[key].kind not in ("w_new", "b_new"):
            yield ctx.reference.get(key_at(ctx.graph.arch, t - 1, base), math.nan)

    def static_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        yield from self.full_candidates(ctx, key)
        yield from self._local(ctx, key, ctx.reference)

    def student_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        return self._local(ctx, key, ctx.student_world)

    def diagnosis(self, ctx: MistakeContext | None = None, key: str = "") -> Diagnosis:
        stale = self._stale(ctx, key) if ctx is not None and key else {}
        if not stale:
            return Diagnosis(self.key, self.message)
        used, old = [name(k) for k in stale], [name(v) for v in stale.values()]
        return Diagnosis(self.key, {
            "en": f"{name(key)} uses {', '.join(used)}, the weights updated in the previous step, not "
                  f"{', '.join(old)}: {self.message['en']}",
            "zh": f"{name(key)} 要用上一步更新后的 {'、'.join(used)}，而不是 {'、'.join(old)}：{self.message['zh']}",
        })


def _has(names: tuple[str, ...]) -> Callable[[Architecture], bool]:
    return lambda a: any(act in names for act in a.activations)


MISTAKES: list[Mistake] = [
    _rules_mistake(
        "forgot_activation_derivative", ("∂out/∂net left out", "漏掉了 ∂out/∂net"),
        "You left out the activation's derivative ∂out/∂net in the chain rule (for the sigmoid "
        "it is out·(1−out)).",
        "链式法则中漏掉了激活函数的导数 ∂out/∂net(sigmoid 的导数是 out·(1−out))。",
        _NoActivationDerivative(),
        applies=lambda a: any(act != "linear" for act in a.activations),
    ),
    _rules_mistake(
        "used_net_for_out", ("net used where out belongs", "用 net 代替了 out"),
        "You used a neuron's net input where its output out (after the activation) belongs.",
        "在应当使用神经元输出 out（经过激活函数之后的值）的地方用了净输入 net。",
        _NetForOut(),
        applies=lambda a: a.depth >= 2,
    ),
    _rules_mistake(
        "sign_flipped", ("wrong sign", "符号反了"),
        "The sign is flipped: ∂E/∂out = −(target − out) = out − target, not target − out.",
        "符号反了：∂E/∂out = −(target − out) = out − target，而不是 target − out。",
        _SignFlipped(),
    ),
    _rules_mistake(
        "forgot_half", ("½ dropped", "漏掉了 ½"),
        "You dropped the ½ in E = ½(target − out)², so the result is twice too large.",
        "误差公式 E = ½(target − out)² 中漏掉了 ½，结果大了一倍。",
        _ForgotHalf(),
        applies=lambda a: a.loss == "half_sse",
    ),
    _rules_mistake(
        "added_gradient", ("gradient added", "加上了梯度"),
        "You added the gradient: gradient descent subtracts it, w ← w − η·∂E/∂w.",
        "更新时加上了梯度：梯度下降应减去梯度，w ← w − η·∂E/∂w。",
        _AddedGradient(),
    ),
    _rules_mistake(
        "forgot_learning_rate", ("η left out", "漏掉了 η"),
        "You forgot the learning rate η in the update w ← w − η·∂E/∂w.",
        "更新公式 w ← w − η·∂E/∂w 中漏掉了学习率 η。",
        _NoLearningRate(),
    ),
    _rules_mistake(
        "used_updated_weights", ("updated weights used", "用了更新后的权重"),
        "Hidden-layer gradients use the output weights as they were before this step's update, "
        "not the already updated ones.",
        "计算隐藏层梯度时应使用本次更新之前的输出层权重，而不是已经更新过的权重。",
        _UpdatedWeights(),
        applies=lambda a: a.depth >= 2,
    ),
    _rules_mistake(
        "one_output_path", ("one output path only", "只算了一条输出路径"),
        "A hidden neuron reaches the error through every output: ∂E_total/∂out_h = Σ_o δ_o·w. "
        "You followed only one output's path.",
        "隐藏层神经元通过每一个输出影响总误差：∂E_total/∂out_h = Σ_o δ_o·w，你只计算了一个输出的路径。",
        *(_OnePath(p) for p in range(8)),
        applies=lambda a: a.depth >= 2 and max(a.layers[2:]) >= 2,
    ),
    SwappedWeightNumbering(),
    _rules_mistake(
        "sigma_for_sigma_prime", ("σ written for σ′", "用 σ 代替了 σ′"),
        "You wrote σ(x) where its derivative belongs: ∂out/∂net = σ(x)(1−σ(x)) = out(1−out).",
        "在应当使用导数的地方写成了 σ(x) 本身：∂out/∂net = σ(x)(1−σ(x)) = out(1−out)。",
        _SigmaForSigmaPrime(),
        applies=_has(("sigmoid", "tanh")),
    ),
    _rules_mistake(
        "forgot_bias", ("bias left out", "漏掉了偏置"),
        "You left out the bias: net = Σ w·x + b.",
        "漏掉了偏置项：net = Σ w·x + b。",
        _NoBias(),
        applies=lambda a: a.bias != "none",
    ),
    DeltaForWeightGradient(),
    NetEnteredForOut(),
    TargetEnteredForOut(),
    MissingChainFactor(),
    # fallbacks (not in the degeneracy check): each explains only what nothing before it does
    PreviousStepWeights(),
    TooFewDigits(),
    RoundedTooEarly(),
    OtherQuantity(),
]

MISTAKES_BY_KEY: dict[str, Mistake] = {m.key: m for m in MISTAKES}
