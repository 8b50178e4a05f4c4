"""Worked solutions in the article's order and notation, as LaTeX and MathML.

Every quantity of the graph gets one line: the quantity, its symbolic definition (for a gradient
the chain rule with partial-derivative signs in the article's order), the definition in named
quantities, the numbers substituted, and the value, joined by "=".

Two stages keep a variant cheap:

* Per architecture (cached with ``functools.lru_cache`` on the hashable ``Architecture``), sympy
  builds each line's forms once. Numbers appear as placeholder symbols, printed as private-use
  characters (U+E000…); the whole line, placeholders included, is converted to MathML once by
  latex2mathml, where each placeholder becomes ``<mi>\\ue000</mi>``. Both are stored split around
  the placeholders.
* Per variant, the numbers are formatted (6 significant figures) and joined into the segments
  with plain string operations: no sympy and no latex2mathml calls.

A negative number is put in parentheses unless it opens an expression or a bracket, and any
number that is not a plain positive decimal is put in parentheses before a power ``^``; a number
that ``.6g`` prints with an exponent is written ``1.23 \\times 10^{-5}``. The MathML written for
a number is exactly what latex2mathml produces for the same LaTeX (the tests check this).

Notation: ``i_{1}``, ``w_{1}``, ``b_{1}``, ``\\eta``, ``\\mathrm{net}_{h1}``,
``\\mathrm{out}_{o1}``, ``\\mathrm{target}_{o1}``, ``E_{o1}``, ``E_{\\mathrm{total}}``,
``\\delta_{o1}``, updated values ``w_{6}^{+}``. A hidden neuron of a deeper network, key
``h1_3`` (layer 1, neuron 3), is written ``h_{1,3}``, e.g. ``\\mathrm{out}_{h_{1,3}}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Callable

import latex2mathml.converter
import sympy
from sympy import UnevaluatedExpr as U

from graders.graph import STEPS, Node, build_graph, key_at, section_name, training_step_of
from graders.solve import solve
from graders.spec import Architecture, Spec

E_TOTAL = r"E_{\mathrm{total}}"
_PLACEHOLDER = 0xE000  # first private-use code point; placeholder i is chr(_PLACEHOLDER + i)
_PLACEHOLDER_RE = re.compile("[\ue000-\uf8ff]")
_MML_PLACEHOLDER_RE = re.compile("<mi>([\ue000-\uf8ff])</mi>")
_LATEX_OPTIONS = {"mul_symbol": "times", "order": "none", "ln_notation": True}
# latex2mathml writes \mathrm{net} as one <mi> per letter, which a screen reader spells out.
_UPRIGHT_LETTERS_RE = re.compile(r'<mrow>((?:<mi mathvariant="normal">[A-Za-z]</mi>){2,})</mrow>')
_UPRIGHT_LETTER_RE = re.compile(r'<mi mathvariant="normal">([A-Za-z])</mi>')


def join_identifiers(mathml: str) -> str:
    """Each multi-letter upright name (net, out, total, target) as a single ``<mi>``."""
    return _UPRIGHT_LETTERS_RE.sub(lambda m: "<mi>" + "".join(_UPRIGHT_LETTER_RE.findall(m.group(1))) + "</mi>",
                                   mathml)

def latex_to_mathml(latex: str) -> str:
    """One displayed ``<math>`` for a LaTeX formula, multi-letter names as single identifiers."""
    return join_identifiers(latex2mathml.converter.convert(latex, display="block"))


# --------------------------------------------------------------------------------------------
# Public result types


@dataclass(frozen=True)
class WorkedLine:
    """One quantity: ``latex`` is ``" = ".join(forms)``; ``forms[-1]`` is the value."""

    key: str
    step: str
    value: float
    forms: list[str]
    latex: str
    mathml: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "step": self.step, "value": self.value,
                "forms": list(self.forms), "latex": self.latex, "mathml": self.mathml}


@dataclass(frozen=True)
class WorkedStep:
    """The lines of one step of graph.STEPS, in teaching order; `name` is the step, or with
    several training steps "s2_<step>" for training step 2 (`graph.section_name`)."""

    name: str
    lines: list[WorkedLine]
    iteration: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "iteration": self.iteration, "lines": [line.to_dict() for line in self.lines]}


@dataclass(frozen=True)
class WorkedSolution:
    """The worked solution of a spec, step by step."""

    spec: Spec
    steps: list[WorkedStep]

    def line(self, key: str) -> WorkedLine:
        """The line of a quantity key (KeyError if the graph has no such quantity)."""
        for step in self.steps:
            for line in step.lines:
                if line.key == key:
                    return line
        raise KeyError(key)

    @property
    def lines(self) -> list[WorkedLine]:
        """Every line in order."""
        return [line for step in self.steps for line in step.lines]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (values are finite floats)."""
        return {"steps": [step.to_dict() for step in self.steps]}


# --------------------------------------------------------------------------------------------
# Names


def neuron_tex(name: str) -> str:
    """LaTeX subscript of a neuron: ``h1`` → ``h1``; a deep hidden ``h2_3`` → ``h_{2,3}``."""
    if "_" in name:
        layer, j = name[1:].split("_")
        return f"{name[0]}_{{{layer},{j}}}"
    return name


def _partial(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def _var_tex(var: str) -> str:
    """A neuron's value (``out_h1``, ``net_o2``) or a given (``i1``, ``w6``, ``b1``) as LaTeX."""
    if var.startswith(("out_", "net_")):
        kind, neuron = var.split("_", 1)
        return rf"\mathrm{{{kind}}}_{{{neuron_tex(neuron)}}}"
    if var.startswith("target_"):
        return rf"\mathrm{{target}}_{{{neuron_tex(var[7:])}}}"
    if var == "eta":
        return r"\eta"
    return f"{var[0]}_{{{var[1:]}}}"  # i1, w6, b1


def _step_key_tex(key: str, t: int) -> str:
    """A quantity of training step t > 1: \\mathrm{out}_{o1}^{(2)}, E^{(2)} over w_5, w_{5}^{++}."""
    mark = f"^{{({t})}}"
    if key.endswith("_new"):
        return (E_TOTAL if key == "E_total_new" else _var_tex(key[:-4])) + "^{" + "+" * t + "}"
    if key.startswith("dE_dout_"):
        return _partial(E_TOTAL + mark, _var_tex("out_" + key[8:]) + mark)
    if key.startswith("dout_dnet_"):
        neuron = key[10:]
        return _partial(_var_tex("out_" + neuron) + mark, _var_tex("net_" + neuron) + mark)
    if key.startswith("dE_d"):
        return _partial(E_TOTAL + mark, _var_tex(key[4:]))
    return key_tex(key) + mark


def key_tex(key: str) -> str:
    """LaTeX of any given or quantity key; training step 2's carry ^{(2)} (updates ^{++})."""
    t, base = training_step_of(key)
    if t > 1:
        return _step_key_tex(base, t)
    if key == "E_total":
        return E_TOTAL
    if key == "E_total_new":
        return E_TOTAL + "^{+}"
    if key.startswith("E_"):
        return f"E_{{{neuron_tex(key[2:])}}}"
    if key.startswith("delta_"):
        return rf"\delta_{{{neuron_tex(key[6:])}}}"
    if key.startswith("dE_dout_"):
        return _partial(E_TOTAL, _var_tex("out_" + key[8:]))
    if key.startswith("dout_dnet_"):
        neuron = key[10:]
        return _partial(_var_tex("out_" + neuron), _var_tex("net_" + neuron))
    if key.startswith("dE_d"):
        return _partial(E_TOTAL, _var_tex(key[4:]))
    if key.endswith("_new"):
        return _var_tex(key[:-4]) + "^{+}"
    return _var_tex(key)


# --------------------------------------------------------------------------------------------
# Stage 1: symbolic line templates, built with sympy once per architecture


@dataclass(frozen=True)
class _Split:
    """Text cut around number slots: segments[0] slot[0] segments[1] … slot[-1] segments[-1]."""

    segments: tuple[str, ...]
    slots: tuple[tuple[int, int], ...]  # (placeholder index, mode)


# Slot modes: how a number that is not a plain positive decimal must be written there.
_BARE, _WRAP_NEGATIVE, _WRAP_ANY = 0, 1, 2
_OPENERS = ("(", "[", "{", ",", "=", "&", ":", r"\left(")


def _mode(text: str, start: int, end: int) -> int:
    """Parenthesize a negative after an operator; anything but a plain number before a power."""
    if text[end:].lstrip().startswith("^"):
        return _WRAP_ANY
    before = text[:start].rstrip()
    return _BARE if not before or before.endswith(_OPENERS) else _WRAP_NEGATIVE


def _split_latex(text: str) -> _Split:
    segments, slots, last = [], [], 0
    for m in _PLACEHOLDER_RE.finditer(text):
        segments.append(text[last : m.start()])
        slots.append((ord(m.group()) - _PLACEHOLDER, _mode(text, m.start(), m.end())))
        last = m.end()
    segments.append(text[last:])
    return _Split(tuple(segments), tuple(slots))


def _split_mathml(mathml: str, latex: _Split) -> _Split:
    """Cut the MathML at its placeholders, taking each slot's mode from the LaTeX."""
    segments, indices, last = [], [], 0
    for m in _MML_PLACEHOLDER_RE.finditer(mathml):
        segments.append(mathml[last : m.start()])
        indices.append(ord(m.group(1)) - _PLACEHOLDER)
        last = m.end()
    segments.append(mathml[last:])
    if indices != [index for index, _ in latex.slots] or _PLACEHOLDER_RE.search(
        "".join(segments)
    ):
        raise RuntimeError(f"latex2mathml moved a number placeholder in {mathml!r}")
    return _Split(tuple(segments), latex.slots)


@dataclass(frozen=True)
class _LineTemplate:
    key: str
    step: str
    forms: tuple[_Split, ...]
    mathml: _Split
    keys: tuple[str, ...]  # placeholder index → key of the number


class _Line:
    """Collects one line's forms as sympy expressions; numbers are placeholder symbols.
    `local` maps a step-1 key to the key the line's training step reads."""

    def __init__(self, names: dict[sympy.Symbol, str], local: Callable[[str], str] = str) -> None:
        self.names = names
        self.local = local
        self.keys: list[str] = []
        self.placeholders: dict[str, sympy.Symbol] = {}

    def num(self, key: str) -> sympy.Symbol:
        """The placeholder standing for the number of `key` in this line."""
        key = self.local(key)
        if key not in self.placeholders:
            index = len(self.keys)
            symbol = sympy.Symbol(f"_num{index}")
            self.names[symbol] = chr(_PLACEHOLDER + index)
            self.keys.append(key)
            self.placeholders[key] = symbol
        return self.placeholders[key]

    def numbers(self, expr: sympy.Expr, keys: list[str]) -> sympy.Expr:
        """`expr` with the named symbols of `keys` replaced by their numbers."""
        present = expr.free_symbols
        with sympy.evaluate(False):  # rebuild without reordering or simplifying
            return expr.xreplace({_sym(self.local(k)): self.num(k) for k in keys
                                  if _sym(self.local(k)) in present})


@lru_cache(maxsize=None)
def _sym(key: str) -> sympy.Symbol:
    return sympy.Symbol(key)


def _tex(expr: Any, names: dict[sympy.Symbol, str]) -> str:
    if isinstance(expr, str):
        return expr
    missing = [s for s in expr.free_symbols if s not in names]
    if missing:
        raise RuntimeError(f"no LaTeX name for {missing}")
    return sympy.latex(expr, symbol_names=names, **_LATEX_OPTIONS)


class _Paren(sympy.Function):
    """Parentheses sympy would not print: a negative factor or term after the first."""

    def _latex(self, printer: Any) -> str:
        return r"\left(%s\right)" % printer._print(self.args[0])


def _leads_with_minus(expr: sympy.Expr) -> bool:
    """Whether sympy prints `expr` starting with a minus sign."""
    while isinstance(expr, U):
        expr = expr.args[0]
    if expr.is_Number:
        return bool(expr < 0)
    if isinstance(expr, sympy.Mul):
        return _leads_with_minus(expr.args[0])
    return False


def _prod(*factors: sympy.Expr) -> sympy.Expr:
    """A product printed in the given order, one × between factors."""
    if len(factors) == 1:
        return factors[0]
    factors = tuple(_Paren(f) if i and _leads_with_minus(f) else f for i, f in enumerate(factors))
    return sympy.Mul(*[U(f) for f in factors], evaluate=False)


def _sum(*terms: sympy.Expr) -> sympy.Expr:
    """A sum printed in the given order."""
    if len(terms) == 1:
        return terms[0]
    return sympy.Add(terms[0], *[_paren_lead(t) for t in terms[1:]], evaluate=False)


def _paren_lead(term: sympy.Expr) -> sympy.Expr:
    """A later term of a sum that would print as "+ -x": parenthesize its leading factor."""
    if not _leads_with_minus(term):
        return term
    if isinstance(term, sympy.Mul) and all(isinstance(f, U) for f in term.args):
        first, *rest = term.args
        return sympy.Mul(U(_Paren(first.args[0])), *rest, evaluate=False)
    return _Paren(term)


def _activation(name: str, net: sympy.Symbol) -> sympy.Expr:
    with sympy.evaluate(False):
        if name == "sigmoid":
            return 1 / (1 + sympy.exp(-net))
        if name == "tanh":
            return sympy.tanh(net)
        if name == "relu":
            return sympy.Max(0, net)
        if name == "linear":
            return net
    raise ValueError(name)


def _activation_derivative(name: str, net: sympy.Symbol, out: sympy.Symbol) -> sympy.Expr:
    with sympy.evaluate(False):
        if name == "sigmoid":
            return _prod(out, 1 - out)
        if name == "tanh":
            return 1 - out**2
        if name == "relu":
            return sympy.Piecewise((1, net > 0), (0, True))
        if name == "linear":
            return sympy.Integer(1)
    raise ValueError(name)


def _loss_term(name: str, t: sympy.Symbol, o: sympy.Symbol, size: int) -> sympy.Expr:
    with sympy.evaluate(False):
        if name == "half_sse":
            return _prod(sympy.Rational(1, 2), (t - o) ** 2)
        if name == "mse":
            square = (t - o) ** 2
            return square if size == 1 else _prod(sympy.Rational(1, size), square)
        if name == "bce":
            return -(t * sympy.log(o) + (1 - t) * sympy.log(1 - o))
        if name == "ce":
            return -(t * sympy.log(o))
    raise ValueError(name)


def _loss_grad(name: str, t: sympy.Symbol, o: sympy.Symbol, size: int) -> sympy.Expr:
    with sympy.evaluate(False):
        if name == "half_sse":
            return -(t - o)
        if name == "mse":
            coef = sympy.Rational(2, size)
            return -(t - o) if coef == 1 else -(U(coef) * U(t - o))
        if name == "bce":
            return -(t / o) + (1 - t) / (1 - o)
        if name == "ce":
            return -(t / o)
    raise ValueError(name)


class _Builder:
    """Line templates of one architecture (one training step), written on its step-1 graph:
    in training step t every key is read through `local` (net_h1 → s2_net_h1, w5 → w5_new)."""

    def __init__(self, arch: Architecture, t: int = 1) -> None:
        self.arch = replace(arch, steps=1)
        self.graph = build_graph(self.arch)
        self.given = frozenset(self.graph.given_keys)
        self.local: Callable[[str], str] = lambda key: key_at(arch, t, key)
        self.nodes = {n.key: n for n in self.graph.nodes}
        self.names: dict[sympy.Symbol, str] = {}
        for key in list(self.graph.given_keys) + list(self.nodes):
            self.s(key)
        self.out_size = arch.layers[-1]

    def s(self, key: str) -> sympy.Symbol:
        key = self.local(key)
        symbol = _sym(key)
        if symbol not in self.names:
            self.names[symbol] = key_tex(key)
        return symbol

    def partial(self, top: str, bottom: str) -> sympy.Symbol:
        """A partial-derivative sign as a symbol, e.g. ∂net_o1/∂w6 (a parameter keeps its name)."""
        top, bottom = self.local(top), bottom if bottom in self.given else self.local(bottom)
        symbol = sympy.Symbol(f"d[{top}]/d[{bottom}]")
        self.names[symbol] = _partial(key_tex(top), key_tex(bottom))
        return symbol

    # -- definitions of factors in named quantities ------------------------------------------

    def definition(self, key: str) -> sympy.Expr:
        """What a factor of a chain is, in named quantities (a source is itself)."""
        node = self.nodes.get(key)
        if node is None or node.kind in ("out", "net"):
            return self.s(key)
        neuron = node.meta.get("neuron")
        if node.kind == "dE_dout":
            j = int(neuron[1:]) - 1
            return _loss_grad(self.arch.loss, self.s(self.arch.target_name(j)),
                              self.s(f"out_{neuron}"), self.out_size)
        if node.kind == "dout_dnet":
            return _activation_derivative(node.meta["activation"], self.s(f"net_{neuron}"),
                                          self.s(f"out_{neuron}"))
        if node.kind == "dE_dout_hidden":
            return _sum(*[_prod(self.s(d), self.s(w)) for d, w in node.meta["paths"]])
        return self.s(key)

    # -- one method per node kind: returns the forms after the quantity itself ------------------

    def forms(self, node: Node, line: _Line) -> list:
        kind = node.kind
        value = line.num(node.key)
        if kind == "net":
            terms = [_prod(self.s(w), self.s(x))
                     for w, x in zip(node.meta["weights"], node.meta["sources"])]
            if node.meta["bias"]:
                terms.append(self.s(node.meta["bias"]))
            names = _sum(*terms)
            return [names, line.numbers(names, list(node.inputs)), value]
        if kind == "out":
            neuron = node.meta["neuron"]
            if node.meta["activation"] == "softmax":
                with sympy.evaluate(False):
                    nets = [self.s(k) for k in node.inputs]
                    names = sympy.exp(self.s(f"net_{neuron}")) / _sum(*[sympy.exp(n)
                                                                         for n in nets])
            else:
                names = _activation(node.meta["activation"], self.s(f"net_{neuron}"))
            return [names, line.numbers(names, list(node.inputs)), value]
        if kind == "E_o":
            t, o = node.inputs
            names = _loss_term(self.arch.loss, self.s(t), self.s(o), self.out_size)
            return [names, line.numbers(names, [t, o]), value]
        if kind == "E_total":
            names = _sum(*[self.s(k) for k in node.inputs])
            return [names, line.numbers(names, list(node.inputs)), value]
        if kind in ("dE_dout", "dout_dnet"):
            names = self.definition(node.key)
            if not names.free_symbols:  # a constant such as linear's 1 is its own value
                return [names]
            return [names, line.numbers(names, list(node.inputs)), value]
        if kind == "delta":
            return self.delta_forms(node, line, value)
        if kind == "dE_dout_hidden":
            neuron = node.meta["neuron"]
            chain = _sum(*[_prod(self.partial("E_total", "net_" + d[6:]),
                                 self.partial("net_" + d[6:], f"out_{neuron}"))
                           for d, _ in node.meta["paths"]])
            names = self.definition(node.key)
            return [chain, names, line.numbers(names, list(node.inputs)), value]
        if kind == "dE_dw":
            return self.weight_forms(node, line, value)
        if kind == "dE_db":
            bias = node.meta["bias"]
            chain = _sum(*[_prod(self.partial("E_total", "net_" + d[6:]),
                                 self.partial("net_" + d[6:], bias)) for d in node.inputs])
            names = _sum(*[self.s(d) for d in node.inputs])
            return [chain, names, line.numbers(names, list(node.inputs)), value]
        if kind in ("w_new", "b_new"):
            p = node.meta["param"]
            with sympy.evaluate(False):
                names = U(self.s(p)) - U(self.s("eta")) * U(self.s(f"dE_d{p}"))
            return [names, line.numbers(names, [p, "eta", f"dE_d{p}"]), value]
        if kind == "E_total_new":
            return [value]
        raise ValueError(f"no worked form for node kind {kind!r}")

    def delta_forms(self, node: Node, line: _Line, value: sympy.Symbol) -> list:
        neuron = node.meta["neuron"]
        net, out = f"net_{neuron}", f"out_{neuron}"
        by_net = self.partial("E_total", net)
        if node.meta.get("activation") == "softmax":
            # δ_k = Σ_j ∂E/∂out_j · ∂out_j/∂net_k, ∂out_j/∂net_k = out_j (1[j=k] − out_k)
            size = self.out_size
            grads, outs = node.inputs[:size], node.inputs[size:]
            chain, names, numbers = [], [], []
            for g, o in zip(grads, outs):
                chain.append(_prod(self.s(g), self.partial(o, net)))
                with sympy.evaluate(False):
                    if o == out:
                        jac = _prod(self.s(o), 1 - self.s(o))
                        jac_num = _prod(line.num(o), 1 - line.num(o))
                    else:
                        jac = -_prod(self.s(o), self.s(out))
                        jac_num = -_prod(line.num(o), line.num(out))
                names.append(_prod(self.definition(g), jac))
                numbers.append(_prod(line.num(g), jac_num))
            return [by_net, _sum(*chain), _sum(*names), _sum(*numbers), value]
        grad, deriv = node.inputs
        chain = _prod(self.s(grad), self.s(deriv))
        names = _prod(self.definition(grad), self.definition(deriv))
        return [by_net, chain, names, _prod(line.num(grad), line.num(deriv)), value]

    def weight_forms(self, node: Node, line: _Line, value: sympy.Symbol) -> list:
        weight, dest, source = node.meta["weight"], node.meta["dest"], node.meta["source"]
        net, out = f"net_{dest}", f"out_{dest}"
        local = self.partial(net, weight)
        dout_dnet = f"dout_dnet_{dest}"
        if dout_dnet not in self.nodes:  # softmax output: go through δ = ∂E/∂net
            chain = _prod(self.partial("E_total", net), local)
            names = _prod(self.s(f"delta_{dest}"), self.s(source))
            return [chain, names, line.numbers(names, [f"delta_{dest}", source]), value]
        grad = f"dE_dout_{dest}"
        chain = _prod(self.partial("E_total", out), self.partial(out, net), local)
        names = _prod(self.definition(grad), self.definition(dout_dnet), self.s(source))
        numbers = _prod(line.num(grad), line.num(dout_dnet), line.num(source))
        return [chain, names, numbers, value]

    # -- assembly ------------------------------------------------------------------------------

    def template(self, node: Node) -> _LineTemplate:
        line = _Line(self.names, self.local)
        texts = [key_tex(self.local(node.key))]
        for expr in self.forms(node, line):
            text = _tex(expr, self.names)
            if texts[-1] == text:
                continue
            if _PLACEHOLDER_RE.fullmatch(text) and len(texts) > 1 and expr is not line.num(
                node.key
            ):
                continue  # numbers that are a single number: the value alone says it
            texts.append(text)
        forms = tuple(_split_latex(t) for t in texts)
        whole = " = ".join(texts)
        mathml = join_identifiers(latex2mathml.converter.convert(whole, display="block"))
        return _LineTemplate(self.local(node.key), node.step, forms,
                             _split_mathml(mathml, _split_latex(whole)), tuple(line.keys))


@lru_cache(maxsize=64)
def line_templates(arch: Architecture) -> tuple[_LineTemplate, ...]:
    """Every line of an architecture's worked solution, numbers left open (cached); with several
    training steps, every step's lines (E_total_new only after the last, as in the graph)."""
    if arch.steps == 1:
        builder = _Builder(arch)
        return tuple(builder.template(node) for node in builder.graph.nodes)
    keys = {node.key for node in build_graph(arch).nodes}
    lines = [line for line in line_templates(replace(arch, steps=1)) if line.key in keys]  # step 1: shared
    for t in range(2, arch.steps + 1):
        builder = _Builder(arch, t)
        lines += [builder.template(node) for node in builder.graph.nodes if builder.local(node.key) in keys]
    return tuple(lines)


# --------------------------------------------------------------------------------------------
# Stage 2: numbers, per variant (plain string work)

_MO_MINUS = "<mo>&#x02212;</mo>"
_OPEN = '<mo stretchy="true" fence="true" form="prefix">&#x00028;</mo>'
_CLOSE = '<mo stretchy="true" fence="true" form="postfix">&#x00029;</mo>'


@dataclass(frozen=True)
class _Number:
    latex: str
    mathml: str
    latex_wrapped: str
    mathml_wrapped: str
    negative: bool
    simple: bool  # a plain positive decimal

    def pick(self, mode: int, mathml: bool) -> str:
        wrap = not self.simple and (mode == _WRAP_ANY or (mode == _WRAP_NEGATIVE and self.negative))
        if mathml:
            return self.mathml_wrapped if wrap else self.mathml
        return self.latex_wrapped if wrap else self.latex


def format_number(value: float) -> _Number:
    """6 significant figures; an exponent becomes ``\\times 10^{n}``."""
    text = f"{value:.6g}"
    if text in ("-0", "0"):
        text = "0"
    negative = text.startswith("-")
    digits = text.lstrip("-")
    if "e" in digits:
        mantissa, exponent = digits.split("e")
        power = int(exponent)
        body = rf"{mantissa} \times 10^{{{power}}}"
        power_mml = (_MO_MINUS if power < 0 else "") + f"<mn>{abs(power)}</mn>"
        body_mml = (f"<mn>{mantissa}</mn><mo>&#x000D7;</mo>"
                    f"<msup><mn>10</mn><mrow>{power_mml}</mrow></msup>")
    else:
        body, body_mml = digits, f"<mn>{digits}</mn>"
    latex = ("-" if negative else "") + body
    mathml = (_MO_MINUS if negative else "") + body_mml
    return _Number(latex, mathml, rf"\left({latex}\right)", f"<mrow>{_OPEN}{mathml}{_CLOSE}</mrow>",
                   negative, not negative and "e" not in digits)


def _fill(split: _Split, numbers: list[_Number], mathml: bool) -> str:
    parts = [split.segments[0]]
    for (index, mode), segment in zip(split.slots, split.segments[1:]):
        parts.append(numbers[index].pick(mode, mathml))
        parts.append(segment)
    return "".join(parts)


def worked_solution(spec: dict | Spec) -> WorkedSolution:
    """The worked solution of a spec: every quantity as a chain of forms, step by step."""
    solution = solve(spec)
    values = solution.values
    formatted: dict[str, _Number] = {}
    arch = solution.spec.arch
    by_step: dict[tuple[int, str], list[WorkedLine]] = {
        (t, step): [] for t in range(1, arch.steps + 1) for step in STEPS}
    for template in line_templates(arch):
        numbers = []
        for key in template.keys:
            number = formatted.get(key)
            if number is None:
                number = formatted[key] = format_number(values[key])
            numbers.append(number)
        forms = [_fill(form, numbers, False) for form in template.forms]
        by_step[training_step_of(template.key)[0], template.step].append(WorkedLine(
            key=template.key, step=template.step, value=values[template.key], forms=forms,
            latex=" = ".join(forms), mathml=_fill(template.mathml, numbers, True),
        ))
    return WorkedSolution(solution.spec, [WorkedStep(section_name(step, t), lines, t)
                                          for (t, step), lines in by_step.items()])
