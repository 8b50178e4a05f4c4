"""Quantities and their local formulas as plain text in the practice page's notation.

The page writes net_h1 as net with subscript h1, δ_o1 as ∂E_total/∂net_o1, ∂E_total/∂w5 and the
updated w5 as w5⁺ (exercises' `notation` filter); feedback sentences use the same names with
the subscripts written after an underscore, and a deep hidden neuron h1_3 as h1,3.
"""

from __future__ import annotations

from graders.graph import Graph, Node, training_step_of
from graders.spec import Architecture

PARTIAL = "\u2202"  # ∂
PLUS = "\u207a"  # superscript +
E_TOTAL = "E_total"
_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def neuron(name: str) -> str:
    """h1 stays h1; a deep hidden neuron h2_3 (layer 2, neuron 3) is h2,3."""
    return name.replace("_", ",") if "_" in name else name


def step_mark(t: int) -> str:
    """The superscript of training step t: ⁽²⁾."""
    return f"\u207d{str(t).translate(_SUPERSCRIPT)}\u207e"


def _step_name(key: str, t: int) -> str:
    """A quantity of training step t > 1: out_o1⁽²⁾, ∂E_total⁽²⁾/∂w5, w5⁺⁺ (updated twice)."""
    mark = step_mark(t)
    if key.endswith("_new"):
        return (E_TOTAL if key == "E_total_new" else key[:-4]) + PLUS * t
    return _derivative_name(key, mark) or name(key) + mark


def _derivative_name(key: str, mark: str) -> str | None:
    """A derivative's name, its step's mark on every quantity of that step (not on a weight or
    bias); None when the key is no derivative."""
    if key.startswith("dE_dout_"):
        return f"{PARTIAL}{E_TOTAL}{mark}/{PARTIAL}out_{neuron(key[8:])}{mark}"
    if key.startswith("dout_dnet_"):
        n = neuron(key[10:])
        return f"{PARTIAL}out_{n}{mark}/{PARTIAL}net_{n}{mark}"
    if key.startswith("delta_"):
        return f"{PARTIAL}{E_TOTAL}{mark}/{PARTIAL}net_{neuron(key[6:])}{mark}"
    if key.startswith("dE_d"):
        return f"{PARTIAL}{E_TOTAL}{mark}/{PARTIAL}{key[4:]}"
    return None


def name(key: str) -> str:
    """A given or a quantity as the page names it: dE_dw5 → ∂E_total/∂w5, w5_new → w5⁺;
    training step 2's s2_out_o1 → out_o1⁽²⁾, s2_w5_new → w5⁺⁺."""
    t, base = training_step_of(key)
    if t > 1:
        return _step_name(base, t)
    for prefix in ("net_", "out_", "target_"):
        if key.startswith(prefix):
            return f"{prefix}{neuron(key[len(prefix):])}"
    if key == "E_total_new":
        return E_TOTAL + PLUS
    if key == "E_total":
        return E_TOTAL
    if key.startswith("E_"):
        return f"E_{neuron(key[2:])}"
    derivative = _derivative_name(key, "")
    if derivative is not None:
        return derivative
    if key.endswith("_new"):
        return key[:-4] + PLUS
    if key == "eta":
        return "\u03b7"
    return key


def _activation(act: str, net: str) -> str:
    return {
        "sigmoid": f"1/(1 + e^(−{net}))",
        "tanh": f"tanh({net})",
        "relu": f"max(0, {net})",
        "linear": net,
    }.get(act, net)


def _loss_term(loss: str, t: str, o: str, size: int) -> str:
    return {
        "half_sse": f"½·({t} − {o})²",
        "mse": f"({t} − {o})²/{size}",
        "bce": f"−({t}·ln({o}) + (1 − {t})·ln(1 − {o}))",
        "ce": f"−{t}·ln({o})",
    }.get(loss, "?")


def _loss_grad(loss: str, t: str, o: str, size: int) -> str:
    return {
        "half_sse": f"−({t} − {o})",
        "mse": f"−2·({t} − {o})/{size}",
        "bce": f"−{t}/{o} + (1 − {t})/(1 − {o})",
        "ce": f"−{t}/{o}",
    }.get(loss, "?")


def _derivative(act: str, net: str, out: str) -> str:
    return {
        "sigmoid": f"{out}·(1 − {out})",
        "tanh": f"1 − {out}²",
        "relu": f"1 if {net} > 0, else 0",
        "linear": "1",
    }.get(act, "?")


def right_side(node: Node, graph: Graph) -> str:
    """The node's local rule in named quantities, e.g. ∂E_total/∂net_o1 · out_h1."""
    arch: Architecture = graph.arch
    kind, meta, inputs = node.kind, node.meta, node.inputs
    size = arch.layers[-1]

    def at(key: str) -> str:  # a step-1 key, named as this node's training step reads it
        return name(graph.local(node, key))

    if kind == "net":
        terms = [f"{at(w)}·{at(x)}" for w, x in zip(meta["weights"], meta["sources"])]
        return " + ".join(terms + ([at(meta["bias"])] if meta.get("bias") else []))
    if kind == "out" and meta.get("activation") == "softmax":
        nets = [name(k) for k in inputs]
        own = at("net_" + meta["neuron"])
        return f"e^({own}) / (" + " + ".join(f"e^({n})" for n in nets) + ")"
    if kind == "out":
        return _activation(meta.get("activation", ""), name(inputs[0]))
    if kind == "E_o":
        return _loss_term(arch.loss, name(inputs[0]), name(inputs[1]), size)
    if kind in ("E_total", "dE_db"):
        return " + ".join(name(k) for k in inputs)
    if kind == "dE_dout":
        return _loss_grad(arch.loss, name(inputs[0]), name(inputs[1]), size)
    if kind == "dout_dnet":
        return _derivative(meta.get("activation", ""), name(inputs[0]), name(inputs[1]))
    if kind == "delta" and meta.get("activation") == "softmax":
        k = meta["neuron"]
        outs = [training_step_of(key)[1] for key in inputs if training_step_of(key)[1].startswith("out_")]
        return " + ".join(f"{at('dE_d' + o)}·{PARTIAL}{at(o)}/{PARTIAL}{at('net_' + k)}" for o in outs)
    if kind in ("delta", "dE_dw"):
        return f"{name(inputs[0])} · {name(inputs[1])}"
    if kind == "dE_dout_hidden":
        return " + ".join(f"{at(d)}·{at(w)}" for d, w in meta["paths"])
    if kind in ("w_new", "b_new"):
        p = meta["param"]
        return f"{at(p)} − η·{at('dE_d' + p)}"
    if kind == "E_total_new":
        trained = [k for k in inputs if k.endswith("_new")]
        shown = [name(k) for k in trained[:2]] + (["…"] if len(trained) > 3 else []) + \
            [name(k) for k in trained[2:][-1:]]
        return f"{E_TOTAL} ({', '.join(shown)})"
    return "?"


def formula(node: Node, graph: Graph) -> str:
    """`name = right side`, e.g. ∂E_total/∂w5 = ∂E_total/∂net_o1 · out_h1."""
    return f"{name(node.key)} = {right_side(node, graph)}"
