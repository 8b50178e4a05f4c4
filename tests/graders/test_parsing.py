"""The answer parser: what students type is accepted, everything else is an AnswerError."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graders import parsing
from graders.messages import ANSWER_ERRORS, answer_error_message
from graders.parsing import MAX_DEPTH, MAX_LENGTH, AnswerError, normalise, parse_answer

# Values of the classic 2-2-2 example network.
NAMES = {
    "i1": 0.05,
    "i2": 0.10,
    "w1": 0.15,
    "w2": 0.20,
    "w3": 0.25,
    "w4": 0.30,
    "b1": 0.35,
    "b2": 0.60,
    "eta": 0.5,
    "target_o1": 0.01,
    "h1_3": 2.0,
}
FORBIDDEN = {"out_h1", "net_h1", "E_total", "dE_dw5"}
OUT_H1 = 1 / (1 + math.exp(-(0.15 * 0.05 + 0.20 * 0.10 + 0.35)))

ACCEPTED_FORMS = [
    ("0.6506", 0.6506),
    (".6506", 0.6506),
    ("6.506e-1", 0.6506),
    ("6.506E-1", 0.6506),
    ("6.506e+0", 6.506),
    ("6.506×10^-1", 0.6506),
    ("6.506x10^-1", 0.6506),
    ("6.506X10^-1", 0.6506),
    ("6.506 x 10^-1", 0.6506),
    ("6.506*10^-1", 0.6506),
    ("6.506*10**-1", 0.6506),
    ("6.506 × 10^(−1)", 0.6506),
    ("6.506×10⁻¹", 0.6506),
    ("０．６５０６", 0.6506),
    ("（０．６５０６）", 0.6506),
    ("＋０．６５０６", 0.6506),
    ("－０．６５０６", -0.6506),
    ("０。６５０６", 0.6506),
    ("0。6506", 0.6506),
    ("０，６５０６", 0.6506),
    ("0,6506", 0.6506),
    ("-0,6506", -0.6506),
    ("  0.6506  ", 0.6506),
    ("\u30000.6506\u3000", 0.6506),
    ("\n0.6506\t", 0.6506),
    ("+0.6506", 0.6506),
    ("−0.6506", -0.6506),
    ("–0.6506", -0.6506),
    ("2 × 3", 6.0),
    ("2·3", 6.0),
    ("2⋅3", 6.0),
    ("2*3", 6.0),
    ("6÷3", 2.0),
    ("6/3", 2.0),
    ("2^3", 8.0),
    ("2**3", 8.0),
    ("2³", 8.0),
    ("-2^2", -4.0),
    ("2^-1", 0.5),
    ("(1 + 2) * 3", 9.0),
    ("1 + 2 * 3", 7.0),
    ("exp(0)", 1.0),
    ("Exp(0)", 1.0),
    ("ln(e)", 1.0),
    ("log(e^2)", 2.0),
    ("sqrt(0.25)", 0.5),
    ("tanh(0)", 0.0),
    ("sigmoid(0)", 0.5),
    ("σ(0)", 0.5),
    ("abs(-0.5)", 0.5),
    ("e", math.e),
    ("η", 0.5),
    ("eta*2", 1.0),
    ("w₁", 0.15),
    ("h1_3 + 1", 3.0),
    ("1/(1+exp(-(w1*i1+w2*i2+b1)))", OUT_H1),
    ("σ(w1*i1 + w2*i2 + b1)", OUT_H1),
    ("1 ÷ （1 ＋ exp（−（0.3775）））", OUT_H1),
    ("0.5*(target_o1 - 0.75136507)^2", 0.5 * (0.01 - 0.75136507) ** 2),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED_FORMS)
def test_every_form_students_type_is_accepted_with_its_value(text: str, expected: float) -> None:
    assert parse_answer(text, NAMES, FORBIDDEN) == pytest.approx(expected, rel=1e-12)


def test_full_width_digits_from_chinese_input_are_accepted() -> None:
    assert parse_answer("０．６５０６") == 0.6506


def test_a_plain_number_is_returned_exactly_as_float_would_read_it() -> None:
    assert parse_answer("0.650556") == float("0.650556")


def test_times_ten_to_the_power_evaluates_to_the_scientific_value() -> None:
    assert parse_answer("6.506×10^-1") == pytest.approx(0.6506, rel=1e-15)


def test_a_given_name_called_e_shadows_the_constant_e() -> None:
    assert parse_answer("e", {"e": 2.0}) == 2.0


def test_parse_answer_works_without_names() -> None:
    assert parse_answer("exp(1)") == pytest.approx(math.e)


def test_normalise_rewrites_unicode_operators_into_ascii() -> None:
    assert normalise(" 6.506×10^−1 ") == "6.506*10**-1"
    assert normalise("０，６５０６") == "0.6506"
    assert normalise("σ(η)") == "sigmoid(eta)"
    assert normalise("10⁻¹") == "10**(-1)"


def test_a_comma_is_only_a_decimal_point_in_a_plain_number() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer("0,5*2")
    assert caught.value.code == "unsupported"
    with pytest.raises(AnswerError):
        parse_answer("1,234,567")


def test_a_quantity_the_exercise_asks_for_is_a_forbidden_name() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer("out_h1 * 2", NAMES, FORBIDDEN)
    assert caught.value.code == "forbidden_name"
    assert caught.value.params == {"name": "out_h1"}


def test_a_forbidden_name_is_refused_even_when_its_value_is_given() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer("out_h1", {"out_h1": 0.59}, {"out_h1"})
    assert caught.value.code == "forbidden_name"


def test_an_unknown_name_is_reported_by_name() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer("w9 * i1", NAMES, FORBIDDEN)
    assert caught.value.code == "unknown_name"
    assert caught.value.params == {"name": "w9"}


def test_an_unsupported_function_is_named_in_the_error() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer("log10(2)")
    assert caught.value.code == "unsupported"
    assert caught.value.params == {"what": "log10"}


def test_domain_errors_name_the_operation() -> None:
    for text, operation in [
        ("ln(0)", "ln"),
        ("log(-1)", "log"),
        ("sqrt(-1)", "sqrt"),
        ("1/0", "/"),
        ("1/(1-1)", "/"),
        ("0^-1", "^"),
        ("(-8)^(1/3)", "^"),
    ]:
        with pytest.raises(AnswerError) as caught:
            parse_answer(text)
        assert (caught.value.code, caught.value.params) == ("domain", {"operation": operation})


def test_too_long_and_too_deep_report_their_limits() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer("1+" * 150 + "1")
    assert (caught.value.code, caught.value.params) == ("too_long", {"max": MAX_LENGTH})
    with pytest.raises(AnswerError) as caught:
        parse_answer("(" * 40 + "1" + ")" * 40)
    assert (caught.value.code, caught.value.params) == ("too_deep", {"max": MAX_DEPTH})


def test_an_answer_error_is_a_value_error_with_a_json_safe_dict_and_messages() -> None:
    error = AnswerError("unknown_name", {"name": "x"})
    assert isinstance(error, ValueError)
    assert error.to_dict() == {"code": "unknown_name", "params": {"name": "x"}}
    assert "x" in str(error)
    assert "x" in error.message("zh")


# Each entry must raise AnswerError with one of the listed codes, quickly.
NASTY_INPUTS: list[tuple[str, set[str]]] = [
    ("9**9**9", {"overflow"}),
    ("9^9^9", {"overflow"}),
    ("((9**9)**9999)**9999", {"overflow"}),
    ("10**400", {"overflow"}),
    ("1e308*10", {"overflow"}),
    ("1e200*1e200", {"overflow"}),
    ("-1e308-1e308", {"overflow"}),
    ("exp(1000)", {"overflow"}),
    ("exp(exp(exp(10)))", {"overflow"}),
    ("1e999", {"overflow", "not_finite"}),
    ("-1e999", {"overflow", "not_finite"}),
    ("9" * 200 + "e200", {"too_long"}),
    ("nan", {"not_finite"}),
    ("NaN", {"not_finite"}),
    ("inf", {"not_finite"}),
    ("-inf", {"not_finite"}),
    ("Infinity", {"not_finite"}),
    ("∞", {"not_finite"}),
    ("log(0)", {"domain"}),
    ("ln(-2)", {"domain"}),
    ("sqrt(-1)", {"domain"}),
    ("1/0", {"domain"}),
    ("0/0", {"domain"}),
    ("__import__('os')", {"unsupported"}),
    ("__import__('os').system('ls')", {"unsupported"}),
    ("().__class__", {"unsupported"}),
    ("().__class__.__bases__[0].__subclasses__()", {"unsupported"}),
    ("exp.__globals__", {"unsupported"}),
    ("__builtins__", {"unknown_name"}),
    ("open('/etc/passwd')", {"unsupported"}),
    ("eval('1')", {"unsupported"}),
    ("exec('1')", {"unsupported"}),
    ("print(1)", {"unsupported"}),
    ("lambda: 1", {"unsupported"}),
    ("(lambda x: x)(1)", {"unsupported"}),
    ("[x for x in (1,)]", {"unsupported"}),
    ("{x for x in (1,)}", {"unsupported"}),
    ("(x for x in (1,))", {"unsupported"}),
    ("a.b", {"unsupported"}),
    ("w1.real", {"unsupported"}),
    ("w1[0]", {"unsupported"}),
    ("[1]", {"unsupported"}),
    ("{}", {"unsupported"}),
    ("{1: 2}", {"unsupported"}),
    ("f'{1}'", {"unsupported"}),
    ("'abc'", {"unsupported"}),
    ('"1"', {"unsupported"}),
    ("b'1'", {"unsupported"}),
    ("1j", {"unsupported"}),
    ("2+3j", {"unsupported"}),
    ("True", {"unsupported"}),
    ("None", {"unsupported"}),
    ("...", {"unsupported"}),
    ("exp(x=1)", {"unsupported"}),
    ("exp(1, 2)", {"unsupported"}),
    ("exp()", {"unsupported"}),
    ("exp(*[1])", {"unsupported"}),
    ("exp(**{'x': 1})", {"unsupported"}),
    ("exp", {"unsupported"}),
    ("w1(2)", {"unsupported"}),
    ("2(3)", {"unsupported"}),
    ("(x := 1)", {"unsupported"}),
    ("1 if 1 else 2", {"unsupported"}),
    ("1if 1else 2", {"unsupported"}),
    ("not 1", {"unsupported"}),
    ("1 and 2", {"unsupported"}),
    ("1 < 2", {"unsupported"}),
    ("~1", {"unsupported"}),
    ("5 % 3", {"unsupported"}),
    ("5 // 3", {"unsupported"}),
    ("1 << 2", {"unsupported"}),
    ("1 | 2", {"unsupported"}),
    ("1 @ 2", {"unsupported"}),
    ("0x10", {"unsupported"}),
    ("0b1", {"unsupported"}),
    ("1_000", {"unsupported"}),
    ("1 # comment", {"unsupported"}),
    ("1 \\\n+ 2", {"bad_characters", "unsupported"}),
    ("1, 2", {"unsupported"}),
    ("await x", {"unsupported"}),
    ("yield 1", {"unsupported"}),
    ("*a", {"unsupported", "syntax"}),
    ("1;2", {"syntax"}),
    ("1 2", {"syntax"}),
    ("1+", {"syntax"}),
    ("(1", {"syntax"}),
    ("1)", {"syntax"}),
    ("$", {"syntax"}),
    ("`1`", {"syntax"}),
    ("²", {"syntax"}),
    ("", {"empty"}),
    ("   ", {"empty"}),
    ("\u3000", {"empty"}),
    ("0" * 100_000, {"too_long"}),
    ("1" * 100_000, {"too_long"}),
    ("1+" * 50_000 + "1", {"too_long"}),
    (" " * 999 + "1" * 201, {"too_long"}),
    ("(" * 100 + "1" + ")" * 100, {"too_long", "too_deep"}),
    ("(" * 60 + "1" + ")" * 60, {"too_deep"}),
    ("(" * 31 + "1" + ")" * 31, {"too_deep"}),
    ("-" * 150 + "1", {"too_deep"}),
    ("+-" * 80 + "1", {"too_deep"}),
    ("2**" * 40 + "1", {"too_deep"}),
    ("exp(" * 35 + "0" + ")" * 35, {"too_deep"}),
    ("\x00", {"bad_characters"}),
    ("1\x00", {"bad_characters"}),
    ("0.5\x00+1", {"bad_characters"}),
    ("1\x1b[2J", {"bad_characters"}),
    ("1\t+ 2", {"bad_characters"}),
    ("1\n+2", {"bad_characters"}),
    ("1\r\n+2", {"bad_characters"}),
    ("\x7f1", {"bad_characters"}),
    ("\u200b1", {"bad_characters"}),
    ("\ufeff0.5", {"bad_characters"}),
    ("\u202e1+2", {"bad_characters"}),
    ("1\ud8001", {"bad_characters"}),
    ("\ue0001", {"bad_characters"}),
    ("ехр(1)", {"bad_characters"}),  # Cyrillic letters that look Latin
    ("w1 * і1", {"bad_characters"}),  # Ukrainian і
    ("Ε", {"bad_characters"}),  # Greek capital epsilon
    ("٣", {"bad_characters"}),  # Arabic-Indic digit
    ("一", {"bad_characters"}),
    ("零点五", {"bad_characters"}),
    ("😀", {"bad_characters"}),
    ("π", {"bad_characters"}),
    ("foo", {"unknown_name"}),
    ("x", {"unknown_name"}),
    ("E", {"unknown_name"}),
    ("out_h1", {"forbidden_name"}),
    ("E_total - 1", {"forbidden_name"}),
]


@pytest.mark.parametrize(("text", "codes"), NASTY_INPUTS, ids=[repr(text)[:40] for text, _codes in NASTY_INPUTS])
def test_nasty_input_raises_answer_error_with_a_sensible_code_quickly(text: str, codes: set[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the parser must not even warn
        with pytest.raises(AnswerError) as caught:
            parse_answer(text, NAMES, FORBIDDEN)
    assert caught.value.code in codes, (caught.value.code, caught.value.params)
    assert caught.value.code in ANSWER_ERRORS


def test_a_huge_input_is_refused() -> None:
    with pytest.raises(AnswerError):
        parse_answer("9" * 100_000)


def test_the_parser_source_never_executes_user_text() -> None:
    source = Path(parsing.__file__).read_text(encoding="utf-8")
    for banned in (
        r"\beval\(",
        r"\bexec\(",
        r"(?<![.\w])compile\(",
        "sympify",
        "parse_expr",
        r"__import__\(",
        r"\bgetattr\(",
    ):
        assert not re.search(banned, source), banned


# ---------------------------------------------------------------- properties


def _parses_to_finite_float_or_answer_error(text: str) -> None:
    """The contract of parse_answer for arbitrary text."""
    try:
        value = parse_answer(text, NAMES, FORBIDDEN)
    except AnswerError as error:
        assert error.code in ANSWER_ERRORS
        return
    assert type(value) is float
    assert math.isfinite(value)


@given(st.text())
@settings(max_examples=500)
def test_any_text_gives_a_finite_float_or_an_answer_error(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _parses_to_finite_float_or_answer_error(text)


TOKENS = [
    *"0123456789.+-*/^()eE ,x",
    "**",
    "×",
    "−",
    "÷",
    "。",
    "，",
    "（",
    "）",
    "０",
    "５",
    "⁻",
    "¹",
    "exp(",
    "ln(",
    "log(",
    "sqrt(",
    "tanh(",
    "sigmoid(",
    "σ(",
    "abs(",
    "i1",
    "w1",
    "b1",
    "η",
    "out_h1",
    "nan",
    "inf",
    "1e308",
    "9**9",
    "_",
    "[",
    "'",
    "j",
    "lambda",
    "if",
    ":",
    "=",
    "%",
    "\x00",
    "\t",
]


@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
@settings(max_examples=1000)
def test_any_formula_like_text_gives_a_finite_float_or_an_answer_error(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _parses_to_finite_float_or_answer_error(text)


FINITE = st.floats(allow_nan=False, allow_infinity=False)


@given(FINITE, st.sampled_from(["repr", "%.6g", "%e", "%.15g", "%E"]))
def test_any_finite_float_formatted_as_text_parses_back(value: float, form: str) -> None:
    text = repr(value) if form == "repr" else form % value
    assume(math.isfinite(float(text)))  # "%.15g" may round the largest doubles up to inf
    parsed = parse_answer(text)
    assert math.isclose(parsed, float(text), rel_tol=1e-15, abs_tol=0)
    assert math.isclose(parsed, value, rel_tol=1e-5, abs_tol=1e-300)


FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789.+-eE"})


@given(FINITE)
def test_full_width_conversion_of_a_formatted_number_parses_to_the_same_value(
    value: float,
) -> None:
    for text in (repr(value), "%.6g" % value, "%e" % value):
        assert parse_answer(text.translate(FULL_WIDTH)) == float(text)
        assert parse_answer(text.replace("-", "−").replace(".", "。")) == float(text)


@given(st.floats(min_value=1e-6, max_value=1e6), st.integers(min_value=-5, max_value=5))
def test_times_ten_notation_equals_the_scientific_value(mantissa: float, power: int) -> None:
    expected = mantissa * 10.0**power
    for times in ("×", "x", "*", " × ", "·"):
        text = f"{mantissa!r}{times}10^{power}"
        assert parse_answer(text) == pytest.approx(expected, rel=1e-14)


# ---------------------------------------------------------------- messages

REQUIRED_CODES = {
    "empty",
    "too_long",
    "too_deep",
    "syntax",
    "unknown_name",
    "forbidden_name",
    "unsupported",
    "not_finite",
    "overflow",
    "domain",
    "bad_characters",
}
EXAMPLE_PARAMS = {"max": 200, "name": "out_h1", "what": "%", "operation": "ln", "char": "U+0000"}


PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_every_error_code_has_an_english_and_a_chinese_message() -> None:
    assert REQUIRED_CODES <= set(ANSWER_ERRORS)
    for code, templates in ANSWER_ERRORS.items():
        assert set(templates) == {"en", "zh"}, code
        assert templates["en"].strip() and templates["zh"].strip(), code
        assert re.search(r"[\u4e00-\u9fff]", templates["zh"]), code


@pytest.mark.parametrize("code", sorted(ANSWER_ERRORS))
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_message_fills_all_its_placeholders(code: str, language: str) -> None:
    message = answer_error_message(code, EXAMPLE_PARAMS, language)
    assert "{" not in message and "}" not in message


def test_every_code_the_parser_raises_has_a_message() -> None:
    raised = set()
    for text, _ in NASTY_INPUTS:
        try:
            parse_answer(text, NAMES, FORBIDDEN)
        except AnswerError as error:
            raised.add(error.code)
            for language in ("en", "zh"):
                message = answer_error_message(error.code, error.params, language)
                assert not PLACEHOLDER.search(message), message
    assert raised <= set(ANSWER_ERRORS)
    assert raised >= REQUIRED_CODES


def test_messages_fall_back_to_english_and_tolerate_unknown_codes() -> None:
    assert answer_error_message("empty", {}, "fr") == ANSWER_ERRORS["empty"]["en"]
    assert answer_error_message("empty", {}, "zh-hans") == ANSWER_ERRORS["empty"]["zh"]
    assert "mystery" in answer_error_message("mystery", {})
    assert "{max}" in answer_error_message("too_long", {})


@pytest.mark.parametrize(("typed", "named"), [("½", "“½” U+00BD"), ("0.5 + ¼", "“¼” U+00BC"), ("1⁄2", "“⁄” U+2044"),
                                              ("0.5☃", "“☃” U+2603")])
def test_a_refused_character_is_named_as_it_was_typed(typed, named):
    with pytest.raises(AnswerError) as caught:
        parse_answer(typed)
    assert caught.value.code == "bad_characters"
    assert caught.value.params == {"char": named}
