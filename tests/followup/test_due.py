"""Due dates of check-ins and reviews, with the dates given (the functions never read the clock)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.due import (
    Cadence,
    DueState,
    add_months,
    due_state,
    next_checkin_date,
    next_review_date,
)

STARTS = [date(2027, 3, 1), date(2027, 3, 15), date(2027, 3, 29)]
END = date(2027, 4, 12)


def each_step(last: date | None) -> date | None:
    return next_checkin_date(
        change_days=STARTS[1:],
        plan_end=END,
        plan_start=STARTS[0],
        last_checkin=last,
        cadence=Cadence.EACH_STEP,
    )


def test_by_default_the_first_check_in_is_the_first_day_of_the_second_step() -> None:
    assert each_step(None) == date(2027, 3, 15)


def test_a_check_in_before_the_next_step_leaves_that_step_due() -> None:
    assert each_step(date(2027, 3, 10)) == date(2027, 3, 15)


def test_a_check_in_on_the_first_day_of_a_step_moves_to_the_next_step() -> None:
    assert each_step(date(2027, 3, 15)) == date(2027, 3, 29)


def test_the_end_of_the_plan_is_the_last_change_to_check_on() -> None:
    assert each_step(date(2027, 3, 29)) == END
    assert each_step(END) is None


def every(last: date | None, weeks: int) -> date | None:
    return next_checkin_date(
        change_days=STARTS[1:],
        plan_end=END,
        plan_start=STARTS[0],
        last_checkin=last,
        cadence=Cadence.EVERY_WEEKS,
        every_weeks=weeks,
    )


def test_every_n_weeks_counts_from_the_last_check_in_or_the_start() -> None:
    assert every(None, 4) == date(2027, 3, 29)
    assert every(date(2027, 3, 20), 1) == date(2027, 3, 27)


def test_every_n_weeks_needs_n() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        every(None, 0)


def test_the_review_is_due_three_months_after_the_last() -> None:
    assert next_review_date(
        last_review=date(2027, 1, 10), co_use=False, next_checkin=date(2027, 2, 1)
    ) == date(2027, 4, 10)


def test_with_co_use_the_review_is_due_at_the_next_check_in_if_sooner() -> None:
    assert next_review_date(
        last_review=date(2027, 1, 10), co_use=True, next_checkin=date(2027, 2, 1)
    ) == date(2027, 2, 1)
    assert next_review_date(
        last_review=date(2027, 1, 10), co_use=True, next_checkin=date(2027, 6, 1)
    ) == date(2027, 4, 10)


def test_three_months_from_the_end_of_a_month_is_the_end_of_a_shorter_one() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (date(2027, 3, 9), DueState.OVERDUE),
        (date(2027, 3, 10), DueState.THIS_WEEK),
        (date(2027, 3, 16), DueState.THIS_WEEK),
        (date(2027, 3, 17), DueState.LATER),
    ],
)
def test_due_this_week_is_today_and_the_six_days_after(due: date, state: DueState) -> None:
    assert due_state(due=due, today=date(2027, 3, 10)) == state


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 36))
def test_adding_months_never_goes_back_and_lands_in_the_right_month(day: date, months: int) -> None:
    later = add_months(day, months)
    assert later >= day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
