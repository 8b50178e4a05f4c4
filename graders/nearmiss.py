"""Near misses as misconception models: another quantity where this one belongs (δ for ∂E/∂w, net
for out, the target for out), a chain-rule factor left out, and three fallbacks that explain
only what nothing else does: too few digits, intermediates rounded too early, some other
quantity of the network. Each names the part, in the page's notation, in its feedback."""

from __future__ import annotations

import math
from typing import Any, Iterable, Iterator

from graders.graph import Node, run_node
from graders.mistake_base import Diagnosis, Mistake, MistakeContext, distinct
from graders.notation import formula, name
from graders.tolerance import Tolerance, within

Option = tuple[float, dict[str, Any]]  # a candidate value and what the message says about it


def number(value: float) -> str:
    """A value as feedback writes it: six significant figures."""
    return f"{value:.6g}"


class NearMiss(Mistake):
    """A model whose candidates carry the words of their feedback (which factor, which value)."""

    uses_static = False

    def options(self, ctx: MistakeContext, key: str, world: dict[str, float]) -> Iterator[Option]:
        """Candidate values for `key` computed from `world` (the reference or the student's)."""
        return iter(())

    def render(self, ctx: MistakeContext, key: str, params: dict[str, Any]) -> tuple[str, str]:
        """The English and Chinese feedback for one matched option."""
        raise NotImplementedError

    def full_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        return [value for value, _ in self.options(ctx, key, ctx.reference)]

    def student_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        return [value for value, _ in self.options(ctx, key, ctx.student_world)]

    def diagnosis(self, ctx: MistakeContext | None = None, key: str = "",
                  params: dict[str, Any] | None = None) -> Diagnosis:
        if ctx is None or not key:
            return Diagnosis(self.key, self.message)
        en, zh = self.render(ctx, key, params or {})
        return Diagnosis(self.key, {"en": en, "zh": zh})

    def match(self, ctx: MistakeContext, key: str, value: float, tolerance: Tolerance,
              static: Iterable[float], own_inputs: bool) -> Diagnosis | None:
        expected = ctx.reference[key]
        worlds = [ctx.reference] + ([ctx.student_world] if own_inputs else [])
        for world in worlds:
            for candidate, params in self.options(ctx, key, world):
                if distinct(candidate, expected, tolerance) and within(value, candidate, tolerance):
                    return self.diagnosis(ctx, key, params)
        return None


def _node(ctx: MistakeContext, key: str) -> Node | None:
    return ctx.graph.by_key.get(key)


class DeltaForWeightGradient(NearMiss):
    """δ of the destination neuron entered as ∂E/∂w (or used as it in the update)."""

    key = "delta_for_weight_gradient"
    label = {"en": "δ entered for ∂E/∂w", "zh": "把 δ 当成了 ∂E/∂w"}
    message = {"en": "You entered δ where ∂E/∂w belongs, leaving out the factor out of the "
                     "weight's source neuron: ∂E/∂w = δ · out.",
               "zh": "在应填 ∂E/∂w 的地方填了 δ，漏乘了权重来源神经元的 out：∂E/∂w = δ · out。"}

    def options(self, ctx: MistakeContext, key: str, world: dict[str, float]) -> Iterator[Option]:
        node = _node(ctx, key)
        if node is None:
            return
        if node.kind == "dE_dw":
            yield world[node.inputs[0]], {"grad": key}
        elif node.kind == "w_new" and ctx.graph.local(node, f"dE_d{node.meta['param']}") in ctx.graph.by_key:
            grad = ctx.graph.by_key[ctx.graph.local(node, f"dE_d{node.meta['param']}")]
            p = ctx.graph.local(node, node.meta["param"])
            yield world[p] - world["eta"] * world[grad.inputs[0]], {"grad": grad.key, "update": True}

    def render(self, ctx: MistakeContext, key: str, params: dict[str, Any]) -> tuple[str, str]:
        grad = ctx.graph.by_key[params["grad"]]
        delta, source = name(grad.inputs[0]), name(grad.inputs[1])
        rule = formula(grad, ctx.graph)
        if params.get("update"):
            return (f"Your update used {delta} in place of {name(grad.key)}, leaving out the "
                    f"factor {source}: {rule}.",
                    f"你的更新用 {delta} 代替了 {name(grad.key)}，漏乘了 {source}：{rule}。")
        return (f"You entered {delta} as {name(key)}, forgetting the × {source} factor: {rule}.",
                f"你把 {delta} 当成了 {name(key)}，漏乘了 {source}：{rule}。")


class NetEnteredForOut(NearMiss):
    """A neuron's net input entered as its output."""

    key = "net_entered_for_out"
    label = {"en": "net entered for out", "zh": "把 net 当成了 out"}
    message = {"en": "You entered a neuron's net input as its output: out is the activation of net.",
               "zh": "你把神经元的净输入 net 当成了输出 out：out 是 net 经过激活函数后的值。"}

    def options(self, ctx: MistakeContext, key: str, world: dict[str, float]) -> Iterator[Option]:
        node = _node(ctx, key)
        if node is not None and node.kind == "out":
            yield world[ctx.graph.local(node, f"net_{node.meta['neuron']}")], {}

    def render(self, ctx: MistakeContext, key: str, params: dict[str, Any]) -> tuple[str, str]:
        node = ctx.graph.by_key[key]
        net, rule = name(ctx.graph.local(node, "net_" + node.meta["neuron"])), formula(node, ctx.graph)
        return (f"You entered {net} as {name(key)}: the output is the activation of the net "
                f"input, {rule}.",
                f"你把 {net} 当成了 {name(key)}：输出是净输入经过激活函数后的值，{rule}。")


class TargetEnteredForOut(NearMiss):
    """An output neuron's target entered as its output."""

    key = "target_entered_for_out"
    label = {"en": "target entered for out", "zh": "把目标值当成了 out"}
    message = {"en": "You entered the target as the output: out is what the network computes.",
               "zh": "你把目标值当成了输出：out 是网络算出来的值。"}

    def options(self, ctx: MistakeContext, key: str, world: dict[str, float]) -> Iterator[Option]:
        node = _node(ctx, key)
        if node is not None and node.kind == "out" and f"target_{node.meta['neuron']}" in world:
            yield world[f"target_{node.meta['neuron']}"], {}

    def render(self, ctx: MistakeContext, key: str, params: dict[str, Any]) -> tuple[str, str]:
        target = name("target_" + ctx.graph.by_key[key].meta["neuron"])
        rule = formula(ctx.graph.by_key[key], ctx.graph)
        return (f"You entered {target} as {name(key)}: the target is the value the output "
                f"should reach; the output itself is computed, {rule}.",
                f"你把 {target} 当成了 {name(key)}：目标值是输出应当达到的值，输出本身要计算，{rule}。")


class MissingChainFactor(NearMiss):
    """A product of the chain rule with one factor left out (the cases no other model names)."""

    key = "missing_chain_factor"
    label = {"en": "a chain-rule factor left out", "zh": "漏掉了链式法则中的一个因子"}
    message = {"en": "A factor of the chain rule is missing.", "zh": "链式法则中漏掉了一个因子。"}

    def options(self, ctx: MistakeContext, key: str, world: dict[str, float]) -> Iterator[Option]:
        node = _node(ctx, key)
        if node is None:
            return
        if node.kind == "delta" and node.meta.get("activation") != "softmax":
            # without ∂out/∂net is forgot_activation_derivative's; this is without ∂E/∂out
            yield world[node.inputs[1]], {"missing": [node.inputs[0]]}
        elif node.kind == "dE_dw":
            # without the source is delta_for_weight_gradient's; this is without δ
            yield world[node.inputs[1]], {"missing": [node.inputs[0]]}
            delta = ctx.graph.by_key.get(node.inputs[0])
            if delta is not None and delta.meta.get("activation") != "softmax":
                # δ written out as ∂E/∂out · ∂out/∂net, without ∂E/∂out
                yield world[delta.inputs[1]] * world[node.inputs[1]], {"missing": [delta.inputs[0]]}
        elif node.kind == "dE_dout_hidden" and node.meta["paths"]:
            paths = node.meta["paths"]
            local = ctx.graph.local
            yield math.fsum(world[local(node, d)] for d, _ in paths), {"missing": [local(node, w) for _, w in paths]}

    def render(self, ctx: MistakeContext, key: str, params: dict[str, Any]) -> tuple[str, str]:
        missing = ", ".join(name(k) for k in params["missing"])
        rule = formula(ctx.graph.by_key[key], ctx.graph)
        return (f"A chain-rule factor is missing: {rule}, and your value leaves out {missing}.",
                f"漏掉了链式法则中的因子：{rule}，你的结果少了 {missing}。")


def _round_sig(value: float, figures: int) -> float:
    """`value` rounded to `figures` significant figures (nan stays nan)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{figures - 1}e}")


def _trunc_sig(value: float, figures: int) -> float:
    """`value` cut after `figures` significant figures, by its decimal digits (no overflow)."""
    if value == 0 or not math.isfinite(value):
        return value
    mantissa, exponent = f"{value:.{figures + 2}e}".split("e")
    return float(mantissa[: mantissa.index(".") + figures] + "e" + exponent)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)


def _needed(tolerance: Tolerance) -> tuple[str, str]:
    if tolerance.kind == "sigfigs":
        return (f"at least {tolerance.value} significant figures", f"至少 {tolerance.value} 位有效数字")
    if tolerance.kind == "decimals":
        return (f"at least {tolerance.value} decimal places", f"至少 {tolerance.value} 位小数")
    return ("more digits", "更多位数")


class TooFewDigits(Mistake):
    """The right value (from the reference or the student's own earlier answers), written with
    too few significant figures."""

    key = "too_few_digits"
    label = {"en": "too few digits", "zh": "位数太少"}
    message = {"en": "Your value is right but written with too few digits.",
               "zh": "你的结果是对的，但写的位数太少。"}
    in_degeneracy_check = False
    uses_static = False
    figures = range(2, 6)

    def static_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        return [_round_sig(ctx.reference[key], f) for f in self.figures[:2]]

    def match(self, ctx: MistakeContext, key: str, value: float, tolerance: Tolerance,
              static: Iterable[float], own_inputs: bool) -> Diagnosis | None:
        node, expected = ctx.graph.by_key[key], ctx.reference[key]
        if "param" in node.meta and _same(value, ctx.reference[ctx.graph.local(node, node.meta["param"])]):
            return None  # an update's own parameter, unchanged: other_quantity says so
        targets = [(expected, False)]
        if own_inputs:
            targets.append((run_node(node, [ctx.student_world[k] for k in node.inputs]), True))
        for target, own in targets:
            for figures in self.figures:
                # cutting after two figures agrees with too many other slips; rounding is tried there
                shortened_values = [_round_sig(target, figures)] + ([_trunc_sig(target, figures)] if figures > 2 else [])
                for shortened in shortened_values:
                    if _same(value, shortened) and distinct(shortened, expected, tolerance):
                        return self._diagnosis(key, value, figures, own, tolerance)
        return None

    def _diagnosis(self, key: str, value: float, figures: int, own: bool,
                   tolerance: Tolerance) -> Diagnosis:
        need_en, need_zh = _needed(tolerance)
        whose_en = " from your own earlier answers" if own else ""
        whose_zh = "（按你前面的答案算出的值）" if own else ""
        return Diagnosis(self.key, {
            "en": f"Your {name(key)} = {number(value)} is the right value{whose_en} rounded to "
                  f"{figures} significant figure{'s' if figures > 1 else ''}: too few digits. "
                  f"Give {need_en}.",
            "zh": f"你的 {name(key)} = {number(value)} 是正确的值{whose_zh}四舍五入到 {figures} "
                  f"位有效数字的结果，位数太少。请写{need_zh}。",
        })


_ROUNDINGS = (("decimals", 2), ("decimals", 3), ("sigfigs", 2), ("sigfigs", 3))


def _rounded(value: float, mode: tuple[str, int]) -> float:
    return round(value, mode[1]) if mode[0] == "decimals" else _round_sig(value, mode[1])


class RoundedTooEarly(Mistake):
    """Intermediates rounded before being used downstream: one input, every input, or every
    intermediate all the way up (the student may have typed only the last answer)."""

    key = "rounded_too_early"
    label = {"en": "rounded too early", "zh": "过早四舍五入"}
    message = {
        "en": "Your value matches a calculation whose intermediate results were rounded too "
              "early; keep at least 4–6 significant figures until the final answer.",
        "zh": "你的结果与过早对中间结果四舍五入的计算一致；在得出最终答案之前，中间结果至少保留 4–6 位有效数字。",
    }
    in_degeneracy_check = False  # a fallback: it only explains what nothing else does
    uses_static = False

    def static_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        node = ctx.graph.by_key.get(key)
        if node is None:
            return []
        return [run_node(node, [_rounded(ctx.reference[k], m) for k in node.inputs]) for m in _ROUNDINGS[:2]]

    def _rounded_world(self, ctx: MistakeContext, mode: tuple[str, int]) -> dict[str, float]:
        """Every quantity the student did not answer, computed from rounded inputs and rounded."""
        memo_key = (self.key, mode)
        world = ctx.memo.get(memo_key)
        if world is None:
            world = dict(ctx.givens)
            for node in ctx.graph.nodes:
                own = ctx.answers.get(node.key)
                world[node.key] = own if own is not None else _rounded(
                    run_node(node, [world[k] for k in node.inputs]), mode)
            ctx.memo[memo_key] = world
        return world

    def _ways(self, ctx: MistakeContext, node: Node) -> Iterator[tuple[dict[str, float], tuple]]:
        """The node's inputs as a student who rounded would have used them (only those that
        differ from the student's world), with the rounding mode."""
        base = ctx.student_world
        own = [k for k in dict.fromkeys(node.inputs) if k not in ctx.givens]
        for mode in _ROUNDINGS:
            for k in own:
                yield {k: _rounded(base[k], mode)}, mode
        for mode in _ROUNDINGS:
            yield {k: _rounded(base[k], mode) for k in own}, mode
        for mode in _ROUNDINGS:
            world = self._rounded_world(ctx, mode)
            yield {k: world[k] for k in own}, mode

    def match(self, ctx: MistakeContext, key: str, value: float, tolerance: Tolerance,
              static: Iterable[float], own_inputs: bool) -> Diagnosis | None:
        node, expected = ctx.graph.by_key[key], ctx.reference[key]
        exact = ctx.student_world
        for changed, mode in self._ways(ctx, node):
            used = [k for k, v in changed.items() if not _same(v, exact[k])]
            if not used or any(changed[k] == 0 for k in used):
                continue  # nothing rounded, or a value rounded away to 0 (an unchanged update says more)
            candidate = run_node(node, [changed.get(k, exact[k]) for k in node.inputs])
            if distinct(candidate, expected, tolerance) and within(value, candidate, tolerance):
                return self._diagnosis(used, changed, mode)
        return None

    def _diagnosis(self, used: list[str], world: dict[str, float], mode: tuple[str, int]) -> Diagnosis:
        shown = [f"{name(k)} to {number(world[k])}" for k in used[:4]]
        shown_zh = [f"{name(k)} 舍入为 {number(world[k])}" for k in used[:4]]
        more = len(used) > 4
        how_en = f"{mode[1]} decimal places" if mode[0] == "decimals" else f"{mode[1]} significant figures"
        how_zh = f"{mode[1]} 位小数" if mode[0] == "decimals" else f"{mode[1]} 位有效数字"
        return Diagnosis(self.key, {
            "en": f"Rounded too early: your value matches the calculation with "
                  f"{', '.join(shown)}{', …' if more else ''} (rounded to {how_en}) before use. "
                  "Keep at least 4–6 significant figures until the final answer.",
            "zh": f"过早四舍五入：你的结果与先把 {'、'.join(shown_zh)}{'……' if more else ''}"
                  f"（保留 {how_zh})再计算的结果一致。在得出最终答案之前，中间结果至少保留 4–6 位有效数字。",
        })


def _loose_bound(tolerance: Tolerance) -> tuple[float, float]:
    """(scale, floor) with allowed_error(c, tolerance) ≤ scale·|c| + floor for every c."""
    kind, value = tolerance.kind, tolerance.value
    if kind == "sigfigs":
        return 1.01 * 10.0 ** (1 - value), 1e-11
    if kind == "relative":
        return 1.01 * value, 1e-11
    return 0.0, 1.01 * (value if kind == "absolute" else 10.0 ** -value) + 1e-11


class OtherQuantity(Mistake):
    """The answer is the value of some other given or quantity of the network."""

    key = "other_quantity"
    label = {"en": "another quantity entered", "zh": "填了另一个量"}
    message = {"en": "Your value is that of another quantity of this network.",
               "zh": "你的结果是这个网络中另一个量的值。"}
    in_degeneracy_check = False
    uses_static = False

    @staticmethod
    def _others(ctx: MistakeContext, key: str) -> list[str]:
        # computed quantities only: the givens lie on a coarse grid that round answers often hit;
        # of those, only an update's own parameter (the update left out) is a likely slip
        node = ctx.graph.by_key[key]
        own = [ctx.graph.local(node, node.meta["param"])] if "param" in node.meta else []
        return [n.key for n in ctx.graph.nodes if n.key != key] + own

    def static_candidates(self, ctx: MistakeContext, key: str) -> Iterable[float]:
        return [ctx.reference[k] for k in self._others(ctx, key)]

    def match(self, ctx: MistakeContext, key: str, value: float, tolerance: Tolerance,
              static: Iterable[float], own_inputs: bool) -> Diagnosis | None:
        expected, node = ctx.reference[key], ctx.graph.by_key[key]
        scale, floor = _loose_bound(tolerance)
        for other in self._others(ctx, key):
            candidate = ctx.reference[other]
            if abs(value - candidate) > scale * abs(candidate) + floor:
                continue  # beyond any error the tolerance allows: skip the exact test
            if within(value, candidate, tolerance) and distinct(candidate, expected, tolerance):
                rule = formula(node, ctx.graph)
                if "param" in node.meta and other == ctx.graph.local(node, node.meta["param"]):
                    return Diagnosis(self.key, {
                        "en": f"Your value is {name(other)} itself, not updated: {rule}.",
                        "zh": f"你填的是 {name(other)} 本身，没有更新：{rule}。",
                    })
                return Diagnosis(self.key, {
                    "en": f"Your value is that of {name(other)}, another quantity of this network; "
                          f"this box asks for {name(key)}: {rule}.",
                    "zh": f"你填的是网络中另一个量 {name(other)} 的值；这里要填的是 {name(key)}：{rule}。",
                })
        return None
