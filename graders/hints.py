"""Hints on demand for one part, in three levels taken from the computation graph.

1. What the part depends on: its chain-rule factors (for a gradient) or the inputs of its local
   rule, named in the page's notation, givens told apart from quantities to work out.
2. Its formula in symbols: the quantity, the chain rule, and the rule in named quantities
   (the symbolic forms of its worked-solution line), as LaTeX and MathML.
3. The same formula with numbers put in, short of the final number: the student's own value of
   each factor where they typed a readable one, the given or reference value where the caller
   allows it (givens always; earlier parts only once they are revealed), else the factor is left
   as a symbol and named as still to be worked out.

The numbers of level 3 are the factors of the worked solution's numbers line, so the hint
multiplies out to the part's value exactly when the factors are right. Like worked solutions
this module uses sympy (through `graders.worked`), imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graders.notation import name
from graders.solve import solve
from graders.spec import Spec

LEVELS = (1, 2, 3)
MAX_LEVEL = LEVELS[-1]
# Parts that get no hint: E_total after the update has no local formula short of a whole forward pass.
NO_HINT_KINDS = frozenset({"E_total_new"})


class NoHint(ValueError):
    """The part does not exist in the spec, or has no hint, or the level is not 1–3."""


@dataclass(frozen=True)
class Factor:
    """One quantity the part depends on (level 1), and at level 3 the number put in for it."""

    key: str
    name: str  # the page's notation, e.g. ∂E_total/∂out_o1
    latex: str
    given: bool  # a given of the exercise (else a quantity to work out)
    value: float | None = None  # level 3: the number put in (None: left as a symbol)
    source: str = ""  # level 3: "yours", "given", "reference" or "" (left open)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"key": self.key, "name": self.name, "latex": self.latex, "given": self.given,
                "value": self.value, "source": self.source}


@dataclass(frozen=True)
class Hint:
    """One level of a part's hint: plain text in English and Chinese, and (levels 2–3) the formula."""

    part: str
    level: int
    factors: list[Factor]
    text: dict[str, str]
    latex: str = ""
    mathml: str = ""
    missing: list[str] = field(default_factory=list)  # level 3: factors left as symbols

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"part": self.part, "level": self.level, "factors": [f.to_dict() for f in self.factors],
                "text": dict(self.text), "latex": self.latex, "mathml": self.mathml,
                "missing": list(self.missing)}


def hint_available(spec: dict | Spec, key: str) -> bool:
    """Whether the part exists and has a hint (every computed quantity except E_total⁺)."""
    node = solve(spec).graph.by_key.get(key)
    return node is not None and node.kind not in NO_HINT_KINDS


def _worked() -> Any:
    """graders.worked, imported on first use (it loads sympy)."""
    return importlib.import_module("graders.worked")


def _template(spec: dict | Spec, key: str) -> Any:
    worked = _worked()
    solution = solve(spec)
    node = solution.graph.by_key.get(key)
    if node is None or node.kind in NO_HINT_KINDS:
        raise NoHint(key)
    for template in worked.line_templates(solution.spec.arch):
        if template.key == key:
            return solution, template
    raise NoHint(key)  # pragma: no cover - every node has a line


def _factor_keys(template: Any) -> list[str]:
    """The keys whose numbers the line's numbers form puts in (the part's own value excluded)."""
    return [k for k in template.keys if k != template.key]


def _symbolic_forms(template: Any) -> list[str]:
    """The line's forms without a number: the quantity, its chain rule, its rule in names."""
    return [form.segments[0] for form in template.forms if not form.slots]


def _numbers_form(template: Any) -> Any | None:
    """The form that puts the factors' numbers in (None when the rule reads no number)."""
    own = template.keys.index(template.key) if template.key in template.keys else -1
    for form in template.forms:
        if form.slots and any(index != own for index, _ in form.slots):
            return form
    return None


def _mathml(latex: str) -> str:
    return _worked().latex_to_mathml(latex)


def _list(keys: Iterable[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(name(k) for k in keys)


def hint(spec: dict | Spec, key: str, level: int, *, typed: Mapping[str, float] | None = None,
         shown: Iterable[str] = ()) -> Hint:
    """Level 1, 2 or 3 of the hint of part `key`. `typed`: the student's readable answers (level 3
    puts them in); `shown`: earlier parts whose reference value the student may see (revealed)."""
    if level not in LEVELS:
        raise NoHint(f"level {level}")
    solution, template = _template(spec, key)
    format_number, key_tex = _worked().format_number, _worked().key_tex

    given_keys = set(solution.graph.given_keys)
    keys = _factor_keys(template)
    factors = [Factor(k, name(k), key_tex(k), k in given_keys) for k in keys]
    own = name(key)
    if level == 1:
        return Hint(key, 1, factors, _level1_text(own, factors))
    symbolic = _symbolic_forms(template)
    if level == 2:
        latex = " = ".join(symbolic)
        text = {"en": f"The formula of {own}, in symbols.", "zh": f"{own} 的公式（符号形式）。"}
        return Hint(key, 2, factors, text, latex, _mathml(latex))
    typed, allowed = typed or {}, set(shown)
    put_in: list[Factor] = []
    for f in factors:
        if f.given:
            put_in.append(Factor(f.key, f.name, f.latex, True, solution.values[f.key], "given"))
        elif f.key in typed:
            put_in.append(Factor(f.key, f.name, f.latex, False, float(typed[f.key]), "yours"))
        elif f.key in allowed:
            put_in.append(Factor(f.key, f.name, f.latex, False, solution.values[f.key], "reference"))
        else:
            put_in.append(f)
    numbers_form = _numbers_form(template)
    forms = list(symbolic)
    if numbers_form is not None:
        by_index = {}
        for index, k in enumerate(template.keys):
            f = next((f for f in put_in if f.key == k), None)
            if f is not None:
                by_index[index] = format_number(f.value) if f.value is not None else None
        parts = [numbers_form.segments[0]]
        for (index, mode), segment in zip(numbers_form.slots, numbers_form.segments[1:]):
            number = by_index.get(index)
            parts.append(number.pick(mode, False) if number is not None else key_tex(template.keys[index]))
            parts.append(segment)
        filled = "".join(parts)
        if filled not in forms:  # every factor still open: the rule in names says it already
            forms.append(filled)
    latex = " = ".join(forms)
    missing = [f.key for f in put_in if f.value is None]
    return Hint(key, 3, put_in, _level3_text(own, put_in, missing), latex, _mathml(latex), missing)


def _level1_text(own: str, factors: list[Factor]) -> dict[str, str]:
    work = [f.key for f in factors if not f.given]
    given = [f.key for f in factors if f.given]
    if not factors:
        return {"en": f"{own} depends on no other value: it is a constant of the rule.",
                "zh": f"{own} 不依赖其他值：它是规则中的常数。"}
    en = [f"{own} depends on {_list(keys_of(factors), 'en')}."]
    zh = [f"{own} 取决于 {_list(keys_of(factors), 'zh')}。"]
    if given:
        en.append(f"Given: {_list(given, 'en')}.")
        zh.append(f"已知：{_list(given, 'zh')}。")
    if work:
        en.append(f"To work out first: {_list(work, 'en')}.")
        zh.append(f"需要先算出：{_list(work, 'zh')}。")
    return {"en": " ".join(en), "zh": "".join(zh)}


def keys_of(factors: Iterable[Factor]) -> list[str]:
    """The keys of factors, in order."""
    return [f.key for f in factors]


def _level3_text(own: str, factors: list[Factor], missing: list[str]) -> dict[str, str]:
    yours = [f.key for f in factors if f.source == "yours"]
    en = [f"The formula of {own} with the numbers put in; work out the last step yourself."]
    zh = [f"代入数值后的 {own} 公式；最后一步请自己算出。"]
    if yours:
        en.append(f"Your own values: {_list(yours, 'en')}.")
        zh.append(f"使用了你自己的值：{_list(yours, 'zh')}。")
    if missing:
        en.append(f"Still to work out first: {_list(missing, 'en')}.")
        zh.append(f"还需要先算出：{_list(missing, 'zh')}。")
    return {"en": " ".join(en), "zh": "".join(zh)}
