"""The submission window (exercises/courses/window.py) over extreme dates: it never overflows,
and its dates stay in order; the services refuse dates more than a year past the assignment's."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.courses.services import extensions as extension_services
from exercises.courses.window import CLOSED, LATE, LATEST, NOT_OPEN, OPEN, submission_window
from exercises.models import Assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import make_assignment  # noqa: E402

pytest_plugins = ["homework_support"]

AWARE = st.datetimes(
    min_value=datetime(1, 1, 3), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@settings(max_examples=400, deadline=None)
@given(
    opens=AWARE, due=AWARE, late_until=st.one_of(st.none(), AWARE), extension=st.one_of(st.none(), AWARE),
    now=AWARE, penalty=st.booleans(),
)
def test_the_window_never_overflows_and_keeps_its_dates_in_order(opens, due, late_until, extension, now, penalty):
    assignment = Assignment(
        opens_at=opens, due_at=due, late_until=late_until,
        late_policy=Assignment.LatePolicy.PENALTY if penalty else Assignment.LatePolicy.NONE,
    )
    window = submission_window(assignment=assignment, extension_due=extension, now=now)
    assert window.due_at <= LATEST and window.due_at >= min(due, LATEST)
    if extension is not None and extension > due:
        assert window.due_at == min(extension, LATEST)
    if window.late_until is not None:
        assert window.due_at <= window.late_until <= LATEST
        assert window.late_until >= min(late_until, LATEST)
    else:
        assert not (penalty and late_until is not None)
    assert window.closes_at >= window.due_at
    expected = (
        NOT_OPEN if now < opens else OPEN if now <= window.due_at
        else LATE if window.late_until is not None and now <= window.late_until else CLOSED
    )
    assert window.status == expected
    # Every date the window gives can be shown in any time zone.
    for moment in (window.due_at, window.closes_at):
        assert moment.astimezone(timezone(timedelta(hours=14))) == moment


def test_an_extension_to_the_end_of_time_moves_the_late_window_without_overflowing():
    due = datetime(2026, 3, 1, tzinfo=UTC)
    assignment = Assignment(opens_at=due - timedelta(days=7), due_at=due, late_until=due + timedelta(days=3),
                            late_policy=Assignment.LatePolicy.PENALTY)
    window = submission_window(assignment=assignment, extension_due=datetime(9999, 12, 30, tzinfo=UTC),
                               now=due + timedelta(days=10))
    assert window.status == OPEN and window.due_at == window.late_until == LATEST  # clamped, still in order
    # An ordinary extension moves the late window along by as much as the due date moved.
    window = submission_window(assignment=assignment, extension_due=due + timedelta(days=2), now=due)
    assert window.late_until == due + timedelta(days=5)


@pytest.mark.django_db
def test_extensions_may_reach_at_most_a_year_past_the_due_date(course, instructor, alice):
    assignment = make_assignment(course, instructor)
    for far in (datetime(9999, 12, 30, tzinfo=UTC), assignment.due_at + timedelta(days=367)):
        with pytest.raises(ValidationError) as refused:
            extension_services.extension_grant(assignment=assignment, actor=instructor, student=alice, due_at=far)
        assert "due_at" in refused.value.message_dict
    granted = extension_services.extension_grant(
        assignment=assignment, actor=instructor, student=alice, due_at=assignment.due_at + timedelta(days=365)
    )
    assert granted.due_at == assignment.due_at + timedelta(days=365)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"due_at": "9999-12-30T00:00:00+00:00"}, "due_at"),
        ({"opens_at": "0001-01-01T00:00:00+00:00"}, "opens_at"),
        ({"due_at": "2026-02-30T10:00:00"}, "due_at"),  # well-formed, impossible: a message, not a 500
        ({"late_policy": "penalty", "late_until": "9999-12-30T00:00:00+00:00"}, "late_until"),
    ],
)
def test_assignment_dates_out_of_range_are_refused_with_the_field_named(course, instructor, overrides, field):
    with pytest.raises(ValidationError) as refused:
        make_assignment(course, instructor, **overrides)
    assert field in refused.value.message_dict


@pytest.mark.django_db
def test_due_dates_and_late_windows_reach_at_most_a_year(course, instructor):
    opens = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError) as refused:
        make_assignment(course, instructor, opens_at=opens, due_at=opens + timedelta(days=367))
    assert "due_at" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        make_assignment(course, instructor, opens_at=opens, due_at=opens + timedelta(days=7),
                        late_policy="penalty", late_until=opens + timedelta(days=7 + 367))
    assert "late_until" in refused.value.message_dict
    kept = make_assignment(course, instructor, opens_at=opens, due_at=opens + timedelta(days=365),
                           late_policy="penalty", late_until=opens + timedelta(days=730))
    assert kept.late_until == opens + timedelta(days=730)
