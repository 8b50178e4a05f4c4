"""The grader's LaTeX read aloud, in English or Chinese: the `alttext` of each equation and the
accessible name of each answer box ("net h1", "partial E total over partial out o1").

Only the LaTeX that graders/worked.py writes is expected (\\frac, \\partial, \\mathrm, sub- and
superscripts, \\times, \\left( \\right), \\delta, \\eta, e^{…}, \\max, \\tanh, \\ln, cases); any
other command is read as its name. Pure string work, cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from graders.worked import key_tex

_STEP_MARK = re.compile(r"[(（]\s*(\d+)\s*[)）]")  # ^{(2)}: a quantity of training step 2
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|\s+|[^\\{}^_&\s]")

_WORDS = {
    "en": {
        "=": " equals ", "+": " plus ", "-": " minus ", "\\times": " times ", ">": " is greater than ",
        "partial": "partial {top} over partial {bottom}", "frac": "{top} over {bottom}",
        "power": "{base} to the power {exponent}", "squared": "{base} squared", "new": "updated {base}",
        "new_times": "{base} updated {count} times", "at_step": "{base} of step {step}",
        "\\max": "max", "\\tanh": "tanh", "\\ln": "ln", "\\delta": "delta", "\\eta": "eta",
        "cases": " is ", "case_sep": "; ", "(": " (", ")": ") ",
    },
    "zh": {
        "=": " 等于 ", "+": " 加 ", "-": " 减 ", "\\times": " 乘 ", ">": " 大于 ",
        "partial": "{top} 对 {bottom} 的偏导数", "frac": "{bottom} 分之 {top}",
        "power": "{base} 的 {exponent} 次方", "squared": "{base} 的平方", "new": "更新后的 {base}",
        "new_times": "更新 {count} 次后的 {base}", "at_step": "第 {step} 步的 {base}",
        "\\max": "max", "\\tanh": "tanh", "\\ln": "ln", "\\delta": "delta", "\\eta": "eta",
        "cases": " 为 ", "case_sep": "；", "(": "（", ")": "）",
    },
}
_WORDS_TEXT = {"en": {"for": "for", "otherwise": "otherwise"}, "zh": {"for": "当", "otherwise": "其他情况"}}


class _Reader:
    """A recursive reader of one LaTeX string into words."""

    def __init__(self, latex: str, language: str) -> None:
        self.tokens = [t for t in _TOKEN.findall(latex)]
        self.position = 0
        self.words = _WORDS[language]
        self.text_words = _WORDS_TEXT[language]

    def peek(self) -> str:
        while self.position < len(self.tokens) and self.tokens[self.position].isspace():
            self.position += 1
        return self.tokens[self.position] if self.position < len(self.tokens) else ""

    def take(self) -> str:
        token = self.peek()
        self.position += 1
        return token

    def group(self) -> str:
        """A {…} group, or a single atom."""
        if self.peek() == "{":
            self.take()
            text = self.sequence(until="}")
            self.take()
            return text
        return self.atom(self.take())

    def raw_group(self) -> str:
        """The literal text of a {…} group (\\mathrm, \\text)."""
        if self.peek() != "{":
            return self.take()
        self.take()
        depth, parts = 1, []
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            depth += {"{": 1, "}": -1}.get(token, 0)
            if depth == 0:
                break
            parts.append(token)
        return "".join(parts).strip()

    def atom(self, token: str) -> str:
        words = self.words
        if token == "\\frac":
            top, bottom = self.group(), self.group()
            if top.startswith("\\partial") or top.startswith("∂"):
                return words["partial"].format(top=top[1:].strip(), bottom=bottom[1:].strip())
            return words["frac"].format(top=top, bottom=bottom)
        if token == "\\partial":
            return "∂"
        if token in ("\\mathrm", "\\operatorname"):
            return self.raw_group()
        if token == "\\text":
            text = self.raw_group()
            return self.text_words.get(text, text)
        if token in ("\\left", "\\right"):
            return self.atom(self.take())
        if token == "\\begin":
            self.raw_group()
            return words["cases"]
        if token == "\\end":
            self.raw_group()
            return ""
        if token == "\\\\":
            return words["case_sep"]
        if token in ("\\:", "\\,", "\\;", "\\!", "&"):
            return " "
        if token in words:
            return words[token]
        if token.startswith("\\"):
            return token[1:]
        if token == "{":
            text = self.sequence(until="}")
            self.take()
            return text
        return token

    def sequence(self, until: str = "") -> str:
        parts: list[str] = []
        while self.peek() and self.peek() != until:
            token = self.take()
            if token == "_":
                subscript = self.group().strip()
                base = parts.pop() if parts else ""
                tight = len(base) == 1 and subscript[:1].isdigit()  # w1, i1; but "net h1", "E total"
                parts.append(base + ("" if tight else " ") + subscript)
                continue
            if token == "^":
                exponent = self.group()
                base = parts.pop() if parts else ""
                pluses = exponent.split()
                step = _STEP_MARK.fullmatch(exponent.strip())
                if exponent.strip() in ("+", self.words["+"].strip()):
                    parts.append(self.words["new"].format(base=base))
                elif len(pluses) > 1 and set(pluses) <= {"+", self.words["+"].strip()}:
                    parts.append(self.words["new_times"].format(base=base, count=len(pluses)))
                elif step:
                    parts.append(self.words["at_step"].format(base=base, step=step.group(1)))
                elif exponent.strip() == "2":
                    parts.append(self.words["squared"].format(base=base))
                else:
                    parts.append(self.words["power"].format(base=base, exponent=exponent.strip()))
                continue
            parts.append(self.atom(token))
        return "".join(parts)


@lru_cache(maxsize=8192)
def latex_speech(latex: str, language: str) -> str:
    """The LaTeX read aloud in "en" or "zh" (any other language code reads as English)."""
    lang = "zh" if language.lower().startswith("zh") else "en"
    text = _Reader(latex, lang).sequence()
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("（ ", "（").replace(" ）", "）").replace("( ", "(").replace(" )", ")")


def key_speech(key: str, language: str) -> str:
    """An answer key read aloud: net_h1 → "net h1", dE_dout_o1 → "partial E total over partial out o1"."""
    return latex_speech(key_tex(key), language)
