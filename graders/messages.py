"""Student-facing messages for answers the parser rejects, in English and Simplified Chinese."""

from __future__ import annotations

from collections.abc import Mapping

# Each code maps to templates with ``{param}`` placeholders; the parameters each code
# receives from ``graders.parsing`` are listed beside it.
ANSWER_ERRORS: dict[str, dict[str, str]] = {
    # no params
    "empty": {
        "en": "Please enter an answer.",
        "zh": "请输入答案。",
    },
    # max: the character limit
    "too_long": {
        "en": "The answer is too long: use at most {max} characters.",
        "zh": "答案太长：最多只能输入 {max} 个字符。",
    },
    # max: the nesting limit
    "too_deep": {
        "en": "The expression is nested too deeply: use at most {max} levels of brackets and operations.",
        "zh": "表达式嵌套太深：括号和运算最多只能有 {max} 层。",
    },
    # no params
    "syntax": {
        "en": "This cannot be read as a number or a formula. Write, for example, 0.6506, "
        "6.506e-1, 6.506×10^-1 or 1/(1+exp(-0.3775)).",
        "zh": "无法识别为数字或算式。请写成例如 0.6506、6.506e-1、6.506×10^-1 或 1/(1+exp(-0.3775))。",
    },
    # name: the unknown name as typed
    "unknown_name": {
        "en": "Unknown name “{name}”: only the values given in this exercise (such as i1, "
        "w1, b1) and the constant e may be used.",
        "zh": "未知名称“{name}”：只能使用本题给出的量（如 i1、w1、b1）和常数 e。",
    },
    # name: the quantity the exercise asks for
    "forbidden_name": {
        "en": "“{name}” is a value this exercise asks you to compute, so it cannot be used "
        "in an answer. Use its numeric value or the given values instead.",
        "zh": "“{name}”是本题要求计算的量，不能在答案中使用。请改用它的数值或题目给出的量。",
    },
    # what: the operator, function or piece of text that is not allowed
    "unsupported": {
        "en": "“{what}” is not allowed. Use numbers, + − × ÷ ^, brackets and the functions "
        "exp, ln, sqrt, tanh, sigmoid and abs.",
        "zh": "不允许使用“{what}”。只能使用数字、+ − × ÷ ^、括号以及函数 exp、ln、sqrt、tanh、sigmoid 和 abs。",
    },
    # no params
    "not_finite": {
        "en": "The answer must be a finite number, not NaN or infinity.",
        "zh": "答案必须是有限的数，不能是 NaN 或无穷大。",
    },
    # no params
    "overflow": {
        "en": "The number is too large to compute. Check the exponent.",
        "zh": "数值太大，无法计算。请检查指数。",
    },
    # operation: "ln", "log", "sqrt", "/" or "^"
    "domain": {
        "en": "“{operation}” is undefined here: ln and log need a positive number, sqrt a "
        "non-negative one, a divisor must not be zero, and a negative base needs a "
        "whole-number power.",
        "zh": "“{operation}”在此处无定义：ln 和 log 的参数必须为正数，sqrt 的参数不能为负数，"
        "除数不能为零，负数的底只能取整数次幂。",
    },
    # char: the character shown (if printable) with its code point, e.g. “е” U+0435
    "bad_characters": {
        "en": "The answer contains a character that cannot be used: {char}. Type the answer "
        "with ordinary digits, letters and operators.",
        "zh": "答案包含不能使用的字符：{char}。请用普通的数字、字母和运算符输入。",
    },
}

LANGUAGES = ("en", "zh")

# Used only if a caller passes a code this table does not know; never shown a raw KeyError.
_FALLBACK = {
    "en": "This answer cannot be accepted ({code}).",
    "zh": "无法接受此答案（{code}）。",
}


class _KeepMissing(dict):
    """Formatting params that leave an unknown ``{placeholder}`` visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _language(language: str) -> str:
    """Map "zh", "zh-hans", "zh_CN", … to "zh"; anything unknown to "en"."""
    base = (language or "en").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def answer_error_message(code: str, params: Mapping | None = None, language: str = "en") -> str:
    """The message for an answer-rejection code in the language, with params filled in."""
    templates = ANSWER_ERRORS.get(code)
    values = _KeepMissing(params or {})
    if templates is None:
        values["code"] = code
        templates = _FALLBACK
    return templates[_language(language)].format_map(values)
