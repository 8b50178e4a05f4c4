"""Safe parser for typed answers: a number or a small arithmetic formula, evaluated in floats.

User text is never executed. It is normalised, parsed with ``ast.parse(mode="eval")`` and
walked by a whitelist evaluator that knows only + - * / ** on floats, a few functions,
the given names and the constant e.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping

from .messages import answer_error_message

MAX_RAW_LENGTH = 1000  # checked before any work, so huge inputs cost microseconds
MAX_LENGTH = 200  # characters after stripping surrounding whitespace
MAX_NORMALISED_LENGTH = 400  # NFKC and "σ"→"sigmoid" may expand the text a little
MAX_DEPTH = 30  # brackets, and nesting of operations in the parsed tree


class AnswerError(ValueError):
    """An answer text that cannot be read; ``code`` is a key of ``messages.ANSWER_ERRORS``."""

    def __init__(self, code: str, params: dict | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(code, self.params)

    def __str__(self) -> str:
        return self.message("en")

    def message(self, language: str = "en") -> str:
        """The student-facing message in the language."""
        return answer_error_message(self.code, self.params, language)

    def to_dict(self) -> dict:
        """JSON-safe ``{"code": …, "params": {…}}``, as stored in a grading report."""
        return {"code": self.code, "params": dict(self.params)}


# ---------------------------------------------------------------- normalisation

# A plain decimal number; ASCII digits only (re's \d would admit other scripts' digits).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"\s*([+-]?)\s*([0-9]+),([0-9]+(?:[eE][+-]?[0-9]+)?)\s*")

# Superscripts must be handled before NFKC, which would turn "10⁻¹" into "10−1".
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")
_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789+-")

# Applied after NFKC (which already maps full-width digits, punctuation and spaces).
_REPLACEMENTS = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2010": "-",  # hyphen (NFKC's image of the non-breaking hyphen)
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash (Chinese IMEs)
        "\u00d7": "*",  # ×
        "\u00b7": "*",  # ·
        "\u22c5": "*",  # ⋅
        "\u2219": "*",  # ∙
        "\u00f7": "/",  # ÷
        "\u2215": "/",  # division slash
        "\u3002": ".",  # 。 ideographic full stop used as a decimal point
        "\u03c3": "sigmoid",  # σ
        "\u03b7": "eta",  # η
        "\u221e": "inf",  # ∞, so it is reported as not finite
    }
)

# "6.506x10^-1": an x between a number and a power of ten means multiplication.
_TIMES_TEN = re.compile(r"(?<![\w.])([0-9]+\.?[0-9]*|\.[0-9]+)\s*[xX]\s*(?=10\s*\*\*)", re.ASCII)
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")

# Printable ASCII that ast may see; "#" would start a comment and "\\" a continuation.
_ALLOWED_ASCII = frozenset(chr(c) for c in range(0x20, 0x7F)) - {"#", "\\"}


def _from_superscript(match: re.Match) -> str:
    """Superscripts become a bracketed power: ⁻¹ → ^(-1), so NFKC cannot flatten them."""
    return "^(" + match.group().translate(_FROM_SUPERSCRIPT) + ")"


def normalise(text: str) -> str:
    """Rewrite what students type (full-width, Unicode operators, ^, 。, ×10^) into plain ASCII."""
    if not text.isascii():  # ASCII needs none of the Unicode work
        text = _SUPERSCRIPT_RUN.sub(_from_superscript, text)
        text = unicodedata.normalize("NFKC", text).translate(_REPLACEMENTS)
    text = text.strip()
    comma = _DECIMAL_COMMA.fullmatch(text)
    if comma:
        # only a plain number may use a decimal comma; elsewhere commas stay illegal
        return comma.group(1) + comma.group(2) + "." + comma.group(3)
    text = text.replace("^", "**")
    if "x" in text or "X" in text:
        text = _TIMES_TEN.sub(r"\1*", text)
    return text


def _char_label(char: str) -> str:
    """A safe way to name a character in a message: the glyph only if it is visible."""
    point = f"U+{ord(char):04X}"
    if char.isprintable() and not char.isspace() and unicodedata.category(char)[0] != "C":
        return f"“{char}” {point}"
    return point


def _check_raw_characters(text: str) -> None:
    """Reject control, format, private-use, surrogate and unassigned characters."""
    if text.isprintable():
        return  # the common case: no category C characters at all
    for char in text:
        if unicodedata.category(char)[0] == "C":
            raise AnswerError("bad_characters", {"char": _char_label(char)})


def _typed_culprit(original: str, char: str) -> str:
    """The character the student typed that normalisation turned into `char`: a message names
    what was typed ("½"), not what NFKC made of it ("⁄", U+2044)."""
    for typed in original:
        if typed == char:
            return typed
        if char in unicodedata.normalize("NFKC", typed).translate(_REPLACEMENTS):
            return typed
    return char


def _check_normalised_characters(text: str, original: str = "") -> None:
    """After normalisation only printable ASCII is meaningful; anything else is reported, named
    as it was typed."""
    if not _ALLOWED_ASCII.issuperset(text):
        char = next(c for c in text if c not in _ALLOWED_ASCII)
        if char in "#\\":
            raise AnswerError("unsupported", {"what": char})
        raise AnswerError("bad_characters", {"char": _char_label(_typed_culprit(original, char))})
    for word in _WORD.findall(text):
        # keywords mean lambdas, comprehensions, conditionals, True/None…; refusing them
        # here also keeps the parser from warning about forms like "1if"
        if keyword.iskeyword(word):
            raise AnswerError("unsupported", {"what": word})


def _check_bracket_depth(text: str) -> None:
    """Refuse deep bracket nesting before the parser sees it."""
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise AnswerError("too_deep", {"max": MAX_DEPTH})
        elif char in ")]}":
            depth -= 1


def _finite_number(value: float) -> float:
    """A float literal that overflowed to inf (e.g. 1e999) is an overflow."""
    if not math.isfinite(value):
        raise AnswerError("overflow")
    return value


# ---------------------------------------------------------------- evaluation


def _sigmoid(x: float) -> float:
    """1/(1+e^-x), computed without overflowing for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _ln(x: float) -> float:
    """Natural logarithm; defined for x > 0 only."""
    if x <= 0:
        raise ValueError("ln of a non-positive number")
    return math.log(x)


def _sqrt(x: float) -> float:
    """Square root; defined for x ≥ 0 only."""
    if x < 0:
        raise ValueError("sqrt of a negative number")
    return math.sqrt(x)


FUNCTIONS: dict[str, Callable[[float], float]] = {
    "exp": math.exp,
    "ln": _ln,
    "log": _ln,  # natural log, as in the course notes
    "sqrt": _sqrt,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "abs": abs,
}
CONSTANTS: dict[str, float] = {"e": math.e}
_NON_FINITE_NAMES = frozenset({"nan", "inf", "infinity"})

_OPERATORS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "^",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Invert: "~",
    ast.Not: "not",
    ast.UAdd: "+",
    ast.USub: "-",
}


class _Evaluator:
    """Walks a parsed answer, allowing only whitelisted nodes and computing in floats."""

    def __init__(self, source: str, names: Mapping[str, float], forbidden: Collection[str]):
        self.source = source
        self.names = names
        self.forbidden = forbidden

    def segment(self, node: ast.AST) -> str:
        """The text of ``node``; the source is one line of ASCII, so offsets are indices."""
        return self.source[node.col_offset : node.end_col_offset]

    def unsupported(self, node: ast.AST) -> AnswerError:
        """An error naming the offending piece of the typed text."""
        what = self.segment(node) or type(node).__name__
        if len(what) > 40:
            what = what[:39] + "…"
        return AnswerError("unsupported", {"what": what})

    def value(self, node: ast.AST, depth: int = 0) -> float:
        """The finite float value of ``node``; raises AnswerError for anything else."""
        if depth > MAX_DEPTH:
            raise AnswerError("too_deep", {"max": MAX_DEPTH})
        if isinstance(node, ast.Constant):
            result = self.constant(node)
        elif isinstance(node, ast.Name):
            result = self.name(node)
        elif isinstance(node, ast.BinOp):
            result = self.binop(node, depth)
        elif isinstance(node, ast.UnaryOp):
            result = self.unaryop(node, depth)
        elif isinstance(node, ast.Call):
            result = self.call(node, depth)
        else:
            raise self.unsupported(node)
        if not math.isfinite(result):
            # finite operands can only produce inf/nan by overflowing
            raise AnswerError("overflow")
        return result

    def constant(self, node: ast.Constant) -> float:
        """Decimal int and float literals only: no complex, str, bool, hex or 1_000."""
        if type(node.value) not in (int, float):
            raise self.unsupported(node)
        if not _PLAIN_NUMBER.fullmatch(self.segment(node)):
            raise self.unsupported(node)
        try:
            return _finite_number(float(node.value))
        except OverflowError:
            raise AnswerError("overflow") from None

    def name(self, node: ast.Name) -> float:
        """A given value; forbidden quantities and unknown names are refused."""
        ident = node.id
        if ident in self.forbidden:
            raise AnswerError("forbidden_name", {"name": ident})
        if ident in self.names:
            value = float(self.names[ident])
            if not math.isfinite(value):
                raise AnswerError("not_finite")
            return value
        if ident in CONSTANTS:
            return CONSTANTS[ident]
        if ident.lower() in _NON_FINITE_NAMES:
            raise AnswerError("not_finite")
        if ident.lower() in FUNCTIONS:
            raise AnswerError("unsupported", {"what": ident})  # a function without "(…)"
        raise AnswerError("unknown_name", {"name": ident})

    def binop(self, node: ast.BinOp, depth: int) -> float:
        """+ - * / ** on floats; division by zero and complex powers are domain errors."""
        op = type(node.op)
        if op not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow):
            raise AnswerError("unsupported", {"what": _OPERATORS.get(op, type(node.op).__name__)})
        left = self.value(node.left, depth + 1)
        right = self.value(node.right, depth + 1)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            if right == 0:
                raise AnswerError("domain", {"operation": "/"})
            return left / right
        try:
            return math.pow(left, right)
        except OverflowError:
            raise AnswerError("overflow") from None
        except ValueError:  # 0^-1, (-8)^(1/3)
            raise AnswerError("domain", {"operation": "^"}) from None

    def unaryop(self, node: ast.UnaryOp, depth: int) -> float:
        """Unary + and - only."""
        if isinstance(node.op, ast.USub):
            return -self.value(node.operand, depth + 1)
        if isinstance(node.op, ast.UAdd):
            return self.value(node.operand, depth + 1)
        raise AnswerError("unsupported", {"what": _OPERATORS.get(type(node.op), "?")})

    def call(self, node: ast.Call, depth: int) -> float:
        """A whitelisted function of exactly one positional argument."""
        if not isinstance(node.func, ast.Name):
            raise self.unsupported(node)
        if node.func.id.lower() not in FUNCTIONS:
            raise AnswerError("unsupported", {"what": node.func.id})
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise self.unsupported(node)
        name = node.func.id.lower()
        argument = self.value(node.args[0], depth + 1)
        try:
            return FUNCTIONS[name](argument)
        except OverflowError:
            raise AnswerError("overflow") from None
        except ValueError:
            raise AnswerError("domain", {"operation": name}) from None


# ---------------------------------------------------------------- public entry point


def parse_answer(
    text: str,
    names: Mapping[str, float] | None = None,
    forbidden: Collection[str] = (),
) -> float:
    """The finite float value of an answer text; anything unreadable raises AnswerError."""
    if text is None:
        raise AnswerError("empty")
    if not isinstance(text, str):
        raise AnswerError("syntax")
    if len(text) > MAX_RAW_LENGTH:
        raise AnswerError("too_long", {"max": MAX_LENGTH})
    stripped = text.strip()
    if not stripped:
        raise AnswerError("empty")
    if len(stripped) > MAX_LENGTH:
        raise AnswerError("too_long", {"max": MAX_LENGTH})
    if _PLAIN_NUMBER.fullmatch(stripped):
        # fast path: most answers are plain numbers
        return _finite_number(float(stripped))
    _check_raw_characters(stripped)
    source = normalise(stripped)
    if not source:
        raise AnswerError("empty")
    if len(source) > MAX_NORMALISED_LENGTH:
        raise AnswerError("too_long", {"max": MAX_LENGTH})
    if _PLAIN_NUMBER.fullmatch(source):
        return _finite_number(float(source))
    _check_normalised_characters(source, stripped)
    _check_bracket_depth(source)
    return _evaluate(source, names or {}, forbidden)


def _evaluate(source: str, names: Mapping[str, float], forbidden: Collection[str]) -> float:
    """Parse the normalised ASCII text and evaluate it with the whitelist evaluator."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        raise AnswerError("syntax") from None
    except (RecursionError, MemoryError):
        raise AnswerError("too_deep", {"max": MAX_DEPTH}) from None
    except OverflowError:
        raise AnswerError("overflow") from None
    evaluator = _Evaluator(source, names, forbidden)
    try:
        return evaluator.value(tree.body)
    except RecursionError:
        raise AnswerError("too_deep", {"max": MAX_DEPTH}) from None
