"""A small evaluator of the LaTeX the worked solutions and hints print (numbers, +, −, ×, fractions,
powers, e^x, tanh, ln, max and named symbols), written for the tests only: it reads the printed
text back into a number, independently of the code that printed it."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Mapping


def _group(text: str, start: int) -> tuple[str, int]:
    """The contents of the brace group opening at text[start] == "{", and the index after it."""
    assert text[start] == "{", text[start:]
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    raise ValueError(f"unbalanced braces in {text!r}")


def to_python(latex: str, symbols: Mapping[str, float] | None = None) -> str:
    """The LaTeX as a Python arithmetic expression; `symbols` maps LaTeX names to numbers."""
    text = latex
    for tex, value in sorted((symbols or {}).items(), key=lambda item: -len(item[0])):
        text = text.replace(tex, f"({value!r})")
    out, i = [], 0
    while i < len(text):
        if text.startswith(r"\frac", i):
            top, i = _group(text, i + 5)
            bottom, i = _group(text, i)
            out.append(f"(({to_python(top)})/({to_python(bottom)}))")
        elif text.startswith("e^{", i):
            power, i = _group(text, i + 2)
            out.append(f"exp({to_python(power)})")
        elif text.startswith("^{", i):
            power, i = _group(text, i + 1)
            out.append(f"**({to_python(power)})")
        elif text.startswith(r"\left", i):
            i += 5
        elif text.startswith(r"\right", i):
            i += 6
        elif text.startswith(r"\times", i):
            out.append("*")
            i += 6
        elif text.startswith(r"\tanh", i):
            out.append("tanh")
            i += 5
        elif text.startswith(r"\log", i) or text.startswith(r"\ln", i):
            out.append("log")
            i += 4 if text.startswith(r"\log", i) else 3
        elif text.startswith(r"\max", i):
            out.append("max")
            i += 4
        elif text[i] == "\\":
            raise ValueError(f"unknown LaTeX command at {text[i:i + 20]!r}")
        else:
            out.append({"{": "(", "}": ")"}.get(text[i], text[i]))  # a bare group: parentheses
            i += 1
    return "".join(out)


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_FUNCTIONS = {"exp": math.exp, "tanh": math.tanh, "log": math.log, "max": max}


def _value(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _value(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_value(node.left), _value(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        return float(_FUNCTIONS[node.func.id](*[_value(a) for a in node.args]))
    raise ValueError(f"not arithmetic: {ast.dump(node)}")


def evaluate(latex: str, symbols: Mapping[str, float] | None = None) -> float:
    """The number a printed form stands for (symbols replaced by the given numbers)."""
    return _value(ast.parse(to_python(latex, symbols), mode="eval"))
