"""The computation graph of one network architecture: every named quantity as a node.

Each node states which named values it reads and the local rule that turns them into its
value. The graph is built once per architecture (and per set of rules) and cached; a variant's
numbers flow through it in topological order. Follow-through credit and mistake diagnosis both
re-run single nodes on other inputs, so dependencies come from the computation itself.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable

from graders.activations import ACTIVATIONS, Activation, softmax, softmax_jacobian
from graders.losses import LOSSES, Loss
from graders.spec import Architecture

STEPS = ("forward", "error", "output_gradients", "hidden_gradients", "updates")


class Rules:
    """The correct local rules of backpropagation; a misconception overrides one of them."""

    def relevant(self, arch: Architecture) -> bool:
        """Whether these rules can differ from the correct ones in the architecture."""
        return True

    def source_key(self, out_key: str, net_key: str) -> str:
        """A neuron passes its output (not its net input) to the next layer."""
        return out_key

    def net(self, weighted: list[tuple[float, float]], bias: float) -> float:
        """net = Σ w·x + b."""
        return math.fsum(w * x for w, x in weighted) + bias

    def dout_dnet(self, act: Activation, net: float, out: float) -> float:
        """∂out/∂net by the activation's own derivative rule."""
        return act.derivative(net, out)

    def loss_term(self, loss: Loss, t: float, o: float, k: int) -> float:
        """E_o by the loss's own formula."""
        return loss.term(t, o, k)

    def loss_grad(self, loss: Loss, t: float, o: float, k: int) -> float:
        """∂E_total/∂out_o by the loss's own derivative."""
        return loss.grad(t, o, k)

    def delta(self, de_dout: float, dout_dnet: float) -> float:
        """δ = ∂E/∂out · ∂out/∂net."""
        return de_dout * dout_dnet

    def softmax_delta(self, de_douts: list[float], outs: list[float], k: int) -> float:
        """δ_k = Σ_j ∂E/∂out_j · ∂out_j/∂net_k through the softmax Jacobian."""
        return math.fsum(g * softmax_jacobian(outs, j, k) for j, g in enumerate(de_douts))

    def hidden_paths(self, paths: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """∂E/∂out_h sums δ·w over every path from h to the outputs, with the old weights."""
        return paths

    def weight_grad(self, delta: float, source: float) -> float:
        """∂E/∂w = δ_destination · out_source."""
        return delta * source

    def bias_grad(self, deltas: list[float]) -> float:
        """∂E/∂b = Σ δ over the neurons the bias feeds."""
        return math.fsum(deltas)

    def update(self, value: float, grad: float, eta: float) -> float:
        """Gradient descent: w ← w − η·∂E/∂w."""
        return value - eta * grad


RULES = Rules()


@dataclass(frozen=True)
class Node:
    """A named quantity: value = fn(*values of inputs)."""

    key: str
    step: str
    kind: str
    inputs: tuple[str, ...]
    fn: Callable[..., float]
    meta: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class PartInfo:
    """A quantity a student can be asked for, and the step it belongs to."""

    key: str
    step: str
    kind: str
    iteration: int = 1  # the training step it belongs to (1 unless the spec asks several)

    @property
    def section(self) -> str:
        """Where a page lists it: its step, in training step 2 "s2_<step>" (s2_forward)."""
        return section_name(self.step, self.iteration)


def section_name(step: str, iteration: int) -> str:
    """A step of training step t as pages group it: forward, then s2_forward, s2_error…"""
    return step if iteration <= 1 else f"s{iteration}_{step}"


def training_step_of(key: str) -> tuple[int, str]:
    """A quantity key's training step and its key in step 1: s2_net_h1 → (2, net_h1)."""
    head, sep, rest = key.partition("_")
    if sep and len(head) > 1 and head[0] == "s" and head[1:].isdigit() and rest:
        return int(head[1:]), rest
    return 1, key


@lru_cache(maxsize=65536)
def key_at(arch: Architecture, t: int, key: str) -> str:
    """Where step t reads a step-1 key: its own quantities are s<t>_…, a trained parameter is the
    previous step's update (w5 in step 2 is w5_new), the other givens are shared."""
    if t <= 1:
        return key
    given = _given_keys(replace(arch, steps=1))
    if key in _trained(arch):
        return key_at(arch, t - 1, f"{key}_new")
    return key if key in given else f"s{t}_{key}"


@dataclass
class Graph:
    """Nodes in topological order for one architecture and one set of rules."""

    arch: Architecture
    nodes: list[Node]
    given_keys: tuple[str, ...]

    def __post_init__(self) -> None:
        self.by_key = {n.key: n for n in self.nodes}
        self.parts = [PartInfo(n.key, n.step, n.kind, n.meta.get("iteration", 1)) for n in self.nodes]
        self._under: dict[int, Graph] = {}

    def local(self, node: Node, key: str) -> str:
        """A step-1 key as the node's own training step names it (net_h1 → s2_net_h1 in step 2)."""
        t = node.meta.get("iteration", 1)
        return key if t == 1 else key_at(self.arch, t, key)

    def under(self, rules: Rules) -> Graph:
        """The same architecture's graph under other rules (memoised on this graph)."""
        graph = self._under.get(id(rules))
        if graph is None:
            graph = self._under[id(rules)] = build_graph(self.arch, rules)
        return graph

    def evaluate(self, givens: dict[str, float]) -> dict[str, float]:
        """All values from the givens; a node whose rule fails (log 0, overflow) is nan."""
        values = dict(givens)
        for node in self.nodes:
            values[node.key] = run_node(node, [values[k] for k in node.inputs])
        return values


def run_node(node: Node, args: list[float]) -> float:
    """Apply a node's rule; arithmetic failures become nan rather than exceptions."""
    try:
        return float(node.fn(*args))
    except (ArithmeticError, ValueError):
        return math.nan


class _Builder:
    """Emits the nodes of an architecture in teaching order."""

    def __init__(self, arch: Architecture, rules: Rules) -> None:
        self.arch, self.rules = arch, rules
        self.nodes: list[Node] = []

    def add(self, key: str, step: str, kind: str, inputs: list[str], fn: Callable, **meta) -> None:
        self.nodes.append(Node(key, step, kind, tuple(inputs), fn, meta))

    def source(self, layer: int, k: int) -> tuple[str, str]:
        """The (out, net) keys of neuron k of layer; an input is both."""
        name = self.arch.neuron(layer, k)
        return (name, name) if layer == 0 else (f"out_{name}", f"net_{name}")

    def forward(self) -> None:
        a, rules = self.arch, self.rules
        for layer in range(1, a.depth + 1):
            act = ACTIVATIONS[a.activations[layer - 1]]
            for j in range(a.layers[layer]):
                name = a.neuron(layer, j)
                ws = [a.weight_name(layer - 1, j, k) for k in range(a.layers[layer - 1])]
                xs = [rules.source_key(*self.source(layer - 1, k)) for k in range(len(ws))]
                bias = a.bias_name(layer - 1, j)
                n = len(ws)

                def net_fn(*v: float, n: int = n, has_bias: bool = bias is not None) -> float:
                    return rules.net(list(zip(v[:n], v[n : 2 * n])), v[2 * n] if has_bias else 0.0)

                self.add(f"net_{name}", "forward", "net", ws + xs + ([bias] if bias else []),
                         net_fn, layer=layer, neuron=name, weights=ws, sources=xs, bias=bias)
                if act.name != "softmax":
                    self.add(f"out_{name}", "forward", "out", [f"net_{name}"], act.forward,
                             layer=layer, neuron=name, activation=act.name)
            if act.name == "softmax":
                nets = [f"net_{a.neuron(layer, j)}" for j in range(a.layers[layer])]
                for j in range(a.layers[layer]):
                    self.add(f"out_{a.neuron(layer, j)}", "forward", "out", nets,
                             lambda *v, j=j: softmax(list(v))[j],
                             layer=layer, neuron=a.neuron(layer, j), activation="softmax")

    def error(self) -> None:
        a, rules, loss = self.arch, self.rules, LOSSES[self.arch.loss]
        size = a.layers[-1]
        for j in range(size):
            name = a.neuron(a.depth, j)
            self.add(f"E_{name}", "error", "E_o", [a.target_name(j), f"out_{name}"],
                     lambda t, o: rules.loss_term(loss, t, o, size), neuron=name)
        self.add("E_total", "error", "E_total", [f"E_{a.neuron(a.depth, j)}" for j in range(size)],
                 lambda *v: math.fsum(v))

    def output_deltas(self) -> None:
        a, rules, loss = self.arch, self.rules, LOSSES[self.arch.loss]
        act = ACTIVATIONS[a.activations[-1]]
        size, step = a.layers[-1], "output_gradients"
        names = [a.neuron(a.depth, j) for j in range(size)]
        for j, name in enumerate(names):
            self.add(f"dE_dout_{name}", step, "dE_dout", [a.target_name(j), f"out_{name}"],
                     lambda t, o: rules.loss_grad(loss, t, o, size), neuron=name, layer=a.depth)
            if act.name != "softmax":
                self.scalar_delta(name, act, step, a.depth)
        if act.name == "softmax":
            keys = [f"dE_dout_{n}" for n in names] + [f"out_{n}" for n in names]
            for k, name in enumerate(names):
                self.add(f"delta_{name}", step, "delta", keys,
                         lambda *v, k=k: rules.softmax_delta(list(v[:size]), list(v[size:]), k),
                         neuron=name, layer=a.depth, activation="softmax")

    def scalar_delta(self, name: str, act: Activation, step: str, layer: int) -> None:
        rules = self.rules
        self.add(f"dout_dnet_{name}", step, "dout_dnet", [f"net_{name}", f"out_{name}"],
                 lambda net, out: rules.dout_dnet(act, net, out), neuron=name,
                 activation=act.name, layer=layer)
        self.add(f"delta_{name}", step, "delta", [f"dE_dout_{name}", f"dout_dnet_{name}"],
                 rules.delta, neuron=name, layer=layer, activation=act.name)

    def hidden_deltas(self, layer: int) -> None:
        a, rules = self.arch, self.rules
        act = ACTIVATIONS[a.activations[layer - 1]]
        for j in range(a.layers[layer]):
            name = a.neuron(layer, j)
            paths = [(f"delta_{a.neuron(layer + 1, m)}", a.weight_name(layer, m, j))
                     for m in range(a.layers[layer + 1])]
            used = rules.hidden_paths(paths)
            inputs = [k for pair in used for k in pair]
            self.add(f"dE_dout_{name}", "hidden_gradients", "dE_dout_hidden", inputs,
                     lambda *v: math.fsum(v[i] * v[i + 1] for i in range(0, len(v), 2)),
                     neuron=name, layer=layer, paths=used)
            self.scalar_delta(name, act, "hidden_gradients", layer)

    def gradients(self, layer: int) -> None:
        """∂E/∂w and ∂E/∂b for the weights feeding `layer`."""
        a, rules = self.arch, self.rules
        step = "output_gradients" if layer == a.depth else "hidden_gradients"
        for j in range(a.layers[layer]):
            dest = a.neuron(layer, j)
            for k in range(a.layers[layer - 1]):
                w = a.weight_name(layer - 1, j, k)
                src = rules.source_key(*self.source(layer - 1, k))
                self.add(f"dE_d{w}", step, "dE_dw", [f"delta_{dest}", src], rules.weight_grad,
                         weight=w, dest=dest, source=src, layer=layer)
        if not a.train_biases:
            return
        fed: dict[str, list[str]] = {}
        for j in range(a.layers[layer]):
            fed.setdefault(a.bias_name(layer - 1, j), []).append(f"delta_{a.neuron(layer, j)}")
        for b, deltas in fed.items():
            self.add(f"dE_d{b}", step, "dE_db", deltas, lambda *v: rules.bias_grad(list(v)),
                     bias=b, layer=layer)

    def updates(self) -> None:
        a, rules = self.arch, self.rules
        trained = a.weight_names() + (a.bias_names() if a.train_biases else [])
        for p in trained:
            self.add(f"{p}_new", "updates", "w_new" if p[0] == "w" else "b_new",
                     [p, f"dE_d{p}", "eta"], rules.update, param=p)

    def build(self) -> list[Node]:
        self.forward()
        self.error()
        self.output_deltas()
        self.gradients(self.arch.depth)
        for layer in range(self.arch.depth - 1, 0, -1):
            self.hidden_deltas(layer)
            self.gradients(layer)
        self.updates()
        return self.nodes


def _topological(nodes: list[Node], given: set[str]) -> list[Node]:
    """Kahn's algorithm, keeping teaching order wherever dependencies allow."""
    position = {n.key: i for i, n in enumerate(nodes)}
    waiting = {n.key: {k for k in n.inputs if k not in given} for n in nodes}
    users: dict[str, list[str]] = {}
    for n in nodes:
        for k in waiting[n.key]:
            users.setdefault(k, []).append(n.key)
    ready = [position[k] for k, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    ordered: list[Node] = []
    while ready:
        node = nodes[heapq.heappop(ready)]
        ordered.append(node)
        for user in users.get(node.key, []):
            waiting[user].discard(node.key)
            if not waiting[user]:
                heapq.heappush(ready, position[user])
    if len(ordered) != len(nodes):
        raise RuntimeError("cyclic quantity graph")
    return ordered


def _given_keys(arch: Architecture) -> tuple[str, ...]:
    """Names of every given value."""
    return tuple(
        [arch.neuron(0, k) for k in range(arch.layers[0])]
        + arch.weight_names()
        + arch.bias_names()
        + [arch.target_name(j) for j in range(arch.layers[-1])]
        + ["eta"]
    )


def _trained(arch: Architecture) -> list[str]:
    """The parameters an update changes: every weight, and the biases when they train."""
    return arch.weight_names() + (arch.bias_names() if arch.train_biases else [])


def _error_after_update(arch: Architecture, forward: list[Node]) -> Node:
    """E_total_new: the forward pass and error again, with every updated parameter."""
    trained = _trained(arch)
    fixed = [k for k in _given_keys(arch) if k not in trained]
    inputs = [f"{p}_new" for p in trained] + fixed
    names = trained + fixed

    def fn(*v: float) -> float:
        values = dict(zip(names, v))
        for node in forward:
            values[node.key] = run_node(node, [values[k] for k in node.inputs])
        return values["E_total"]

    return Node("E_total_new", "updates", "E_total_new", tuple(inputs), fn, {})


def _at_step(arch: Architecture, node: Node, t: int) -> Node:
    """A step-1 node as training step t computes it: same rule, its inputs read at step t."""
    return Node(key_at(arch, t, node.key), node.step, node.kind,
                tuple(key_at(arch, t, k) for k in node.inputs), node.fn, {**node.meta, "iteration": t})


@lru_cache(maxsize=256)
def build_graph(arch: Architecture, rules: Rules = RULES) -> Graph:
    """The graph of every quantity for an architecture under the given rules (cached).

    With several training steps, step 1 is asked without E_total_new (it is step 2's E_total)
    and each later step repeats every quantity from the previous step's updated parameters."""
    if arch.steps > 1:
        single = build_graph(replace(arch, steps=1), rules)
        *one_step, error_after = single.nodes
        nodes = list(one_step)
        for t in range(2, arch.steps + 1):
            nodes += [_at_step(arch, node, t) for node in one_step]
        return Graph(arch, nodes + [_at_step(arch, error_after, arch.steps)], single.given_keys)
    given = _given_keys(arch)
    nodes = _topological(_Builder(arch, rules).build(), set(given))
    forward = [n for n in nodes if n.step in ("forward", "error")]
    return Graph(arch, nodes + [_error_after_update(arch, forward)], given)
