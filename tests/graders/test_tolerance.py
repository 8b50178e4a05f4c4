"""The tolerance rules and the one accept/reject decision, ``within``."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graders.tolerance import (
    DEFAULT_TOLERANCE,
    KINDS,
    Tolerance,
    ToleranceError,
    allowed_error,
    within,
)

OUT_O1 = 0.650556  # the article prints out_o1 = 0.6505 (truncated)


def test_the_default_is_four_significant_figures() -> None:
    assert DEFAULT_TOLERANCE == Tolerance("sigfigs", 4)


@pytest.mark.parametrize("answer", [0.6505, 0.6506, 0.650556, 0.65056])
def test_the_articles_truncated_and_rounded_values_are_accepted_by_default(answer: float) -> None:
    assert within(answer, OUT_O1)


@pytest.mark.parametrize("answer", [0.6504, 0.6507, 0.65, 0.651, -0.6506, 6.506])
def test_values_off_by_more_than_one_unit_in_the_fourth_figure_are_rejected(
    answer: float,
) -> None:
    assert not within(answer, OUT_O1)


def test_sigfigs_accepts_exactly_one_unit_in_the_last_figure_and_no_more() -> None:
    assert within(0.6506, 0.6505)
    assert within(0.6504, 0.6505)
    assert not within(0.65061, 0.6505)
    assert within(1235, 1234)
    assert not within(1236, 1234)


def test_sigfigs_scale_with_the_magnitude_of_the_expected_value() -> None:
    assert allowed_error(OUT_O1, Tolerance("sigfigs", 4)) == pytest.approx(1e-4, rel=1e-6)
    assert allowed_error(123.4, Tolerance("sigfigs", 4)) == pytest.approx(0.1, rel=1e-6)
    assert allowed_error(-0.0821, Tolerance("sigfigs", 3)) == pytest.approx(1e-4, rel=1e-6)
    assert allowed_error(1.0, Tolerance("sigfigs", 2)) == pytest.approx(0.1, rel=1e-6)
    assert allowed_error(0.001, Tolerance("sigfigs", 1)) == pytest.approx(0.001, rel=1e-6)


def test_near_zero_gradients_are_still_judged_by_significant_figures() -> None:
    expected = 1.234e-4
    assert within(1.234e-4, expected)
    assert within(1.235e-4, expected)
    assert within(1.233e-4, expected)
    assert not within(1.2e-4, expected)
    assert not within(1.237e-4, expected)
    assert not within(0.0, expected)
    assert not within(1.3e-7, 1.234e-7)


def test_an_expected_value_that_is_numerically_zero_can_be_matched() -> None:
    assert within(0.0, 0.0)
    assert within(0.0, 1e-17)
    assert within(0.0, -3e-16)
    assert not within(1e-6, 0.0)


def test_decimals_accepts_up_to_one_unit_in_the_last_decimal_place() -> None:
    tolerance = Tolerance("decimals", 4)
    assert within(0.6505, OUT_O1, tolerance)
    assert within(0.6506, OUT_O1, tolerance)
    assert not within(0.6507, OUT_O1, tolerance)
    assert within(0.3, 0.2999, tolerance)
    assert not within(0.3, 0.2998, tolerance)
    assert within(0.0, 0.0001, tolerance)  # decimals ignore magnitude
    assert within(0, 0.4, Tolerance("decimals", 0))


def test_relative_accepts_a_fraction_of_the_expected_magnitude() -> None:
    tolerance = Tolerance("relative", 0.01)
    assert within(101.0, 100.0, tolerance)
    assert within(99.0, 100.0, tolerance)
    assert not within(101.01, 100.0, tolerance)
    assert within(-0.99, -1.0, tolerance)
    assert not within(1.0, -1.0, tolerance)


def test_absolute_accepts_a_fixed_distance() -> None:
    tolerance = Tolerance("absolute", 0.5)
    assert within(1.5, 1.0, tolerance)
    assert within(0.5, 1.0, tolerance)
    assert not within(1.51, 1.0, tolerance)
    assert within(1.0, 1.0, Tolerance("absolute", 0))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("kind", KINDS)
def test_nan_and_infinity_are_never_within(bad: float, kind: str) -> None:
    tolerance = Tolerance(kind, 1)
    assert not within(bad, 0.5, tolerance)
    assert not within(0.5, bad, tolerance)
    assert not within(bad, bad, tolerance)


def test_a_difference_that_overflows_is_not_within() -> None:
    assert not within(1.7e308, -1.7e308, Tolerance("relative", 1))


FINITE = st.floats(allow_nan=False, allow_infinity=False)
TOLERANCES = st.one_of(
    st.builds(Tolerance, st.just("sigfigs"), st.integers(1, 15)),
    st.builds(Tolerance, st.just("decimals"), st.integers(0, 15)),
    st.builds(Tolerance, st.just("relative"), st.floats(0, 1)),
    st.builds(Tolerance, st.just("absolute"), st.floats(0, 1e300)),
)


@given(FINITE, TOLERANCES)
def test_any_finite_value_is_within_itself_for_every_tolerance(expected: float, tolerance: Tolerance) -> None:
    assert within(expected, expected, tolerance)


@given(FINITE, FINITE, TOLERANCES)
def test_within_is_exactly_the_allowed_error_rule(answer: float, expected: float, tolerance: Tolerance) -> None:
    allowed = allowed_error(expected, tolerance)
    assert allowed >= 0
    assert within(answer, expected, tolerance) == (abs(answer - expected) <= allowed)


@given(st.floats(min_value=1e-300, max_value=1e300), st.integers(1, 8))
def test_sigfigs_always_accepts_the_value_rounded_to_that_many_figures(expected: float, figures: int) -> None:
    rounded = float(f"{expected:.{figures - 1}e}")
    assert within(rounded, expected, Tolerance("sigfigs", figures))
    assert within(-rounded, -expected, Tolerance("sigfigs", figures))


def test_allowed_error_of_a_non_finite_expected_value_is_nan() -> None:
    assert math.isnan(allowed_error(math.inf, DEFAULT_TOLERANCE))



# ---------------------------------------------------------------- serialisation


@pytest.mark.parametrize(
    "tolerance",
    [Tolerance(), Tolerance("decimals", 3), Tolerance("relative", 0.001), Tolerance("absolute", 0.5)],
)
def test_a_tolerance_round_trips_through_a_dict(tolerance: Tolerance) -> None:
    assert Tolerance.from_dict(tolerance.to_dict()) == tolerance


def test_whole_number_kinds_store_json_floats_as_ints() -> None:
    tolerance = Tolerance.from_dict({"kind": "sigfigs", "value": 3.0})
    assert tolerance.to_dict() == {"kind": "sigfigs", "value": 3}
    assert type(tolerance.value) is int


def test_from_dict_defaults_to_four_significant_figures() -> None:
    assert Tolerance.from_dict({}) == DEFAULT_TOLERANCE
    assert Tolerance.from_dict({"kind": "sigfigs"}) == DEFAULT_TOLERANCE


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "percent", "value": 1}, "kind"),
        ({"kind": 4}, "kind"),
        ({"kind": "relative"}, "value"),
        ({"kind": "sigfigs", "value": 0}, "value"),
        ({"kind": "sigfigs", "value": 2.5}, "value"),
        ({"kind": "sigfigs", "value": 16}, "value"),
        ({"kind": "sigfigs", "value": True}, "value"),
        ({"kind": "sigfigs", "value": "4"}, "value"),
        ({"kind": "decimals", "value": -1}, "value"),
        ({"kind": "relative", "value": -0.1}, "value"),
        ({"kind": "relative", "value": 2}, "value"),
        ({"kind": "relative", "value": math.nan}, "value"),
        ({"kind": "absolute", "value": -1}, "value"),
        ({"kind": "absolute", "value": math.inf}, "value"),
        ({"kind": "absolute", "value": None}, "value"),
        ({"kind": "sigfigs", "value": 4, "digits": 3}, "digits"),
        ([("kind", "sigfigs")], "tolerance"),
    ],
)
def test_from_dict_rejects_bad_data_naming_the_field(data: object, field: str) -> None:
    with pytest.raises(ValueError) as caught:
        Tolerance.from_dict(data)  # type: ignore[arg-type]
    assert isinstance(caught.value, ToleranceError)
    assert caught.value.field == field
    assert str(caught.value).startswith(field)


def test_an_invalid_tolerance_cannot_be_constructed_directly() -> None:
    with pytest.raises(ToleranceError):
        Tolerance("sigfigs", 0)
    with pytest.raises(ToleranceError):
        Tolerance("fuzzy", 1)


def test_a_tolerance_is_immutable_and_hashable() -> None:
    tolerance = Tolerance()
    with pytest.raises(AttributeError):
        tolerance.value = 3  # type: ignore[misc]
    assert {tolerance: 1}[Tolerance("sigfigs", 4)] == 1
